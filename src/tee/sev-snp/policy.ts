import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { SNP_FORMAT_CODES } from "./formatCodes.ts";

/** The guest POLICY bits (SEV-SNP ABI, "Guest Policy Structure"). */
export interface SnpPolicy {
  abiMinor: number;
  abiMajor: number;
  /** Bit 16: the host may use SMT. */
  smt: boolean;
  /** Bit 18: a migration agent may be associated. */
  migrateMa: boolean;
  /** Bit 19: the host may decrypt guest memory for debugging. Never secure. */
  debug: boolean;
  /** Bit 20: the guest may run on one socket only. */
  singleSocket: boolean;
  /** Bit 21: CXL may be populated with devices or memory. */
  cxlAllow: boolean;
  /** Bit 22: AES-256-XTS is required for memory encryption. */
  memAes256Xts: boolean;
  /** Bit 23: RAPL must be disabled. */
  raplDis: boolean;
  /** Bit 24: ciphertext hiding must be enabled. */
  ciphertextHiding: boolean;
  /** Bit 25: SNP_PAGE_MOVE / SWAP_OUT / SWAP_IN are disabled for the guest. */
  pageSwapDisable: boolean;
}

const bit = (v: bigint, n: number): boolean => ((v >> BigInt(n)) & 1n) === 1n;

/** The bits 26..63 the ABI reserves (must be zero). */
const RESERVED_HIGH = ~((1n << 26n) - 1n) & 0xffff_ffff_ffff_ffffn;

/**
 * Decodes the 64-bit guest policy. Bit 17 must be one and bits 26..63 must be
 * zero: firmware refuses to launch a guest with any other policy, so a report
 * carrying one is malformed, and an unknown bit could change what the policy means.
 */
export function decodeSnpPolicy(value: bigint, offset = 0x08): SnpPolicy {
  if (!bit(value, 17)) {
    throw new EvidenceFormatError(SNP_FORMAT_CODES.SNP_POLICY_INVALID, "guest policy bit 17 is reserved and must be one", {
      at: { field: "POLICY", offset },
      details: { policy: `0x${value.toString(16)}` },
    });
  }
  if ((value & RESERVED_HIGH) !== 0n) {
    throw new EvidenceFormatError(SNP_FORMAT_CODES.SNP_POLICY_INVALID, "guest policy sets reserved bits 26..63", {
      at: { field: "POLICY", offset },
      details: { policy: `0x${value.toString(16)}`, reserved: `0x${(value & RESERVED_HIGH).toString(16)}` },
    });
  }
  return {
    abiMinor: Number(value & 0xffn),
    abiMajor: Number((value >> 8n) & 0xffn),
    smt: bit(value, 16),
    migrateMa: bit(value, 18),
    debug: bit(value, 19),
    singleSocket: bit(value, 20),
    cxlAllow: bit(value, 21),
    memAes256Xts: bit(value, 22),
    raplDis: bit(value, 23),
    ciphertextHiding: bit(value, 24),
    pageSwapDisable: bit(value, 25),
  };
}

/** PLATFORM_INFO (SEV-SNP ABI, "PLATFORM_INFO Field"). Unknown bits are kept in `raw`, not rejected. */
export interface SnpPlatformInfo {
  /** The 64-bit value as 0x-prefixed hex. */
  raw: `0x${string}`;
  smtEnabled: boolean;
  tsmeEnabled: boolean;
  eccEnabled: boolean;
  raplDisabled: boolean;
  ciphertextHidingEnabled: boolean;
  /** BadRAM mitigation (AMD-SB-3015): alias detection completed and found no aliasing. */
  aliasCheckComplete: boolean;
}

/**
 * PLATFORM_INFO describes the host, not the guest, and firmware adds bits over
 * time (bit 5 arrived with the BadRAM fix); rejecting unknown bits would
 * reject good reports from newer firmware, so they are kept in `raw` for policy.
 */
export function decodePlatformInfo(value: bigint): SnpPlatformInfo {
  return {
    raw: `0x${value.toString(16)}`,
    smtEnabled: bit(value, 0),
    tsmeEnabled: bit(value, 1),
    eccEnabled: bit(value, 2),
    raplDisabled: bit(value, 3),
    ciphertextHidingEnabled: bit(value, 4),
    aliasCheckComplete: bit(value, 5),
  };
}
