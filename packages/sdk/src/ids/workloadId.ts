import { encodeAbiParameters } from "../util/abi.ts";
import { getAddress } from "../util/address.ts";
import { stringToBytes, type Address } from "../util/hex.ts";
import { keccak256 } from "../util/keccak256.ts";
import type { Hex } from "../util/bytes.ts";

/** keccak256("keepledger.workload.v1"), the domain tag of workload ids. */
export const WORKLOAD_DOMAIN: Hex = keccak256(stringToBytes("keepledger.workload.v1"));

/**
 * The id of workload `name` registered by `owner`:
 * keccak256(abi.encode(keccak256("keepledger.workload.v1"), owner, keccak256(bytes(name)))).
 * Owner-scoped, so nobody can squat a name; it does not change when the workload changes owner.
 */
export function workloadId(owner: Address, name: string): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "address" }, { type: "bytes32" }],
      [WORKLOAD_DOMAIN, getAddress(owner), keccak256(stringToBytes(name))],
    ),
  );
}
