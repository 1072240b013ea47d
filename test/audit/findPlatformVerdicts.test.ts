import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keccak256, type Hex } from "viem";
import { EvidenceStore } from "../../src/evidenceStore/EvidenceStore.ts";
import { openDatabase } from "../../src/store/openDatabase.ts";
import type { Database } from "../../src/store/Database.ts";
import { expectedOf, fixtureBytes, fixturePath } from "../support/fixtures.ts";
import { findPlatformVerdicts, type PlatformCandidate } from "../../src/audit/findPlatformVerdicts.ts";

// A real SGX quote (Phala dcap-qvl sample, FMSPC 00A067110000) with its collateral, as a node stores it.
const VECTOR = ["sgx", "dcapqvl-sgx"] as const;
const quote = fixtureBytes(...VECTOR, "quote.bin");
const files = readdirSync(fixturePath(...VECTOR))
  .filter((f) => f !== "quote.bin" && f !== "collateral.json")
  .map((name) => ({ name, bytes: new Uint8Array(readFileSync(fixturePath(...VECTOR, name))) }));
const at = BigInt(Date.parse(expectedOf(...VECTOR).verify_at) / 1000);

let db: Database;
let store: EvidenceStore;
let evidenceHash: Hex;
beforeAll(async () => {
  db = openDatabase(":memory:");
  store = await EvidenceStore.open(db);
  evidenceHash = await store.putEvidence(quote, files);
});
afterAll(async () => db?.close());

const sgx = (id: string): PlatformCandidate => ({ id: keccak256(Buffer.from(id)), tee: "sgx", evidenceHash, issuedAt: at });

describe("findPlatformVerdicts", () => {
  it("finds a verdict by the FMSPC of its stored evidence, and not by another FMSPC", async () => {
    const hit = await findPlatformVerdicts({
      entry: { kind: "fmspc", value: "00a067110000" },
      candidates: [sgx("a")],
      evidenceStore: store,
    });
    expect(hit).toEqual({ matched: [sgx("a").id], undecided: [] });
    const miss = await findPlatformVerdicts({
      entry: { kind: "fmspc", value: "00906ed50000" },
      candidates: [sgx("a")],
      evidenceStore: store,
    });
    expect(miss).toEqual({ matched: [], undecided: [] });
  });

  it("skips TEE kinds the platform cannot be, matches a TEE kind without evidence, and reports what it cannot decide", async () => {
    const missing: PlatformCandidate = { ...sgx("b"), evidenceHash: keccak256(Buffer.from("no such evidence")) };
    const snp = await findPlatformVerdicts({
      entry: { kind: "amdProductLine", value: "Milan" },
      candidates: [sgx("a")],
      evidenceStore: store,
    });
    expect(snp.matched).toEqual([]);
    const tee = await findPlatformVerdicts({ entry: { kind: "tee", value: "sgx" }, candidates: [missing], evidenceStore: store });
    expect(tee.matched).toEqual([missing.id]);
    const undecided = await findPlatformVerdicts({
      entry: { kind: "fmspc", value: "00a067110000" },
      candidates: [missing],
      evidenceStore: store,
    });
    expect(undecided).toEqual({ matched: [], undecided: [{ id: missing.id, reason: "no evidence stored for it" }] });
  });
});
