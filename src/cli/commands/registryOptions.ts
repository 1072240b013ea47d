/** Options shared by the registry commands (index, serve, query, audit) and their defaults. */
import { UsageError } from "../../errors/index.ts";
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
