/**
 * The identifiers and hashes of attested key release (docs/key-release.md), mirroring
 * contracts/KeyRegistry.sol: key ids, share hashes and the share commitment, release receipt leaves, the
 * EIP-712 release request a Keep signs, the v2 validator binding context that carries the key-service
 * key, and the names of the KeyRegistry's release refusals.
 */
import { encodeAbiParameters, encodePacked } from "../util/abi.ts";
import { getAddress } from "../util/address.ts";
import { stringToBytes, toHex, type Address } from "../util/hex.ts";
import { keccak256 } from "../util/keccak256.ts";
import { hashTypedData } from "../util/typedData.ts";
import type { Hex } from "../util/bytes.ts";
import { IDS_CODES } from "./codes.ts";
import { loggingProfileCode, type LoggingProfile } from "./enums.ts";
import { hexField, uintField } from "./fields.ts";
import { UsageError } from "../errors/index.ts";

/** keccak256("keepledger.key.v1"): the key id's domain. */
export const KEY_DOMAIN: Hex = keccak256(stringToBytes("keepledger.key.v1"));
/** keccak256("keepledger.validator-context.v2"): the context of a validator with a key-service key. */
export const VALIDATOR_CONTEXT_V2_DOMAIN: Hex = keccak256(stringToBytes("keepledger.validator-context.v2"));
/** keccak256 of the receipt leaf's type string (KeyRegistry.RECEIPT_TYPEHASH). */
export const RECEIPT_TYPEHASH: Hex = keccak256(
  stringToBytes("ReleaseReceipt(address validator,bytes32 keyId,uint32 version,address subject,uint64 releasedAt,bytes32 requestHash)"),
);

/** KeyRegistry.ReleaseRefusal, by code. */
export const RELEASE_REFUSALS = [
  "None",
  "UnknownKey",
  "UnknownVersion",
  "VersionRetired",
  "WrongWorkload",
  "SubjectRevoked",
  "NoLiveVerdict",
  "VerdictMismatch",
  "TcbStatus",
  "Debug",
] as const;
export type ReleaseRefusal = (typeof RELEASE_REFUSALS)[number];

/** A release refusal's name from its on-chain code. */
export function releaseRefusalName(code: number): ReleaseRefusal {
  const name = RELEASE_REFUSALS[code];
  if (name === undefined) {
    throw new UsageError(IDS_CODES.IDS_FIELD_RANGE, `release refusal code ${code} is unknown`, {
      at: { field: "releaseRefusal" },
      details: { got: code, want: `0..${RELEASE_REFUSALS.length - 1}` },
    });
  }
  return name;
}

/** keyId = keccak256(abi.encode(KEY_DOMAIN, workloadId, keccak256(name))). */
export function keyId(workloadId: Hex, name: string): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }],
      [KEY_DOMAIN, hexField("workloadId", workloadId, 32), keccak256(stringToBytes(name))],
    ),
  );
}

/** shareHash = keccak256(abi.encode(keyId, uint32 version, uint256 index, bytes share)); index is 1-based. */
export function shareHash(id: Hex, version: number, index: number, share: Uint8Array): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "uint32" }, { type: "uint256" }, { type: "bytes" }],
      [hexField("keyId", id, 32), Number(uintField("version", version, 32)), uintField("index", index, 16), toHex(share)],
    ),
  );
}

/** shareCommitment = keccak256(abi.encodePacked(shareHashes)), as KeyRegistry stores it. */
export function shareCommitment(shareHashes: readonly Hex[]): Hex {
  return keccak256(
    encodePacked(
      shareHashes.map(() => "bytes32" as const),
      shareHashes.map((h, i) => hexField(`shareHashes[${i}]`, h, 32)),
    ),
  );
}

/** A validator's record of one release (KeyRegistry.ReleaseReceipt). */
export interface ReleaseReceipt {
  keyId: Hex;
  version: number;
  subject: Address;
  releasedAt: bigint;
  requestHash: Hex;
}

