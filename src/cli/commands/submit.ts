/**
 * `keepledger submit <evidence-file> --workload <id> --node <url>`: posts evidence to a validator node,
 * waits until its verdict is finalized or rejected, and prints it. The evidence file holds the raw
 * evidence, or the same bytes as hex or base64. A bound Keep names its key (--key, hex or a file with
 * the hex) and the block it bound (--freshness-block, from GET /v1/nonce); unbound evidence (dev
 * policies only) is posted with --unbound.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import type { Hex } from "viem";
import type { VerdictView } from "../../node/types.ts";
import { AttestationRefusedError } from "@keepledger/sdk/internal/sdk/AttestationRefusedError";
import { SDK_CODES } from "@keepledger/sdk/internal/sdk/codes";
import { submitEvidence, waitForVerdict, type RequestAttestationOptions } from "@keepledger/sdk/internal/sdk/requestAttestation";
import { CLI_CODES } from "../codes.ts";

export interface SubmitCommandOptions {
  workload: string;
  node: string;
  key?: string;
  freshnessBlock?: string;
  unbound?: boolean;
  collateral?: string;
  context?: string;
  json?: boolean;
  timeout?: string;
}

export interface SubmitResult {
  /** What the node answered last (the settled verdict, or the refusal). */
  view: VerdictView;
  ok: boolean;
}

function badOption(flag: string, value: string, want: string): UsageError {
  return new UsageError(CLI_CODES.CLI_BAD_OPTION, `${flag} must be ${want}, got "${value}"`, {
    at: { field: flag },
    details: { got: value, want },
  });
}

async function keyOption(value: string): Promise<string> {
  const hex = /^(0x)?[0-9a-fA-F]{128,130}$/;
  if (hex.test(value.trim())) return value.trim().startsWith("0x") ? value.trim() : `0x${value.trim()}`;
  let text: string;
  try {
    text = (await readFile(value, "utf8")).trim();
  } catch {
    throw badOption("--key", value, "the subject's public key as hex (64 or 65 bytes) or a file holding it");
  }
  if (!hex.test(text)) throw badOption("--key", value, "a file holding the public key as hex (64 or 65 bytes)");
  return text.startsWith("0x") ? text : `0x${text}`;
}

async function collateralFiles(dir: string): Promise<Array<{ name: string; bytes: Uint8Array }>> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch {
    throw badOption("--collateral", dir, "a directory of collateral files");
  }
  const out: Array<{ name: string; bytes: Uint8Array }> = [];
  for (const name of names) {
    const path = join(dir, name);
    if ((await stat(path)).isFile()) out.push({ name, bytes: new Uint8Array(await readFile(path)) });
  }
  return out;
}

