import { describe, expect, it } from "vitest";
import {
  buildQuote,
  buildScenario,
  createIntelTestPki,
  issuePckCertificate,
  signIntelJson,
  tcbInfoValue,
  DEFAULT_FMSPC,
  DEFAULT_PCE_ID,
  DEFAULT_TCB,
  SCENARIO_AT,
  type Scenario,
  type ScenarioOptions,
} from "../../../test/support/dcapTestSigner.ts";
import { codeOf } from "../../../test/support/dcapFixtures.ts";
import { createCrl, createRoot, issue } from "../../../test/support/testPki.ts";
import { parseDcapQuote } from "./parseDcapQuote.ts";
import type { CollateralSet } from "../../collateral/types.ts";
import { sgxAdapter } from "../sgx/adapter.ts";
import { tdxAdapter } from "../tdx/adapter.ts";
import { verifyDcapQuote, type VerifyDcapQuoteOptions } from "./verifyDcapQuote.ts";

const hex = (h: string) => new Uint8Array(Buffer.from(h, "hex"));
const day = (iso: string) => new Date(iso);

function run(s: Scenario, extra: Partial<VerifyDcapQuoteOptions> = {}) {
  return verifyDcapQuote(parseDcapQuote(s.quote), { collateral: s.collateral, at: s.at, trustedRoots: s.roots, ...extra });
}

const without = (c: CollateralSet, drop: (x: unknown) => boolean): CollateralSet => ({
  certificates: c.certificates.filter((x) => !drop(x)),
  crls: c.crls.filter((x) => !drop(x)),
  intelDocuments: c.intelDocuments.filter((x) => !drop(x)),
});

