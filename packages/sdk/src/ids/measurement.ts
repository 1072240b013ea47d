/**
 * The measurement hash keccak256(abi.encodePacked(keccak256("keepledger.measurement.v1"), uint8(tee), value))
 * of a packed value. The per-kind layouts of the values live with each kind (src/tee/<kind>/measurement.ts,
 * read through packages/sdk/src/tee/kindFacts.ts).
 */
import { encodePacked } from "../util/abi.ts";
import { stringToBytes } from "../util/hex.ts";
import { keccak256 } from "../util/keccak256.ts";
import type { Hex } from "../util/bytes.ts";
import type { TeeKind } from "../kinds/index.ts";
import { teeKindCode } from "./enums.ts";
import { anyHex } from "./fields.ts";

/** keccak256("keepledger.measurement.v1"), the domain tag of measurement hashes. */
export const MEASUREMENT_DOMAIN: Hex = keccak256(stringToBytes("keepledger.measurement.v1"));

/** The measurement hash of a packed value of kind `tee`. */
export function measurementHashOfValue(tee: TeeKind, value: Hex): Hex {
  return keccak256(encodePacked(["bytes32", "uint8", "bytes"], [MEASUREMENT_DOMAIN, teeKindCode(tee), anyHex("value", value)]));
}
