import type { Hex } from "../../util/bytes.ts";

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
