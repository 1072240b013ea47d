/**
 * End to end on a 3-validator network (k = 2), nodes in this process, anvil as the chain: debug-Keep
 * evidence finalizes with two signatures; a down validator does not block; a lying validator can
 * neither finalize alone nor slip a signature over other fields into a quorum; replayed, stale and
 * wrong-binding evidence is refused with its code, and the refusal can be looked up by request id.
 */
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, keccak256, parseEventLogs, stringToBytes, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { attestationRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { defaultPolicy } from "../../src/policy/types.ts";
import { addMeasurement, registerWorkload, schedulePolicy } from "../../src/chain/workloads.ts";
import { TCB_STATUS_CODES, TEE_KIND_CODES, type Verdict } from "@keepledger/sdk/internal/ids/index";
import { measurementHash } from "@keepledger/sdk/internal/tee/kindFacts";
import { createPeerClient } from "../../src/node/peer/peerClient.ts";
import { createPeerRequestSigner } from "../../src/node/peer/peerAuth.ts";
import { encodeSubmissions } from "../../src/node/peer/peerProtocol.ts";
import { createVerdictSigner } from "../../src/node/quorum/verdictSigner.ts";
import { verdictToJson } from "../../src/node/types.ts";
import { packSignatures } from "../../src/chain/signVerdict.ts";
import { APP_DEBUG_MEASUREMENT, startNodeNetwork, type NodeNetwork } from "./support/nodeNetwork.ts";

async function signersOf(net: NodeNetwork, txHash: Hex): Promise<Address[]> {
  const receipt = await net.publicClient.getTransactionReceipt({ hash: txHash });
  const [event] = parseEventLogs({ abi: attestationRegistryAbi, eventName: "VerdictFinalized", logs: receipt.logs });
  return [...(event?.args.signers ?? [])].map((a) => getAddress(a));
}

describe("validator network, 3 validators, k = 2", () => {
  let net: NodeNetwork;
  const url = (i: number) => net.nodes[i]!.url;

  beforeAll(async () => {
    net = await startNodeNetwork({ validatorWorkload: false });
    for (let i = 0; i < 3; i++) await net.startNode(i);
  }, 60_000);
  afterAll(async () => net?.stop());

  it("finalizes debug-Keep evidence with two of three signatures, and the key is attested", async () => {
    const keep = await net.debugKeep(url(0));
    const posted = await net.post(url(0), keep.body);
    expect(posted.status).toBe(202);
    expect(posted.json).toMatchObject({
      status: "pending",
      verdictId: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      requestId: expect.stringMatching(/^0x/),
    });
    const view = await net.waitSettled(url(0), posted.json.verdictId as Hex);
    expect(view.status).toBe("finalized");
    const signers = await signersOf(net, view.txHash as Hex);
    expect(signers).toHaveLength(2);
    expect(signers).toContain(net.nodes[0]!.account.address);
    expect(await net.client.isAttested(keep.subject, net.workloadId)).toMatchObject({ ok: true, verdictId: posted.json.verdictId });
  });

  it("answers a resubmission of the same request with the same verdict, not a second one", async () => {
    const keep = await net.debugKeep(url(1));
    const first = await net.post(url(1), keep.body);
    const second = await net.post(url(1), keep.body);
    expect(second.json.verdictId).toBe(first.json.verdictId);
    await net.waitSettled(url(1), first.json.verdictId as Hex);
    const third = await net.post(url(1), keep.body);
    expect(third).toMatchObject({ status: 200, json: { status: "finalized", verdictId: first.json.verdictId } });
  });

  it("is not blocked by a validator that is down", async () => {
    await net.stopNode(2);
    try {
      const keep = await net.debugKeep(url(0));
      const posted = await net.post(url(0), keep.body);
      const view = await net.waitSettled(url(0), posted.json.verdictId as Hex);
      expect(view.status).toBe("finalized");
      expect(await signersOf(net, view.txHash as Hex)).toEqual(
        [net.nodes[0]!.account.address, net.nodes[1]!.account.address].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)),
      );
    } finally {
      await net.startNode(2);
    }
  });

  it("does not let a lying collector finalize a verdict the evidence does not support", async () => {
    const liar = net.nodes[2]!.account;
    const keep = await net.debugKeep(url(0));
    const now = (await net.publicClient.getBlock()).timestamp;
    const lie: Verdict = {
      workloadId: net.workloadId,
      measurementHash: measurementHash({ tee: "debug", measurement: APP_DEBUG_MEASUREMENT }),
      tee: TEE_KIND_CODES.debug,
      tcbStatus: TCB_STATUS_CODES.NotApplicable,
      subject: liar.address, // the evidence binds another key
      evidenceHash: keccak256(Buffer.from(keep.body.evidence, "base64")),
      collateralHash: `0x${"00".repeat(32)}`,
      issuedAt: now,
      expiresAt: now + 3_600n,
      freshnessBlock: BigInt(keep.body.freshnessBlock),
    };
    const { wire, blobs } = encodeSubmissions([
      {
        workloadId: net.workloadId,
        evidence: Buffer.from(keep.body.evidence, "base64"),
        subjectPublicKey: `0x${keep.body.publicKey.slice(4)}`,
        freshnessBlock: BigInt(keep.body.freshnessBlock),
        context: "keep",
        collateral: [],
      },
    ]);
    const peers = createPeerClient({
      auth: createPeerRequestSigner(net.nodes[2]!.privateKey, {
        chainId: net.deployment.chainId,
        validatorSet: net.deployment.contracts.validatorSet,
      }),
      timeoutMs: 5_000,
    });
    for (const honest of [0, 1]) {
      const answer = await peers.post({ address: net.nodes[honest]!.account.address, endpoint: url(honest) }, "/v1/peer/sign", {
        verdict: verdictToJson(lie),
        submission: wire[0],
        blobs,
      });
      expect(answer.kind).toBe("refused");
      if (answer.kind !== "refused") continue;
      expect(answer.refusal.error.code).toBe("NODE_PEER_DISAGREES");
      expect(JSON.stringify(answer.refusal.error)).toContain('"field":"subject"');
    }
    const own = await createVerdictSigner(liar, net.client.domain).signVerdict(lie);
    await expect(net.client.finalizeVerdict(lie, packSignatures([own]))).rejects.toMatchObject({
      details: { errorName: "AttestationRegistryTooFewSigners" },
    });
    expect((await net.client.isAttested(liar.address, net.workloadId)).ok).toBe(false);
  });

  it("discards a peer's signature over other fields and finalizes once an honest peer answers", async () => {
    // Validator 2 is replaced by a liar that signs a longer-lived verdict than the one proposed; validator 1 is down.
    await net.stopNode(2);
    await net.stopNode(1);
    const liarKey = net.nodes[2]!.account;
    const signer = createVerdictSigner(liarKey, net.client.domain);
    const liar: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req
        .on("data", (c: Buffer) => chunks.push(c))
        .on("end", async () => {
          const body = JSON.parse(Buffer.concat(chunks).toString()) as { verdict: Record<string, string> };
          const v = {
            ...body.verdict,
            expiresAt: BigInt(body.verdict.expiresAt!) + 1_000n,
            issuedAt: BigInt(body.verdict.issuedAt!),
            freshnessBlock: BigInt(body.verdict.freshnessBlock!),
          } as unknown as Verdict;
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify(await signer.signVerdict(v)));
        });
    });
    await new Promise<void>((r) => liar.listen(net.nodes[2]!.port, "127.0.0.1", r));
    try {
      const keep = await net.debugKeep(url(0));
      const posted = await net.post(url(0), keep.body);
      await new Promise((r) => setTimeout(r, 2_000));
      const waiting = (await (await fetch(`${url(0)}/v1/verdicts/${posted.json.verdictId as string}`)).json()) as { status: string };
      expect(waiting.status).toBe("pending");
      await net.startNode(1);
      const view = await net.waitSettled(url(0), posted.json.verdictId as Hex);
      expect(view.status).toBe("finalized");
      expect(await signersOf(net, view.txHash as Hex)).not.toContain(liarKey.address);
    } finally {
      await new Promise<void>((r) => liar.close(() => r()));
      liar.closeAllConnections();
      await net.startNode(2);
    }
  });

  describe("refuses evidence it must not vouch for, with a code, and keeps the refusal", () => {
    it("evidence bound to another key (a replay for someone else's key)", async () => {
      const keep = await net.debugKeep(url(0));
      const other = privateKeyToAccount(keccak256(stringToBytes("another key")));
      const r = await net.post(url(0), { ...keep.body, publicKey: other.publicKey });
      expect(r.status).toBe(422);
      expect(r.json.error).toMatchObject({ code: "POLICY_BINDING_MISMATCH", stage: "policy" });
      const lookup = (await (await fetch(`${url(0)}/v1/verdicts/${r.json.requestId as string}`)).json()) as Record<string, unknown>;
      expect(lookup).toMatchObject({ requestId: r.json.requestId, status: "rejected", error: { code: "POLICY_BINDING_MISMATCH" } });
    });

    it.each([
      { name: "another chain", bind: { chainId: 1 } },
      { name: "another registry", bind: { registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address } },
      { name: "the validator context", bind: { context: `0x${"00".repeat(31)}01` as Hex } },
    ])("evidence bound for $name", async ({ bind }) => {
      const keep = await net.debugKeep(url(0), bind);
      const r = await net.post(url(0), keep.body);
      expect(r.json.error).toMatchObject({ code: "POLICY_BINDING_MISMATCH" });
    });

    it("evidence bound to a block that is not on the chain yet", async () => {
      const keep = await net.debugKeep(url(0));
      const r = await net.post(url(0), { ...keep.body, freshnessBlock: keep.body.freshnessBlock + 1_000 });
      expect(r.json.error).toMatchObject({ code: "NODE_FRESHNESS_BLOCK_UNKNOWN" });
    });

    it("stale evidence: bound to a block older than the policy's maximum evidence age", async () => {
      const { workloadId } = await registerWorkload(net.clients, net.deployment, "strict-app", "");
      await schedulePolicy(net.clients, net.deployment, workloadId, {
        ...defaultPolicy(),
        allowedTees: ["debug"],
        acceptedTcbStatuses: ["NotApplicable"],
        dev: true,
        maxEvidenceAge: 2,
      });
      await addMeasurement(net.clients, net.deployment, workloadId, 1, { tee: "debug", measurement: APP_DEBUG_MEASUREMENT });
      const keep = await net.debugKeep(url(0));
      await new Promise((r) => setTimeout(r, 4_000));
      const r = await net.post(url(0), { ...keep.body, workloadId });
      expect(r.status).toBe(422);
      expect(r.json.error).toMatchObject({ code: "POLICY_EVIDENCE_TOO_OLD" });
    });

    it("a measurement the workload never approved", async () => {
      const keep = await net.debugKeep(url(0), { measurement: keccak256(stringToBytes("some other build")) });
      const r = await net.post(url(0), keep.body);
      expect(r.json.error).toMatchObject({ code: "POLICY_MEASUREMENT_NOT_APPROVED" });
    });

    it("tampered evidence", async () => {
      const keep = await net.debugKeep(url(0));
      const bytes = Buffer.from(keep.body.evidence, "base64");
      bytes[50]! ^= 1;
      const r = await net.post(url(0), { ...keep.body, evidence: bytes.toString("base64") });
      expect(r.json.error).toMatchObject({ code: "DEBUG_SIGNATURE_INVALID", stage: "verification" });
    });
  });
});
