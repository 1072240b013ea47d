/**
 * The key-service key bound into the validators' own attestation (docs/key-release.md, validator context
 * v2), end to end on a 3-validator network that attests itself: each node publishes its key-service key,
 * binds it into its own evidence, the peers check that binding against the KeyRegistry, the KeyRegistry
 * then reports the key attested, and createKey splits for the validators without any unsafe switch.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, toHex, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { validatorSetAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { defaultReleasePolicy, deployKeyRegistry, keyServiceKeyOf } from "../../src/chain/keyRegistry.ts";
import { verdictFromJson, type VerdictJson } from "@keepledger/sdk/internal/chain/verdictView";
import { createKey } from "@keepledger/sdk/internal/sdk/keys/createKey";
import { releaseKey } from "@keepledger/sdk/internal/sdk/keys/releaseKey";
import { until } from "../support/until.ts";
import { startNodeNetwork, type NodeNetwork } from "./support/nodeNetwork.ts";

/** How long to wait for the nodes, and how often to look. */
const WAIT = { timeoutMs: 90_000, intervalMs: 250 };

describe("key-service keys bound into the validators' self-attestation", () => {
  let net: NodeNetwork;
  let keyRegistry: Address;
  beforeAll(async () => {
    net = await startNodeNetwork({ validatorWorkload: true });
    keyRegistry = (await deployKeyRegistry(net.clients, net.deployment)).address;
    for (const n of net.nodes) n.config.keyService = { registry: keyRegistry, receiptIntervalMs: 3_600_000, maxRequestAgeBlocks: 64 };
    for (let i = 0; i < 3; i++) await net.startNode(i);
  }, 60_000);
  afterAll(async () => net?.stop());

  it("each validator's own verdict binds its published key-service key, and the key reads attested", async () => {
    for (const node of net.nodes) {
      const key = await until(
        `${node.account.address}'s key-service key attested`,
        () => keyServiceKeyOf(net, keyRegistry, node.account.address),
        (k) => k.attested,
        WAIT,
      );
      expect(key.publicKey).toBe(node.node!.keys!.publicKey);
      const info = await net.publicClient.readContract({
        address: net.deployment.contracts.validatorSet,
        abi: validatorSetAbi,
        functionName: "validatorOf",
        args: [node.account.address],
      });
      const link = await node.node!.store.evidence.verdictLink(info.ownVerdictId);
      expect(link?.bindingContext).toBe(`validator:production:key-service:${key.publicKey}`);
    }
  }, 120_000);

  it("createKey splits for attested key-service keys without an unsafe switch, and a live Keep gets the key", async () => {
    const secret = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
    const { keyId } = await createKey({
      clients: net.clients,
      deployment: net.deployment,
      keyRegistry,
      workloadId: net.workloadId,
      name: "bound",
      shareholders: net.nodes.map((n) => getAddress(n.account.address)),
      threshold: 2,
      secret,
      policy: { ...defaultReleasePolicy(), allowDebug: true },
    });
    const keep = await net.debugKeep(net.nodes[1]!.url);
    const posted = await net.post(net.nodes[1]!.url, keep.body);
    const view = await net.waitSettled(net.nodes[1]!.url, posted.json.verdictId as Hex);
    const got = await releaseKey({
      publicClient: net.publicClient,
      deployment: net.deployment,
      keyRegistry,
      keyId,
      account: privateKeyToAccount(keep.privateKey),
      verdict: verdictFromJson(view.verdict as VerdictJson),
    });
    expect(toHex(got.secret)).toBe(toHex(secret));
  }, 60_000);
});
