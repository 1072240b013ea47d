import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { expectedOf, fixtureBytes, fixturePath } from "../../../test/support/fixtures.ts";
import { buildSnpReport, defaultReportFields, snpTestCase } from "../../../test/support/snpTestSigner.ts";
import { createCrl } from "../../../test/support/testPki.ts";
import { directoryCollateral } from "../../collateral/staticCollateral.ts";
import { emptyCollateral } from "../../collateral/types.ts";
import { KeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { createSnpAdapter, defaultSnpAdapterOptions, snpAdapter } from "./adapter.ts";

function codeAndRetry(run: () => unknown): { code: string; retryable: boolean; stage: string } | "ok" {
  try {
    run();
  } catch (e) {
    if (e instanceof KeepledgerError) return { code: e.code, retryable: e.retryable, stage: e.stage };
    throw e;
  }
  return "ok";
}

describe("snpAdapter.detect", () => {
  it("recognizes the real reports", () => {
    for (const set of ["dstack-milan", "go-sev-guest-milan-debug"])
      expect(snpAdapter.detect(fixtureBytes("sev-snp", set, "report.bin"))).toBe(true);
  });

  it("does not take SGX or TDX quotes or Nitro documents for SNP reports", () => {
    const others: Uint8Array[] = [];
    for (const kind of ["sgx", "tdx", "nitro"]) {
      for (const set of readdirSync(fixturePath(kind))) {
        for (const file of readdirSync(fixturePath(kind, set))) {
          if (/\.(bin|cose)$/.test(file)) others.push(fixtureBytes(kind, set, file));
        }
      }
    }
    expect(others.length).toBeGreaterThan(5);
    for (const bytes of others) {
      expect(snpAdapter.detect(bytes)).toBe(false);
      // Even cut or padded to exactly 1184 bytes, a quote header is not an SNP version.
      const sized = new Uint8Array(1184);
      sized.set(bytes.subarray(0, 1184));
      expect(snpAdapter.detect(sized)).toBe(false);
    }
  });

  it("is strict about length, version and signature algorithm", () => {
    const ok = buildSnpReport(defaultReportFields("Milan"));
    expect(snpAdapter.detect(ok)).toBe(true);
    const with_ = (offset: number, value: number) => {
      const b = ok.slice();
      new DataView(b.buffer).setUint32(offset, value, true);
      return b;
    };
    expect(snpAdapter.detect(ok.subarray(0, 1183))).toBe(false);
    expect(snpAdapter.detect(Uint8Array.of(...ok, 0))).toBe(false);
    expect(snpAdapter.detect(new Uint8Array(0))).toBe(false);
    for (const v of [2, 3, 4, 5]) expect(snpAdapter.detect(with_(0, v))).toBe(true);
    for (const v of [0, 1, 6, 0x20003, 0x20004, 0x810004]) expect(snpAdapter.detect(with_(0, v))).toBe(false);
    for (const a of [0, 2, 0x100]) expect(snpAdapter.detect(with_(0x34, a))).toBe(false);
  });
});

describe("snpAdapter end to end", () => {
  it("asks for the VCEK of the report's chip and REPORTED_TCB, and verifies through the adapter", async () => {
    const bytes = fixtureBytes("sev-snp", "dstack-milan", "report.bin");
    const report = snpAdapter.parse(bytes);
    expect(snpAdapter.collateralRequests(report)).toEqual([
      {
        vendor: "amd",
        productLine: "Milan",
        signingKey: "vcek",
        chipId: `0x${(expectedOf("sev-snp", "dstack-milan").report as { chip_id: string }).chip_id}`,
        reportedTcb: { bootloader: 4, tee: 0, snp: 23, microcode: 213 },
      },
    ]);
    const collateral = (await directoryCollateral(fixturePath("sev-snp", "dstack-milan"))).collateral;
    const at = new Date(expectedOf("sev-snp", "dstack-milan").verify_at);
    // No AMD Milan CRL is among the vectors: the production adapter refuses (retryable) …
    const refused = codeAndRetry(() => snpAdapter.verify(report, { evidence: bytes, collateral, at }));
    expect(refused).toEqual({ code: "SNP_CRL_UNAVAILABLE", retryable: true, stage: "infrastructure" });
    expect(() => snpAdapter.verify(report, { evidence: bytes, collateral, at })).toThrowError(
      expect.objectContaining({
        shortMessage: "no AMD CRL for the Milan signing chain could be had; try again when KDS or a collateral directory serves it",
      }),
    );
    // … and only the explicit switch verifies it without one.
    const v = createSnpAdapter({ dangerouslyAllowMissingCrl: true }).verify(report, { evidence: bytes, collateral, at });
    expect(v.tee).toBe("sev-snp");
    expect(v.claims.reportedTcb).toBe("0x04000000000017d5");
  });

  it("asks for a Turin VLEK chain with the FMC SPL", async () => {
    const c = await snpTestCase({ productLine: "Turin", signingKey: "vlek", version: 5 });
    const [req] = snpAdapter.collateralRequests(snpAdapter.parse(c.report));
    expect(req).toMatchObject({
      vendor: "amd",
      productLine: "Turin",
      signingKey: "vlek",
      reportedTcb: { fmc: 1, bootloader: 2, tee: 3, snp: 4, microcode: 72 },
    });
  });

  it("refuses to verify other bytes than the ones parsed", async () => {
    const bytes = fixtureBytes("sev-snp", "dstack-milan", "report.bin");
    const report = snpAdapter.parse(bytes);
    const other = bytes.slice();
    other[0x50]! ^= 1;
    let error: unknown;
    try {
      snpAdapter.verify(report, { evidence: other, collateral: emptyCollateral(), at: new Date() });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KeepledgerError);
    expect((error as KeepledgerError).code).toBe("SNP_EVIDENCE_MISMATCH");
  });
});

describe("snpAdapter requires AMD's CRL", () => {
  const AT = new Date(Date.UTC(2025, 5, 1));
  const dates = { thisUpdate: new Date(Date.UTC(2025, 0, 1)), nextUpdate: new Date(Date.UTC(2025, 11, 1)) };

  const table: Array<{
    name: string;
    input: { crl: "none" | "current" | "revoking" | "lapsed"; dangerouslyAllowMissingCrl: boolean };
    wantError: string | null;
  }> = [
    { name: "no CRL: refused, retryable", input: { crl: "none", dangerouslyAllowMissingCrl: false }, wantError: "SNP_CRL_UNAVAILABLE" },
    { name: "a current CRL", input: { crl: "current", dangerouslyAllowMissingCrl: false }, wantError: null },
    { name: "a CRL revoking the ASK", input: { crl: "revoking", dangerouslyAllowMissingCrl: false }, wantError: "CERT_REVOKED" },
    { name: "a lapsed CRL", input: { crl: "lapsed", dangerouslyAllowMissingCrl: false }, wantError: "CRL_EXPIRED" },
    { name: "no CRL with the dangerous switch", input: { crl: "none", dangerouslyAllowMissingCrl: true }, wantError: null },
    {
      name: "a CRL revoking the ASK, even with the dangerous switch",
      input: { crl: "revoking", dangerouslyAllowMissingCrl: true },
      wantError: "CERT_REVOKED",
    },
  ];

  it.each(table)("$name", async ({ input, wantError }) => {
    const c = await snpTestCase();
    const crls =
      input.crl === "none"
        ? []
        : [
            await createCrl(
              c.pki.ark,
              input.crl === "revoking" ? [c.pki.ask.cert.serial] : [],
              input.crl === "lapsed" ? { thisUpdate: dates.thisUpdate, nextUpdate: new Date(Date.UTC(2025, 4, 1)) } : dates,
            ),
          ];
    const adapter = createSnpAdapter({ dangerouslyAllowMissingCrl: input.dangerouslyAllowMissingCrl });
    const run = () =>
      adapter.verify(adapter.parse(c.report), {
        evidence: c.report,
        collateral: { ...emptyCollateral(), certificates: c.certificates, crls },
        at: AT,
        trustedRoots: c.trustedRoots,
      });
    const got = codeAndRetry(run);
    if (wantError === null) {
      expect(got).toBe("ok");
      return;
    }
    expect(got).toMatchObject({ code: wantError, retryable: wantError === "SNP_CRL_UNAVAILABLE" });
  });

  it("is what the registry's defaults use", () => {
    expect(defaultSnpAdapterOptions()).toEqual({ dangerouslyAllowMissingCrl: false });
  });
});
