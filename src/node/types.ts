/** Shapes the node's parts share: what is submitted, verdicts as JSON, and what a status lookup returns. */
import type { StoredCollateralFile } from "../evidenceStore/EvidenceStore.ts";
import type { Hex } from "@keepledger/sdk/internal/util/bytes";

/** "keep" binds context 0; "validator" binds the validator context of the subject's on-chain logging profile. */
export type BindingContextKind = "keep" | "validator";

export type CollateralFile = StoredCollateralFile;

/** One piece of evidence to appraise, however it arrived (HTTP, on-chain request, self-attestation, peer). */
export interface Submission {
  workloadId: Hex;
  /** The raw evidence bytes (decoded from base64 or hex). */
  evidence: Uint8Array;
  /** The bound key X‖Y (64 bytes), or null for unbound evidence. */
  subjectPublicKey: Hex | null;
  /** The bound block; 0 for unbound evidence. */
  freshnessBlock: bigint;
  context: BindingContextKind;
  /** Collateral posted with the evidence (or, between peers, every file the collector verified with). */
  collateral: CollateralFile[];
}

export type RequestSource = "http" | "onchain" | "self";

/** The wire shapes, declared in packages/sdk/src/chain/verdictView.ts (the SDK reads them too). */
export {
  verdictFromJson,
  verdictToJson,
  type ErrorJson,
  type PublicStatus,
  type VerdictJson,
  type VerdictMode,
  type VerdictView,
} from "@keepledger/sdk/internal/chain/verdictView";
