// The main flows end to end on the in-process chain, and the events they emit: workloads, measurements,
// single verdicts, revocations, unbound and debug evidence, and the example consumer contract.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getAddress, keccak256, parseEventLogs, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  attestationRegistryAbi,
  attestedGuestbookAbi,
  attestedGuestbookBytecode,
  validatorSetAbi,
  workloadRegistryAbi,
} from "@keepledger/sdk/internal/chain/generated/index";
import { fromChainPolicy, type ChainPolicy } from "../../src/chain/policy.ts";
import { defaultPolicy } from "../../src/policy/types.ts";
import { attestationEvents } from "../../src/chain/keepledgerClient.ts";
import { sendContractCall } from "../../src/chain/transactions.ts";
import { policyOf } from "../../src/chain/workloads.ts";
import { teeKindFromCode, unboundSubject, verdictId, workloadId as computeWorkloadId } from "@keepledger/sdk/internal/ids/index";
import { decodeMeasurementValue, measurementHash, type Measurement } from "@keepledger/sdk/internal/tee/kindFacts";
import { devPolicy, expectRevert, schedulePolicy, startTestbed, type Testbed } from "../support/contracts-testbed.ts";
import type { WorkloadPolicy } from "../../src/policy/types.ts";

let tb: Testbed;
let restore: () => Promise<void>;
beforeAll(async () => {
  tb = await startTestbed();
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

const keepKey = () => privateKeyToAccount(generatePrivateKey());

describe("workloads", () => {
  it("registration emits the workload and its default policy, in force at once", async () => {
    const receipt = await tb.send("workloadRegistry", "registerWorkload", ["billing", "ipfs://billing"], tb.stranger);
    const events = parseEventLogs({ abi: workloadRegistryAbi, logs: receipt.logs });
    const id = computeWorkloadId(tb.stranger, "billing");
    expect(events.map((e) => e.eventName)).toEqual(["WorkloadRegistered", "PolicyScheduled"]);
    expect(events[0]!.args).toEqual({ workloadId: id, owner: tb.stranger, name: "billing", metadataURI: "ipfs://billing" });
    const scheduled = events[1]!.args as { workloadId: Hex; policy: ChainPolicy; effectiveAt: bigint; actor: Address };
    expect(scheduled.workloadId).toBe(id);
    expect(fromChainPolicy(scheduled.policy)).toEqual(defaultPolicy());
    expect(scheduled.effectiveAt).toBe((await tb.chain.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp);
    expect((await policyOf(tb.clients, tb.deployment, id)).policy).toEqual(defaultPolicy());
  });

  it("is owner-scoped: another owner can register the same name", async () => {
    await tb.send("workloadRegistry", "registerWorkload", ["app", ""], tb.stranger);
    const info = await tb.read<{ owner: Address; name: string }>("workloadRegistry", "workloadOf", [computeWorkloadId(tb.stranger, "app")]);
    expect(info.owner).toBe(tb.stranger);
    expect(info.name).toBe("app");
  });

  it("changes owner in two steps, keeping its id; the old owner loses control", async () => {
    let receipt = await tb.send("workloadRegistry", "transferWorkloadOwnership", [tb.workloadId, tb.stranger]);
    expect(parseEventLogs({ abi: workloadRegistryAbi, logs: receipt.logs })[0]).toMatchObject({
      eventName: "WorkloadOwnershipTransferStarted",
      args: { workloadId: tb.workloadId, owner: tb.admin, pendingOwner: tb.stranger },
    });
    receipt = await tb.send("workloadRegistry", "acceptWorkloadOwnership", [tb.workloadId], tb.stranger);
    expect(parseEventLogs({ abi: workloadRegistryAbi, logs: receipt.logs })[0]).toMatchObject({
      eventName: "WorkloadOwnershipTransferred",
      args: { workloadId: tb.workloadId, previousOwner: tb.admin, newOwner: tb.stranger },
    });
    expect((await tb.read<{ owner: Address }>("workloadRegistry", "workloadOf", [tb.workloadId])).owner).toBe(tb.stranger);
    await expectRevert(tb.send("workloadRegistry", "setWorkloadMetadata", [tb.workloadId, "x"]), "WorkloadRegistryNotOwner");
    receipt = await tb.send("workloadRegistry", "setWorkloadMetadata", [tb.workloadId, "ipfs://v2"], tb.stranger);
    expect(parseEventLogs({ abi: workloadRegistryAbi, logs: receipt.logs })[0]).toMatchObject({
      eventName: "WorkloadMetadataUpdated",
      args: { workloadId: tb.workloadId, actor: tb.stranger, metadataURI: "ipfs://v2" },
    });
  });

  it("measurements carry their value in the event, get increasing serials and are readable", async () => {
    const m: Measurement = { tee: "sev-snp", measurement: `0x${"5a".repeat(48)}`, hostData: `0x${"77".repeat(32)}` };
    const receipt = await tb.send("workloadRegistry", "addMeasurement", [tb.workloadId, 7, 3, `0x${"5a".repeat(48)}01${"77".repeat(32)}`]);
    const [event] = parseEventLogs({ abi: workloadRegistryAbi, logs: receipt.logs, eventName: "MeasurementAdded" });
    expect(event!.args.workloadId).toBe(tb.workloadId);
    expect(event!.args.measurementHash).toBe(measurementHash(m));
    expect(event!.args.version).toBe(7);
    expect(event!.args.serial).toBe(4);
    expect(decodeMeasurementValue(teeKindFromCode(event!.args.tee), event!.args.value)).toEqual(m);
    const info = await tb.read<{ known: boolean; revoked: boolean; tee: number; version: number; serial: number }>(
      "workloadRegistry",
      "measurementOf",
      [tb.workloadId, measurementHash(m)],
    );
    expect(info).toMatchObject({ known: true, revoked: false, tee: 3, version: 7, serial: 4 });
    expect(await tb.read("workloadRegistry", "measurementCount")).toBe(4);
  });
});

describe("single verdicts", () => {
  it("finalize with k signatures; the event carries the verdict, its serial and the sorted signers", async () => {
    const keep = keepKey();
    const v = await tb.verdict(keep.address);
    const signers = [tb.validators[1]!, tb.validators[0]!];
    const { verdictId: id, receipt } = await tb.client.finalizeVerdict(v, await tb.sign(v, signers));
    expect(id).toBe(verdictId(v));
    const [event] = parseEventLogs({ abi: attestationRegistryAbi, logs: receipt.logs, eventName: "VerdictFinalized" });
    expect(event!.args).toEqual({
      verdictId: id,
      subject: keep.address,
      workloadId: tb.workloadId,
      verdict: v,
      measurementSerial: 1,
      signers: signers.map((s) => s.address).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)),
    });
    expect(await tb.client.isAttested(keep.address, tb.workloadId)).toEqual({ ok: true, verdictId: id, expiresAt: v.expiresAt });
    expect(await tb.client.isVerdictLive(id)).toBe(true);
    expect(await tb.read("attestationRegistry", "verdictOf", [id])).toEqual({
      finalized: true,
      revoked: false,
      batched: false,
      live: true,
      measurementSerial: 1,
      issuedAt: v.issuedAt,
      expiresAt: v.expiresAt,
    });
  });

  it("the registry's own hashing and digest match src/ids", async () => {
    const v = await tb.verdict(keepKey().address);
    expect(await tb.read("attestationRegistry", "hashVerdict", [v])).toBe(verdictId(v));
    const { verdictDigest } = await import("@keepledger/sdk/internal/ids/index");
    expect(await tb.read("attestationRegistry", "verdictDigest", [v])).toBe(verdictDigest(v, tb.client.domain));
  });

  it("a measurement revocation turns off its verdicts at once, with events in both registries", async () => {
    const keep = keepKey();
    const v = await tb.verdict(keep.address);
    const { verdictId: id } = await tb.client.finalizeVerdict(v, await tb.sign(v));
    const receipt = await tb.send("workloadRegistry", "revokeMeasurement", [tb.workloadId, tb.measurements.sgx]);
    expect(attestationEvents(receipt, tb.deployment).map((e) => e.eventName)).toEqual(["MeasurementSerialRevoked"]);
    const wr = parseEventLogs({ abi: workloadRegistryAbi, logs: receipt.logs, eventName: "MeasurementRevoked" });
    const ar = parseEventLogs({ abi: attestationRegistryAbi, logs: receipt.logs, eventName: "MeasurementSerialRevoked" });
    expect(wr[0]!.args).toEqual({ workloadId: tb.workloadId, measurementHash: tb.measurements.sgx, actor: tb.admin, serial: 1 });
    expect(ar[0]!.args).toEqual({ serial: 1, workloadId: tb.workloadId, measurementHash: tb.measurements.sgx });
    expect((await tb.client.isAttested(keep.address, tb.workloadId)).ok).toBe(false);
    expect(await tb.client.isVerdictLive(id)).toBe(false);
    expect(await tb.read("attestationRegistry", "isMeasurementSerialRevoked", [1])).toBe(true);
  });

  it("a governor can revoke a measurement the owner does not", async () => {
    await tb.send("workloadRegistry", "transferWorkloadOwnership", [tb.workloadId, tb.stranger]);
    await tb.send("workloadRegistry", "acceptWorkloadOwnership", [tb.workloadId], tb.stranger);
    const receipt = await tb.send("workloadRegistry", "revokeMeasurement", [tb.workloadId, tb.measurements.tdx]);
    expect(parseEventLogs({ abi: workloadRegistryAbi, logs: receipt.logs, eventName: "MeasurementRevoked" })[0]!.args.actor).toBe(tb.admin);
  });

  it("a verdict revocation turns it off and records who and why", async () => {
    const keep = keepKey();
    const v = await tb.verdict(keep.address);
    const { verdictId: id } = await tb.client.finalizeVerdict(v, await tb.sign(v));
    const receipt = await tb.send("attestationRegistry", "revokeVerdict", [id, "key leaked"]);
    expect(parseEventLogs({ abi: attestationRegistryAbi, logs: receipt.logs, eventName: "VerdictRevoked" })[0]!.args).toEqual({
      verdictId: id,
      actor: tb.admin,
      reason: "key leaked",
    });
    expect(await tb.client.isAttested(keep.address, tb.workloadId)).toEqual({ ok: false, verdictId: id, expiresAt: v.expiresAt });
  });

  it("expiry is honoured", async () => {
    const keep = keepKey();
    const v = await tb.verdict(keep.address);
    await tb.client.finalizeVerdict(v, await tb.sign(v));
    await tb.chain.increaseTime(v.expiresAt - (await tb.chain.now()) - 1n);
    expect((await tb.client.isAttested(keep.address, tb.workloadId)).ok).toBe(true);
    await tb.chain.increaseTime(1);
    expect((await tb.client.isAttested(keep.address, tb.workloadId)).ok).toBe(false);
  });

  it("a newer verdict replaces the latest; an older one is stored but does not", async () => {
    const keep = keepKey();
    const first = await tb.verdict(keep.address);
    const { verdictId: firstId } = await tb.client.finalizeVerdict(first, await tb.sign(first));
    const older = await tb.verdict(keep.address, { issuedAt: first.issuedAt - 60n, evidenceHash: keccak256("0x01") });
    const { verdictId: olderId } = await tb.client.finalizeVerdict(older, await tb.sign(older));
    expect((await tb.client.isAttested(keep.address, tb.workloadId)).verdictId).toBe(firstId);
    expect(await tb.client.isVerdictLive(olderId)).toBe(true);
    await tb.chain.increaseTime(10);
    const newer = await tb.verdict(keep.address);
    const { verdictId: newerId } = await tb.client.finalizeVerdict(newer, await tb.sign(newer));
    expect((await tb.client.isAttested(keep.address, tb.workloadId)).verdictId).toBe(newerId);
  });

  it("unbound evidence finalizes only for its key-less pseudo-subject, under a dev policy that allows it", async () => {
    await schedulePolicy(tb.clients, tb.deployment, tb.workloadId, devPolicy(true) as unknown as WorkloadPolicy);
    const v = await tb.verdict(keepKey().address, { freshnessBlock: 0n });
    const unbound = { ...v, subject: unboundSubject(v.evidenceHash) };
    await tb.client.finalizeVerdict(unbound, await tb.sign(unbound));
    expect((await tb.client.isAttested(unbound.subject, tb.workloadId)).ok).toBe(true);
    expect((await tb.client.isAttested(v.subject, tb.workloadId)).ok).toBe(false);
  });

  it("a debug Keep finalizes under a dev policy", async () => {
    await schedulePolicy(tb.clients, tb.deployment, tb.workloadId, devPolicy() as unknown as WorkloadPolicy);
    const keep = keepKey();
    const v = await tb.verdict(keep.address, { tee: 5, tcbStatus: 8, measurementHash: tb.measurements.debug });
    await tb.client.finalizeVerdict(v, await tb.sign(v));
    expect((await tb.client.isAttested(keep.address, tb.workloadId)).ok).toBe(true);
  });
});

describe("the example consumer (AttestedGuestbook)", () => {
  async function deployGuestbook(): Promise<Address> {
    const hash = await tb.clients.walletClient.deployContract({
      abi: attestedGuestbookAbi,
      bytecode: attestedGuestbookBytecode,
      args: [tb.deployment.contracts.attestationRegistry, tb.workloadId],
    });
    return (await tb.chain.publicClient.waitForTransactionReceipt({ hash })).contractAddress as Address;
  }

  async function signEntry(
    signer: ReturnType<typeof keepKey>,
    guestbook: Address,
    text: string,
    nonce: bigint,
    keep = signer.address,
  ): Promise<Hex> {
    return signer.signTypedData({
      domain: { name: "AttestedGuestbook", version: "1", chainId: 31337, verifyingContract: guestbook },
      types: {
        Entry: [
          { name: "keep", type: "address" },
          { name: "text", type: "string" },
          { name: "nonce", type: "uint256" },
        ],
      },
      primaryType: "Entry",
      message: { keep, text, nonce },
    });
  }

  const post = (guestbook: Address, args: readonly unknown[]) =>
    sendContractCall(tb.as(tb.stranger), { address: guestbook, abi: attestedGuestbookAbi, functionName: "post", args });

  it("accepts entries signed by an attested Keep, relayed by anyone, and nothing else", async () => {
    const guestbook = await deployGuestbook();
    const keep = keepKey();
    const v = await tb.verdict(keep.address);
    const { verdictId: id } = await tb.client.finalizeVerdict(v, await tb.sign(v));

    const sent = await post(guestbook, [keep.address, "hello from a Keep", 0n, await signEntry(keep, guestbook, "hello from a Keep", 0n)]);
    expect(parseEventLogs({ abi: attestedGuestbookAbi, logs: sent.receipt.logs })[0]!.args).toEqual({
      keep: keep.address,
      verdictId: id,
      nonce: 0n,
      text: "hello from a Keep",
    });
    await expectRevert(
      post(guestbook, [keep.address, "again", 0n, await signEntry(keep, guestbook, "again", 0n)]),
      "AttestedGuestbookBadNonce",
      [1n, 0n],
    );

    const stranger = keepKey();
    await expectRevert(
      post(guestbook, [stranger.address, "let me in", 0n, await signEntry(stranger, guestbook, "let me in", 0n)]),
      "AttestedGuestbookNotAttested",
      [stranger.address, tb.workloadId],
    );
    await expectRevert(
      post(guestbook, [keep.address, "forged", 1n, await signEntry(stranger, guestbook, "forged", 1n, keep.address)]),
      "AttestedGuestbookBadSignature",
      [keep.address, stranger.address],
    );

    await tb.send("attestationRegistry", "revokeVerdict", [id, "compromised"]);
    await expectRevert(
      post(guestbook, [keep.address, "after", 1n, await signEntry(keep, guestbook, "after", 1n)]),
      "AttestedGuestbookNotAttested",
    );
  });
});

describe("events name the validator set's changes", () => {
  it("bootstrapping and thresholds are emitted with their effectiveAt", async () => {
    const validator = getAddress(`0x${"ab".repeat(20)}`);
    const receipt = await tb.send("validatorSet", "bootstrapValidator", [validator, "https://v.example", 1]);
    const now = (await tb.chain.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp;
    expect(parseEventLogs({ abi: validatorSetAbi, logs: receipt.logs })[0]).toMatchObject({
      eventName: "ValidatorAdded",
      args: { validator, effectiveAt: now, actor: tb.admin, endpoint: "https://v.example", loggingProfile: 1, bootstrap: true },
    });
    const threshold = await tb.send("validatorSet", "setThreshold", [3]);
    expect(parseEventLogs({ abi: validatorSetAbi, logs: threshold.logs })[0]).toMatchObject({
      eventName: "ThresholdScheduled",
      args: { threshold: 3, actor: tb.admin },
    });
    expect(await tb.read("validatorSet", "threshold")).toBe(3);
  });

  it("a bootstrapped validator counts without its own verdict while the bootstrap is open; a stranger never", async () => {
    expect(await tb.read("validatorSet", "isCounting", [tb.validators[0]!.address])).toBe(true);
    expect(await tb.read("validatorSet", "isCounting", [tb.stranger])).toBe(false);
    expect(await tb.read("validatorSet", "bootstrapStatus")).toEqual([true, 0n]);
  });
});
