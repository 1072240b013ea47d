import { describe, expect, it } from "vitest";
import { TEE_KINDS } from "@keepledger/sdk/internal/kinds/index";
import { KIND_FACTS, factsOf } from "@keepledger/sdk/internal/tee/kindFacts";
import { adapterFor, defaultAdapters, DEFAULT_ADAPTERS } from "./table.ts";

describe("the facts table and the adapter table", () => {
  it("list exactly TEE_KINDS, in order (the on-chain enum order)", () => {
    expect(Object.keys(KIND_FACTS)).toEqual([...TEE_KINDS]);
    expect(Object.values(KIND_FACTS).map((f) => f.kind)).toEqual([...TEE_KINDS]);
    expect(DEFAULT_ADAPTERS.map((a) => a.kind)).toEqual([...TEE_KINDS]);
    expect(defaultAdapters({ dangerouslyAllowMissingAmdCrl: true }).map((a) => a.kind)).toEqual([...TEE_KINDS]);
  });

  it("every adapter extends its kind's facts: the same objects, not copies", () => {
    for (const adapters of [DEFAULT_ADAPTERS, defaultAdapters({ dangerouslyAllowMissingAmdCrl: true })]) {
      for (const adapter of adapters) {
        const facts = factsOf(adapter.kind);
        expect(adapter.label).toBe(facts.label);
        expect(adapter.vendor).toBe(facts.vendor);
        expect(adapter.measurement).toBe(facts.measurement);
        expect(adapter.reportData).toBe(facts.reportData);
        expect(adapter.flags).toBe(facts.flags);
      }
    }
  });

  it("adapterFor finds each kind's default adapter; factsOf refuses a name that is not a kind", () => {
    for (const kind of TEE_KINDS) expect(adapterFor(kind)).toBe(DEFAULT_ADAPTERS.find((a) => a.kind === kind));
    expect(() => factsOf("tpm" as never)).toThrow(/unknown TEE kind "tpm"/);
    expect(() => factsOf("toString" as never)).toThrow(/unknown TEE kind/);
  });

  it("measurement lengths are the ones the WorkloadRegistry accepts (docs/ids.md)", () => {
    expect(Object.fromEntries(TEE_KINDS.map((k) => [k, factsOf(k).measurement.length]))).toEqual({
      sgx: 68,
      tdx: 240,
      "sev-snp": 81,
      nitro: 144,
      "azure-cvm": 85,
      debug: 32,
      "nvidia-gpu": 96,
      "arm-cca": 385,
      "cpu-gpu": 146,
    });
  });
});
