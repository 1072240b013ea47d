import type { Hex } from "../../util/bytes.ts";

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
