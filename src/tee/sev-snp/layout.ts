/**
 * Fixed offsets of the SEV-SNP ATTESTATION_REPORT (SEV-SNP Firmware ABI
 * specification, publication 56860, Table "ATTESTATION_REPORT Structure").
 * All integers are little-endian.
 */
export const SNP_REPORT_SIZE = 0x4a0; // 1184
/** The signature covers bytes 0x000..0x29F. */
export const SNP_SIGNED_LENGTH = 0x2a0;
export const SNP_SIGNATURE_OFFSET = 0x2a0;
/** R and S are each 72 bytes, little-endian, zero-padded above the 48 bytes a P-384 scalar needs. */
export const SNP_ECDSA_COMPONENT_SIZE = 72;
export const P384_SCALAR_SIZE = 48;

export const SNP_OFFSETS = {
  VERSION: 0x000,
  GUEST_SVN: 0x004,
  POLICY: 0x008,
  FAMILY_ID: 0x010,
  IMAGE_ID: 0x020,
  VMPL: 0x030,
  SIGNATURE_ALGO: 0x034,
  CURRENT_TCB: 0x038,
  PLATFORM_INFO: 0x040,
  KEY_INFO: 0x048,
  REPORT_DATA: 0x050,
  MEASUREMENT: 0x090,
  HOST_DATA: 0x0c0,
  ID_KEY_DIGEST: 0x0e0,
  AUTHOR_KEY_DIGEST: 0x110,
  REPORT_ID: 0x140,
  REPORT_ID_MA: 0x160,
  REPORTED_TCB: 0x180,
  CPUID_FAM_ID: 0x188,
  CPUID_MOD_ID: 0x189,
  CPUID_STEP: 0x18a,
  CHIP_ID: 0x1a0,
  COMMITTED_TCB: 0x1e0,
  CURRENT_VERSION: 0x1e8,
  COMMITTED_VERSION: 0x1ec,
  LAUNCH_TCB: 0x1f0,
  LAUNCH_MIT_VECTOR: 0x1f8,
  CURRENT_MIT_VECTOR: 0x200,
  SIGNATURE_R: 0x2a0,
  SIGNATURE_S: 0x2e8,
} as const;

/** Report versions this parser understands: 2, 3 (adds CPUID_*), 5 (adds the mitigation vectors). */
export const SNP_REPORT_VERSIONS = [2, 3, 5] as const;
export type SnpReportVersion = (typeof SNP_REPORT_VERSIONS)[number];

/** Signature algorithm 1: ECDSA P-384 with SHA-384. */
export const SNP_SIG_ALGO_ECDSA_P384_SHA384 = 1;
