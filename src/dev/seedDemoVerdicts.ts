/**
 * Seeds the dev network the way users submit: the real vectors (unbound, their collateral beside them)
 * and a fresh debug Keep go to a node's POST /v1/evidence; we wait until the quorum finalized each on
 * chain and the indexer has it, and until every validator's own verdict is indexed. Also writes the
 * sample request (fresh debug Keep evidence for a new key, not submitted) into the data folder.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { keccak256, type Address, type Hex } from "viem";
import type { Deployment } from "../chain/deployment.ts";
import { InfrastructureError } from "@keepledger/sdk/internal/errors/index";
import type { TcbStatus, TeeKind } from "@keepledger/sdk/internal/kinds/index";
import { DEV_CODES } from "./codes.ts";
import { debugKeepRequest } from "./debugKeep.ts";
import { DEMO_DEBUG_MEASUREMENT, DEMO_DEBUG_WORKLOAD, type DemoVector } from "./demoVectors.ts";
import type { DevRegistry } from "./startDevRegistry.ts";

export interface SeededVerdict {
  workload: string;
  workloadId: Hex;
  tee: TeeKind;
  tcbStatus: TcbStatus;
  verdictId: Hex;
  subject: Address;
  evidenceHash: Hex;
  /** data/dev-vectors/<kind>/<set>, or "debug Keep". */
  source: string;
  /** Why the verdict is INSECURE (test keys, debug), when it is. */
  insecure?: string;
}

export interface SeedDemoVerdictsOptions {
  nodeUrl: string;
  deployment: Deployment;
  vectors: readonly DemoVector[];
  workloads: Record<string, Hex>;
  registry: DevRegistry;
  validators: readonly Address[];
  timeoutMs?: number;
}

