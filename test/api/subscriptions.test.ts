/**
 * Subscriptions over server-sent events, fed by an indexer following the chain in the same process:
 * a verdict finalized (filtered by workload), a policy scheduled and a validator changing arrive as
 * they are committed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRegistryApi } from "../../src/api/createRegistryApi.ts";
import { startRegistryServer, type RegistryServer } from "../../src/api/registryServer.ts";
import { validatorSetAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { defaultPolicy } from "../../src/policy/types.ts";
import { sendContractCall } from "../../src/chain/transactions.ts";
import { registerWorkload, schedulePolicy } from "../../src/chain/workloads.ts";
import { createIndexer, type Indexer } from "../../src/indexer/Indexer.ts";
import type { Database } from "../../src/store/Database.ts";
import { openDatabase } from "../../src/store/openDatabase.ts";
import { startTestbed, type Testbed } from "../support/contracts-testbed.ts";

let bed: Testbed;
let db: Database;
let indexer: Indexer;
let server: RegistryServer;

beforeAll(async () => {
  bed = await startTestbed();
  db = openDatabase(":memory:");
  indexer = await createIndexer({ db, chain: bed.chain.provider, deployment: bed.deployment, pollIntervalMs: 20 });
  await indexer.catchUp();
  void indexer.follow();
  server = await startRegistryServer(createRegistryApi({ db, indexer }), { host: "127.0.0.1", port: 0 });
});
afterAll(async () => {
  await server.close();
  await indexer.stop();
  await db.close();
  await bed.close();
});

/** Opens an SSE subscription; `next(n)` waits for n more events (each event's data.data). */
async function subscribe(query: string, variables: Record<string, unknown> = {}) {
  const abort = new AbortController();
  const response = await fetch(server.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  expect(response.headers.get("content-type")).toContain("text/event-stream");
  const reader = response.body!.getReader();
  const events: unknown[] = [];
  let buffer = "";
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += new TextDecoder().decode(value);
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split("\n").find((l) => l.startsWith("data: "));
        if (block.startsWith("event: next") && data) events.push((JSON.parse(data.slice(6)) as { data: unknown }).data);
      }
    }
  })();
  return {
    events,
    async waitFor(n: number, ms = 10_000) {
      const until = Date.now() + ms;
      while (events.length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      return events;
    },
    async close() {
      abort.abort();
      await pump;
    },
  };
}

describe("subscriptions", () => {
  it("push finalized verdicts of the workload asked for, policy changes and validator changes", async () => {
    const verdicts = await subscribe(`subscription($w: ID) { verdictFinalized(workload: $w) { id subject status workload { name } } }`, {
      w: bed.workloadId,
    });
    const policies = await subscribe(`subscription { policyChanged { id workload { name } allowedTees } }`);
    const validators = await subscribe(`subscription { validatorChanged { id endpoint } }`);
    await new Promise((r) => setTimeout(r, 100));

    // A verdict for another workload: not pushed to the filtered subscription.
    const { workloadId: other } = await registerWorkload(bed.clients, bed.deployment, "other", "");
    const v = await bed.verdict(bed.stranger);
    const { verdictId } = await bed.client.finalizeVerdict(v, await bed.sign(v));
    await schedulePolicy(bed.clients, bed.deployment, bed.workloadId, { ...defaultPolicy(), allowedTees: ["sgx"] });
    const validator = bed.validators[0]!.address;
    await sendContractCall(await bed.impersonate(validator), {
      address: bed.deployment.contracts.validatorSet,
      abi: validatorSetAbi,
      functionName: "setEndpoint",
      args: ["https://moved.example"],
    });

    expect(await verdicts.waitFor(1)).toEqual([
      { verdictFinalized: { id: verdictId, subject: bed.stranger.toLowerCase(), status: "FINALIZED", workload: { name: "app" } } },
    ]);
    const policyEvents = (await policies.waitFor(2)) as { policyChanged: { workload: { name: string }; allowedTees: string[] } }[];
    expect(policyEvents.map((e) => e.policyChanged.workload.name)).toEqual(["other", "app"]);
    expect(policyEvents[1]!.policyChanged.allowedTees).toEqual(["sgx"]);
    expect(await validators.waitFor(1)).toEqual([{ validatorChanged: { id: validator.toLowerCase(), endpoint: "https://moved.example" } }]);
    expect(other).not.toBe(bed.workloadId);
    for (const s of [verdicts, policies, validators]) await s.close();
  });
});
