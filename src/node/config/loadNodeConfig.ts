/**
 * Reads and checks the node's configuration file, resolves its paths against the file's directory and
 * fills in the defaults that depend on other fields (data directory, store). Every bad field is named in
 * one NODE_CONFIG_INVALID error, one line per field.
 */
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { getAddress, type Address } from "viem";
import type { z } from "zod";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import { NODE_CODES } from "../codes.ts";
import { nodeConfigSchema, type NodeConfigFile } from "./nodeConfigSchema.ts";

/** The configuration with every path absolute and every default filled in. */
export interface NodeConfig extends Omit<NodeConfigFile, "dataDir" | "store" | "onchainRequests"> {
  dataDir: string;
  store: string;
  onchainRequests?: { address: Address; takeoverAfterMs: number };
  /** Where the file was read from (for messages). */
  source: string;
}

/** Keys that would hold a secret: refused anywhere in the file, whatever the schema says. */
const SECRET_KEYS = /^(privateKey|password|mnemonic|secret|seed)$/i;

export async function loadNodeConfig(path: string): Promise<NodeConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new UsageError(NODE_CODES.NODE_CONFIG_UNREADABLE, `cannot read the node configuration ${path}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new UsageError(NODE_CODES.NODE_CONFIG_UNREADABLE, `the node configuration ${path} is not JSON`, { cause });
  }
  return parseNodeConfig(json, { source: path, baseDir: dirname(resolve(path)) });
}

export interface ParseNodeConfigOptions {
  /** Names the configuration in messages. */
  source?: string;
  /** Relative paths are resolved against this directory (default: the working directory). */
  baseDir?: string;
}

export function parseNodeConfig(json: unknown, options: ParseNodeConfigOptions = {}): NodeConfig {
  const source = options.source ?? "node configuration";
  const baseDir = options.baseDir ?? process.cwd();
  const secret = findSecretKey(json, "");
  if (secret !== undefined) {
    throw new UsageError(
      NODE_CODES.NODE_CONFIG_INVALID,
      `${source}: ${secret}: secrets never go in the configuration file; name an environment variable instead (signer.privateKeyEnv or signer.passwordEnv)`,
      { details: { field: secret } },
    );
  }
  const parsed = nodeConfigSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(describeIssue);
    throw new UsageError(NODE_CODES.NODE_CONFIG_INVALID, `${source} is not a valid node configuration:\n  ${lines.join("\n  ")}`, {
      details: { fields: parsed.error.issues.map(fieldOf), problems: lines },
    });
  }
  const c = parsed.data;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const dataDir = abs(c.dataDir ?? ".keepledger/node");
  const store =
    c.store === undefined
      ? `sqlite:${join(dataDir, "node.db")}`
      : c.store.startsWith("sqlite:")
        ? `sqlite:${abs(c.store.slice("sqlite:".length))}`
        : c.store;
  const signer = "keystore" in c.signer ? { ...c.signer, keystore: abs(c.signer.keystore) } : c.signer;
  const selfAttestation =
    c.selfAttestation.provider === "none"
      ? c.selfAttestation
      : { ...c.selfAttestation, ...(c.selfAttestation.root ? { root: abs(c.selfAttestation.root) } : {}) };
  const { onchainRequests, ...rest } = c;
  return {
    ...rest,
    source,
    deployment: abs(c.deployment),
    signer,
    selfAttestation,
    dataDir,
    store,
    collateral: { ...c.collateral, ...(c.collateral.directory ? { directory: abs(c.collateral.directory) } : {}) },
    ...(onchainRequests
      ? { onchainRequests: { address: getAddress(onchainRequests.address), takeoverAfterMs: onchainRequests.takeoverAfterMs } }
      : {}),
  };
}

function fieldOf(issue: z.core.$ZodIssue): string {
  const base = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") return [base, issue.keys[0]].filter(Boolean).join(".");
  return base || "(root)";
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((k) => `${[...issue.path.map(String), k].join(".")}: not a configuration field (see docs/node.md)`).join("\n  ");
  }
  const field = fieldOf(issue);
  return `${field}: ${issue.message}`;
}

function findSecretKey(value: unknown, at: string): string | undefined {
  if (value === null || typeof value !== "object") return undefined;
  for (const [k, v] of Object.entries(value)) {
    const path = at ? `${at}.${k}` : k;
    if (SECRET_KEYS.test(k)) return path;
    const inner = findSecretKey(v, path);
    if (inner) return inner;
  }
  return undefined;
}
