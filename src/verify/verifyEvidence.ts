import {
  EvidenceFormatError,
  InfrastructureError,
  VerificationError,
  isKeepledgerError,
  type KeepledgerError,
} from "@keepledger/sdk/internal/errors/KeepledgerError";
import { createVerifierContext, type VerifierContext } from "../tee/verifierContext.ts";
import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";
import { EVIDENCE_CODES } from "../evidence/codes.ts";
import { decodeEvidenceInput } from "../evidence/decodeEvidenceInput.ts";
import { emptyCollateral, mergeCollateral, type CollateralProvider, type CollateralSet } from "../collateral/types.ts";
import type { TeeAdapter } from "../tee/adapter.ts";
import { DCAP_CODES } from "../tee/dcap/codes.ts";
import { FRESHNESS_CODES } from "../pki/freshness/codes.ts";
import { DEFAULT_ADAPTERS } from "../tee/table.ts";
import { SNP_VERIFY_CODES } from "../tee/sev-snp/codes.ts";
import type { TeeKind, VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { X509_CODES } from "../pki/x509/codes.ts";
import type { TrustedRoot } from "../pki/x509/verifyCertificateChain.ts";
import type { CollateralFreshnessOptions } from "../pki/freshness/collateralStamp.ts";

export const VERIFY_CODES = defineErrorCodes("verify", {
  COLLATERAL_UNAVAILABLE: {
    stage: "infrastructure",
    description: "A collateral provider (PCS/PCCS/KDS) failed; the same request may succeed later.",
  },
  VERIFY_RESULT_EXPIRED: {
    stage: "verification",
    description:
      "The verification would already have expired at the time it was made for: a certificate, CRL or collateral it rests on lapsed before then (e.g. a Nitro document judged as of its own timestamp but verified after its leaf certificate expired). Attest again or verify as of a time inside the window.",
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
  /** The validator's collateral floor and maximum collateral age; see docs/node.md. */
  freshness?: CollateralFreshnessOptions;
  /**
   * The caches to verify with, created once by whoever owns the process (`createVerifierContext()`) and
   * shared by its verifications. Default: a fresh context for this call alone (correct, nothing reused).
   */
  context?: VerifierContext;
}

/**
 * The evidence bytes of an input: raw bytes, or hex/base64 text decoded — unless the text is not an
 * encoding but a kind's own text form that its adapter detects as it is (NVIDIA's JSON evidence object).
 */
export function evidenceBytesOf(input: Uint8Array, adapters: readonly TeeAdapter[] = DEFAULT_ADAPTERS): Uint8Array {
  // Text a kind reads as it is (Azure's JSON, NVIDIA's JSON) is detected first and goes through undecoded.
  return decodeEvidenceInput(input, { isEvidence: (b) => adapters.some((a) => a.detect(b)) }).bytes;
}

export function detectAdapter(bytes: Uint8Array, adapters: readonly TeeAdapter[] = DEFAULT_ADAPTERS): TeeAdapter {
  return onlyMatch(
    adapters.filter((a) => a.detect(bytes)),
    bytes,
  );
}

/**
 * evidenceBytesOf and detectAdapter in one: the evidence bytes of an input and the one adapter that reads
 * them. Input that is evidence as it is (the usual case) is detected once, not once to decide whether to
 * decode it and again to pick its adapter (an Azure CVM file was sniffed by every JSON detector twice).
 */
export function detectEvidence(
  input: Uint8Array,
  adapters: readonly TeeAdapter[] = DEFAULT_ADAPTERS,
): { bytes: Uint8Array; adapter: TeeAdapter } {
  // Empty input goes straight to decodeEvidenceInput's EVIDENCE_EMPTY.
  const matches = input.length === 0 ? [] : adapters.filter((a) => a.detect(input));
  if (matches.length > 0) return { bytes: input, adapter: onlyMatch(matches, input) };
  // No kind reads the input as it is: it can only be hex or base64 text of evidence (or nothing known).
  const bytes = decodeEvidenceInput(input).bytes;
  return { bytes, adapter: bytes === input ? onlyMatch([], input) : detectAdapter(bytes, adapters) };
}

function onlyMatch(matches: readonly TeeAdapter[], bytes: Uint8Array): TeeAdapter {
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

/**
 * Verification errors that mean "the collateral at hand was not enough": missing or stale pieces. After
 * a provider outage they are the outage's doing, so the outage (retryable) is reported instead.
 */
const COLLATERAL_SHORTFALL: ReadonlySet<string> = new Set<string>([
  DCAP_CODES.DCAP_TCB_INFO_MISSING,
  DCAP_CODES.DCAP_QE_IDENTITY_MISSING,
  DCAP_CODES.DCAP_TCB_SIGNING_CERT_MISSING,
  DCAP_CODES.DCAP_COLLATERAL_EXPIRED,
  SNP_VERIFY_CODES.SNP_VEK_MISSING,
  SNP_VERIFY_CODES.SNP_ASK_MISSING,
  SNP_VERIFY_CODES.SNP_CRL_UNAVAILABLE,
  X509_CODES.CRL_MISSING,
  X509_CODES.CRL_EXPIRED,
  // Older than this validator's floor: its own (down) source is where a current one would have come from.
  FRESHNESS_CODES.CRL_STALE,
  FRESHNESS_CODES.DCAP_TCB_INFO_STALE,
  FRESHNESS_CODES.DCAP_QE_IDENTITY_STALE,
  FRESHNESS_CODES.COLLATERAL_TOO_OLD,
]);

interface GatheredCollateral {
  set: CollateralSet;
  /** Retryable failures of providers whose peers were asked anyway. */
  outages: KeepledgerError[];
}

/** A provider's failure as a typed error: its own if it threw one, otherwise a retryable COLLATERAL_UNAVAILABLE. */
function providerFailure(provider: CollateralProvider, cause: unknown): KeepledgerError {
  return isKeepledgerError(cause)
    ? cause
    : new InfrastructureError(VERIFY_CODES.COLLATERAL_UNAVAILABLE, `collateral provider ${provider.name} failed`, { cause });
}

async function gatherCollateral(
  adapter: TeeAdapter,
  parsed: unknown,
  providers: readonly CollateralProvider[],
  at: Date,
  context: VerifierContext,
): Promise<GatheredCollateral> {
  const requests = adapter.collateralRequests(parsed, context);
  if (requests.length === 0 || providers.length === 0) return { set: emptyCollateral(), outages: [] };
  // The common case — one request, one provider — without the bookkeeping of several; a failure propagates
  // as below (with one provider, every failure ends verification).
  if (requests.length === 1 && providers.length === 1) {
    try {
      return { set: await providers[0]!.fetch(requests[0]!, at), outages: [] };
    } catch (cause) {
      throw providerFailure(providers[0]!, cause);
    }
  }
  const sets: CollateralSet[] = [];
  const outages: KeepledgerError[] = [];
  for (const request of requests) {
    for (const provider of providers) {
      try {
        const set = await provider.fetch(request, at);
        // A provider that offers everything it holds (a directory) answers every request of a composite with
        // the same set: merging it once keeps every item once, rather than once per request.
        if (!sets.includes(set)) sets.push(set);
      } catch (cause) {
        const error = providerFailure(provider, cause);
        // One service down must not fail evidence another provider (an offline directory) covers;
        // final refusals (an unknown FMSPC, a malformed answer) still end verification at once.
        if (!error.retryable || providers.length === 1) throw error;
        outages.push(error);
      }
    }
  }
  // One set is passed as it is: a provider's set is the same object from one verification to the next, which
  // lets a verifier remember what it derived from it (the DCAP appraisal key's collateral ids).
  return { set: sets.length === 1 ? sets[0]! : mergeCollateral(...sets), outages };
}

/**
 * Verifies evidence of any supported kind, end to end: decode (binary, hex or
 * base64), detect the kind, parse, gather collateral, verify as of `at`.
 * Resolves only for fully verified evidence; every failure is a KeepledgerError.
 */
export async function verifyEvidence(input: Uint8Array, options: VerifyEvidenceOptions = {}): Promise<VerifiedEvidence> {
  const at = options.at ?? new Date();
  const adapters = options.adapters ?? DEFAULT_ADAPTERS;
  const { bytes, adapter } = detectEvidence(input, adapters);
  const context = options.context ?? createVerifierContext({ reusable: false });
  const parsed = guarded(adapter, "parser", () => adapter.parse(bytes, context));
  const providers =
    options.collateral === undefined
      ? []
      : Array.isArray(options.collateral)
        ? options.collateral
        : [options.collateral as CollateralProvider];
  const { set: collateral, outages } = await gatherCollateral(adapter, parsed, providers, at, context);
  let result: VerifiedEvidence;
  try {
    result = guarded(adapter, "verifier", () =>
      adapter.verify(parsed, {
        evidence: bytes,
        collateral,
        at,
        ...(options.trustedRoots ? { trustedRoots: options.trustedRoots } : {}),
        ...(options.freshness ? { freshness: options.freshness } : {}),
        caches: context,
      }),
    );
  } catch (error) {
    if (outages.length > 0 && isKeepledgerError(error) && COLLATERAL_SHORTFALL.has(error.code)) throw outages[0]!;
    throw error;
  }
  checkNotExpired(result, at);
  return result;
}

/**
 * No kind may hand back a result that has already lapsed at the time it was made for. A verifier may
 * judge evidence as of an earlier moment (Nitro: the document's own timestamp), but what it returns
 * must still hold at `at`: an expiry before `at` is a rejection, whatever the kind.
 */
export function checkNotExpired(result: VerifiedEvidence, at: Date): void {
  if (!(result.expiresAt.getTime() >= at.getTime())) {
    const when = Number.isNaN(result.expiresAt.getTime()) ? "an invalid time" : result.expiresAt.toISOString();
    throw new VerificationError(
      VERIFY_CODES.VERIFY_RESULT_EXPIRED,
      `the ${result.tee} verification expired at ${when}, before the time it is made for`,
      {
        details: { tee: result.tee, expiresAt: result.expiresAt, at },
      },
    );
  }
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
