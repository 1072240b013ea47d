import type { Hex } from "../util/bytes.ts";
import type { TcbStatus, TeeKind } from "../kinds/index.ts";
import type { CollateralStamp } from "../pki/freshness/collateralStamp.ts";

/** Re-exported: the verifier's public types name the kind and TCB status of what they verified. */
export { TCB_STATUSES, TEE_KINDS, type TcbStatus, type TeeKind } from "../kinds/index.ts";

export interface SgxClaims {
  mrenclave: Hex;
  mrsigner: Hex;
  isvProdId: number;
  isvSvn: number;
  reportData: Hex;
  /** ATTRIBUTES.FLAGS (INIT, DEBUG, MODE64BIT, PROVISIONKEY, EINITTOKEN_KEY, KSS, AEXNOTIFY…): 0x-hex of the 64-bit value. */
  attributes: Hex;
  /** ATTRIBUTES.XFRM, the XSAVE feature mask: 0x-hex of the 64-bit value. */
  xfrm: Hex;
}

export interface TdxClaims {
  mrtd: Hex;
  rtmr0: Hex;
  rtmr1: Hex;
  rtmr2: Hex;
  rtmr3: Hex;
  mrConfigId: Hex;
  /** MROWNER, 48 bytes. */
  mrOwner: Hex;
  /** MROWNERCONFIG, 48 bytes. */
  mrOwnerConfig: Hex;
  /** XFAM, the extended features the TD may use: 0x-hex of the 64-bit value. */
  xfam: Hex;
  /** TD_ATTRIBUTES (DEBUG, SEPT_VE_DISABLE, MIGRATABLE, PKS, KL, PERFMON…): 0x-hex of the 64-bit value. */
  tdAttributes: Hex;
  reportData: Hex;
}

export interface SnpClaims {
  measurement: Hex;
  hostData: Hex;
  reportData: Hex;
  chipId: Hex;
  /** The guest policy, a 64-bit integer, as 0x-prefixed hex of its value. */
  policy: Hex;
  /** REPORTED_TCB: the 8 raw bytes as they appear in the report. */
  reportedTcb: Hex;
  /** The VMPL the report was requested from (0 is the most privileged). */
  vmpl: number;
  /** The guest policy bits the launch was made with (bits 16..25). */
  guestPolicy: SnpGuestPolicyClaims;
  /** REPORTED_TCB (what the VCEK certifies), COMMITTED_TCB, CURRENT_TCB and LAUNCH_TCB, by component. */
  tcb: { reported: SnpTcbClaim; committed: SnpTcbClaim; current: SnpTcbClaim; launch: SnpTcbClaim };
}

/** The guest policy bits of an SEV-SNP launch. */
export interface SnpGuestPolicyClaims {
  /** Bit 16: the host may run the guest with SMT enabled. */
  smt: boolean;
  /** Bit 18: a migration agent may be associated. */
  migrateMa: boolean;
  /** Bit 19: the host may debug the guest (evidence.debug). */
  debug: boolean;
  /** Bit 20: single socket only. */
  singleSocket: boolean;
}

/** One SEV-SNP TCB_VERSION: security patch levels by component (fmc on Turin only) and the 8 raw bytes. */
export interface SnpTcbClaim {
  raw: Hex;
  bootloader: number;
  tee: number;
  snp: number;
  microcode: number;
  /** Turin only. */
  fmc?: number;
}

export interface NitroClaims {
  pcr0: Hex;
  pcr1: Hex;
  pcr2: Hex;
  moduleId: string;
  /** Milliseconds since the Unix epoch, as signed in the document. */
  timestamp: number;
  publicKey: Hex | null;
  userData: Hex | null;
  nonce: Hex | null;
}

export interface DebugClaims {
  measurement: Hex;
  reportData: Hex;
  publicKey: Hex;
}

export interface ClaimsByKind {
  sgx: SgxClaims;
  tdx: TdxClaims;
  "sev-snp": SnpClaims;
  nitro: NitroClaims;
  debug: DebugClaims;
}

/** Facts about the platform (not the workload) that policies deny by: FMSPC, AMD product line. */
export interface PlatformInfo {
  /** Intel: family-model-stepping-platform-customSKU of the PCK certificate, 12 lowercase hex digits. */
  fmspc?: string;
  /** AMD: Milan, Genoa or Turin. */
  amdProductLine?: string;
  /** AMD: which key signed the report. */
  amdSigningKey?: "vcek" | "vlek";
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
