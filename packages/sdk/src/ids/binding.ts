/**
 * The report-data binding: what a Keep commits to inside its evidence so that the evidence names its
 * key, the chain, the registry and a recent block (freshness), plus — for a validator's self-attestation
 * — its logging profile. Mirrors contracts/libraries/KeepBinding.sol.
 */
import { encodeAbiParameters } from "../util/abi.ts";
import { getAddress } from "../util/address.ts";
import { stringToBytes, type Address } from "../util/hex.ts";
import { keccak256 } from "../util/keccak256.ts";
import type { Hex } from "../util/bytes.ts";
import { loggingProfileCode, type LoggingProfile } from "./enums.ts";
import { hexField, uintField } from "./fields.ts";

/** keccak256("keepledger.binding.v1"). */
export const BINDING_DOMAIN: Hex = keccak256(stringToBytes("keepledger.binding.v1"));
/** keccak256("keepledger.validator-context.v1"). */
export const VALIDATOR_CONTEXT_DOMAIN: Hex = keccak256(stringToBytes("keepledger.validator-context.v1"));

const ZERO32: Hex = `0x${"00".repeat(32)}`;

export interface BindingInput {
  chainId: bigint | number;
  attestationRegistry: Address;
  /** The uncompressed secp256k1 public key without the 0x04 prefix: X‖Y, 64 bytes. */
  subjectPublicKey: Hex;
  /** The hash of the freshness block. */
  blockHash: Hex;
  /** Zero (the default) for an ordinary Keep; validatorContext(profile) for a validator. */
  context?: Hex;
}

/**
 * bindingHash = keccak256(abi.encode(keccak256("keepledger.binding.v1"), uint256 chainId,
 * address attestationRegistry, keccak256(subjectPublicKey64), bytes32 blockHash, bytes32 context)).
 */
export function bindingHash(input: BindingInput): Hex {
  const key = hexField("subjectPublicKey", input.subjectPublicKey, 64);
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "uint256" }, { type: "address" }, { type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }],
      [
        BINDING_DOMAIN,
        uintField("chainId", input.chainId, 256),
        // Lowercase hex of 20 bytes: the encoder takes it as is (no checksum to compute on the hot path).
        hexField("attestationRegistry", input.attestationRegistry, 20),
        keccak256(key),
        hexField("blockHash", input.blockHash, 32),
        hexField("context", input.context ?? ZERO32, 32),
      ],
    ),
  );
}

/** The 64-byte X‖Y form of a public key given as 65 bytes with the 0x04 prefix (viem's form) or as 64. */
export function publicKey64(publicKey: Hex): Hex {
  if (typeof publicKey === "string" && publicKey.length === 2 + 130 && publicKey.slice(2, 4) === "04") {
    return hexField("publicKey", `0x${publicKey.slice(4)}`, 64);
  }
  return hexField("publicKey", publicKey, 64);
}

/** The subject address of a 64-byte public key: the last 20 bytes of keccak256(X‖Y). */
export function subjectOfPublicKey(subjectPublicKey: Hex): Address {
  return getAddress(`0x${keccak256(hexField("subjectPublicKey", subjectPublicKey, 64)).slice(-40)}`);
}

/** The binding context of a validator's self-attestation: keccak256(abi.encode(tag, uint8 profile)). */
export function validatorContext(profile: LoggingProfile): Hex {
  return keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "uint8" }], [VALIDATOR_CONTEXT_DOMAIN, loggingProfileCode(profile)]));
}
