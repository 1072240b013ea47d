/**
 * Issue 10 §5, "revocation that sticks", played by the adversaries:
 * - a revoked Keep re-attesting: the honest nodes refuse it, and a fresh verdict the whole quorum signs
 *   for it anyway is refused by the registry, so isAttested stays false;
 * - a revoked validator re-attaching: attachVerdict (anyone may call it) with a fresh live verdict does
 *   not bring it back; only governance does;
 * - a platform on the revocation list: validators refuse new evidence from it, as collector and as peer
 *   (the debug Keep by TEE kind; real SGX and SEV-SNP vectors by FMSPC and AMD product line);
 * - a bulk revocation by ids.
 * The first three run a 3-validator network (anvil, nodes in this process) with debug-Keep evidence; the
 * contract-level ones run on the in-process chain testbed.
 */
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, keccak256, numberToHex, padHex, type Address, type Hex } from "viem";
import { attestationRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { liftPlatformRevocation, revokePlatform, revokeSubject, revokeVerdicts } from "../../src/chain/revocations.ts";
import { packSignatures } from "../../src/chain/signVerdict.ts";
import { TCB_STATUS_CODES, TEE_KIND_CODES, type Verdict } from "@keepledger/sdk/internal/ids/index";
import { measurementHash } from "@keepledger/sdk/internal/tee/kindFacts";
import { createPeerClient } from "../../src/node/peer/peerClient.ts";
import { createPeerRequestSigner } from "../../src/node/peer/peerAuth.ts";
import { encodeSubmissions } from "../../src/node/peer/peerProtocol.ts";
import { createVerdictSigner } from "../../src/node/quorum/verdictSigner.ts";
import { verdictToJson } from "../../src/node/types.ts";
import { APP_DEBUG_MEASUREMENT, startNodeNetwork, VECTOR_TIME, type NodeNetwork } from "../node/support/nodeNetwork.ts";
import { fixturePath } from "../support/fixtures.ts";
import { expectRevert, startTestbed, type Testbed } from "../support/contracts-testbed.ts";

/** Nodes follow the revocation lists from the registry's events at their next chain poll (200 ms here). */
const nextPoll = () => new Promise((r) => setTimeout(r, 1_000));

const keep = (n: number): Address => getAddress(padHex(numberToHex(0x7000 + n), { size: 20 }));

describe("against a validator network (3 validators, k = 2)", () => {
  let net: NodeNetwork;
  const url = (i: number) => net.nodes[i]!.url;

  beforeAll(async () => {
    net = await startNodeNetwork({ validatorWorkload: false });
    for (let i = 0; i < 3; i++) await net.startNode(i);
  }, 60_000);
  afterAll(async () => net?.stop());

  /** The verdict an honest collector would propose for this debug-Keep submission. */
  async function honestVerdict(body: { evidence: string; freshnessBlock: number }, subject: Address): Promise<Verdict> {
    const now = (await net.publicClient.getBlock()).timestamp;
    return {
      workloadId: net.workloadId,
      measurementHash: measurementHash({ tee: "debug", measurement: APP_DEBUG_MEASUREMENT }),
      tee: TEE_KIND_CODES.debug,
      tcbStatus: TCB_STATUS_CODES.NotApplicable,
      subject,
      evidenceHash: keccak256(Buffer.from(body.evidence, "base64")),
      collateralHash: `0x${"00".repeat(32)}`,
      issuedAt: now,
      expiresAt: now + 3_600n,
      freshnessBlock: BigInt(body.freshnessBlock),
    };
  }

  it("a revoked Keep re-attesting: refused by the nodes and, signed by the whole quorum anyway, by the registry", async () => {
    const first = await net.debugKeep(url(0));
    const posted = await net.post(url(0), first.body);
    expect((await net.waitSettled(url(0), posted.json.verdictId as Hex)).status).toBe("finalized");
    expect((await net.client.isAttested(first.subject, net.workloadId)).ok).toBe(true);

    await revokeSubject(net.clients, net.deployment, first.subject, net.workloadId, "Keep host compromised");
    await nextPoll();
    expect((await net.client.isAttested(first.subject, net.workloadId)).ok).toBe(false);
    const status = await net.publicClient.readContract({
      address: net.deployment.contracts.attestationRegistry,
      abi: attestationRegistryAbi,
      functionName: "verdictOf",
      args: [posted.json.verdictId as Hex],
    });
    expect(status.revoked).toBe(true);

    // The Keep comes back with fresh, valid evidence for the same key.
    const again = await net.debugKeep(url(1), { privateKey: first.privateKey });
    const refused = await net.post(url(1), again.body);
    expect(refused.status).toBe(422);
    expect(refused.json.error).toMatchObject({ code: "POLICY_SUBJECT_REVOKED", stage: "policy" });

    // A collector that skips the check asks a peer to countersign: the peer refuses too.
    const fresh = await honestVerdict(again.body, first.subject);
    const { wire, blobs } = encodeSubmissions([
      {
        workloadId: net.workloadId,
        evidence: Buffer.from(again.body.evidence, "base64"),
        subjectPublicKey: `0x${again.body.publicKey.slice(4)}`,
        freshnessBlock: BigInt(again.body.freshnessBlock),
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
    const answer = await peers.post({ address: net.nodes[0]!.account.address, endpoint: url(0) }, "/v1/peer/sign", {
      verdict: verdictToJson(fresh),
      submission: wire[0],
      blobs,
    });
    expect(answer.kind).toBe("refused");
    if (answer.kind === "refused") expect(answer.refusal.error.code).toBe("POLICY_SUBJECT_REVOKED");

    // Every validator key signs the fresh verdict (a captured quorum): the registry still refuses it.
    const signatures = await Promise.all(net.nodes.map((n) => createVerdictSigner(n.account, net.client.domain).signVerdict(fresh)));
    await expect(net.client.finalizeVerdict(fresh, packSignatures(signatures))).rejects.toMatchObject({
      details: { errorName: "AttestationRegistrySubjectRevoked" },
    });
    expect((await net.client.isAttested(first.subject, net.workloadId)).ok).toBe(false);
  });

  it("a platform on the revocation list: validators refuse new evidence from it until governance lifts it", async () => {
    await revokePlatform(net.clients, net.deployment, { kind: "tee", value: "debug" }, "debug Keeps retired");
    await nextPoll();
    const keepOnIt = await net.debugKeep(url(0));
    const refused = await net.post(url(0), keepOnIt.body);
    expect(refused.status).toBe(422);
    expect(refused.json.error).toMatchObject({ code: "POLICY_TEE_KIND_REVOKED", details: { kind: "tee", value: "debug" } });

    const { wire, blobs } = encodeSubmissions([
      {
        workloadId: net.workloadId,
        evidence: Buffer.from(keepOnIt.body.evidence, "base64"),
        subjectPublicKey: `0x${keepOnIt.body.publicKey.slice(4)}`,
        freshnessBlock: BigInt(keepOnIt.body.freshnessBlock),
        context: "keep",
        collateral: [],
      },
    ]);
    const peers = createPeerClient({
      auth: createPeerRequestSigner(net.nodes[0]!.privateKey, {
        chainId: net.deployment.chainId,
        validatorSet: net.deployment.contracts.validatorSet,
      }),
      timeoutMs: 5_000,
    });
    const answer = await peers.post({ address: net.nodes[1]!.account.address, endpoint: url(1) }, "/v1/peer/sign", {
      verdict: verdictToJson(await honestVerdict(keepOnIt.body, keepOnIt.subject)),
      submission: wire[0],
      blobs,
    });
    expect(answer.kind).toBe("refused");
    if (answer.kind === "refused") expect(answer.refusal.error.code).toBe("POLICY_TEE_KIND_REVOKED");

    await liftPlatformRevocation(net.clients, net.deployment, { kind: "tee", value: "debug" });
    await nextPoll();
    const after = await net.debugKeep(url(0));
    const posted = await net.post(url(0), after.body);
    expect(posted.status).toBe(202);
    expect((await net.waitSettled(url(0), posted.json.verdictId as Hex)).status).toBe("finalized");
  });
});

describe("real evidence on a revoked platform (clock at 2025-07-01, inside the vectors' validity)", () => {
  let net: NodeNetwork;
  const url = (i: number) => net.nodes[i]!.url;
  beforeAll(async () => {
    // No AMD Milan CRL is among the vectors: the Milan report verifies only with the explicit unsafe switch,
    // without which it is refused (retryably) before its product line is even looked at.
    net = await startNodeNetwork({
      validatorWorkload: false,
      chainTimestamp: VECTOR_TIME,
      nodeConfig: () => ({ collateral: { dangerouslyAllowMissingAmdCrl: true } }),
    });
    for (let i = 0; i < 3; i++) await net.startNode(i);
  }, 60_000);
  afterAll(async () => net?.stop());

  const submission = (kind: string, set: string, file: string) => ({
    workloadId: net.workloadId,
    evidence: readFileSync(fixturePath(kind, set, file)).toString("base64"),
    unbound: true,
    collateral: readdirSync(fixturePath(kind, set))
      .filter((f) => f !== file && !f.endsWith(".md") && f !== "expected.json")
      .map((f) => ({ name: f, data: readFileSync(fixturePath(kind, set, f)).toString("base64") })),
  });

  it("refuses Phala's SGX quote while its FMSPC (00A067110000) is listed, and finalizes it once governance lifts it", async () => {
    const fmspc = { kind: "fmspc", value: "00a067110000" } as const;
    await revokePlatform(net.clients, net.deployment, fmspc, "TCB recovery pending");
    await nextPoll();
    const refused = await net.post(url(0), submission("sgx", "dcapqvl-sgx", "quote.bin"));
    expect(refused.status).toBe(422);
    expect(refused.json.error).toMatchObject({ code: "POLICY_FMSPC_REVOKED", details: { kind: "fmspc", value: "00a067110000" } });
    await liftPlatformRevocation(net.clients, net.deployment, fmspc);
    await nextPoll();
    const posted = await net.post(url(0), submission("sgx", "dcapqvl-sgx", "quote.bin"));
    expect(posted.status, JSON.stringify(posted.json)).toBe(202);
    expect((await net.waitSettled(url(0), posted.json.verdictId as Hex)).status).toBe("finalized");
  });

  it("refuses go-sev-guest's Milan report while the Milan product line is listed", async () => {
    await revokePlatform(net.clients, net.deployment, { kind: "amdProductLine", value: "Milan" }, "firmware advisory");
    await nextPoll();
    const refused = await net.post(url(1), submission("sev-snp", "go-sev-guest-milan-debug", "report.bin"));
    expect(refused.status).toBe(422);
    expect(refused.json.error).toMatchObject({
      code: "POLICY_AMD_PRODUCT_LINE_REVOKED",
      details: { kind: "amdProductLine", value: "Milan" },
    });
  });
});

describe("against the contracts (in-process chain)", () => {
  let tb: Testbed;
  beforeAll(async () => {
    tb = await startTestbed();
  });
  afterAll(async () => tb?.close());

  it("a revoked validator re-attaching: attachVerdict by anyone leaves it revoked; governance reinstates it", async () => {
    const restore = await tb.snapshot();
    try {
      const validator = tb.validators[0]!.address;
      await tb.send("validatorSet", "setValidatorWorkload", [tb.workloadId]);
      const own = await tb.verdict(validator);
      const { verdictId } = await tb.client.finalizeVerdict(own, await tb.sign(own));
      await tb.send("validatorSet", "attachVerdict", [validator, own]);
      await tb.send("attestationRegistry", "revokeVerdict", [verdictId, "validator host compromised"]);

      await tb.chain.increaseTime(60);
      const fresh = await tb.verdict(validator);
      await tb.client.finalizeVerdict(fresh, await tb.sign(fresh));
      await expectRevert(tb.send("validatorSet", "attachVerdict", [validator, fresh], tb.stranger), "ValidatorSetValidatorRevoked", [
        validator,
      ]);
      await expectRevert(tb.send("validatorSet", "reinstateValidator", [validator], tb.stranger), "AccessControlUnauthorizedAccount");
      expect(await tb.read("validatorSet", "validatorOf", [validator])).toMatchObject({ ownVerdictRevoked: true, ownVerdictId: verdictId });

      await tb.send("validatorSet", "reinstateValidator", [validator]);
      await tb.send("validatorSet", "attachVerdict", [validator, fresh], tb.stranger);
      expect(await tb.read("validatorSet", "validatorOf", [validator])).toMatchObject({ ownVerdictRevoked: false });
    } finally {
      await restore();
    }
  });

  it("a bulk revocation by ids revokes every listed verdict at once and skips those already revoked", async () => {
    const restore = await tb.snapshot();
    try {
      const ids: Hex[] = [];
      for (let i = 0; i < 5; i++) {
        const v = await tb.verdict(keep(i));
        ids.push((await tb.client.finalizeVerdict(v, await tb.sign(v))).verdictId);
      }
      await tb.send("attestationRegistry", "revokeVerdict", [ids[0], "early"]);
      const tx = await revokeVerdicts(tb.clients, tb.deployment, ids, "FMSPC 00906ed50000 revoked");
      expect(tx.gasUsed).toBeGreaterThan(0n);
      for (let i = 0; i < 5; i++) {
        expect((await tb.client.isAttested(keep(i), tb.workloadId)).ok).toBe(false);
        expect(await tb.read("attestationRegistry", "isVerdictLive", [ids[i]])).toBe(false);
      }
      await expectRevert(
        revokeVerdicts(
          tb.clients,
          tb.deployment,
          Array.from({ length: 257 }, () => ids[0]!),
          "too many",
        ),
        "AttestationRegistryRevocationListLength",
        [257n, 256n],
      );
    } finally {
      await restore();
    }
  });
});
