/**
 * `keepledger verify <evidence-file> [--collateral <dir>] [--at <ISO-8601>] [--json] [--dangerously-allow-missing-amd-crl]
 *   [--dangerously-allow-unchecked-gpu-revocation]`
 * — this exact interface is relied on (docs/cli.md): exit 0 verified, 1 does not
 * verify, 2 usage error; with --json exactly one JSON object on stdout.
 */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { UsageError, isKeepledgerError, type KeepledgerError } from "@keepledger/sdk/internal/errors/index";
import { VERIFY_CODES, verifyEvidence } from "../../verify/verifyEvidence.ts";
import { CLI_CODES } from "../codes.ts";
import {
  UNCHECKED_GPU_REVOCATION_FLAG,
  UNCHECKED_GPU_REVOCATION_HELP,
  collateralProviders,
  parseAt,
  unsafeAdapters,
} from "../verificationInputs.ts";
import { failureJson, failureText, verificationJson, verificationText } from "../formatVerification.ts";

export interface VerifyCommandOptions {
  collateral?: string;
  at?: string;
  json?: boolean;
  pccs?: string;
  kds?: string;
  /** UNSAFE: verify SEV-SNP ASKs without AMD's CRL when no source has it. */
  dangerouslyAllowMissingAmdCrl?: boolean;
  /** UNSAFE: accept NVIDIA GPU evidence without OCSP responses. */
  dangerouslyAllowUncheckedGpuRevocation?: boolean;
}

export interface VerifyCommandResult {
  exitCode: 0 | 1 | 2;
  stdout: string;
}

/** The whole command as a function of its arguments, for the CLI and for tests. */
export async function runVerify(file: string, opts: VerifyCommandOptions): Promise<VerifyCommandResult> {
  const render = (e: KeepledgerError): string => (opts.json ? JSON.stringify(failureJson(e)) : failureText(e));
  try {
    const at = parseAt(opts.at);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(file));
    } catch (cause) {
      throw new UsageError(CLI_CODES.CLI_FILE_UNREADABLE, `cannot read evidence file ${file}`, { cause, at: { field: "<evidence-file>" } });
    }
    const providers = await collateralProviders(opts);
    const result = await verifyEvidence(bytes, {
      at,
      collateral: providers,
      ...unsafeAdapters(opts),
    });
    return { exitCode: 0, stdout: opts.json ? JSON.stringify(verificationJson(result)) : verificationText(result) };
  } catch (e) {
    const error = isKeepledgerError(e)
      ? e
      : new UsageError(VERIFY_CODES.INTERNAL_VERIFIER_ERROR, e instanceof Error ? e.message : String(e), { cause: e });
    return { exitCode: error.stage === "usage" ? 2 : 1, stdout: render(error) };
  }
}

export function registerVerifyCommand(program: Command): void {
  program
    .command("verify")
    .description(
      "verify TEE evidence (SGX/TDX quote, SEV-SNP report, Nitro document, NVIDIA GPU report, Azure CVM evidence, Arm CCA token, debug Keep) to the vendor roots, as of a time",
    )
    .argument("<evidence-file>", "raw evidence bytes, or the same bytes as hex or base64 text")
    .option(
      "--collateral <dir>",
      "directory of collateral, recognized by content (certificates, CRLs, Intel TCB Info / QE Identity JSON, Arm CCA CPAKs)",
    )
    .option("--at <time>", "verify as of this ISO-8601 time (default: now)")
    .option("--json", "print exactly one JSON object on stdout")
    .option("--pccs <url>", "fetch Intel collateral from Intel PCS or a PCCS (v4 API) at this base URL")
    .option("--kds <url>", "fetch AMD collateral from AMD KDS (or a mirror) at this base URL")
    .option(
      "--dangerously-allow-missing-amd-crl",
      "UNSAFE: check SEV-SNP ASKs without AMD's CRL when neither --collateral nor --kds has it (a revoked ASK goes unnoticed)",
    )
    .option(UNCHECKED_GPU_REVOCATION_FLAG, UNCHECKED_GPU_REVOCATION_HELP)
    .addHelpText(
      "after",
      "\nExit status: 0 verified, 1 the evidence does not verify, 2 usage error.\nExample: keepledger verify quote.bin --collateral ./collateral --at 2025-07-01T00:00:00Z",
    )
    .action(async (file: string, opts: VerifyCommandOptions) => {
      const r = await runVerify(file, opts);
      process.stdout.write(r.stdout + "\n");
      process.exitCode = r.exitCode;
    });
}
