import { UsageError } from "../../errors/KeepledgerError.ts";
import { concatBytes, fromHex, toHex, tryFromHex, type Hex } from "../../util/bytes.ts";
import type { ArmCcaClaims } from "./claims.ts";
import { ARM_CCA_MEASUREMENT_CODES } from "./codes.ts";

/**
 * The binding hash sits in the realm challenge (claim 10, 64 bytes) as in
 * REPORTDATA: the 32-byte binding hash ‖ 32 zero bytes. The realm asks the RMM
 * for its token with this challenge (RSI_ATTESTATION_TOKEN_INIT).
 */
export const ARM_CCA_REPORT_DATA_LENGTH = 64;

export function bindArmCcaReportData(bindingHash: Hex): Hex {
  const hash = tryFromHex(bindingHash);
  if (!hash || hash.length !== 32) {
    throw new UsageError(ARM_CCA_MEASUREMENT_CODES.CCA_MEASUREMENT_FIELD, "a binding hash is 32 bytes of hex", {
      at: { field: "bindingHash" },
      details: { got: hash?.length },
    });
  }
  return toHex(concatBytes(hash, new Uint8Array(32)));
}

/** The bound bytes of verified claims: the whole 64-byte realm challenge. */
export function armCcaReportDataOf(claims: ArmCcaClaims): Uint8Array {
  return fromHex(claims.reportData);
}
