/**
 * Real evidence through the whole network, with the chain's clock inside the vectors' validity window
 * (2025-07-01): the SGX and TDX DCAP quotes of Phala's dcap-qvl and go-sev-guest's Milan debug report
 * finalize under a dev policy (unbound evidence allowed, their TCB statuses accepted), each with the
 * collateral posted beside it; a Nitro document whose verification lapsed by then is refused. Then the
 * production logs of all three validators must hold none of the vectors' report data, user data or
 * evidence bytes.
 */
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keccak256, type Hex } from "viem";
import { addMeasurement } from "../../src/chain/workloads.ts";
import { TCB_STATUS_CODES, TEE_KIND_CODES, unboundSubject } from "@keepledger/sdk/internal/ids/index";
import { expectedOf, fixturePath } from "../support/fixtures.ts";
import { startNodeNetwork, VECTOR_TIME, type NodeNetwork } from "./support/nodeNetwork.ts";

interface Vector {
  kind: string;
  set: string;
  file: string;
  tee: keyof typeof TEE_KIND_CODES;
  tcbStatus: keyof typeof TCB_STATUS_CODES;
  /** Data the evidence carries that a production log must never show. */
  secrets: string[];
}

const sgx = expectedOf("sgx", "dcapqvl-sgx") as unknown as { quote: { report: { report_data: string } } };
const tdx = expectedOf("tdx", "dcapqvl-tdx") as unknown as { quote: { report: { report_data: string } } };
const snp = expectedOf("sev-snp", "go-sev-guest-milan-debug") as unknown as { report: { report_data: string } };
const nitro = expectedOf("nitro", "eternis-debug-with-nonce") as unknown as {
  document: { user_data: string; nonce: string; public_key: string; pcrs: Record<string, string> };
};

const ACCEPTED: Vector[] = [
  {
    kind: "sgx",
    set: "dcapqvl-sgx",
    file: "quote.bin",
    tee: "sgx",
    tcbStatus: "ConfigurationAndSWHardeningNeeded",
    secrets: [sgx.quote.report.report_data],
  },
  { kind: "tdx", set: "dcapqvl-tdx", file: "quote.bin", tee: "tdx", tcbStatus: "UpToDate", secrets: [tdx.quote.report.report_data] },
  {
    kind: "sev-snp",
    set: "go-sev-guest-milan-debug",
    file: "report.bin",
    tee: "sev-snp",
    tcbStatus: "NotApplicable",
    secrets: [snp.report.report_data],
  },
];
const NITRO = {
  kind: "nitro",
  set: "eternis-debug-with-nonce",
  file: "example_attestation.b64",
  secrets: [nitro.document.user_data, nitro.document.nonce, nitro.document.public_key],
};

const collateralOf = (kind: string, set: string, evidenceFile: string) =>
  readdirSync(fixturePath(kind, set))
    .filter((f) => f !== evidenceFile && !f.endsWith(".md") && f !== "expected.json")
    .map((f) => ({ name: f, data: readFileSync(fixturePath(kind, set, f)).toString("base64") }));

describe("real vectors through a production-profile network, clock at 2025-07-01", () => {
  let net: NodeNetwork;
  const url = (i: number) => net.nodes[i]!.url;
  const evidences: Buffer[] = [];

  beforeAll(async () => {
    // No AMD Milan CRL is among the vectors (test/fixtures/VECTORS.md): the SEV-SNP one can only be accepted with the
    // explicit unsafe switch; without it the nodes refuse it as retryable (test/adversarial/appraisal.test.ts).
    net = await startNodeNetwork({
      validatorWorkload: false,
      chainTimestamp: VECTOR_TIME,
      loggingProfile: "production",
      nodeConfig: () => ({ collateral: { dangerouslyAllowMissingAmdCrl: true } }),
    });
    for (let i = 0; i < 3; i++) await net.startNode(i);
  }, 60_000);
  afterAll(async () => net?.stop());

  it.each(ACCEPTED)("$kind/$set finalizes as $tee, $tcbStatus, unbound", async (v) => {
    const evidence = readFileSync(fixturePath(v.kind, v.set, v.file));
    evidences.push(evidence);
    const posted = await net.post(url(0), {
      workloadId: net.workloadId,
      evidence: evidence.toString("base64"),
      unbound: true,
      collateral: collateralOf(v.kind, v.set, v.file),
    });
    expect(posted.status, JSON.stringify(posted.json)).toBe(202);
    const view = (await net.waitSettled(url(0), posted.json.verdictId as Hex)) as { status: string; verdict: Record<string, unknown> };
    expect(view.status).toBe("finalized");
    const evidenceHash = keccak256(evidence);
    expect(view.verdict).toMatchObject({
      tee: TEE_KIND_CODES[v.tee],
      tcbStatus: TCB_STATUS_CODES[v.tcbStatus],
      evidenceHash,
      subject: unboundSubject(evidenceHash),
      freshnessBlock: "0",
    });
    if (v.tee !== "sev-snp") expect(view.verdict.collateralHash).not.toBe(`0x${"00".repeat(32)}`);
    // The evidence store keeps what an auditor needs to re-derive the verdict.
    const stored = await net.nodes[0]!.node!.store.evidence.getEvidence(evidenceHash);
    expect(Buffer.from(stored!.evidence).equals(evidence)).toBe(true);
    expect(stored!.collateral.length).toBeGreaterThan(0);
  });

  it("refuses a Nitro document whose verification lapsed before the chain's time", async () => {
    const pcr = (i: number) => `0x${nitro.document.pcrs[String(i)]}` as Hex;
    await addMeasurement(net.clients, net.deployment, net.workloadId, 1, { tee: "nitro", pcr0: pcr(0), pcr1: pcr(1), pcr2: pcr(2) });
    // Nodes learn the new measurement from its event at their next chain poll.
    await new Promise((r) => setTimeout(r, 1_000));
    const text = readFileSync(fixturePath(NITRO.kind, NITRO.set, NITRO.file), "utf8").trim();
    evidences.push(Buffer.from(text, "base64"));
    const posted = await net.post(url(1), { workloadId: net.workloadId, evidence: text, unbound: true });
    expect(posted.status).toBe(422);
    expect(posted.json.error).toMatchObject({ code: "VERIFY_RESULT_EXPIRED", stage: "verification" });
  });

  it("logs none of their report data, user data or evidence bytes in the production profile", async () => {
    const logs = net.nodes.flatMap((n) => n.logs).join("\n");
    expect(logs.length).toBeGreaterThan(1_000);
    expect(logs).toContain("evidence accepted");
    const secrets = [...ACCEPTED, NITRO]
      .flatMap((v) => v.secrets)
      .map((s) =>
        s
          .toLowerCase()
          .replace(/^0x/, "")
          .replace(/(00)+$/, ""),
      )
      .filter((s) => s.length >= 8);
    for (const secret of secrets) expect(logs.toLowerCase()).not.toContain(secret);
    for (const e of evidences) {
      expect(logs).not.toContain(e.toString("base64").slice(0, 40));
      // No window of 8 bytes of any evidence appears as hex anywhere in the logs.
      const hex = e.toString("hex");
      for (const run of logs.toLowerCase().match(/[0-9a-f]{16,}/g) ?? []) {
        if (/^0+$/.test(run)) continue;
        for (let i = 0; i + 16 <= run.length; i += 2)
          expect(hex.includes(run.slice(i, i + 16)), `log hex ${run.slice(i, i + 16)} is evidence`).toBe(false);
      }
    }
  });
});