interface Nonce {
  blockNumber: number;
  blockHash: Hex;
  blockTimestamp: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function nonceOf(nodeUrl: string): Promise<Nonce> {
  return (await (await fetch(`${nodeUrl}/v1/nonce`)).json()) as Nonce;
}

export function seedFailed(workload: string, message: string, details: Record<string, unknown> = {}): InfrastructureError {
  return new InfrastructureError(DEV_CODES.DEV_SEED_FAILED, `seeding ${workload}: ${message}`, { details: { workload, ...details } });
}

export async function submit(nodeUrl: string, workload: string, body: unknown): Promise<Hex> {
  const r = await fetch(`${nodeUrl}/v1/evidence`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await r.json()) as { verdictId?: Hex; error?: { code: string; message: string } };
  if (r.status !== 202 && r.status !== 200)
    throw seedFailed(workload, `the node answered ${r.status}: ${json.error?.code ?? ""} ${json.error?.message ?? ""}`.trim(), {
      error: json.error,
    });
  return json.verdictId!;
}

export async function waitFinalized(nodeUrl: string, workload: string, verdictId: Hex, deadline: number): Promise<void> {
  for (;;) {
    const r = await fetch(`${nodeUrl}/v1/verdicts/${verdictId}?waitMs=2000`).catch(() => undefined);
    const view = r?.ok ? ((await r.json()) as { status: string; error?: { code: string; message: string } }) : undefined;
    if (view?.status === "finalized") return;
    if (view && view.status !== "pending")
      throw seedFailed(workload, `verdict ${verdictId} ${view.status}: ${view.error?.code ?? ""} ${view.error?.message ?? ""}`.trim(), {
        error: view.error,
      });
    if (Date.now() > deadline) throw seedFailed(workload, `verdict ${verdictId} not finalized in time`);
    if (!r?.ok) await sleep(200);
  }
}

/** Polls the index (in-process, with the API's own resolvers) until `done` holds. */
export async function waitIndexed(
  registry: DevRegistry,
  what: string,
  query: string,
  done: (data: Record<string, unknown>) => boolean,
  deadline: number,
): Promise<void> {
  for (;;) {
    const result = await registry.query(query);
    if (!result.errors?.length && result.data && done(result.data as Record<string, unknown>)) return;
    if (Date.now() > deadline)
      throw seedFailed(what, `not indexed in time${result.errors?.length ? `: ${result.errors[0]!.message}` : ""}`);
    await sleep(200);
  }
}

export async function seedDemoVerdicts(o: SeedDemoVerdictsOptions): Promise<SeededVerdict[]> {
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  const nonce = await nonceOf(o.nodeUrl);
  const keep = debugKeepRequest({
    deployment: o.deployment,
    workloadId: o.workloads[DEMO_DEBUG_WORKLOAD]!,
    measurement: DEMO_DEBUG_MEASUREMENT,
    block: { number: nonce.blockNumber, hash: nonce.blockHash, timestamp: nonce.blockTimestamp },
  });
  const submissions = [
    ...o.vectors.map((v) => ({
      workload: v.workload,
      tee: v.tee,
      tcbStatus: v.tcbStatus,
      source: v.source,
      ...(v.insecure === undefined ? {} : { insecure: v.insecure }),
      evidenceHash: keccak256(v.evidence),
      body: { workloadId: o.workloads[v.workload]!, evidence: v.evidence.toString("base64"), unbound: true, collateral: v.collateral },
    })),
    {
      workload: DEMO_DEBUG_WORKLOAD,
      tee: "debug" as const,
      tcbStatus: "NotApplicable" as const,
      source: "debug Keep",
      insecure: "a debug Keep (no TEE)",
      evidenceHash: keccak256(keep.evidence),
      body: keep.body,
    },
  ];
  const seeded = await Promise.all(
    submissions.map(async (s) => {
      const verdictId = await submit(o.nodeUrl, s.workload, s.body);
      await waitFinalized(o.nodeUrl, s.workload, verdictId, deadline);
      return {
        workload: s.workload,
        workloadId: s.body.workloadId,
        tee: s.tee,
        tcbStatus: s.tcbStatus,
        verdictId,
        subject: "",
        evidenceHash: s.evidenceHash,
        source: s.source,
        ...(s.insecure === undefined ? {} : { insecure: s.insecure }),
      };
    }),
  );
  const ids = seeded.map((s) => s.verdictId.toLowerCase());
  const subjects = new Map<string, Address>();
  await waitIndexed(
    o.registry,
    "the demo verdicts",
    `{ verdicts(where: { id_in: ${JSON.stringify(ids)} }) { id subject } }`,
    (data) => {
      const rows = data.verdicts as { id: string; subject: Address }[];
      for (const r of rows) subjects.set(r.id, r.subject);
      return rows.length === ids.length;
    },
    deadline,
  );
  // Each node attests itself as a debug Keep when it starts; the validators query shows those verdicts.
  await waitIndexed(
    o.registry,
    "the validators' own verdicts",
    `{ validators { id verdict { id status } } }`,
    (data) => {
      const rows = data.validators as { id: string; verdict: { status: string } | null }[];
      return o.validators.every((a) => rows.some((r) => r.id.toLowerCase() === a.toLowerCase() && r.verdict?.status === "FINALIZED"));
    },
    deadline,
  );
  return seeded.map((s) => ({ ...s, subject: subjects.get(s.verdictId.toLowerCase())! }));
}

export interface SampleRequest {
  /** The POST /v1/evidence body, for curl. */
  requestFile: string;
  /** The evidence alone (base64), for `keepledger submit`. */
  evidenceFile: string;
  publicKey: Hex;
  subject: Address;
  freshnessBlock: number;
  workloadId: Hex;
}

/** Fresh debug Keep evidence for a new key bound to a recent block, written (not submitted) for people to post. */
export async function writeSampleRequest(o: {
  dataDir: string;
  nodeUrl: string;
  deployment: Deployment;
  workloadId: Hex;
}): Promise<SampleRequest> {
  const nonce = await nonceOf(o.nodeUrl);
  const keep = debugKeepRequest({
    deployment: o.deployment,
    workloadId: o.workloadId,
    measurement: DEMO_DEBUG_MEASUREMENT,
    block: { number: nonce.blockNumber, hash: nonce.blockHash, timestamp: nonce.blockTimestamp },
  });
  const requestFile = join(o.dataDir, "sample-request.json");
  const evidenceFile = join(o.dataDir, "sample-evidence.b64");
  writeFileSync(requestFile, `${JSON.stringify(keep.body, null, 2)}\n`);
  writeFileSync(evidenceFile, `${keep.body.evidence}\n`);
  return {
    requestFile,
    evidenceFile,
    publicKey: keep.publicKey,
    subject: keep.subject,
    freshnessBlock: nonce.blockNumber,
    workloadId: o.workloadId,
  };
}