/** Posts and waits; `log` receives progress lines. */
export async function runSubmit(
  evidenceFile: string,
  opts: SubmitCommandOptions,
  log: (line: string) => void = () => undefined,
): Promise<SubmitResult> {
  if (!/^0x[0-9a-fA-F]{64}$/.test(opts.workload)) throw badOption("--workload", opts.workload, "a workload id (0x + 64 hex digits)");
  if (!URL.canParse(opts.node)) throw badOption("--node", opts.node, "the node's URL");
  let evidence: Buffer;
  try {
    evidence = await readFile(evidenceFile);
  } catch {
    throw badOption("<evidence-file>", evidenceFile, "a readable file");
  }
  if (opts.unbound && (opts.key !== undefined || opts.freshnessBlock !== undefined))
    throw badOption("--unbound", "set", "used without --key and --freshness-block");
  if (!opts.unbound) {
    if (opts.key === undefined)
      throw new UsageError(CLI_CODES.CLI_BAD_OPTION, "--key is required (or --unbound, for dev policies that accept unbound evidence)", {
        at: { field: "--key" },
      });
    if (opts.freshnessBlock === undefined || !/^\d+$/.test(opts.freshnessBlock)) {
      throw badOption("--freshness-block", opts.freshnessBlock ?? "", "the number of the block the evidence binds (from GET /v1/nonce)");
    }
  }
  if (opts.context !== undefined && opts.context !== "keep" && opts.context !== "validator")
    throw badOption("--context", opts.context, '"keep" or "validator"');
  const timeoutMs = opts.timeout === undefined ? 300_000 : Number(opts.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw badOption("--timeout", opts.timeout ?? "", "a number of seconds");
  const request: RequestAttestationOptions = {
    ...(opts.unbound ? { unbound: true } : { publicKey: (await keyOption(opts.key!)) as Hex, freshnessBlock: Number(opts.freshnessBlock) }),
    ...(opts.collateral !== undefined ? { collateral: await collateralFiles(opts.collateral) } : {}),
    ...(opts.context !== undefined ? { context: opts.context as "keep" | "validator" } : {}),
  };
  // The HTTP client is the SDK's (packages/sdk/src/sdk/requestAttestation.ts); the CLI prints the node's views as they are.
  const deadline = Date.now() + timeoutMs;
  let accepted;
  try {
    accepted = await submitEvidence(opts.node, new Uint8Array(evidence), opts.workload as Hex, { ...request, deadline });
  } catch (error) {
    if (error instanceof AttestationRefusedError)
      return { ok: false, view: { requestId: error.requestId as Hex, status: "rejected", error: error.nodeError as VerdictView["error"] } };
    throw error;
  }
  log(`accepted: verdict ${accepted.verdictId} (request ${accepted.requestId}); waiting for the validators' quorum`);
  try {
    const view = await waitForVerdict(opts.node, accepted.verdictId, { deadline });
    return { ok: view.status === "finalized", view };
  } catch (error) {
    if ((error as { code?: string }).code !== SDK_CODES.SDK_ATTESTATION_TIMEOUT) throw error;
    return { ok: false, view: { requestId: accepted.requestId, verdictId: accepted.verdictId, status: "pending" } };
  }
}

export function formatVerdictView(view: VerdictView): string {
  const lines = [`${view.status}: ${view.verdictId ? `verdict ${view.verdictId}` : `request ${view.requestId}`}`];
  if (view.error) lines.push(`  error ${view.error.code}: ${view.error.message}`);
  if (view.verdict) {
    const v = view.verdict;
    lines.push(
      `  subject ${v.subject}`,
      `  workload ${v.workloadId}`,
      `  measurement ${v.measurementHash}`,
      `  tee ${v.tee}, tcb status ${v.tcbStatus}`,
    );
    lines.push(
      `  issued ${new Date(Number(v.issuedAt) * 1000).toISOString()}, expires ${new Date(Number(v.expiresAt) * 1000).toISOString()}, freshness block ${v.freshnessBlock}`,
    );
  }
  if (view.txHash) lines.push(`  transaction ${view.txHash}`);
  if (view.batchId)
    lines.push(
      `  batch ${view.batchId}${view.proof ? ` (proof of ${view.proof.length} nodes: materializeVerdict makes it count in isAttested)` : ""}`,
    );
  return lines.join("\n");
}

export function registerSubmitCommand(program: Command): void {
  program
    .command("submit")
    .description("post evidence to a validator node and wait until its verdict is finalized or rejected")
    .argument("<evidence-file>", "the evidence: raw bytes, hex or base64")
    .requiredOption("--workload <id>", "the workload id (0x + 64 hex digits)")
    .requiredOption("--node <url>", "a validator node's URL")
    .option("--key <hex-or-file>", "the subject's secp256k1 public key the evidence binds (64 or 65 bytes of hex, or a file)")
    .option("--freshness-block <n>", "the block the evidence binds (from the node's GET /v1/nonce)")
    .option("--unbound", "the evidence binds no key (accepted only by dev policies with allowUnboundEvidence)", false)
    .option("--collateral <dir>", "post the files of this directory as collateral")
    .option("--context <keep|validator>", "binding context (default keep)")
    .option("--timeout <seconds>", "how long to wait for the verdict (default 300)")
    .option("--json", "print the verdict as JSON", false)
    .action(async (file: string, opts: SubmitCommandOptions) => {
      const result = await runSubmit(file, opts, opts.json ? undefined : (line) => process.stderr.write(`${line}\n`));
      process.stdout.write(opts.json ? `${JSON.stringify(result.view, null, 2)}\n` : `${formatVerdictView(result.view)}\n`);
      if (!result.ok) process.exitCode = 1;
    });
}
