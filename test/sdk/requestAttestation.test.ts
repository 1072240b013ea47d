/**
 * requestAttestation / requestNonce against a real 3-node network (anvil, 2-of-3): a Keep binds a fresh
 * block with keepReportData, signs debug evidence, and gets a finalized verdict that isAttested then
 * confirms; refusals reject with AttestationRefusedError carrying the node's code; an unreachable node,
 * a node that never answers and an aborted call fail with the documented errors.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hexToBytes, keccak256, stringToBytes, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { InfrastructureError, KeepledgerError, UsageError } from "@keepledger/sdk/internal/errors/index";
import { AttestationRefusedError, isAttested, keepReportData, requestAttestation, requestNonce } from "../../src/sdk/index.ts";
import { signDebugTestEvidence } from "../support/debugKeepSigner.ts";
import { freePort } from "../node/support/anvil.ts";
import { APP_DEBUG_MEASUREMENT, startNodeNetwork, type NodeNetwork } from "../node/support/nodeNetwork.ts";

let net: NodeNetwork;
let url: string;

beforeAll(async () => {
  net = await startNodeNetwork({ validatorWorkload: false });
  for (let i = 0; i < 3; i++) await net.startNode(i);
  url = net.nodes[0]!.url;
}, 90_000);
afterAll(async () => net?.stop());

/** What a debug Keep does: ask for a block, bind its key to it, sign evidence. */
async function keepEvidence(o: { key?: Hex; bindKey?: Hex; measurement?: Hex } = {}) {
  const key = o.key ?? generatePrivateKey();
  const nonce = await requestNonce(url, { workloadId: net.workloadId });
  const bound = privateKeyToAccount(o.bindKey ?? key);
  const { reportData, subject } = keepReportData({
    tee: "debug",
    chainId: nonce.chainId,
    registry: nonce.registry,
    publicKey: bound.publicKey,
    blockHash: nonce.blockHash,
  });
  const evidence = await signDebugTestEvidence({
    signer: key,
    measurement: hexToBytes(o.measurement ?? APP_DEBUG_MEASUREMENT),
    reportData: hexToBytes(reportData),
    timestamp: nonce.blockTimestamp.getTime(),
  });
  return { evidence, nonce, subject, publicKey: bound.publicKey };
}

describe("requestNonce", () => {
  it("names the chain, the registry and a confirmed block, and the workload's evidence age limit", async () => {
    const nonce = await requestNonce(url, { workloadId: net.workloadId });
    expect(nonce).toMatchObject({ chainId: 31337, registry: net.deployment.contracts.attestationRegistry, confirmations: 1, maxAge: 3600 });
    const block = await net.publicClient.getBlock({ blockNumber: nonce.blockNumber });
    expect(nonce.blockHash).toBe(block.hash);
  });
});

