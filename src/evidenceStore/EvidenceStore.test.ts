import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keccak256 } from "viem";
import { fixtureBytes } from "../../test/support/fixtures.ts";
import { TEST_DATABASES } from "../../test/support/databases.ts";
import { EvidenceStore } from "./EvidenceStore.ts";

describe.each(TEST_DATABASES)("EvidenceStore on $name", (store) => {
  let evidenceStore: EvidenceStore;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const opened = await store.open();
    drop = opened.drop;
    evidenceStore = await EvidenceStore.open(opened.db);
  });
  afterAll(() => drop());

  it("stores real evidence and collateral by content hash and gives back the same bytes", async () => {
    const quote = fixtureBytes("sgx", "dcapqvl-sgx", "quote.bin");
    const tcbInfo = fixtureBytes("sgx", "dcapqvl-sgx", "tcb_info.json");
    const hash = await evidenceStore.putEvidence(quote, [{ name: "tcb_info.json", bytes: tcbInfo }]);
    expect(hash).toBe(keccak256(quote));
    expect(await evidenceStore.putEvidence(quote, [{ name: "tcb_info.json", bytes: tcbInfo }])).toBe(hash);
    const got = await evidenceStore.getEvidence(hash);
    expect(Buffer.from(got!.evidence).equals(Buffer.from(quote))).toBe(true);
    expect(got!.collateral.map((c) => c.name)).toEqual(["tcb_info.json"]);
    expect(Buffer.from(got!.collateral[0]!.bytes).equals(Buffer.from(tcbInfo))).toBe(true);
    expect(await evidenceStore.getEvidence(keccak256(new Uint8Array([1])))).toBeUndefined();
  });

  it("links verdicts to their evidence and binding inputs", async () => {
    const link = {
      verdictId: `0x${"11".repeat(32)}`,
      evidenceHash: `0x${"22".repeat(32)}`,
      workloadId: `0x${"33".repeat(32)}`,
      subjectPublicKey: `0x${"44".repeat(64)}`,
      bindingContext: "keep",
      freshnessBlock: 7,
    } as const;
    await evidenceStore.linkVerdict(link);
    await evidenceStore.linkVerdict(link);
    expect(await evidenceStore.verdictLink(link.verdictId)).toEqual(link);
  });
});
