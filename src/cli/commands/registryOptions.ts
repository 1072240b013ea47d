/** Options shared by the registry commands (index, serve, query, audit) and their defaults. */
import type { Command } from "commander";
import type { RegistryServerOptions } from "../../api/registryServer.ts";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import { trustedProxyList } from "../../util/clientAddress.ts";
import type { EvidenceAccess } from "../../api/createRegistrySchema.ts";
import { httpChainSource, type ChainSource } from "../../indexer/chainSource.ts";
import { CLI_CODES } from "../codes.ts";

export const DEFAULT_RPC = "http://127.0.0.1:8545";
export const DEFAULT_DEPLOYMENT = ".keepledger/deployment.json";
export const DEFAULT_REGISTRY_DATABASE = ".keepledger/registry.db";

/** A JSON-RPC endpoint as the indexer and the audit use it (HTTP requests batched). */
export function rpcSource(url: string): ChainSource {
  if (!/^https?:\/\//.test(url)) {
    throw new UsageError(CLI_CODES.CLI_BAD_OPTION, `--rpc must be an http(s) URL, got "${url}"`, {
      at: { field: "--rpc" },
      details: { got: url },
    });
  }
  return httpChainSource(url);
}

export function evidenceAccessOption(value: string | undefined): EvidenceAccess | undefined {
  if (value === undefined) return undefined;
  if (value === "none" || value === "hashes" || value === "full") return value;
  throw new UsageError(CLI_CODES.CLI_BAD_OPTION, `--evidence-access must be none, hashes or full, got "${value}"`, {
    at: { field: "--evidence-access" },
    details: { got: value },
  });
}

export function wholeNumberOption(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new UsageError(CLI_CODES.CLI_BAD_OPTION, `${flag} must be a whole number, got "${value}"`, {
      at: { field: flag },
      details: { got: value },
    });
  return Number(value);
}

/** The registry server's abuse limits, shared by `keepledger serve` and `keepledger index --serve`. */
export interface RegistryServerFlags {
  requestsPerMinute?: string;
  trustedProxy?: string[];
}

export const DEFAULT_REGISTRY_REQUESTS_PER_MINUTE = 1200;

export function addRegistryServerFlags(command: Command): Command {
  return command
    .option(
      "--requests-per-minute <n>",
      `per-client request rate on /graphql and /evidence (0: no limit)`,
      String(DEFAULT_REGISTRY_REQUESTS_PER_MINUTE),
    )
    .option(
      "--trusted-proxy <address|cidr...>",
      "reverse proxies whose X-Forwarded-For names the client for rate limiting (e.g. 127.0.0.1 10.0.0.0/8)",
    );
}

export function registryServerOptions(flags: RegistryServerFlags): RegistryServerOptions {
  const perMinute = wholeNumberOption("--requests-per-minute", flags.requestsPerMinute) ?? DEFAULT_REGISTRY_REQUESTS_PER_MINUTE;
  const trustedProxies = flags.trustedProxy ?? [];
  try {
    trustedProxyList(trustedProxies);
  } catch (error) {
    throw new UsageError(CLI_CODES.CLI_BAD_OPTION, `--trusted-proxy: ${(error as Error).message}`, { at: { field: "--trusted-proxy" } });
  }
  return { ...(perMinute > 0 ? { requestsPerMinute: perMinute } : {}), ...(trustedProxies.length > 0 ? { trustedProxies } : {}) };
}
