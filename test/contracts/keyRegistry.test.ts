// The KeyRegistry on the in-process chain next to a full keepledger deployment: key versions and their
// events, the release check against real verdicts (live, expired, revoked, other workload, superseded),
// governance of the release policy, key-service keys, and release receipts with their gas per receipt.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getAddress, keccak256, parseEventLogs, stringToBytes, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { keyRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import {
  commitReleaseReceipts,
  createKeyOnChain,
  defaultReleasePolicy,
  deployKeyRegistry,
  keyOf,
  keyServiceKeyOf,
  keyVersionOf,
  releaseCheck,
  retireKeyVersion,
  rotateKeyOnChain,
  setKeyServiceKey,
  setReleasePolicy,
} from "../../src/chain/keyRegistry.ts";
import { sendContractCall } from "../../src/chain/transactions.ts";
import { registerWorkload } from "../../src/chain/workloads.ts";
import {
  batchProof,
  batchRoot,
  keyId as computeKeyId,
  receiptLeaf,
  shareCommitment,
  shareHash,
  TCB_STATUS_CODES,
  type ReleaseReceipt,
} from "@keepledger/sdk/internal/ids/index";
import { expectRevert, startTestbed, type Testbed } from "../support/contracts-testbed.ts";

let tb: Testbed;
let keyRegistry: Address;
let restore: () => Promise<void>;
let shareholders: Address[];

beforeAll(async () => {
  tb = await startTestbed({ validators: 3, threshold: 2 });
  keyRegistry = (await deployKeyRegistry(tb.clients, tb.deployment)).address;
  shareholders = tb.validators.slice(0, 3).map((v) => getAddress(v.address));
  for (const [i, v] of shareholders.entries()) {
    await setKeyServiceKey(await tb.impersonate(v), keyRegistry, keccak256(stringToBytes(`kem ${i}`)));
  }
});
afterAll(async () => {
  await tb?.close();
});
beforeEach(async () => {
  restore = await tb.snapshot();
});
afterEach(async () => {
  await restore();
});

const keep = () => getAddress(privateKeyToAccount(generatePrivateKey()).address);

function shareHashesFor(id: Hex, version: number): Hex[] {
  return shareholders.map((_, i) => shareHash(id, version, i + 1, stringToBytes(`share ${version}.${i + 1}`)));
}

async function createKey(name = "data key") {
  const id = computeKeyId(tb.workloadId, name);
  const hashes = shareHashesFor(id, 1);
  const created = await createKeyOnChain(tb.clients, keyRegistry, {
    workloadId: tb.workloadId,
    name,
    policy: defaultReleasePolicy(),
    threshold: 2,
    shareholders,
    shareHashes: hashes,
  });
  return { ...created, hashes };
}

async function attest(subject: Address, overrides = {}) {
  const v = await tb.verdict(subject, overrides);
  await tb.client.finalizeVerdict(v, await tb.sign(v));
  return v;
}

describe("keys and versions", () => {
  it("creates a key whose id, version, shareholders and share commitment match the TypeScript codec", async () => {
    const { keyId, hashes, hash } = await createKey();
    expect(keyId).toBe(computeKeyId(tb.workloadId, "data key"));
    const receipt = await tb.chain.publicClient.getTransactionReceipt({ hash });
    const events = parseEventLogs({ abi: keyRegistryAbi, logs: receipt.logs });
    expect(events.map((e) => e.eventName)).toEqual(["KeyCreated", "ReleasePolicyScheduled", "KeyVersionCreated"]);
    const version = await keyVersionOf(tb.clients, keyRegistry, keyId, 1);
    expect(version.threshold).toBe(2);
    expect(version.shareholders).toEqual(shareholders);
    expect(version.shareCommitment).toBe(shareCommitment(hashes));
    expect((await keyOf(tb.clients, keyRegistry, keyId)).name).toBe("data key");
  });

  it("only the workload owner creates and rotates; shareholders must publish a key-service key", async () => {
    const id = computeKeyId(tb.workloadId, "k");
    await expectRevert(
      createKeyOnChain(tb.as(tb.stranger), keyRegistry, {
        workloadId: tb.workloadId,
        name: "k",
        policy: defaultReleasePolicy(),
        threshold: 2,
        shareholders,
        shareHashes: shareHashesFor(id, 1),
      }),
      "KeyRegistryNotOwner",
      [tb.workloadId, tb.admin, tb.stranger],
    );
    const stranger = getAddress(tb.validators[5]!.address);
    await expectRevert(
      createKeyOnChain(tb.clients, keyRegistry, {
        workloadId: tb.workloadId,
        name: "k",
        policy: defaultReleasePolicy(),
        threshold: 2,
        shareholders: [...shareholders.slice(0, 2), stranger],
        shareHashes: shareHashesFor(id, 1),
      }),
      "KeyRegistryNotKeyService",
      [stranger],
    );
    const { keyId } = await createKey();
    await expectRevert(
      rotateKeyOnChain(tb.as(tb.stranger), keyRegistry, keyId, { threshold: 2, shareholders, shareHashes: shareHashesFor(keyId, 2) }),
      "KeyRegistryNotOwner",
    );
    const rotated = await rotateKeyOnChain(tb.clients, keyRegistry, keyId, {
      threshold: 3,
      shareholders,
      shareHashes: shareHashesFor(keyId, 2),
    });
    expect(rotated.version).toBe(2);
    expect((await keyOf(tb.clients, keyRegistry, keyId)).latestVersion).toBe(2);
  });

  it("a key-service key is attested only once the validator's own verdict is newer", async () => {
    const v = shareholders[0]!;
    const before = await keyServiceKeyOf(tb.clients, keyRegistry, v);
    expect(before.publicKey).toBe(keccak256(stringToBytes("kem 0")));
    expect(before.attested).toBe(false); // bootstrapped: no own verdict binds it yet
    await expectRevert(setKeyServiceKey(tb.as(tb.stranger), keyRegistry, keccak256("0x01")), "KeyRegistryNotValidator", [tb.stranger]);
  });
});

