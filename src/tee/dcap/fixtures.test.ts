import { concat, keccak256 } from "viem";
import { describe, expect, it } from "vitest";
import { rawJsonMemberSpans } from "../../collateral/rawJson.ts";
import { codeOf, loadDcapSet, type DcapSet } from "../../../test/support/dcapFixtures.ts";
import { fixtureBytes, fixtureText, setsOf } from "../../../test/support/fixtures.ts";
import { sgxAdapter } from "../sgx/adapter.ts";
import { verifySgxQuote } from "../sgx/verifySgxQuote.ts";
import { tdxAdapter } from "../tdx/adapter.ts";
import { verifyTdxQuote } from "../tdx/verifyTdxQuote.ts";
import type { VerifyDcapQuoteOptions } from "./verifyDcapQuote.ts";

/**
 * Two sets lack collateral a strict verifier requires. The strict adapter
 * rejects them for that; the expected.json outcome is then checked with the
 * one unsafe switch that stands in for the missing piece (and nothing else).
 */
const INCOMPLETE: Record<string, { strictCode: string; unsafe: Partial<VerifyDcapQuoteOptions> }> = {
  // Enarx Steward CSRs carry no QE Identity.
  "enarx-steward-icelake-xeon": { strictCode: "DCAP_QE_IDENTITY_MISSING", unsafe: { dangerouslyAllowMissingQeIdentity: true } },
  // oasis-core's testdata has no CRLs.
  "oasis-tdx-no-tcb-match": { strictCode: "CRL_MISSING", unsafe: { dangerouslyAllowMissingCrls: true } },
};

function verifyWith(set: DcapSet, extra: Partial<VerifyDcapQuoteOptions> = {}) {
  const options = { collateral: set.collateral, at: set.at, ...extra };
  return set.kind === "sgx" ? verifySgxQuote(sgxAdapter.parse(set.quote), options) : verifyTdxQuote(tdxAdapter.parse(set.quote), options);
}

function adapterVerify(set: DcapSet) {
  const adapter = set.kind === "sgx" ? sgxAdapter : tdxAdapter;
  return (adapter.verify as (p: unknown, c: unknown) => ReturnType<typeof verifyWith>)(adapter.parse(set.quote), {
    evidence: set.quote,
    collateral: set.collateral,
    at: set.at,
  });
}

const CASES = (["sgx", "tdx"] as const).flatMap((kind) => setsOf(kind).map((name) => ({ kind, name })));
const sorted = (a: string[]) => [...a].sort();
/** An 8-byte little-endian field of expected.json (hex) as 0x-hex of its value, computed independently of u64Hex. */
const le64 = (hex: string) => `0x${BigInt(`0x${hex.match(/../g)!.reverse().join("")}`).toString(16)}`;

