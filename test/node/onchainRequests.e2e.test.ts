/**
 * On-chain attestation requests: evidence posted to AttestationRequests is picked up by the designated
 * collector (request id mod n) and finalized; when that validator is down, the next one takes over after
 * the takeover delay. Either way the verdict finalizes exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keccak256, parseEventLogs, type Address, type Hex } from "viem";
import { requestAttestation } from "../../src/chain/attestationRequests.ts";
import { attestationRegistryAbi, attestationRequestsAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { startNodeNetwork, type NodeNetwork } from "./support/nodeNetwork.ts";

describe("on-chain attestation requests", () => {
  let net: NodeNetwork;
  beforeAll(async () => {
    net = await startNodeNetwork({ validatorWorkload: false, onchainRequests: true });
    for (let i = 0; i < 3; i++) await net.startNode(i);
  }, 60_000);
  afterAll(async () => net?.stop());

  const finalizedFor = async (evidenceHash: Hex) => {
    const logs = await net.publicClient.getLogs({
      address: net.deployment.contracts.attestationRegistry,
      fromBlock: 0n,
      toBlock: "latest",
    });
    return parseEventLogs({ abi: attestationRegistryAbi, eventName: "VerdictFinalized", logs }).filter(
      (e) => e.args.verdict.evidenceHash === evidenceHash,
    );
  };
  const attested = async (subject: Address, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await net.client.isAttested(subject, net.workloadId)).ok) return true;
      await new Promise((r) => setTimeout(r, 250));
    }
    return false;
  };
  /** The node whose turn request `n` is: counting validators sorted by address, index n mod 3. */
  const collectorOf = (n: bigint) => {
    const sorted = [...net.nodes].sort((a, b) => (BigInt(a.account.address) < BigInt(b.account.address) ? -1 : 1));
    return sorted[Number(n % BigInt(sorted.length))]!;
  };

  const request = async (nodeIndexForNonce: number) => {
    const keep = await net.debugKeep(net.nodes[nodeIndexForNonce]!.url);
    const evidence = Buffer.from(keep.body.evidence, "base64");
    const sent = await requestAttestation(net.clients, net.attestationRequests!, {
      workloadId: net.workloadId,
      evidence: new Uint8Array(evidence),
      publicKey: keep.body.publicKey,
      freshnessBlock: BigInt(keep.body.freshnessBlock),
    });
    return { keep, evidenceHash: keccak256(evidence), requestId: sent.requestId };
  };

  it("is picked up from the event, appraised like a submission and finalized once", async () => {
    const { keep, evidenceHash, requestId } = await request(0);
    expect(await attested(keep.subject)).toBe(true);
    const events = await finalizedFor(evidenceHash);
    expect(events).toHaveLength(1);
    expect(events[0]!.args.signers).toContain(collectorOf(requestId).account.address);
  });

  it("is taken over by the next validator when the designated collector is down", async () => {
    const next =
      (await net.publicClient.readContract({
        address: net.attestationRequests!,
        abi: attestationRequestsAbi,
        functionName: "requestCount",
      })) + 1n;
    const designated = collectorOf(next);
    await net.stopNode(designated.index);
    try {
      const { keep, evidenceHash } = await request(designated.index === 0 ? 1 : 0);
      expect(await attested(keep.subject, 40_000)).toBe(true);
      const events = await finalizedFor(evidenceHash);
      expect(events).toHaveLength(1);
      expect(events[0]!.args.signers).not.toContain(designated.account.address);
    } finally {
      await net.startNode(designated.index);
    }
  });
});
