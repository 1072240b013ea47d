// Validator-side signing: EIP-712 signatures over verdicts and batches, recovery, and packing in the
// order the AttestationRegistry requires.
import { describe, expect, it } from "vitest";
import { keccak256, stringToBytes, type Hex } from "viem";
import { packSignatures, recoverBatchSigner, recoverVerdictSigner, signVerdict, signVerdictBatch } from "../../src/chain/signVerdict.ts";
import { devAccounts } from "../../src/dev/devAccounts.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import { keepledgerDomain, type Verdict } from "@keepledger/sdk/internal/ids/index";

const validators = devAccounts("keepledger.test.signing", 4);
const domain = keepledgerDomain(31337, "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0");
const verdict: Verdict = {
  workloadId: keccak256(stringToBytes("w")),
  measurementHash: keccak256(stringToBytes("m")),
  tee: 2,
  tcbStatus: 1,
  subject: "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf",
  evidenceHash: keccak256(stringToBytes("e")),
  collateralHash: keccak256(stringToBytes("c")),
  issuedAt: 1_767_225_600n,
  expiresAt: 1_767_312_000n,
  freshnessBlock: 100n,
};

describe("signing verdicts", () => {
  it("a verdict signature recovers to its validator, and only in its domain", async () => {
    const s = await signVerdict(validators[0]!, verdict, domain);
    expect(s.signer).toBe(validators[0]!.address);
    expect(await recoverVerdictSigner(verdict, domain, s.signature)).toBe(validators[0]!.address);
    expect(await recoverVerdictSigner(verdict, keepledgerDomain(1, domain.verifyingContract), s.signature)).not.toBe(
      validators[0]!.address,
    );
  });

  it("a batch signature recovers to its validator for that root and count only", async () => {
    const root = keccak256(stringToBytes("root"));
    const s = await signVerdictBatch(validators[1]!, root, 16, domain);
    expect(await recoverBatchSigner(root, 16, domain, s.signature)).toBe(validators[1]!.address);
    expect(await recoverBatchSigner(root, 17, domain, s.signature)).not.toBe(validators[1]!.address);
  });

  it("packs signatures sorted by ascending signer, whatever order they arrive in", async () => {
    const sigs = await Promise.all(validators.map((v) => signVerdict(v, verdict, domain)));
    const packed = packSignatures([...sigs].reverse());
    const order = sigs.map((s) => s.signer).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    const chunks = Array.from({ length: 4 }, (_, i) => `0x${packed.slice(2 + i * 130, 2 + (i + 1) * 130)}` as Hex);
    const recovered = await Promise.all(chunks.map((c) => recoverVerdictSigner(verdict, domain, c)));
    expect(recovered).toEqual(order);
  });

  const errors: { name: string; input: () => Promise<Parameters<typeof packSignatures>[0]>; wantMessage: string }[] = [
    {
      name: "a 64-byte signature",
      input: async () => [{ signer: validators[0]!.address, signature: `0x${"11".repeat(64)}` }],
      wantMessage: `the signature of ${validators[0]!.address} is 64 bytes, not 65`,
    },
    {
      name: "two signatures of one signer",
      input: async () => {
        const s = await signVerdict(validators[2]!, verdict, domain);
        return [s, s];
      },
      wantMessage: `${validators[2]!.address} signed twice`,
    },
  ];
  it.each(errors)("refuses $name", async ({ input, wantMessage }) => {
    const sigs = await input();
    try {
      packSignatures(sigs);
      expect.unreachable();
    } catch (e) {
      expect(isKeepledgerError(e) && e.code).toBe("CHAIN_SIGNATURES");
      expect((e as Error).message).toBe(wantMessage);
    }
  });
});
