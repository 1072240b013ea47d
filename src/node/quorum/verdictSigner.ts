/**
 * The node's EIP-712 signatures over verdicts and batches (docs/ids.md), with the digests from the
 * codec's verdictDigester (the domain separator computed once, the fast struct hash): the same bytes
 * viem's signTypedData signs (checked in verdictSigner.test.ts), without re-encoding the typed data for
 * every verdict.
 */
import { getAddress, type Address, type Hex, type LocalAccount } from "viem";
import { verdictDigester, type KeepledgerDomain, type Verdict } from "@keepledger/sdk/internal/ids/index";

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
  const digests = verdictDigester(domain);
  const sign = async (hash: Hex): Promise<SignatureBy> => {
    if (!account.sign) throw new Error("the account cannot sign digests");
    return { signer: getAddress(account.address), signature: await account.sign({ hash }) };
  };
  const self: VerdictSigner = {
    address: getAddress(account.address),
    domain,
    verdictDigest: (v) => digests.verdict(v),
    batchDigest: (root, count) => digests.batch(root, count),
    signVerdict: (v) => sign(self.verdictDigest(v)),
    signBatch: (root, count) => sign(self.batchDigest(root, count)),
  };
  return self;
}
