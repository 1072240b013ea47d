// The golden vectors of docs/ids.md, recomputed with packages/sdk/src/ids/; and the check that the Solidity test
// (contracts/test/IdsGolden.t.sol) asserts the same values, so both implementations meet in one table.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Address, Hex } from "viem";
import {
  bindingHash,
  buildBatch,
  keepledgerDomain,
  subjectOfPublicKey,
  unboundSubject,
  validatorContext,
  verdictBatchDigest,
  verdictDigest,
  verdictId,
  workloadId,
  BINDING_DOMAIN,
  MEASUREMENT_DOMAIN,
  UNBOUND_SUBJECT_DOMAIN,
  VALIDATOR_CONTEXT_DOMAIN,
  WORKLOAD_DOMAIN,
  type LoggingProfile,
  type Verdict,
  type VerdictGroup,
} from "@keepledger/sdk/internal/ids/index";
import { encodeMeasurementValue, measurementHash, reportDataFor, type Measurement } from "@keepledger/sdk/internal/tee/kindFacts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const doc = readFileSync(join(root, "docs", "ids.md"), "utf8");
const block = /```json golden\n([\s\S]*?)\n```/.exec(doc);
if (!block?.[1]) throw new Error("docs/ids.md has no ```json golden block");
const golden = JSON.parse(block[1]);
const solidityTest = readFileSync(join(root, "contracts", "test", "IdsGolden.t.sol"), "utf8").toLowerCase();

const verdictOf = (v: Record<string, unknown>): Verdict => ({
  ...(v as unknown as Verdict),
  issuedAt: BigInt(v.issuedAt as string),
  expiresAt: BigInt(v.expiresAt as string),
  freshnessBlock: BigInt(v.freshnessBlock as string),
});

describe("docs/ids.md golden vectors, TypeScript side", () => {
  it("domain tags", () => {
    expect({
      workload: WORKLOAD_DOMAIN,
      measurement: MEASUREMENT_DOMAIN,
      unboundSubject: UNBOUND_SUBJECT_DOMAIN,
      binding: BINDING_DOMAIN,
      validatorContext: VALIDATOR_CONTEXT_DOMAIN,
    }).toEqual(golden.domainTags);
  });

  it("workload ids", () => {
    for (const w of golden.workloads) expect(workloadId(w.owner, w.name), w.name).toBe(w.workloadId);
  });

  it("measurement values and hashes of every kind", () => {
    for (const m of golden.measurements) {
      const measurement = m.measurement as Measurement;
      expect(encodeMeasurementValue(measurement), measurement.tee).toBe(m.value);
      expect(measurementHash(measurement), measurement.tee).toBe(m.measurementHash);
    }
    expect(new Set(golden.measurements.map((m: { measurement: Measurement }) => m.measurement.tee))).toEqual(
      new Set(["sgx", "tdx", "sev-snp", "nitro", "debug"]),
    );
  });

  it("verdict id and EIP-712 digests", () => {
    const v = verdictOf(golden.verdict.verdict);
    expect(verdictId(v)).toBe(golden.verdict.verdictId);
    for (const d of golden.verdict.digests) {
      expect(verdictDigest(v, keepledgerDomain(BigInt(d.chainId), d.attestationRegistry)), `chain ${d.chainId}`).toBe(d.digest);
    }
  });

  it("batch leaves, root, proofs and digests", () => {
    const g = golden.batch.group;
    const group: VerdictGroup = {
      ...g,
      issuedAt: BigInt(g.issuedAt),
      expiresAt: BigInt(g.expiresAt),
      items: g.items.map((i: { subject: Address; evidenceHash: Hex; freshnessBlock: string }) => ({
        ...i,
        freshnessBlock: BigInt(i.freshnessBlock),
      })),
    };
    const batch = buildBatch([group]);
    expect(batch.leaves).toEqual(golden.batch.leaves);
    expect(batch.root).toBe(golden.batch.root);
    expect(batch.count).toBe(golden.batch.count);
    for (const p of golden.batch.proofs) expect(batch.proof(p.index), `proof ${p.index}`).toEqual(p.proof);
    for (const d of golden.batch.digests) {
      expect(verdictBatchDigest(batch.root, batch.count, keepledgerDomain(BigInt(d.chainId), d.attestationRegistry))).toBe(d.digest);
    }
  });

  it("unbound pseudo-subjects", () => {
    for (const u of golden.unboundSubjects) expect(unboundSubject(u.evidenceHash)).toBe(u.subject);
  });

  it("report-data bindings and validator contexts", () => {
    for (const b of golden.bindings) {
      const hash = bindingHash({ ...b, chainId: BigInt(b.chainId) });
      expect(hash).toBe(b.bindingHash);
      expect(subjectOfPublicKey(b.subjectPublicKey)).toBe(b.subject);
      expect(reportDataFor("tdx", hash)).toBe(b.reportData);
      expect(reportDataFor("nitro", hash)).toBe(b.nitroUserData);
    }
    for (const c of golden.validatorContexts) expect(validatorContext(c.profile as LoggingProfile)).toBe(c.context);
  });
});

describe("docs/ids.md golden vectors, Solidity side", () => {
  // Every output of the table must appear in the Solidity test, which asserts it against the libraries.
  const outputs: [string, string][] = [
    ...Object.entries(golden.domainTags as Record<string, string>),
    ...golden.workloads.map((w: { name: string; workloadId: string }) => [`workload ${w.name}`, w.workloadId]),
    ...golden.measurements.map((m: { measurement: Measurement; measurementHash: string }, i: number) => [
      `measurement ${i} (${m.measurement.tee})`,
      m.measurementHash,
    ]),
    ["verdict id", golden.verdict.verdictId],
    ...golden.verdict.digests.map((d: { chainId: string; digest: string }) => [`verdict digest on ${d.chainId}`, d.digest]),
    ["batch root", golden.batch.root],
    ["batch leaf 0", golden.batch.leaves[0]],
    ["batch leaf 4", golden.batch.leaves[4]],
    ...golden.batch.digests.map((d: { chainId: string; digest: string }) => [`batch digest on ${d.chainId}`, d.digest]),
    ...golden.unboundSubjects.map((u: { subject: string }, i: number) => [`unbound subject ${i}`, u.subject]),
    ...golden.bindings.map((b: { bindingHash: string }, i: number) => [`binding ${i}`, b.bindingHash]),
    ...golden.validatorContexts.map((c: { profile: string; context: string }) => [`context ${c.profile}`, c.context]),
  ];
  it.each(outputs)("IdsGolden.t.sol asserts %s", (_name, value) => {
    expect(solidityTest).toContain(value.toLowerCase());
  });
});
