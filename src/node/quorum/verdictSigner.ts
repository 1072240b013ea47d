/**
 * The node's EIP-712 signatures over verdicts and batches (docs/ids.md), with the digest computed from
 * the precomputed domain separator and the fast struct hash: the same bytes viem's signTypedData signs
 * (checked in verdictSigner.test.ts), without re-encoding the typed data for every verdict.
 */
import { domainSeparator, getAddress, keccak256, stringToBytes, type Address, type Hex, type LocalAccount } from "viem";
import type { KeepledgerDomain, Verdict } from "../../ids/index.ts";
import { keccak256Hex } from "../../util/keccak256.ts";
import { fastVerdictIdBytes } from "../verdictHash.ts";

const BATCH_TYPEHASH = Buffer.from(keccak256(stringToBytes("VerdictBatch(bytes32 root,uint32 count)")).slice(2), "hex");

export interface SignatureBy {
  signer: Address;
  signature: Hex;
}

export interface VerdictSigner {
  readonly address: Address;
  readonly domain: KeepledgerDomain;
  verdictDigest(v: Verdict): Hex;
  batchDigest(root: Hex, count: number): Hex;
  signVerdict(v: Verdict): Promise<SignatureBy>;
  signBatch(root: Hex, count: number): Promise<SignatureBy>;
}

export function createVerdictSigner(account: Pick<LocalAccount, "address" | "sign">, domain: KeepledgerDomain): VerdictSigner {
  const separator = Buffer.from(domainSeparator({ domain }).slice(2), "hex");
  const digestOf = (structHash: Uint8Array): Hex => {
    const buf = Buffer.alloc(66);
    buf[0] = 0x19;
    buf[1] = 0x01;
    separator.copy(buf, 2);
    Buffer.from(structHash).copy(buf, 34);
    return keccak256Hex(buf);
  };
  const batchStructHash = (root: Hex, count: number): Uint8Array => {
    if (!/^0x[0-9a-fA-F]{64}$/.test(root) || !Number.isInteger(count) || count < 0 || count > 0xffffffff) throw new RangeError("bad batch root or count");
    const buf = Buffer.alloc(96);
    BATCH_TYPEHASH.copy(buf, 0);
    buf.write(root.slice(2), 32, "hex");
    buf.writeUInt32BE(count, 92);
    return Buffer.from(keccak256Hex(buf).slice(2), "hex");
  };
  const sign = async (hash: Hex): Promise<SignatureBy> => {
    if (!account.sign) throw new Error("the account cannot sign digests");
    return { signer: getAddress(account.address), signature: await account.sign({ hash }) };
  };
  const self: VerdictSigner = {
    address: getAddress(account.address),
    domain,
    verdictDigest: (v) => digestOf(fastVerdictIdBytes(v)),
    batchDigest: (root, count) => digestOf(batchStructHash(root, count)),
    signVerdict: (v) => sign(self.verdictDigest(v)),
    signBatch: (root, count) => sign(self.batchDigest(root, count)),
  };
  return self;
}