describe("DCAP fixtures verify exactly as their expected.json says", () => {
  it("covers every sgx and tdx set", () => {
    expect(CASES.map((c) => c.name).sort()).toEqual(
      ["dcapqvl-sgx", "dcapqvl-tdx", "dcapqvl-tdx-v5-no-tcb-match", "enarx-steward-icelake-xeon", "oasis-tdx-no-tcb-match"].sort(),
    );
  });

  for (const { kind, name } of CASES) {
    it(`${kind}/${name}`, () => {
      const set = loadDcapSet(kind, name);
      const e = set.expected;
      const incomplete = INCOMPLETE[name];
      if (incomplete) expect(codeOf(() => adapterVerify(set))).toBe(incomplete.strictCode);
      const run = () => (incomplete ? verifyWith(set, incomplete.unsafe) : adapterVerify(set));

      if (e.expected_result === "reject") {
        expect(e.expected_reject_reason).toMatch(/TCB not supported/);
        expect(codeOf(run)).toBe("DCAP_TCB_NOT_SUPPORTED");
        return;
      }
      const r = run();
      expect(r.ok).toBe(true);
      expect(r.tee).toBe(kind);
      expect(r.tcb.status).toBe(e.tcb_status.status);
      expect(sorted(r.tcb.advisoryIds)).toEqual(sorted(e.tcb_status.advisoryIDs));
      expect(r.platform.platformStatus).toBe(e.platform_tcb.status);
      expect(r.platform.tcbDate).toBe(new Date(e.platform_tcb.tcbDate).toISOString());
      expect(r.platform.qeStatus).toBe(e.qe_tcb?.status ?? "NotApplicable");
      expect(r.platform.moduleStatus).toBe(e.tdx_module?.module_tcb?.status);
      expect(r.platform.fmspc).toBe(e.pck_cert_extensions.FMSPC);
      expect(r.platform.pceId).toBe(e.pck_cert_extensions["PCE-ID"]);
      expect(r.platform.tcbEvaluationDataNumber).toBe(e.tcb_info.tcbEvaluationDataNumber);
      expect(r.platform.pckCa).toBe(e.pck_chain[0].issuer.includes("Platform") ? "platform" : "processor");
      expect(r.expiresAt.toISOString()).toBe(new Date(e.validity_window.not_after).toISOString());
      expect(r.verifiedAt).toBe(set.at);
      expect(r.evidenceHash).toBe(keccak256(set.quote));
      const report = e.quote.report;
      if (r.tee === "sgx") {
        expect(r.debug).toBe(report.debug);
        expect(r.claims).toEqual({
          mrenclave: `0x${report.mrenclave}`,
          mrsigner: `0x${report.mrsigner}`,
          isvProdId: report.isvprodid,
          isvSvn: report.isvsvn,
          reportData: `0x${report.report_data}`,
          attributes: le64(report.attributes.slice(0, 16)),
          xfrm: le64(report.xfrm),
        });
      } else {
        expect(r.debug).toBe(report.td_attributes_debug);
        expect(r.claims).toEqual({
          mrtd: `0x${report.mrtd}`,
          rtmr0: `0x${report.rtmr0}`,
          rtmr1: `0x${report.rtmr1}`,
          rtmr2: `0x${report.rtmr2}`,
          rtmr3: `0x${report.rtmr3}`,
          mrConfigId: `0x${report.mrconfigid}`,
          mrOwner: `0x${report.mrowner}`,
          mrOwnerConfig: `0x${report.mrownerconfig}`,
          xfam: le64(report.xfam),
          tdAttributes: le64(report.td_attributes),
          reportData: `0x${report.report_data}`,
        });
      }
      // collateralHash, recomputed from the files by the documented rule.
      const body = (file: string, key: string) => {
        const text = fixtureText(kind, name, file);
        const span = rawJsonMemberSpans(text)!.get(key)!;
        return keccak256(new Uint8Array(Buffer.from(text.slice(span.start, span.end), "utf8")));
      };
      const zero = `0x${"00".repeat(32)}` as const;
      const qe = e.qe_identity ? body("qe_identity.json", "enclaveIdentity") : zero;
      const want = keccak256(
        concat([
          body("tcb_info.json", "tcbInfo"),
          qe,
          keccak256(fixtureBytes(kind, name, "pck_crl.der")),
          keccak256(fixtureBytes(kind, name, "root_ca_crl.der")),
        ]),
      );
      expect(r.collateralHash).toBe(want);
    });
  }
});

describe("DCAP fixtures as of other times", () => {
  const table: Array<{
    name: string;
    set: ["sgx" | "tdx", string];
    at: string;
    unsafe?: Partial<VerifyDcapQuoteOptions>;
    wantError: string;
  }> = [
    { name: "QE Identity past nextUpdate", set: ["sgx", "dcapqvl-sgx"], at: "2025-07-19T10:01:19Z", wantError: "DCAP_COLLATERAL_EXPIRED" },
    { name: "PCK CRL past nextUpdate", set: ["sgx", "dcapqvl-sgx"], at: "2025-07-19T10:23:19Z", wantError: "CRL_EXPIRED" },
    { name: "PCK CRL not yet issued", set: ["tdx", "dcapqvl-tdx"], at: "2025-06-19T10:00:00Z", wantError: "CRL_NOT_YET_VALID" },
    {
      name: "TCB signing certificate past notAfter",
      set: ["tdx", "oasis-tdx-no-tcb-match"],
      at: "2025-06-01T00:00:00Z",
      unsafe: { dangerouslyAllowMissingCrls: true },
      wantError: "CERT_EXPIRED",
    },
    {
      name: "TCB Info before issueDate",
      set: ["sgx", "dcapqvl-sgx"],
      at: "2025-06-19T10:56:10Z",
      wantError: "DCAP_COLLATERAL_NOT_YET_VALID",
    },
  ];
  for (const row of table) {
    it(row.name, () => {
      const set = loadDcapSet(...row.set);
      set.at = new Date(row.at);
      expect(codeOf(() => verifyWith(set, row.unsafe ?? {}))).toBe(row.wantError);
    });
  }
});
