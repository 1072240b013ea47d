/**
 * The dev network's demo key (docs/key-release.md): the debug-Keep workload's owner splits a fresh secret
 * 2-of-3 among the validators (createKey), a freshly attested debug Keep (INSECURE, no TEE) asks each
 * validator for its share with its subject key (releaseKey) and recombines it, and we wait until the
 * validators' release receipts are committed on-chain and indexed, so the printed queries show them.
 */
import { getAddress, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { Deployment } from "../chain/deployment.ts";
import { defaultReleasePolicy } from "../chain/keyRegistry.ts";
import type { ChainClients } from "../chain/transactions.ts";
import { verdictFromJson, type VerdictJson } from "@keepledger/sdk/internal/chain/verdictView";
import { createKey } from "@keepledger/sdk/internal/sdk/keys/createKey";
import { releaseKey } from "@keepledger/sdk/internal/sdk/keys/releaseKey";
import { debugKeepRequest } from "./debugKeep.ts";
import { DEMO_DEBUG_MEASUREMENT, DEMO_DEBUG_WORKLOAD } from "./demoVectors.ts";
import { nonceOf, seedFailed, submit, waitFinalized, waitIndexed } from "./seedDemoVerdicts.ts";
import type { DevRegistry } from "./startDevRegistry.ts";

export const DEMO_KEY_NAME = "demo data key";

export interface DemoKey {
  keyId: Hex;
  name: string;
  workloadId: Hex;
  version: number;
  threshold: number;
  shareholders: Address[];
  /** The debug Keep that received it (its subject address) and its verdict. */
  keep: Address;
  keepVerdictId: Hex;
  /** The validators whose shares it combined, as their receipts say (indexed). */
  releasedBy: Address[];
}

export interface ReleaseDemoKeyOptions {
  clients: ChainClients;
  deployment: Deployment;
  registry: DevRegistry;
  nodeUrl: string;
  workloadId: Hex;
  validators: readonly Address[];
  threshold: number;
  timeoutMs?: number;
}

const what = "the demo key";

export async function releaseDemoKey(o: ReleaseDemoKeyOptions): Promise<DemoKey> {
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  const keyRegistry = o.deployment.contracts.keyRegistry;
  if (keyRegistry === undefined) throw seedFailed(what, "the deployment has no KeyRegistry");
  // The debug Keep's verdicts are dev-policy verdicts of a debug TEE: only a key that allows debug is released to them.
  const created = await createKey({
    clients: o.clients,
    deployment: o.deployment,
    keyRegistry,
    workloadId: o.workloadId,
    name: DEMO_KEY_NAME,
    shareholders: o.validators,
    threshold: o.threshold,
    policy: { ...defaultReleasePolicy(), allowDebug: true },
  });

  // A freshly attested debug Keep: its subject key signs the release requests.
  const privateKey = generatePrivateKey();
  const nonce = await nonceOf(o.nodeUrl);
  const keep = debugKeepRequest({
    deployment: o.deployment,
    workloadId: o.workloadId,
    measurement: DEMO_DEBUG_MEASUREMENT,
    block: { number: nonce.blockNumber, hash: nonce.blockHash, timestamp: nonce.blockTimestamp },
    privateKey,
  });
  const verdictId = await submit(o.nodeUrl, DEMO_DEBUG_WORKLOAD, keep.body);
  await waitFinalized(o.nodeUrl, DEMO_DEBUG_WORKLOAD, verdictId, deadline);
  const view = (await (await fetch(`${o.nodeUrl}/v1/verdicts/${verdictId}`)).json()) as { verdict?: VerdictJson };
  if (!view.verdict) throw seedFailed(what, `${o.nodeUrl} does not serve verdict ${verdictId}`);

  const released = await releaseKey({
    publicClient: o.clients.publicClient,
    deployment: o.deployment,
    keyRegistry,
    keyId: created.keyId,
    account: privateKeyToAccount(privateKey),
    verdict: verdictFromJson(view.verdict),
  });
  if (Buffer.compare(Buffer.from(released.secret), Buffer.from(created.secret!)) !== 0) {
    throw seedFailed(what, "the shares the Keep received do not recombine to the secret that was split");
  }
  const served = released.shares.filter((s) => s.ok).map((s) => s.validator.toLowerCase());

  // Each validator commits its receipts on its interval; the index shows them once committed.
  const releasedBy: Address[] = [];
  await waitIndexed(
    o.registry,
    "the demo key's release receipts",
    `{ keyReleases(where: { key: "${created.keyId.toLowerCase()}", subject: "${keep.subject.toLowerCase()}" }) { validator { id } } }`,
    (data) => {
      const rows = data.keyReleases as { validator: { id: string } }[];
      releasedBy.splice(0, releasedBy.length, ...rows.map((r) => getAddress(r.validator.id)));
      return served.every((v) => rows.some((r) => r.validator.id === v));
    },
    deadline,
  );
  return {
    keyId: created.keyId,
    name: DEMO_KEY_NAME,
    workloadId: o.workloadId,
    version: created.version,
    threshold: o.threshold,
    shareholders: o.validators.map((v) => getAddress(v)),
    keep: keep.subject,
    keepVerdictId: verdictId,
    releasedBy: releasedBy.sort(),
  };
}
