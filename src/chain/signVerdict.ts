/**
 * EIP-712 signing of verdicts and batches by validators, and packing of the signatures the way the
 * AttestationRegistry wants them: 65-byte (r, s, v) chunks sorted by strictly ascending signer.
 */
import { concatHex, getAddress, recoverTypedDataAddress, size, type Address, type Hex, type LocalAccount } from "viem";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import { verdictBatchTypedData, verdictTypedData, type KeepledgerDomain, type Verdict } from "@keepledger/sdk/internal/ids/index";
import { CHAIN_CODES } from "@keepledger/sdk/internal/chain/codes";

/** A signature and who made it. */
export interface VerdictSignature {
  signer: Address;
  signature: Hex;
}

/** Anything that signs EIP-712 typed data: a viem local account, or a remote signer with that method. */
export type TypedDataSigner = Pick<LocalAccount, "address" | "signTypedData">;

export async function signVerdict(account: TypedDataSigner, v: Verdict, domain: KeepledgerDomain): Promise<VerdictSignature> {
  const signature = await account.signTypedData(verdictTypedData(v, domain));
  return { signer: getAddress(account.address), signature };
}

export async function signVerdictBatch(
  account: TypedDataSigner,
  root: Hex,
  count: number,
  domain: KeepledgerDomain,
): Promise<VerdictSignature> {
  const signature = await account.signTypedData(verdictBatchTypedData(root, count, domain));
  return { signer: getAddress(account.address), signature };
}

/** Who signed `signature` over verdict `v` in `domain`. */
export async function recoverVerdictSigner(v: Verdict, domain: KeepledgerDomain, signature: Hex): Promise<Address> {
  return getAddress(await recoverTypedDataAddress({ ...verdictTypedData(v, domain), signature }));
}

/** Who signed `signature` over batch (root, count) in `domain`. */
export async function recoverBatchSigner(root: Hex, count: number, domain: KeepledgerDomain, signature: Hex): Promise<Address> {
  return getAddress(await recoverTypedDataAddress({ ...verdictBatchTypedData(root, count, domain), signature }));
}

/** Concatenates signatures sorted by ascending signer address; rejects malformed or duplicate ones. */
export function packSignatures(signatures: readonly VerdictSignature[]): Hex {
  const sorted = [...signatures].sort((a, b) => {
    const x = BigInt(a.signer);
    const y = BigInt(b.signer);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  sorted.forEach((s, i) => {
    if (size(s.signature) !== 65) {
      throw new UsageError(CHAIN_CODES.CHAIN_SIGNATURES, `the signature of ${s.signer} is ${size(s.signature)} bytes, not 65`, {
        details: { signer: s.signer, got: size(s.signature), want: 65 },
      });
    }
    if (i > 0 && BigInt(sorted[i - 1]?.signer ?? 0) === BigInt(s.signer)) {
      throw new UsageError(CHAIN_CODES.CHAIN_SIGNATURES, `${s.signer} signed twice`, { details: { signer: s.signer } });
    }
  });
  return sorted.length === 0 ? "0x" : concatHex(sorted.map((s) => s.signature));
}
