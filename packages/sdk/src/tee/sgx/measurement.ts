import { encodePacked } from "../../util/abi.ts";
import { hexToNumber } from "../../util/hex.ts";
import { UsageError } from "../../errors/index.ts";
import { IDS_CODES } from "../../ids/codes.ts";
import { hexField, smallUintField } from "../../ids/fields.ts";
import { isAllZero, toHex, type Hex } from "../../util/bytes.ts";
import type { MeasurementLayout } from "../kind.ts";
import { at, sliceToHex, ZERO32 } from "../layoutHelpers.ts";

/** SGX: an exact enclave (mrenclave, signer fields zero) or a signer + product + minimum ISVSVN (mrenclave zero). */
export interface SgxMeasurement {
  tee: "sgx";
  mrenclave: Hex;
  mrsigner: Hex;
  isvProdId: number;
  minIsvSvn: number;
}

/** mrenclave(32) ‖ mrsigner(32) ‖ uint16 isvProdId ‖ uint16 minIsvSvn = 68 bytes (docs/ids.md). */
export const sgxMeasurement: MeasurementLayout<"sgx", SgxMeasurement> = {
  length: 68,
  encode(m) {
    const mrenclave = hexField("mrenclave", m.mrenclave, 32);
    const mrsigner = hexField("mrsigner", m.mrsigner, 32);
    const isvProdId = smallUintField("isvProdId", m.isvProdId, 16);
    const minIsvSvn = smallUintField("minIsvSvn", m.minIsvSvn, 16);
    const exactEnclave = mrenclave !== ZERO32 && mrsigner === ZERO32 && isvProdId === 0 && minIsvSvn === 0;
    const bySigner = mrenclave === ZERO32 && mrsigner !== ZERO32;
    if (!exactEnclave && !bySigner) {
      throw new UsageError(
        IDS_CODES.IDS_SGX_MEASUREMENT_MODE,
        "an SGX measurement is either an exact mrenclave (signer fields zero) or a zero mrenclave with a mrsigner",
        { details: { mrenclave, mrsigner, isvProdId, minIsvSvn } },
      );
    }
    return encodePacked(["bytes32", "bytes32", "uint16", "uint16"], [mrenclave, mrsigner, isvProdId, minIsvSvn]);
  },
  decode(value) {
    return {
      tee: "sgx",
      mrenclave: at(value, 0, 32),
      mrsigner: at(value, 32, 64),
      isvProdId: hexToNumber(at(value, 64, 66)),
      minIsvSvn: hexToNumber(at(value, 66, 68)),
    };
  },
  matches(c, v) {
    const mrenclave = v.subarray(0, 32);
    if (!isAllZero(mrenclave)) return toHex(mrenclave) === c.mrenclave;
    const prodId = (v[64]! << 8) | v[65]!;
    const minSvn = (v[66]! << 8) | v[67]!;
    return sliceToHex(v, 32, 64) === c.mrsigner && prodId === c.isvProdId && c.isvSvn >= minSvn;
  },
  fromVerified({ claims: c }, { bySigner }) {
    if (bySigner) return { tee: "sgx", mrenclave: ZERO32, mrsigner: c.mrsigner, isvProdId: c.isvProdId, minIsvSvn: c.isvSvn };
    return { tee: "sgx", mrenclave: c.mrenclave, mrsigner: ZERO32, isvProdId: 0, minIsvSvn: 0 };
  },
};
