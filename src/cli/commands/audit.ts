/**
 * `keepledger audit <verdictId> [--rpc <url>] [--deployment <file>] [--database <store>] [--tcb-info <file...>] [--json]`:
 * re-verifies a finalized verdict from the chain's record and the evidence store (src/audit). Exit 0
 * when every field re-derives, 1 on a mismatch (or when the evidence is not in the store), 2 on usage
 * errors (a malformed or unknown verdict id, a missing file).
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { Command } from "commander";
import { readDeployment, type Deployment } from "../../chain/deployment.ts";
import { auditVerdict } from "../../audit/auditVerdict.ts";
import { auditJson, formatAudit } from "../../audit/formatAudit.ts";
import { isKeepledgerError, UsageError } from "@keepledger/sdk/internal/errors/index";
import { CLI_CODES } from "../codes.ts";
import { EvidenceStore } from "../../evidenceStore/EvidenceStore.ts";
import type { ChainSource } from "../../indexer/chainSource.ts";
import { openDatabase } from "../../store/openDatabase.ts";
import type { Database } from "../../store/Database.ts";
import { UNCHECKED_GPU_REVOCATION_FLAG, unsafeAdapters } from "../verificationInputs.ts";
import { failureJson, failureText } from "../formatVerification.ts";
import { DEFAULT_DEPLOYMENT, DEFAULT_REGISTRY_DATABASE, DEFAULT_RPC, rpcSource } from "./registryOptions.ts";

export interface AuditCommandOptions {
  rpc?: string;
  deployment?: string;
  database?: string;
  json?: boolean;
  /** Files of TCB Info newer than the stored collateral's: the TCB grace-period decision is replayed against them. */
  tcbInfo?: string[];
  /** UNSAFE: replay SEV-SNP verdicts without AMD's CRL when the evidence store has none (verdicts of a dev network). */
  dangerouslyAllowMissingAmdCrl?: boolean;
  /** UNSAFE: replay NVIDIA GPU verdicts without OCSP responses (verdicts of a dev network). */
  dangerouslyAllowUncheckedGpuRevocation?: boolean;
}

/** What the command would build from its options; tests hand them in. */
export interface AuditDependencies {
  chain: ChainSource;
  deployment: Deployment;
  evidenceStore: EvidenceStore;
}

export interface AuditCommandResult {
  exitCode: 0 | 1 | 2;
  stdout: string;
}

async function readCollateralFile(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new UsageError(CLI_CODES.CLI_FILE_UNREADABLE, `cannot read TCB Info file ${path}`, { cause });
  }
}

export async function runAudit(verdictId: string, opts: AuditCommandOptions, deps?: AuditDependencies): Promise<AuditCommandResult> {
  let db: Database | undefined;
  try {
    let d = deps;
    if (!d) {
      const deployment = await readDeployment(opts.deployment ?? DEFAULT_DEPLOYMENT);
      db = openDatabase(opts.database ?? DEFAULT_REGISTRY_DATABASE);
      d = { chain: rpcSource(opts.rpc ?? DEFAULT_RPC), deployment, evidenceStore: await EvidenceStore.open(db) };
    }
    const tcbInfo = await Promise.all(
      (opts.tcbInfo ?? []).map(async (path) => ({ name: basename(path), bytes: await readCollateralFile(path) })),
    );
    const result = await auditVerdict({
      verdictId,
      ...d,
      ...(tcbInfo.length > 0 ? { tcbInfo } : {}),
      ...unsafeAdapters(opts),
    });
    return { exitCode: result.result === "match" ? 0 : 1, stdout: opts.json ? auditJson(result) : formatAudit(result) };
  } catch (error) {
    if (!isKeepledgerError(error)) throw error;
    return { exitCode: error.stage === "usage" ? 2 : 1, stdout: opts.json ? JSON.stringify(failureJson(error)) : failureText(error) };
  } finally {
    await db?.close();
  }
}

export function registerAuditCommand(program: Command): void {
  program
    .command("audit")
    .description(
      "re-verify a finalized verdict: its on-chain record, the stored evidence and collateral, the policy then in force; field by field",
    )
    .argument("<verdictId>", "the verdict id (0x + 64 hex digits)")
    .option("--rpc <url>", "JSON-RPC endpoint", DEFAULT_RPC)
    .option("--deployment <file>", "deployment JSON (from keepledger deploy --out)", DEFAULT_DEPLOYMENT)
    .option(
      "--database <path|url>",
      "the store holding the evidence store (the node's, or the shared dev store)",
      DEFAULT_REGISTRY_DATABASE,
    )
    .option("--json", "print exactly one JSON object on stdout")
    .option(
      "--tcb-info <file...>",
      "TCB Info newer than the stored collateral's (and its signing chain): replay the TCB grace-period decision against it",
    )
    .option(
      "--dangerously-allow-missing-amd-crl",
      "UNSAFE: replay SEV-SNP verdicts without AMD's CRL when the store has none (verdicts of a dev network)",
    )
    .option(UNCHECKED_GPU_REVOCATION_FLAG, "UNSAFE: replay NVIDIA GPU verdicts without OCSP responses (verdicts of a dev network)")
    .addHelpText("after", "\nExit status: 0 every field re-derives, 1 mismatch (or the evidence is not in the store), 2 usage error.")
    .action(async (verdictId: string, opts: AuditCommandOptions) => {
      const r = await runAudit(verdictId, opts);
      process.stdout.write(`${r.stdout}\n`);
      process.exitCode = r.exitCode;
    });
}
