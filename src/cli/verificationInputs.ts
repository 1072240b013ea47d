/**
 * What the CLI verifies evidence with — collateral and the "as of" time — shared by `keepledger verify` and
 * `keepledger workload measure --from-evidence` so that both accept the same flags and mean the same by them.
 */
import { amdKdsCollateral } from "../collateral/amd/amdKdsCollateral.ts";
import { intelPcsCollateral } from "../collateral/intel/intelPcsCollateral.ts";
import { directoryCollateral } from "../collateral/staticCollateral.ts";
import type { CollateralProvider } from "../collateral/types.ts";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import type { TeeAdapter } from "../tee/adapter.ts";
import { defaultAdapters } from "../tee/table.ts";
import { CLI_CODES } from "./codes.ts";

export interface VerificationInputs {
  /** A directory of collateral, recognized by content. */
  collateral?: string;
  /** Verify as of this ISO-8601 time (default: now). */
  at?: string;
  /** Intel PCS or a PCCS (v4 API) base URL. */
  pccs?: string;
  /** AMD KDS (or a mirror) base URL. */
  kds?: string;
  /** UNSAFE: verify SEV-SNP ASKs without AMD's CRL when no source has it. */
  dangerouslyAllowMissingAmdCrl?: boolean;
  /** UNSAFE: accept NVIDIA GPU evidence without OCSP responses for its device and RIM certificates. */
  dangerouslyAllowUncheckedGpuRevocation?: boolean;
}

/** The CLI flag of the unsafe GPU switch (docs/cli.md); its output says "revocation not checked". */
export const UNCHECKED_GPU_REVOCATION_FLAG = "--dangerously-allow-unchecked-gpu-revocation";
export const UNCHECKED_GPU_REVOCATION_HELP =
  "UNSAFE: accept NVIDIA GPU evidence when no OCSP response covers a device or RIM certificate (a revoked GPU or RIM signer goes unnoticed; NVIDIA publishes no OCSP responses with its samples)";

/** The adapters the unsafe switches ask for, or nothing when none is set (the strict default table). */
export function unsafeAdapters(o: { dangerouslyAllowMissingAmdCrl?: boolean; dangerouslyAllowUncheckedGpuRevocation?: boolean }): {
  adapters?: readonly TeeAdapter[];
} {
  const amd = o.dangerouslyAllowMissingAmdCrl === true;
  const gpu = o.dangerouslyAllowUncheckedGpuRevocation === true;
  if (!amd && !gpu) return {};
  return { adapters: defaultAdapters({ dangerouslyAllowMissingAmdCrl: amd, dangerouslyAllowUncheckedGpuRevocation: gpu }) };
}

/** `--at`: ISO-8601 with a date (a bare date means midnight UTC); now when absent. */
export function parseAt(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const t = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(t)) {
    throw new UsageError(CLI_CODES.CLI_BAD_OPTION, `--at must be an ISO-8601 time such as 2025-07-01T00:00:00Z, got "${value}"`, {
      at: { field: "--at" },
    });
  }
  return new Date(t);
}

/** The collateral sources the flags name, in the order the verifier asks them. */
export async function collateralProviders(o: VerificationInputs): Promise<CollateralProvider[]> {
  const providers: CollateralProvider[] = [];
  if (o.collateral !== undefined) providers.push(await directoryCollateral(o.collateral));
  if (o.pccs !== undefined) providers.push(intelPcsCollateral({ baseUrl: o.pccs, apiVersion: 4 }));
  if (o.kds !== undefined) providers.push(amdKdsCollateral({ baseUrl: o.kds }));
  return providers;
}
