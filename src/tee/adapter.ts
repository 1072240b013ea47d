import type { CollateralRequest, CollateralSet } from "../collateral/types.ts";
import type { VerifierContext } from "./verifierContext.ts";
import type { TrustedRoot } from "../pki/x509/verifyCertificateChain.ts";
import type { CollateralFreshnessOptions } from "../pki/freshness/collateralStamp.ts";
import type { KindFacts } from "@keepledger/sdk/internal/tee/kind";
import type { TeeKind, VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import type { Hex } from "@keepledger/sdk/internal/util/bytes";

/** What a pure verifier is given. Nothing here fetches: time, collateral and roots come in. */
export interface VerifyContext {
  /** The raw evidence bytes (for the evidence hash). */
  evidence: Uint8Array;
  collateral: CollateralSet;
  /** Verify "as of" this time. */
  at: Date;
  /**
   * Roots to trust instead of the pinned vendor roots. Only tests pass these
   * (with chains built by the test signer); production code never does.
   */
  trustedRoots?: readonly TrustedRoot[];
  /** The validator's collateral floor and maximum age (kinds with CRLs or Intel documents apply them). */
  freshness?: CollateralFreshnessOptions;
  /** The long-lived caches to verify with (verifyEvidence always passes one: the caller's or a fresh one). */
  caches?: VerifierContext;
}

/**
 * One TEE kind, end to end: its facts (packages/sdk/src/tee/kind.ts, the same objects as in packages/sdk/src/tee/kindFacts.ts)
 * and its verifier. A new kind or quote version is one adapter in the table (src/tee/table.ts).
 * parse → verify are separate rooms: parse never does crypto or I/O, verify never does I/O.
 */
export interface TeeAdapter<K extends TeeKind = TeeKind, P = unknown> extends KindFacts<K> {
  /** Cheap sniff of the leading bytes. Never throws. */
  detect(bytes: Uint8Array): boolean;
  /** Bytes to typed evidence; throws EvidenceFormatError on any malformed input. */
  parse(bytes: Uint8Array, caches?: VerifierContext): P;
  /** The collateral verification of this evidence needs (none for Nitro and debug Keeps). */
  collateralRequests(parsed: P, caches?: VerifierContext): CollateralRequest[];
  /** Signatures, chains, CRLs and TCB status; throws VerificationError; pure. */
  verify(parsed: P, context: VerifyContext): VerifiedEvidence<K>;
  /**
   * The kind's launch-policy checks (PolicyError); kinds without any return without checking. `launch` is
   * the whole LaunchPolicy (src/policy/types.ts, composed of the kinds' parts); each kind reads its part.
   */
  checkLaunchPolicy(evidence: VerifiedEvidence<K>, launch: object): void;
  /**
   * Optional: when verified evidence matches no approved measurement of its kind, the specific PolicyError for
   * one approved value (packed, of the kind's length) that it nearly matches — a composite whose CPU part is
   * approved but whose GPUs miss the value's GPU requirements. Returns when it has nothing more specific.
   */
  explainMismatch?(evidence: VerifiedEvidence<K>, approvedValue: Hex): void;
}
