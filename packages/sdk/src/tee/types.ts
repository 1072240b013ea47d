import type { Hex } from "../util/bytes.ts";
import type { TcbStatus, TeeKind } from "../kinds/index.ts";
import type { CollateralStamp } from "../pki/types.ts";

/** Re-exported: the verifier's public types name the kind and TCB status of what they verified. */
export { TCB_STATUSES, TEE_KINDS, type TcbStatus, type TeeKind } from "../kinds/index.ts";
import type { SgxClaims } from "./sgx/claims.ts";
import type { TdxClaims } from "./tdx/claims.ts";
import type { SnpClaims } from "./sev-snp/claims.ts";
import type { NitroClaims } from "./nitro/claims.ts";
import type { DebugClaims } from "./debug/claims.ts";
import type { AzureCvmClaims } from "./azure-cvm/claims.ts";
import type { ArmCcaClaims } from "./arm-cca/claims.ts";
import type { NvidiaGpuClaims } from "./nvidia-gpu/claims.ts";
import type { CpuGpuClaims } from "./cpu-gpu/claims.ts";
/** Each kind declares its claims in its folder (claims.ts); these re-exports keep the old import path. */
export type { SgxClaims } from "./sgx/claims.ts";
export type { TdxClaims } from "./tdx/claims.ts";
export type { SnpClaims, SnpGuestPolicyClaims, SnpTcbClaim } from "./sev-snp/claims.ts";
export type { NitroClaims } from "./nitro/claims.ts";
export type { DebugClaims } from "./debug/claims.ts";
export type { AzureCvmClaims } from "./azure-cvm/claims.ts";
export type { ArmCcaClaims } from "./arm-cca/claims.ts";
export type { NvidiaGpuClaims, NvidiaRimIdentity } from "./nvidia-gpu/claims.ts";
export type { CpuGpuClaims } from "./cpu-gpu/claims.ts";

export interface ClaimsByKind {
  sgx: SgxClaims;
  tdx: TdxClaims;
  "sev-snp": SnpClaims;
  nitro: NitroClaims;
  debug: DebugClaims;
  "azure-cvm": AzureCvmClaims;
  "arm-cca": ArmCcaClaims;
  "nvidia-gpu": NvidiaGpuClaims;
  "cpu-gpu": CpuGpuClaims;
}

/** Facts about the platform (not the workload) that policies deny by: FMSPC, AMD product line. */
export interface PlatformInfo {
  /** Intel: family-model-stepping-platform-customSKU of the PCK certificate, 12 lowercase hex digits. */
  fmspc?: string;
  /** AMD: Milan, Genoa or Turin. */
  amdProductLine?: string;
  /** AMD: which key signed the report. */
  amdSigningKey?: "vcek" | "vlek";
  /** AMD: the CHIP_ID when it is not in the claims themselves (an SEV-SNP report embedded in other evidence). */
  amdChipId?: Hex;
  /** Intel: TCB Info tcbEvaluationDataNumber the status was computed from. */
  tcbEvaluationDataNumber?: number;
  /** Free-form facts a verifier wants to surface (TCB components, module ids). */
  [key: string]: unknown;
}

/**
 * The normalized outcome of verifying one piece of evidence, modelled on an
 * IETF RATS / EAR appraisal: what the TEE claims, how current its TCB is, and
 * until when the verification stays valid. Only a fully verified chain yields one.
 */
export interface VerifiedEvidence<K extends TeeKind = TeeKind> {
  ok: true;
  tee: K;
  claims: ClaimsByKind[K];
  tcb: { status: TcbStatus; advisoryIds: string[] };
  /** The TEE runs in a debug mode, or is no TEE at all: never secure. */
  debug: boolean;
  /** keccak256 of the raw evidence bytes (the value recorded on-chain). */
  evidenceHash: Hex;
  /** keccak256 over the collateral items used, see docs/ids.md. */
  collateralHash: Hex;
  /** When this verification stops holding: the earliest certificate notAfter, CRL or collateral nextUpdate. */
  expiresAt: Date;
  /** The "as of" time the verification was made for. */
  verifiedAt: Date;
  platform: PlatformInfo;
  /**
   * The dated collateral documents (CRLs, TCB Info, QE Identity) this verification used, each
   * signature-verified: only these may advance a validator's collateral floor. Absent for kinds without any.
   */
  collateralUsed?: CollateralStamp[];
}