describe("verifyDcapQuote on material from the DCAP test signer", () => {
  it("accepts SGX v3, TDX v4 and TDX v5 (TD 1.5) quotes, from either PCK CA, with zero padding", async () => {
    for (const o of [
      { tee: "sgx" },
      { tee: "sgx", pckCa: "processor" },
      { tee: "tdx", version: 4, quote: { padding: 70 } },
      { tee: "tdx", version: 5, quote: { tdBody: { td15: true } } },
      { tee: "tdx", version: 5 },
    ] satisfies ScenarioOptions[]) {
      const s = await buildScenario(o);
      const r = run(s);
      expect(r.tcb, JSON.stringify(o)).toEqual({ status: "UpToDate", advisoryIds: [] });
      expect(r.platform.pckCa).toBe(o.pckCa ?? "platform");
      expect(r.platform.fmspc).toBe(DEFAULT_FMSPC);
      // TCB Info / QE Identity nextUpdate (06-14) comes before the CRLs (06-20) and certificates.
      expect(r.expiresAt.toISOString()).toBe("2025-06-14T00:00:00.000Z");
    }
  });

  it("rates platforms by the first matching level and converges QE and TDX module status as Intel's QVL", async () => {
    const table: Array<{
      name: string;
      o: ScenarioOptions;
      status: string;
      advisories: string[];
      platform?: string;
      qe?: string;
      module?: string;
    }> = [
      {
        name: "SW hardening needed",
        o: { tee: "sgx", pck: { components: [4, 4, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0] } },
        status: "SWHardeningNeeded",
        advisories: ["INTEL-SA-00615"],
      },
      {
        name: "OutOfDate is a verified status",
        o: { tee: "sgx", pck: { components: [3, 3, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0], pceSvn: 11 } },
        status: "OutOfDate",
        advisories: ["INTEL-SA-00289", "INTEL-SA-00615"],
      },
      {
        name: "PCESVN decides",
        o: { tee: "sgx", pck: { pceSvn: 12 } },
        status: "OutOfDate",
        advisories: ["INTEL-SA-00289", "INTEL-SA-00615"],
      },
      {
        name: "QE OutOfDate makes an up-to-date platform OutOfDate",
        o: { tee: "sgx", quote: { qeReport: { isvSvn: 7 } } },
        status: "OutOfDate",
        advisories: ["INTEL-SA-QE"],
        qe: "OutOfDate",
      },
      {
        name: "QE OutOfDate with SW hardening needed",
        o: { tee: "sgx", pck: { components: [4, 4, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0] }, quote: { qeReport: { isvSvn: 6 } } },
        status: "OutOfDate",
        advisories: ["INTEL-SA-00615", "INTEL-SA-QE"],
        platform: "SWHardeningNeeded",
      },
      {
        name: "QE OutOfDate with configuration needed",
        o: {
          tee: "sgx",
          levels: [{ components: DEFAULT_TCB.components, pceSvn: 13, status: "ConfigurationNeeded", advisoryIDs: ["INTEL-SA-CFG"] }],
          quote: { qeReport: { isvSvn: 6 } },
        },
        status: "OutOfDateConfigurationNeeded",
        advisories: ["INTEL-SA-CFG", "INTEL-SA-QE"],
      },
      {
        name: "TDX module OutOfDate",
        o: { tee: "tdx", quote: { tdBody: { teeTcbSvn: hex("02010300000000000000000000000000") } } },
        status: "OutOfDate",
        advisories: ["INTEL-SA-MODULE"],
        module: "OutOfDate",
      },
      {
        name: "TDX components select a lower level",
        o: { tee: "tdx", quote: { tdBody: { teeTcbSvn: hex("03010200000000000000000000000000") } } },
        status: "SWHardeningNeeded",
        advisories: ["INTEL-SA-00615"],
      },
      {
        // Version 0: no module identity; TEE_TCB_SVN bytes 0 and 1 are compared with the TDX components too.
        name: "TDX module of major version 0 is rated by the platform level alone",
        o: { tee: "tdx", quote: { tdBody: { teeTcbSvn: hex("03000300000000000000000000000000") } } },
        status: "OutOfDate",
        advisories: ["INTEL-SA-00289", "INTEL-SA-00615"],
      },
    ];
    for (const row of table) {
      const r = run(await buildScenario(row.o));
      expect(r.tcb.status, row.name).toBe(row.status);
      expect(r.tcb.advisoryIds, row.name).toEqual(row.advisories);
      if (row.platform) expect(r.platform.platformStatus, row.name).toBe(row.platform);
      if (row.qe) expect(r.platform.qeStatus, row.name).toBe(row.qe);
      expect(r.platform.moduleStatus, row.name).toBe(
        row.module ?? (row.o.tee === "tdx" && !row.name.includes("version 0") ? "UpToDate" : undefined),
      );
    }
  });

  it("rejects every broken piece with its own code", async () => {
    const pki = await createIntelTestPki();
    const base = await buildScenario({ tee: "sgx", pki });
    const impostorRoot = await createRoot("Intel SGX Root CA");
    const impostorSigner = await issue(impostorRoot, "Intel SGX TCB Signing");
    const otherLeaf = await issuePckCertificate(pki.platformCa, { fmspc: DEFAULT_FMSPC, pceId: DEFAULT_PCE_ID, ...DEFAULT_TCB });
    const otherKeys = (await buildQuote({ tee: "sgx", pckLeaf: otherLeaf, pckChain: [otherLeaf, pki.platformCa, pki.root] }))
      .attestationKeys;
    const tamperedBody = {
      ...base.tcbInfo,
      body: new Uint8Array(Buffer.from(Buffer.from(base.tcbInfo.body).toString().replace('"UpToDate"', '"OutOfDate"'))),
    };
    const expiredTcbInfo = await signIntelJson(
      pki.tcbSigning,
      "tcbInfo",
      tcbInfoValue({
        id: "SGX",
        issueDate: day("2025-04-01T00:00:00Z"),
        nextUpdate: day("2025-05-01T00:00:00Z"),
        levels: [{ components: DEFAULT_TCB.components, pceSvn: 13, status: "UpToDate" }],
      }),
      [pki.tcbSigning],
    );

    const table: Array<{
      name: string;
      input: () => Promise<{ s: Scenario; extra?: Partial<VerifyDcapQuoteOptions> }>;
      wantError: string;
    }> = [
      {
        name: "pinned Intel root instead of the test root",
        input: async () => ({ s: base, extra: { trustedRoots: undefined } }),
        wantError: "CERT_ROOT_UNTRUSTED",
      },
      {
        name: "revoked PCK certificate",
        input: async () => ({ s: await buildScenario({ tee: "sgx", pki, pck: { serial: "0a0b0c" }, revokedPckSerials: ["0a0b0c"] }) }),
        wantError: "CERT_REVOKED",
      },
      {
        name: "PCK CRL missing",
        input: async () => ({ s: { ...base, collateral: without(base.collateral, (x) => x === base.pckCrl) } }),
        wantError: "CRL_MISSING",
      },
      {
        name: "root CA CRL missing",
        input: async () => ({ s: { ...base, collateral: without(base.collateral, (x) => x === base.rootCrl) } }),
        wantError: "CRL_MISSING",
      },
      {
        name: "as of after the CRLs' nextUpdate",
        input: async () => ({ s: { ...(await buildScenario({ tee: "sgx", pki, crlNextUpdate: day("2025-05-30T00:00:00Z") })) } }),
        wantError: "CRL_EXPIRED",
      },
      {
        name: "as of after the PCK certificate's notAfter",
        input: async () => ({ s: await buildScenario({ tee: "sgx", pki, pck: { notAfter: day("2025-05-31T00:00:00Z") } }) }),
        wantError: "CERT_EXPIRED",
      },
      {
        name: "as of after the TCB signing certificate's notAfter",
        input: async () => ({
          s: await buildScenario({ tee: "sgx", pki: await createIntelTestPki({ tcbSigningNotAfter: day("2025-05-31T00:00:00Z") }) }),
        }),
        wantError: "CERT_EXPIRED",
      },
      {
        name: "as of after TCB Info / QE Identity nextUpdate",
        input: async () => ({ s: { ...base, at: day("2025-06-15T00:00:00Z") } }),
        wantError: "DCAP_COLLATERAL_EXPIRED",
      },
      {
        name: "an expired TCB Info is still expired when it is the only one",
        input: async () => ({ s: { ...base, collateral: { ...base.collateral, intelDocuments: [expiredTcbInfo, base.qeIdentity] } } }),
        wantError: "DCAP_COLLATERAL_EXPIRED",
      },
      {
        name: "TCB Info issued after the verification time",
        input: async () => ({ s: await buildScenario({ tee: "sgx", pki, tcbInfo: { issueDate: day("2025-06-02T00:00:00Z") } }) }),
        wantError: "DCAP_COLLATERAL_NOT_YET_VALID",
      },
      {
        name: "TCB Info body changed after signing",
        input: async () => ({ s: { ...base, collateral: { ...base.collateral, intelDocuments: [tamperedBody, base.qeIdentity] } } }),
        wantError: "DCAP_COLLATERAL_SIGNATURE_INVALID",
      },
      {
        name: "collateral signed by an impostor TCB signing certificate",
        input: async () => ({ s: await buildScenario({ tee: "sgx", pki, collateralSigner: impostorSigner }) }),
        wantError: "CERT_ROOT_UNTRUSTED",
      },
      {
        name: "collateral signed by a certificate that is not the TCB signing one",
        input: async () => ({ s: await buildScenario({ tee: "sgx", pki, collateralSigner: pki.platformCa }) }),
        wantError: "DCAP_TCB_SIGNING_CERT_MISSING",
      },
      {
        name: "TCB Info that is not Intel's structure",
        input: async () => ({
          s: {
            ...base,
            collateral: {
              ...base.collateral,
              intelDocuments: [await signIntelJson(pki.tcbSigning, "tcbInfo", { id: "SGX", version: 3 }), base.qeIdentity],
            },
          },
        }),
        wantError: "DCAP_COLLATERAL_MALFORMED",
      },
      {
        name: "TCB level with an unknown status",
        input: async () => ({
          s: await buildScenario({ tee: "sgx", pki, levels: [{ components: DEFAULT_TCB.components, pceSvn: 13, status: "Fine" }] }),
        }),
        wantError: "DCAP_COLLATERAL_MALFORMED",
      },
      {
        name: "no TCB Info",
        input: async () => ({ s: { ...base, collateral: without(base.collateral, (x) => x === base.tcbInfo) } }),
        wantError: "DCAP_TCB_INFO_MISSING",
      },
      {
        name: "no QE Identity",
        input: async () => ({ s: { ...base, collateral: without(base.collateral, (x) => x === base.qeIdentity) } }),
        wantError: "DCAP_QE_IDENTITY_MISSING",
      },
      {
        name: "TCB Info for another FMSPC",
        input: async () => ({ s: await buildScenario({ tee: "sgx", pki, tcbInfo: { fmspc: "00a067110000" } }) }),
        wantError: "DCAP_TCB_INFO_MISMATCH",
      },
      {
        name: "TCB Info for another PCE ID",
        input: async () => ({ s: await buildScenario({ tee: "sgx", pki, tcbInfo: { pceId: "0001" } }) }),
        wantError: "DCAP_TCB_INFO_MISMATCH",
      },
      {
        name: "TCB Info for TDX given with an SGX quote",
        input: async () => ({ s: await buildScenario({ tee: "sgx", pki, tcbInfo: { id: "TDX" } }) }),
        wantError: "DCAP_TCB_INFO_MISMATCH",
      },
      {
        name: "TCB Info version 2",
        input: async () => ({ s: await buildScenario({ tee: "sgx", pki, tcbInfo: { version: 2 } }) }),
        wantError: "DCAP_COLLATERAL_UNSUPPORTED",
      },
      {
        name: "QE Identity version 1",
        input: async () => ({ s: await buildScenario({ tee: "sgx", pki, qeIdentity: { version: 1 } }) }),
        wantError: "DCAP_COLLATERAL_UNSUPPORTED",
      },
      {
        name: "QE not signed by Intel's MRSIGNER",
        input: async () => ({ s: await buildScenario({ tee: "sgx", pki, quote: { qeReport: { mrSigner: new Uint8Array(32).fill(1) } } }) }),
        wantError: "DCAP_QE_IDENTITY_MISMATCH",
      },
      {
        name: "QE of another product",
        input: async () => ({ s: await buildScenario({ tee: "sgx", pki, qeIdentity: { isvprodid: 3 } }) }),
        wantError: "DCAP_QE_IDENTITY_MISMATCH",
      },
      {
        name: "QE in debug mode (attributes under mask)",
        input: async () => ({
          s: await buildScenario({ tee: "sgx", pki, quote: { qeReport: { attributes: hex("1700000000000000e700000000000000") } } }),
        }),
        wantError: "DCAP_QE_IDENTITY_MISMATCH",
      },
      {
        name: "QE MISCSELECT under mask",
        input: async () => ({ s: await buildScenario({ tee: "sgx", pki, quote: { qeReport: { miscSelect: 1 } } }) }),
        wantError: "DCAP_QE_IDENTITY_MISMATCH",
      },
      {
        name: "no TCB level matches the platform",
        input: async () => ({
          s: await buildScenario({ tee: "sgx", pki, pck: { components: [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] } }),
        }),
        wantError: "DCAP_TCB_NOT_SUPPORTED",
      },
      {
        name: "matched TCB level is Revoked",
        input: async () => ({
          s: await buildScenario({ tee: "sgx", pki, pck: { components: [2, 2, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0], pceSvn: 9 } }),
        }),
        wantError: "DCAP_TCB_REVOKED",
      },
      {
        name: "only level Revoked",
        input: async () => ({
          s: await buildScenario({
            tee: "tdx",
            pki,
            levels: [{ components: DEFAULT_TCB.components, pceSvn: 13, tdxComponents: new Array(16).fill(0), status: "Revoked" }],
          }),
        }),
        wantError: "DCAP_TCB_REVOKED",
      },
      {
        name: "QE level Revoked",
        input: async () => ({ s: await buildScenario({ tee: "sgx", pki, qeIdentity: { levels: [{ isvsvn: 8, status: "Revoked" }] } }) }),
        wantError: "DCAP_TCB_REVOKED",
      },
      {
        name: "QE ISVSVN below every level (QVL: revoked)",
        input: async () => ({ s: await buildScenario({ tee: "sgx", pki, quote: { qeReport: { isvSvn: 2 } } }) }),
        wantError: "DCAP_TCB_REVOKED",
      },
      {
        name: "TDX module level Revoked",
        input: async () => ({
          s: await buildScenario({
            tee: "tdx",
            pki,
            tcbInfo: {
              tdxModuleIdentities: [
                {
                  id: "TDX_01",
                  mrsigner: "00".repeat(48),
                  attributes: "0000000000000000",
                  attributesMask: "FFFFFFFFFFFFFFFF",
                  tcbLevels: [{ tcb: { isvsvn: 1 }, tcbDate: "2024-01-01T00:00:00Z", tcbStatus: "Revoked" }],
                },
              ],
            },
          }),
        }),
        wantError: "DCAP_TCB_REVOKED",
      },
      {
        name: "TDX module ISVSVN below every module level",
        input: async () => ({
          s: await buildScenario({ tee: "tdx", pki, quote: { tdBody: { teeTcbSvn: hex("01010300000000000000000000000000") } } }),
        }),
        wantError: "DCAP_TCB_NOT_SUPPORTED",
      },
      {
        name: "TDX module version without identity",
        input: async () => ({
          s: await buildScenario({ tee: "tdx", pki, quote: { tdBody: { teeTcbSvn: hex("03020300000000000000000000000000") } } }),
        }),
        wantError: "DCAP_TDX_MODULE_MISMATCH",
      },
      {
        name: "TDX module not signed by Intel",
        input: async () => ({
          s: await buildScenario({ tee: "tdx", pki, quote: { tdBody: { mrSignerSeam: new Uint8Array(48).fill(9) } } }),
        }),
        wantError: "DCAP_TDX_MODULE_MISMATCH",
      },
      {
        name: "SEAM attributes not zero",
        input: async () => ({
          s: await buildScenario({ tee: "tdx", pki, quote: { tdBody: { seamAttributes: hex("0100000000000000") } } }),
        }),
        wantError: "DCAP_TDX_MODULE_MISMATCH",
      },
      {
        name: "TDX platform below every TDX component level",
        input: async () => ({
          s: await buildScenario({
            tee: "tdx",
            pki,
            levels: [
              { components: DEFAULT_TCB.components, pceSvn: 13, tdxComponents: [0, 0, 9, ...new Array(13).fill(0)], status: "UpToDate" },
            ],
          }),
        }),
        wantError: "DCAP_TCB_NOT_SUPPORTED",
      },
      {
        name: "quote signed by another key than the bound attestation key",
        input: async () => ({ s: await buildScenario({ tee: "sgx", pki, quote: { quoteSigningKeys: otherKeys } }) }),
        wantError: "DCAP_QUOTE_SIGNATURE_INVALID",
      },
      {
        name: "QE report does not bind the attestation key",
        input: async () => ({
          s: await buildScenario({ tee: "sgx", pki, quote: { qeReport: { reportData: new Uint8Array(64).fill(3) } } }),
        }),
        wantError: "DCAP_QE_REPORT_DATA_MISMATCH",
      },
      {
        name: "QE report signed by another PCK key",
        input: async () => ({
          s: {
            ...base,
            quote: (await buildQuote({ tee: "sgx", pckLeaf: otherLeaf, pckChain: [base.pckLeaf, pki.platformCa, pki.root] })).bytes,
          },
        }),
        wantError: "DCAP_QE_REPORT_SIGNATURE_INVALID",
      },
      {
        name: "PCK certificate without SGX extensions",
        input: async () => ({ s: await buildScenario({ tee: "sgx", pki, pck: { omitSgxExtensions: true } }) }),
        wantError: "DCAP_PCK_CERT_INVALID",
      },
      {
        name: "leaf that is not a PCK certificate",
        input: async () => ({ s: await buildScenario({ tee: "sgx", pki, pck: { name: "Intel SGX TCB Signing" } }) }),
        wantError: "DCAP_PCK_CERT_INVALID",
      },
    ];
    for (const row of table) {
      const { s, extra } = await row.input();
      expect(
        codeOf(() => run(s, extra)),
        row.name,
      ).toBe(row.wantError);
    }
  });

  it("pins its messages", async () => {
    const s = await buildScenario({ tee: "sgx", pck: { components: [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] } });
    expect(() => run(s)).toThrow(
      "no TCB level in the TCB Info matches the platform's SGX components and PCESVN of the PCK certificate (tcbInfo.tcbLevels)",
    );
    const r = await buildScenario({ tee: "sgx", qeIdentity: { levels: [{ isvsvn: 8, status: "Revoked" }] } });
    expect(() => run(r)).toThrow("the TCB is revoked (tcbInfo.tcbLevels)");
  });

  it("never returns a Revoked status as ok, whatever the platform and QE levels", async () => {
    const pki = await createIntelTestPki();
    for (const platform of ["UpToDate", "SWHardeningNeeded", "ConfigurationNeeded", "OutOfDate", "Revoked"]) {
      for (const qe of ["UpToDate", "OutOfDate", "Revoked"]) {
        const s = await buildScenario({
          tee: "sgx",
          pki,
          levels: [{ components: DEFAULT_TCB.components, pceSvn: 13, status: platform }],
          qeIdentity: { levels: [{ isvsvn: 8, status: qe }] },
        });
        let status: string;
        try {
          status = run(s).tcb.status;
        } catch (e) {
          status = (e as { code: string }).code;
        }
        expect(status, `${platform}/${qe}`).not.toBe("Revoked");
        if (platform === "Revoked" || qe === "Revoked") expect(status).toBe("DCAP_TCB_REVOKED");
      }
    }
  });

  it("reads collateral as a directory offers it: issuer chains empty, signing certificate among the certificates", async () => {
    const s = await buildScenario({ tee: "tdx" });
    const docs = s.collateral.intelDocuments.map((d) => ({ ...d, issuerChain: [] }));
    const flat = {
      ...s,
      collateral: { ...s.collateral, intelDocuments: docs, certificates: [s.pki.platformCa.cert, s.pki.tcbSigning.cert, s.pki.root.cert] },
    };
    expect(run(flat).tcb.status).toBe("UpToDate");
  });

  it("evaluates the signed bytes, never a pre-parsed value", async () => {
    const s = await buildScenario({ tee: "sgx" });
    const lying = { ...s.tcbInfo, value: { ...(s.tcbInfo.value as object), tcbLevels: [] } };
    const r = run({ ...s, collateral: { ...s.collateral, intelDocuments: [lying, s.qeIdentity] } });
    expect(r.tcb.status).toBe("UpToDate");
  });

  it("prefers the TCB Info in force among several for the same FMSPC", async () => {
    const pki = await createIntelTestPki();
    const s = await buildScenario({ tee: "sgx", pki });
    const old = await signIntelJson(
      pki.tcbSigning,
      "tcbInfo",
      tcbInfoValue({
        id: "SGX",
        issueDate: day("2025-04-01T00:00:00Z"),
        nextUpdate: day("2025-05-01T00:00:00Z"),
        levels: [{ components: DEFAULT_TCB.components, pceSvn: 13, status: "OutOfDate" }],
      }),
      [pki.tcbSigning],
    );
    const r = run({ ...s, collateral: { ...s.collateral, intelDocuments: [old, ...s.collateral.intelDocuments] } });
    expect(r.tcb.status).toBe("UpToDate");
  });

  it("reports the earliest expiry and a collateral hash that follows the CRLs", async () => {
    const pki = await createIntelTestPki();
    const s = await buildScenario({ tee: "sgx", pki, pck: { notAfter: day("2025-06-05T00:00:00Z") } });
    const r = run(s);
    expect(r.expiresAt.toISOString()).toBe("2025-06-05T00:00:00.000Z");
    expect(run(s).collateralHash).toBe(r.collateralHash);
    const newerCrl = await createCrl(pki.platformCa, [], {
      thisUpdate: day("2025-05-25T00:00:00Z"),
      nextUpdate: day("2025-06-25T00:00:00Z"),
    });
    const r2 = run({ ...s, collateral: { ...s.collateral, crls: [...s.collateral.crls, newerCrl] } });
    expect(r2.collateralHash).not.toBe(r.collateralHash);
  });

  it("labels debug enclaves and debug TDs", async () => {
    const sgx = await buildScenario({ tee: "sgx", quote: { sgxBody: { attributes: hex("0700000000000000e700000000000000") } } });
    const q = sgxAdapter.parse(sgx.quote);
    expect(sgxAdapter.verify(q, { evidence: sgx.quote, collateral: sgx.collateral, at: sgx.at, trustedRoots: sgx.roots }).debug).toBe(true);
    const tdx = await buildScenario({ tee: "tdx", quote: { tdBody: { tdAttributes: hex("0100001000000000") } } });
    const t = tdxAdapter.parse(tdx.quote);
    expect(tdxAdapter.verify(t, { evidence: tdx.quote, collateral: tdx.collateral, at: tdx.at, trustedRoots: tdx.roots }).debug).toBe(true);
    const clean = await buildScenario({ tee: "tdx" });
    expect(
      tdxAdapter.verify(tdxAdapter.parse(clean.quote), {
        evidence: clean.quote,
        collateral: clean.collateral,
        at: SCENARIO_AT,
        trustedRoots: clean.roots,
      }).debug,
    ).toBe(false);
  });

  it("refuses a parsed quote paired with other evidence bytes", async () => {
    const a = await buildScenario({ tee: "sgx" });
    const b = await buildScenario({ tee: "sgx" });
    expect(
      codeOf(() =>
        sgxAdapter.verify(sgxAdapter.parse(a.quote), { evidence: b.quote, collateral: a.collateral, at: a.at, trustedRoots: a.roots }),
      ),
    ).toBe("DCAP_EVIDENCE_MISMATCH");
  });

  it("with a missing QE Identity only under the unsafe switch, and then only Intel's QE", async () => {
    const s = await buildScenario({ tee: "sgx" });
    const noQe = { ...s, collateral: without(s.collateral, (x) => x === s.qeIdentity) };
    expect(codeOf(() => run(noQe))).toBe("DCAP_QE_IDENTITY_MISSING");
    expect(run(noQe, { dangerouslyAllowMissingQeIdentity: true }).platform.qeStatus).toBe("NotApplicable");
    const fake = await buildScenario({ tee: "sgx", quote: { qeReport: { mrSigner: new Uint8Array(32).fill(1) } } });
    const fakeNoQe = { ...fake, collateral: without(fake.collateral, (x) => x === fake.qeIdentity) };
    expect(codeOf(() => run(fakeNoQe, { dangerouslyAllowMissingQeIdentity: true }))).toBe("DCAP_QE_IDENTITY_MISMATCH");
  });
});