describe("requestAttestation", () => {
  it("finalizes a bound debug Keep's verdict; isAttested then says yes", async () => {
    const keep = await keepEvidence();
    let accepted: unknown;
    const r = await requestAttestation(url, keep.evidence, net.workloadId, {
      publicKey: keep.publicKey,
      freshnessBlock: keep.nonce.blockNumber,
      timeoutMs: 60_000,
      onAccepted: (a) => (accepted = a),
    });
    expect(r).toMatchObject({ status: "finalized", duplicate: false, mode: "single", txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
    expect(accepted).toEqual({ requestId: r.requestId, verdictId: r.verdictId });
    expect(r.verdict).toMatchObject({
      subject: keep.subject,
      workloadId: net.workloadId,
      tee: "debug",
      tcbStatus: "NotApplicable",
      freshnessBlock: keep.nonce.blockNumber,
    });
    expect(r.verdict!.expiresAt.getTime()).toBeGreaterThan(Date.now());
    const onChain = await isAttested(net.anvil.url, keep.subject, net.workloadId, {
      registry: net.deployment.contracts.attestationRegistry,
    });
    expect(onChain).toMatchObject({ ok: true, verdictId: r.verdictId });

    // The same request again is recognized, not attested twice.
    const again = await requestAttestation(url, keep.evidence, net.workloadId, {
      publicKey: keep.publicKey,
      freshnessBlock: keep.nonce.blockNumber,
    });
    expect(again).toMatchObject({ duplicate: true, status: "finalized", verdictId: r.verdictId });
  });

  it('returns as soon as the node accepted the evidence with waitFor: "accepted"', async () => {
    const keep = await keepEvidence();
    const r = await requestAttestation(net.nodes[1]!.url, keep.evidence, net.workloadId, {
      publicKey: keep.publicKey,
      freshnessBlock: keep.nonce.blockNumber,
      waitFor: "accepted",
    });
    expect(r).toMatchObject({ status: "pending", duplicate: false, verdictId: expect.stringMatching(/^0x/) });
    expect(r.verdict).toBeUndefined();
  });

  it.each([
    {
      name: "evidence bound to another key",
      make: async () => {
        const keep = await keepEvidence({ bindKey: generatePrivateKey() });
        return { keep, workloadId: net.workloadId, publicKey: privateKeyToAccount(generatePrivateKey()).publicKey };
      },
      code: "POLICY_BINDING_MISMATCH",
      stage: "policy",
    },
    {
      name: "a workload that is not registered",
      make: async () => {
        const keep = await keepEvidence();
        return { keep, workloadId: keccak256(stringToBytes("no such workload")), publicKey: keep.publicKey };
      },
      code: "NODE_UNKNOWN_WORKLOAD",
      stage: "policy",
    },
    {
      name: "a measurement the workload does not approve",
      make: async () => {
        const keep = await keepEvidence({ measurement: keccak256(stringToBytes("some other build")) });
        return { keep, workloadId: net.workloadId, publicKey: keep.publicKey };
      },
      code: "POLICY_MEASUREMENT_NOT_APPROVED",
      stage: "policy",
    },
  ])("rejects $name with AttestationRefusedError carrying the node's code", async ({ make, code, stage }) => {
    const { keep, workloadId, publicKey } = await make();
    const error = await requestAttestation(url, keep.evidence, workloadId, { publicKey, freshnessBlock: keep.nonce.blockNumber }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AttestationRefusedError);
    expect(error).toBeInstanceOf(KeepledgerError);
    const refusal = error as AttestationRefusedError;
    expect({ code: refusal.code, stage: refusal.stage, retryable: refusal.retryable }).toEqual({ code, stage, retryable: false });
    expect(refusal.requestId).toMatch(/^0x[0-9a-f]{64}$/);
    // The refusal is recorded on the node under its request id.
    const view = (await (await fetch(`${url}/v1/verdicts/${refusal.requestId}`)).json()) as { status: string; error: { code: string } };
    expect(view).toMatchObject({ status: "rejected", error: { code } });
  });

  it("rejects evidence that is not evidence with the node's format code", async () => {
    const error = await requestAttestation(url, new Uint8Array([1, 2, 3]), net.workloadId, { unbound: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AttestationRefusedError);
    expect(error).toMatchObject({ code: "EVIDENCE_UNKNOWN_KIND", stage: "format" });
  });

  it("fails with InfrastructureError SDK_NODE_UNREACHABLE when nothing listens at the node URL", async () => {
    const port = await freePort();
    const keep = await keepEvidence();
    const error = await requestAttestation(`http://127.0.0.1:${port}`, keep.evidence, net.workloadId, {
      publicKey: keep.publicKey,
      freshnessBlock: keep.nonce.blockNumber,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfrastructureError);
    expect(error).toMatchObject({
      code: "SDK_NODE_UNREACHABLE",
      retryable: true,
      shortMessage: `cannot reach the validator node at http://127.0.0.1:${port}`,
    });
  });

  describe("against a node that never answers", () => {
    let server: Server;
    let silent: string;
    beforeAll(async () => {
      server = createServer(() => undefined); // accepts, never answers
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      silent = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it("times out with InfrastructureError SDK_ATTESTATION_TIMEOUT after timeoutMs", async () => {
      const started = Date.now();
      const error = await requestAttestation(silent, new Uint8Array([1]), net.workloadId, { unbound: true, timeoutMs: 400 }).catch(
        (e: unknown) => e,
      );
      const elapsed = Date.now() - started;
      expect(error).toBeInstanceOf(InfrastructureError);
      expect(error).toMatchObject({ code: "SDK_ATTESTATION_TIMEOUT", retryable: true });
      expect(elapsed).toBeGreaterThanOrEqual(390);
      expect(elapsed).toBeLessThan(3_000);
    });

    it("rejects with the signal's reason when aborted", async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error("user cancelled")), 100);
      await expect(
        requestAttestation(silent, new Uint8Array([1]), net.workloadId, { unbound: true, signal: controller.signal }),
      ).rejects.toThrow("user cancelled");
    });
  });

  it.each([
    {
      name: "a key without its block",
      args: { publicKey: `0x04${"11".repeat(64)}` as Hex },
      message: "freshnessBlock is required with publicKey: the number of the block the evidence binds (requestNonce)",
    },
    {
      name: "neither a key nor unbound",
      args: {},
      message: "publicKey is required (or unbound: true, for dev policies that accept unbound evidence)",
    },
    {
      name: "a short key",
      args: { publicKey: "0x0411" as Hex, freshnessBlock: 1 },
      message: "publicKey must be the Keep's secp256k1 public key: 65 bytes (0x04‖X‖Y) or 64 bytes (X‖Y)",
    },
    {
      name: "unbound with a key",
      args: { unbound: true, publicKey: `0x04${"11".repeat(64)}` as Hex },
      message: "unbound evidence names no publicKey and no freshnessBlock",
    },
  ])("refuses $name before sending anything (UsageError SDK_REQUEST_INVALID)", async ({ args, message }) => {
    const error = await requestAttestation(url, new Uint8Array([1]), net.workloadId, args).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ code: "SDK_REQUEST_INVALID", shortMessage: message });
  });

  // Last: it stops two of the three nodes.
  it("times out with SDK_ATTESTATION_TIMEOUT, naming the verdict, when the quorum cannot form", async () => {
    await net.stopNode(1);
    await net.stopNode(2);
    const keep = await keepEvidence();
    const started = Date.now();
    const error = await requestAttestation(url, keep.evidence, net.workloadId, {
      publicKey: keep.publicKey,
      freshnessBlock: keep.nonce.blockNumber,
      timeoutMs: 3_000,
    }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(error).toBeInstanceOf(InfrastructureError);
    expect(error).toMatchObject({
      code: "SDK_ATTESTATION_TIMEOUT",
      retryable: true,
      details: { verdictId: expect.stringMatching(/^0x[0-9a-f]{64}$/), lastStatus: "pending" },
    });
  });
});