describe("releaseCheck", () => {
  it("releases to a live latest verdict and refuses expired, revoked, other-workload, superseded and unaccepted TCB", async () => {
    const { keyId } = await createKey();
    const a = keep();
    const v = await attest(a);
    expect(await releaseCheck(tb.clients, keyRegistry, keyId, 1, v)).toBe("None");
    expect(await releaseCheck(tb.clients, keyRegistry, keyId, 2, v)).toBe("UnknownVersion");
    expect(await releaseCheck(tb.clients, keyRegistry, keccak256("0x00"), 1, v)).toBe("UnknownKey");

    const other = (await registerWorkload(tb.clients, tb.deployment, "other")).workloadId;
    expect(await releaseCheck(tb.clients, keyRegistry, keyId, 1, { ...v, workloadId: other })).toBe("WrongWorkload");

    const outOfDate = await attest(keep(), { tcbStatus: TCB_STATUS_CODES.OutOfDate });
    expect(await releaseCheck(tb.clients, keyRegistry, keyId, 1, outOfDate)).toBe("TcbStatus");

    const never = await tb.verdict(keep());
    expect(await releaseCheck(tb.clients, keyRegistry, keyId, 1, never)).toBe("NoLiveVerdict");

    await tb.chain.increaseTime(86_401n);
    expect(await releaseCheck(tb.clients, keyRegistry, keyId, 1, v)).toBe("NoLiveVerdict");
    const fresh = await attest(a);
    expect(await releaseCheck(tb.clients, keyRegistry, keyId, 1, fresh)).toBe("None");
    // The expired verdict is no longer the subject's latest: only the latest counts.
    expect(await releaseCheck(tb.clients, keyRegistry, keyId, 1, v)).toBe("VerdictMismatch");

    await tb.send("attestationRegistry", "revokeSubject", [a, tb.workloadId, "leaked"]);
    expect(await releaseCheck(tb.clients, keyRegistry, keyId, 1, fresh)).toBe("SubjectRevoked");
  });

  it("refuses a debug Keep verdict unless the release policy allows debug", async () => {
    const { keyId } = await createKey();
    const policy = { ...(await tb.read<{ dev: boolean }[]>("workloadRegistry", "policyOf", [tb.workloadId]))[0]! };
    await tb.send("workloadRegistry", "schedulePolicy", [tb.workloadId, { ...policy, dev: true, allowedTees: 0x3e }]);
    const v = await attest(keep(), { measurementHash: tb.measurements.debug, tee: 5 });
    expect(await releaseCheck(tb.clients, keyRegistry, keyId, 1, v)).toBe("Debug");
    await setReleasePolicy(tb.clients, keyRegistry, keyId, { ...defaultReleasePolicy(), allowDebug: true });
    expect(await releaseCheck(tb.clients, keyRegistry, keyId, 1, v)).toBe("None");
  });

  it("a retired version releases nothing, to anyone; the governor may retire", async () => {
    const { keyId } = await createKey();
    const v = await attest(keep());
    await retireKeyVersion(tb.clients, keyRegistry, keyId, 1);
    expect(await releaseCheck(tb.clients, keyRegistry, keyId, 1, v)).toBe("VersionRetired");
    await expectRevert(retireKeyVersion(tb.clients, keyRegistry, keyId, 1), "KeyRegistryVersionRetired", [keyId, 1]);
    await expectRevert(retireKeyVersion(tb.as(tb.stranger), keyRegistry, keyId, 1), "KeyRegistryNotOwnerOrGovernor", [keyId, tb.stranger]);
  });
});

