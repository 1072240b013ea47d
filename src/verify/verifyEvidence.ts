import { EvidenceFormatError, InfrastructureError, VerificationError, isKeepledgerError } from "../errors/KeepledgerError.ts";
import { defineErrorCodes } from "../errors/catalogue.ts";
import { EVIDENCE_CODES } from "../evidence/codes.ts";
import { decodeEvidenceInput } from "../evidence/decodeEvidenceInput.ts";
import { emptyCollateral, mergeCollateral, type CollateralProvider, type CollateralSet } from "../collateral/types.ts";
import type { TeeAdapter } from "./adapter.ts";
import { DEFAULT_ADAPTERS } from "./registry.ts";
import type { TeeKind, VerifiedEvidence } from "./types.ts";
import type { TrustedRoot } from "./x509/verifyCertificateChain.ts";

export const VERIFY_CODES = defineErrorCodes("verify", {
  COLLATERAL_UNAVAILABLE: {
    stage: "infrastructure",
    description: "A collateral provider (PCS/PCCS/KDS) failed; the same request may succeed later.",
  },
  INTERNAL_VERIFIER_ERROR: {
    stage: "verification",
    description: "A verifier failed in an unexpected way; the evidence is rejected and the failure should be reported as a bug.",
  },
});

export interface VerifyEvidenceOptions {
  /** Verify as of this time (default: now). */
  at?: Date;
  /** Where collateral comes from; several providers are asked in order and their answers merged. */
  collateral?: CollateralProvider | readonly CollateralProvider[];
  /** Replace the pinned vendor roots. Tests only. */
  trustedRoots?: readonly TrustedRoot[];
  /** The adapters to detect and verify with (default: every supported kind). */
  adapters?: readonly TeeAdapter[];
}

export function detectAdapter(bytes: Uint8Array, adapters: readonly TeeAdapter[] = DEFAULT_ADAPTERS): TeeAdapter {
  const matches = adapters.filter((a) => a.detect(bytes));
  if (matches.length !== 1) {
    throw new EvidenceFormatError(
      EVIDENCE_CODES.EVIDENCE_UNKNOWN_KIND,
      matches.length === 0
        ? "the bytes are not SGX/TDX quote, SEV-SNP report, Nitro document or debug Keep evidence"
        : `the bytes look like more than one kind of evidence (${matches.map((m) => m.kind).join(", ")})`,
      { details: { length: bytes.length, start: Buffer.from(bytes.subarray(0, 8)).toString("hex") } },
    );
  }
  return matches[0]!;
}

async function gatherCollateral(
  adapter: TeeAdapter,
  parsed: unknown,
  providers: readonly CollateralProvider[],
  at: Date,
): Promise<CollateralSet> {
  const requests = adapter.collateralRequests(parsed);
  if (requests.length === 0 || providers.length === 0) return emptyCollateral();
  const sets: CollateralSet[] = [];
  for (const request of requests) {
    for (const provider of providers) {
      try {
        sets.push(await provider.fetch(request, at));
      } catch (cause) {
        if (isKeepledgerError(cause)) throw cause;
        throw new InfrastructureError(VERIFY_CODES.COLLATERAL_UNAVAILABLE, `collateral provider ${provider.name} failed`, { cause });
      }
    }
  }
  return mergeCollateral(...sets);
}

/**
 * Verifies evidence of any supported kind, end to end: decode (binary, hex or
 * base64), detect the kind, parse, gather collateral, verify as of `at`.
 * Resolves only for fully verified evidence; every failure is a KeepledgerError.
 */
export async function verifyEvidence(input: Uint8Array, options: VerifyEvidenceOptions = {}): Promise<VerifiedEvidence> {
  const at = options.at ?? new Date();
  const { bytes } = decodeEvidenceInput(input);
  const adapter = detectAdapter(bytes, options.adapters ?? DEFAULT_ADAPTERS);
  const parsed = guarded(adapter, "parser", () => adapter.parse(bytes));
  const providers = options.collateral === undefined ? [] : Array.isArray(options.collateral) ? options.collateral : [options.collateral as CollateralProvider];
  const collateral = await gatherCollateral(adapter, parsed, providers, at);
  return guarded(adapter, "verifier", () =>
    adapter.verify(parsed, {
      evidence: bytes,
      collateral,
      at,
      ...(options.trustedRoots ? { trustedRoots: options.trustedRoots } : {}),
    }),
  );
}

/** A bug in a parser or verifier must still end as a typed rejection, never as "ok" or an untyped crash. */
function guarded<T>(adapter: TeeAdapter, stage: "parser" | "verifier", run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (isKeepledgerError(e)) throw e;
    throw new VerificationError(VERIFY_CODES.INTERNAL_VERIFIER_ERROR, `the ${adapter.kind} ${stage} failed unexpectedly`, { cause: e });
  }
}

export type { TeeKind };