/** The Merkle leaf of a receipt (KeyRegistry.receiptLeaf). */
export function receiptLeaf(validator: Address, r: ReleaseReceipt): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        { type: "bytes32" },
        { type: "address" },
        { type: "bytes32" },
        { type: "uint32" },
        { type: "address" },
        { type: "uint64" },
        { type: "bytes32" },
      ],
      [
        RECEIPT_TYPEHASH,
        getAddress(validator),
        hexField("keyId", r.keyId, 32),
        Number(uintField("version", r.version, 32)),
        getAddress(r.subject),
        uintField("releasedAt", r.releasedAt, 64),
        hexField("requestHash", r.requestHash, 32),
      ],
    ),
  );
}

/** What a Keep signs to ask one validator for its share. */
export interface ReleaseRequest {
  keyId: Hex;
  version: number;
  /** The validator asked: a request cannot be redirected to another one. */
  validator: Address;
  /** keccak256 of the recipient's 32-byte HPKE public key. */
  recipientKeyHash: Hex;
  blockNumber: bigint;
  blockHash: Hex;
}

export const RELEASE_REQUEST_TYPES = {
  ReleaseRequest: [
    { name: "keyId", type: "bytes32" },
    { name: "version", type: "uint32" },
    { name: "validator", type: "address" },
    { name: "recipientKeyHash", type: "bytes32" },
    { name: "blockNumber", type: "uint64" },
    { name: "blockHash", type: "bytes32" },
  ],
} as const;

/** The EIP-712 domain of release requests: the chain and the KeyRegistry. */
export function releaseRequestDomain(chainId: number, keyRegistry: Address) {
  return { name: "keepledger.KeyRelease", version: "1", chainId, verifyingContract: getAddress(keyRegistry) } as const;
}

/** The typed data a Keep signs (viem signTypedData shape). */
export function releaseRequestTypedData(request: ReleaseRequest, chainId: number, keyRegistry: Address) {
  return {
    domain: releaseRequestDomain(chainId, keyRegistry),
    types: RELEASE_REQUEST_TYPES,
    primaryType: "ReleaseRequest",
    message: {
      keyId: hexField("keyId", request.keyId, 32),
      version: Number(uintField("version", request.version, 32)),
      validator: getAddress(request.validator),
      recipientKeyHash: hexField("recipientKeyHash", request.recipientKeyHash, 32),
      blockNumber: uintField("blockNumber", request.blockNumber, 64),
      blockHash: hexField("blockHash", request.blockHash, 32),
    },
  } as const;
}

/** The request hash (the EIP-712 digest): what replay protection and receipts name. */
export function releaseRequestHash(request: ReleaseRequest, chainId: number, keyRegistry: Address): Hex {
  return hashTypedData(releaseRequestTypedData(request, chainId, keyRegistry));
}

/**
 * The binding context of a validator that holds a key-service key:
 * keccak256(abi.encode(keccak256("keepledger.validator-context.v2"), uint8 profile, bytes32 keyServiceKey)).
 * A validator without one keeps validatorContext(profile) (v1).
 */
export function validatorKeyServiceContext(profile: LoggingProfile, keyServiceKey: Hex): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "uint8" }, { type: "bytes32" }],
      [VALIDATOR_CONTEXT_V2_DOMAIN, loggingProfileCode(profile), hexField("keyServiceKey", keyServiceKey, 32)],
    ),
  );
}

/** What a workload owner signs to deposit one sealed share with one validator. */
export interface ShareDeposit {
  keyId: Hex;
  version: number;
  validator: Address;
  /** keccak256(enc ‖ ciphertext) of the sealed share. */
  sealedHash: Hex;
}

export const SHARE_DEPOSIT_TYPES = {
  ShareDeposit: [
    { name: "keyId", type: "bytes32" },
    { name: "version", type: "uint32" },
    { name: "validator", type: "address" },
    { name: "sealedHash", type: "bytes32" },
  ],
} as const;

/** The typed data an owner signs for a deposit (same domain as release requests). */
export function shareDepositTypedData(deposit: ShareDeposit, chainId: number, keyRegistry: Address) {
  return {
    domain: releaseRequestDomain(chainId, keyRegistry),
    types: SHARE_DEPOSIT_TYPES,
    primaryType: "ShareDeposit",
    message: {
      keyId: hexField("keyId", deposit.keyId, 32),
      version: Number(uintField("version", deposit.version, 32)),
      validator: getAddress(deposit.validator),
      sealedHash: hexField("sealedHash", deposit.sealedHash, 32),
    },
  } as const;
}