describe("release receipts", () => {
  async function receiptsFrom(validator: Address, n: number) {
    const block = await tb.chain.publicClient.getBlock();
    const receipts: ReleaseReceipt[] = Array.from({ length: n }, (_, i) => ({
      keyId: keccak256(stringToBytes(`key ${i % 4}`)),
      version: 1 + (i % 2),
      subject: getAddress(`0x${(0x1000 + i).toString(16).padStart(40, "0")}`),
      releasedAt: block.timestamp,
      requestHash: keccak256(stringToBytes(`request ${validator} ${i}`)),
    }));
    return receipts;
  }

  it("commits a batch whose root is the TypeScript root over the leaves, and each receipt proves", async () => {
    const validator = shareholders[0]!;
    const receipts = await receiptsFrom(validator, 5);
    const { root } = await commitReleaseReceipts(await tb.impersonate(validator), keyRegistry, receipts);
    const leaves = receipts.map((r) => receiptLeaf(validator, r));
    expect(root).toBe(batchRoot(leaves));
    for (const [i, r] of receipts.entries()) {
      const ok = await tb.chain.publicClient.readContract({
        address: keyRegistry,
        abi: keyRegistryAbi,
        functionName: "verifyReleaseReceipt",
        args: [validator, r, root, batchProof(leaves, i)],
      });
      expect(ok).toBe(true);
    }
    await expectRevert(commitReleaseReceipts(await tb.impersonate(validator), keyRegistry, receipts), "KeyRegistryReceiptBatchExists", [
      root,
    ]);
    await expectRevert(commitReleaseReceipts(tb.as(tb.stranger), keyRegistry, receipts), "KeyRegistryNotCountingValidator", [tb.stranger]);
  });

  it("costs low thousands of gas per receipt in batches (printed for docs/benchmarks.md)", async () => {
    const validator = shareholders[1]!;
    const sender = await tb.impersonate(validator);
    const rows: { n: number; gas: bigint; perReceipt: number }[] = [];
    for (const n of [1, 16, 64, 256, 512]) {
      const receipts = (await receiptsFrom(validator, n)).map((r) => ({
        ...r,
        requestHash: keccak256(stringToBytes(`${r.requestHash}${n}`)),
      }));
      const { gasUsed } = await commitReleaseReceipts(sender, keyRegistry, receipts);
      rows.push({ n, gas: gasUsed, perReceipt: Math.round(Number(gasUsed) / n) });
    }
    console.log(`gas per release receipt: ${rows.map((r) => `${r.n}: ${r.gas} (${r.perReceipt}/receipt)`).join("; ")}`);
    expect(rows.find((r) => r.n === 256)!.perReceipt).toBeLessThan(5_000);
    expect(rows.at(-1)!.perReceipt).toBeLessThanOrEqual(rows[0]!.perReceipt);
  });
});

describe("release policy governance", () => {
  it("tightens at once and loosens after the policy delay", async () => {
    await sendContractCall(tb.clients, {
      address: tb.deployment.contracts.workloadRegistry,
      abi: (await import("@keepledger/sdk/internal/chain/generated/index")).workloadRegistryAbi,
      functionName: "setPolicyDelay",
      args: [3600n],
    });
    const { keyId } = await createKey();
    const upToDate = 1 << TCB_STATUS_CODES.UpToDate;
    const now = async () => (await tb.chain.publicClient.getBlock()).timestamp;
    const tight = await setReleasePolicy(tb.clients, keyRegistry, keyId, { ...defaultReleasePolicy(), acceptedTcbStatuses: upToDate });
    expect(tight.effectiveAt).toBe(await now());
    const loose = await setReleasePolicy(tb.clients, keyRegistry, keyId, { ...defaultReleasePolicy(), acceptedTcbStatuses: 0x17e });
    expect(loose.effectiveAt).toBe((await now()) + 3600n);
    const [inForce] = await tb.chain.publicClient.readContract({
      address: keyRegistry,
      abi: keyRegistryAbi,
      functionName: "releasePolicyOf",
      args: [keyId],
    });
    expect(inForce.acceptedTcbStatuses).toBe(upToDate);
    await expectRevert(
      setReleasePolicy(tb.clients, keyRegistry, keyId, { ...defaultReleasePolicy(), acceptedTcbStatuses: 1 << TCB_STATUS_CODES.Revoked }),
      "KeyRegistryBadTcbStatuses",
    );
  });
});
