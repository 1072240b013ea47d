/**
 * Verdicts: the EIP-712 typed struct validators sign, its id (the struct hash, chain-independent) and
 * the digests for a single verdict and for a batch, under the domain
 * {name: "keepledger", version: "1", chainId, verifyingContract: the AttestationRegistry}.
 */
import { encodeAbiParameters, getAddress, hashStruct, hashTypedData, keccak256, stringToBytes, type Address } from "viem";
import type { Hex } from "../util/bytes.ts";
import { hexField, smallUintField, uintField } from "./fields.ts";

/** A verdict exactly as signed and stored: tee and tcbStatus are the uint8 codes of enums.ts. */
export interface Verdict {
  workloadId: Hex;
  measurementHash: Hex;
  tee: number;
  tcbStatus: number;
  /** The attested key as an address (or the unbound pseudo-subject, see unboundSubject). */
  subject: Address;
  /** keccak256 of the raw evidence bytes. */
  evidenceHash: Hex;
  collateralHash: Hex;
  /** Seconds since the Unix epoch. */
  issuedAt: bigint;
  expiresAt: bigint;
  /** The block whose hash the evidence's report data committed to; 0 when it bound no key. */
  freshnessBlock: bigint;
}

export const VERDICT_TYPES = {
  Verdict: [
    { name: "workloadId", type: "bytes32" },
    { name: "measurementHash", type: "bytes32" },
    { name: "tee", type: "uint8" },
    { name: "tcbStatus", type: "uint8" },
    { name: "subject", type: "address" },
    { name: "evidenceHash", type: "bytes32" },
    { name: "collateralHash", type: "bytes32" },
    { name: "issuedAt", type: "uint64" },
    { name: "expiresAt", type: "uint64" },
    { name: "freshnessBlock", type: "uint64" },
  ],
} as const;

export const VERDICT_BATCH_TYPES = {
  VerdictBatch: [
    { name: "root", type: "bytes32" },
    { name: "count", type: "uint32" },
  ],
} as const;

/** The EIP-712 domain of an AttestationRegistry. */
export interface KeepledgerDomain {
  name: "keepledger";
  version: "1";
  chainId: bigint;
  verifyingContract: Address;
}

export function keepledgerDomain(chainId: bigint | number, attestationRegistry: Address): KeepledgerDomain {
  return { name: "keepledger", version: "1", chainId: BigInt(chainId), verifyingContract: getAddress(attestationRegistry) };
}

/** Checks every field's width and normalizes hex to lowercase and the subject to its checksum form. */
export function normalizeVerdict(v: Verdict): Verdict {
  return {
    workloadId: hexField("workloadId", v.workloadId, 32),
    measurementHash: hexField("measurementHash", v.measurementHash, 32),
    tee: smallUintField("tee", v.tee, 8),
    tcbStatus: smallUintField("tcbStatus", v.tcbStatus, 8),
    subject: getAddress(hexField("subject", v.subject, 20)),
    evidenceHash: hexField("evidenceHash", v.evidenceHash, 32),
    collateralHash: hexField("collateralHash", v.collateralHash, 32),
    issuedAt: uintField("issuedAt", v.issuedAt, 64),
    expiresAt: uintField("expiresAt", v.expiresAt, 64),
    freshnessBlock: uintField("freshnessBlock", v.freshnessBlock, 64),
  };
}

/** The verdict id: the EIP-712 struct hash of the verdict (no domain, the same on every chain). */
export function verdictId(v: Verdict): Hex {
  return hashStruct({ data: normalizeVerdict(v), primaryType: "Verdict", types: VERDICT_TYPES });
}

/** The typed data a validator signs for one verdict (for viem's signTypedData). */
export function verdictTypedData(v: Verdict, domain: KeepledgerDomain) {
  return { domain, types: VERDICT_TYPES, primaryType: "Verdict" as const, message: normalizeVerdict(v) };
}

/** The EIP-712 digest of one verdict: keccak256(0x1901 ‖ domainSeparator ‖ verdictId). */
export function verdictDigest(v: Verdict, domain: KeepledgerDomain): Hex {
  return hashTypedData(verdictTypedData(v, domain));
}

/** The typed data validators sign for a batch: VerdictBatch(bytes32 root, uint32 count). */
export function verdictBatchTypedData(root: Hex, count: number, domain: KeepledgerDomain) {
  return {
    domain,
    types: VERDICT_BATCH_TYPES,
    primaryType: "VerdictBatch" as const,
    message: { root: hexField("root", root, 32), count: Number(uintField("count", count, 32)) },
  };
}

/** The EIP-712 digest of a batch. */
export function verdictBatchDigest(root: Hex, count: number, domain: KeepledgerDomain): Hex {
  return hashTypedData(verdictBatchTypedData(root, count, domain));
}

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
