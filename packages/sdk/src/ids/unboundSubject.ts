import { encodeAbiParameters } from "../util/abi.ts";
import { getAddress } from "../util/address.ts";
import { stringToBytes, type Address } from "../util/hex.ts";
import { keccak256 } from "../util/keccak256.ts";
import type { Hex } from "../util/bytes.ts";
import { hexField } from "./fields.ts";

/** keccak256("keepledger.unbound-subject.v1"), the domain tag of unbound pseudo-subjects. */
export const UNBOUND_SUBJECT_DOMAIN: Hex = keccak256(stringToBytes("keepledger.unbound-subject.v1"));

/**
 * The subject a verdict over unbound evidence (freshnessBlock 0) must name: an address derived from the
 * evidence hash that no key can sign for, so an unbound verdict never vouches for a real key.
 */
export function unboundSubject(evidenceHash: Hex): Address {
  const h = keccak256(
    encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }], [UNBOUND_SUBJECT_DOMAIN, hexField("evidenceHash", evidenceHash, 32)]),
  );
  return getAddress(`0x${h.slice(-40)}`);
}
