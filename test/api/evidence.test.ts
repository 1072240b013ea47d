/**
 * Evidence access (docs/evidence-store.md): what the API serves of the evidence store is a setting —
 * nothing ("none"), hashes and sizes ("hashes", the default), or the bytes too ("full") — over GraphQL
 * (Verdict.evidence) and HTTP (GET /evidence/<hash>).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keccak256, type Hex } from "viem";
import { createRegistryApi, type RegistryApiOptions } from "../../src/api/createRegistryApi.ts";
import { startRegistryServer } from "../../src/api/registryServer.ts";
import { EvidenceStore } from "../../src/evidenceStore/EvidenceStore.ts";
import { createIndexer } from "../../src/indexer/Indexer.ts";
import type { Database } from "../../src/store/Database.ts";
import { openDatabase } from "../../src/store/openDatabase.ts";
import { startTestbed, type Testbed } from "../support/contracts-testbed.ts";
import { fixtureBytes } from "../support/fixtures.ts";

const quote = fixtureBytes("sgx", "dcapqvl-sgx", "quote.bin");
const tcbInfo = fixtureBytes("sgx", "dcapqvl-sgx", "tcb_info.json");

let bed: Testbed;
let db: Database;
let evidenceStore: EvidenceStore;
let stored: Hex;
let unknown: Hex;

beforeAll(async () => {
  bed = await startTestbed();
  db = openDatabase(":memory:");
  evidenceStore = await EvidenceStore.open(db);
  const hash = await evidenceStore.putEvidence(quote, [{ name: "tcb_info.json", bytes: tcbInfo }]);
  const v = await bed.verdict(bed.stranger, { evidenceHash: hash });
  stored = (await bed.client.finalizeVerdict(v, await bed.sign(v))).verdictId;
  const w = await bed.verdict(bed.admin);
  unknown = (await bed.client.finalizeVerdict(w, await bed.sign(w))).verdictId;
  await (await createIndexer({ db, chain: bed.chain.provider, deployment: bed.deployment })).catchUp();
});
afterAll(async () => {
  await db.close();
  await bed.close();
});

const QUERY = `query($id: ID!) { verdict(id: $id) { id evidence { evidenceHash available size collateral { name contentHash size } } } }`;
const WITH_BYTES = `query($id: ID!) { verdict(id: $id) { evidence { bytes collateral { bytes } } } }`;
const api = (evidenceAccess: RegistryApiOptions["evidenceAccess"]) =>
  createRegistryApi({ db, evidenceStore, ...(evidenceAccess ? { evidenceAccess } : {}) });

describe("evidence access over GraphQL", () => {
  it('serves nothing under "none"', async () => {
    const r = await api("none").execute(QUERY, { id: stored });
    expect(r.data).toEqual({ verdict: { id: stored, evidence: null } });
    expect(r.errors?.[0]).toMatchObject({
      message: 'this registry does not serve evidence (evidenceAccess is "none")',
      extensions: { code: "EVIDENCE_ACCESS_DENIED" },
    });
  });

  it('serves hashes and sizes by default ("hashes"), not the bytes', async () => {
    const r = await api(undefined).execute(QUERY, { id: stored });
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({
      verdict: {
        id: stored,
        evidence: {
          evidenceHash: keccak256(quote),
          available: true,
          size: quote.length,
          collateral: [{ name: "tcb_info.json", contentHash: keccak256(tcbInfo), size: tcbInfo.length }],
        },
      },
    });
    const bytes = await api("hashes").execute(WITH_BYTES, { id: stored });
    expect(bytes.errors?.map((e) => e.extensions?.code)).toEqual(["EVIDENCE_ACCESS_DENIED", "EVIDENCE_ACCESS_DENIED"]);
  });

  it('serves the bytes under "full"', async () => {
    const r = await api("full").execute(WITH_BYTES, { id: stored });
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({
      verdict: {
        evidence: {
          bytes: `0x${Buffer.from(quote).toString("hex")}`,
          collateral: [{ bytes: `0x${Buffer.from(tcbInfo).toString("hex")}` }],
        },
      },
    });
  });

  it("says when the evidence store does not hold a verdict's evidence", async () => {
    const r = await api("full").execute(QUERY, { id: unknown });
    expect((r.data as { verdict: { evidence: unknown } }).verdict.evidence).toMatchObject({ available: false, size: null, collateral: [] });
  });
});

describe("evidence access over HTTP", () => {
  it('serves raw bytes under "full" only', async () => {
    const full = await startRegistryServer(api("full"), { host: "127.0.0.1", port: 0 });
    const hashes = await startRegistryServer(api("hashes"), { host: "127.0.0.1", port: 0 });
    try {
      const hash = keccak256(quote);
      const ok = await fetch(`${full.url}/evidence/${hash}`);
      expect(ok.status).toBe(200);
      expect(new Uint8Array(await ok.arrayBuffer())).toEqual(quote);
      expect((await fetch(`${full.url}/evidence/0x${"00".repeat(32)}`)).status).toBe(404);
      const denied = await fetch(`${hashes.url}/evidence/${hash}`);
      expect(denied.status).toBe(403);
      expect(((await denied.json()) as { error: { code: string } }).error.code).toBe("EVIDENCE_ACCESS_DENIED");
    } finally {
      await full.close();
      await hashes.close();
    }
  });
});
