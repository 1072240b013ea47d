import { describe, expect, it } from "vitest";
import { keccak256, stringToBytes } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { recoverBatchSigner, recoverVerdictSigner } from "../../chain/signVerdict.ts";
import { keepledgerDomain, verdictBatchDigest, verdictDigest, type Verdict } from "@keepledger/sdk/internal/ids/index";
import { recoverCanonicalSigner } from "./checkPeerSignature.ts";
import { createVerdictSigner } from "./verdictSigner.ts";

const account = privateKeyToAccount(keccak256(stringToBytes("keepledger.test.signer")));
const domain = keepledgerDomain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
const v: Verdict = {
  workloadId: keccak256(stringToBytes("w")),
  measurementHash: keccak256(stringToBytes("m")),
  tee: 2,
  tcbStatus: 1,
  subject: "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf",
  evidenceHash: keccak256(stringToBytes("e")),
  collateralHash: keccak256(stringToBytes("c")),
  issuedAt: 1_767_225_600n,
  expiresAt: 1_767_830_400n,
  freshnessBlock: 21_000_000n,
};

describe("verdict signer", () => {
  const signer = createVerdictSigner(account, domain);

  it("signs the EIP-712 digest of docs/ids.md for a verdict, as the registry recovers it", async () => {
    expect(signer.verdictDigest(v)).toBe(verdictDigest(v, domain));
    const { signer: who, signature } = await signer.signVerdict(v);
    expect(who).toBe(account.address);
    expect(await recoverVerdictSigner(v, domain, signature)).toBe(account.address);
    // The node's own signatures are in the form the contract accepts (low s, v 27/28).
    expect(recoverCanonicalSigner(signer.verdictDigest(v), signature)).toEqual({ signer: account.address });
  });

  it("signs VerdictBatch(root, count)", async () => {
    const root = keccak256(stringToBytes("root"));
    expect(signer.batchDigest(root, 5)).toBe(verdictBatchDigest(root, 5, domain));
    const { signature } = await signer.signBatch(root, 5);
    expect(await recoverBatchSigner(root, 5, domain, signature)).toBe(account.address);
    expect(recoverCanonicalSigner(signer.batchDigest(root, 5), signature)).toEqual({ signer: account.address });
    expect(recoverCanonicalSigner(signer.batchDigest(root, 6), signature)).not.toEqual({ signer: account.address });
  });
});
