import { keccak256 } from "viem";
import { describe, expect, it } from "vitest";
import { expectedOf, fixtureBytes, fixturePath, fixtureText, setsOf } from "../../../test/support/fixtures.ts";
import { snpTestPki } from "../../../test/support/snpTestSigner.ts";
import { directoryCollateral } from "../../collateral/staticCollateral.ts";
import { emptyCollateral, type CollateralSet } from "../../collateral/types.ts";
import { KeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { parseSnpReport } from "./parseSnpReport.ts";
import { concatBytes } from "@keepledger/sdk/internal/util/bytes";
import { AMD_ARK_MILAN } from "../../pki/roots.ts";
import { parseCertificate, parseCrl, parsePemCertificates } from "../../pki/x509/certificate.ts";
import { verifyAmdSigningChain } from "./amdSigningChain.ts";
import { readVekExtensions } from "./vekExtensions.ts";
import { verifySnpReport } from "./verifySnpReport.ts";

interface Tcb {
  bootloader: number;
  tee: number;
  snp: number;
  microcode: number;
  hex: string;
}

interface SnpExpected {
  verify_at: string;
  validity_window: { not_before: string; not_after: string };
  expected_result: string;
  report: {
    version: number;
    policy: string;
    policy_decoded: { debug: boolean; smt: boolean; migrate_ma: boolean; single_socket: boolean };
    measurement: string;
    host_data: string;
    report_data: string;
    chip_id: string;
    vmpl: number;
    reported_tcb: Tcb;
    current_tcb: Tcb;
    committed_tcb: Tcb;
    launch_tcb: Tcb;
    platform_info: string;
  };
  vcek_extensions: Record<string, number | string>;
}

function failure(fn: () => unknown): KeepledgerError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KeepledgerError) return e;
    throw e;
  }
  throw new Error("expected a KeepledgerError");
}

async function vector(set: string) {
  const expected = expectedOf("sev-snp", set) as unknown as SnpExpected;
  const report = parseSnpReport(fixtureBytes("sev-snp", set, "report.bin"));
  const collateral = (await directoryCollateral(fixturePath("sev-snp", set))).collateral;
  return { expected, report, collateral, at: new Date(expected.verify_at) };
}

const SETS = setsOf("sev-snp");

describe("verifySnpReport on every real SEV-SNP vector with an expected.json", () => {
  it("covers the two report vectors", () => {
    expect(SETS.sort()).toEqual(["dstack-milan", "go-sev-guest-milan-debug"]);
  });

  for (const set of SETS) {
    it(`${set}: verifies as of its verify_at with exactly the expected claims`, async () => {
      const { expected, report, collateral, at } = await vector(set);
      expect(expected.expected_result).toBe("accept");
      const v = verifySnpReport(report, { collateral, at, dangerouslyAllowMissingCrl: true });
      const r = expected.report;
      const tcb = (t: Tcb) => ({ raw: `0x${t.hex}`, bootloader: t.bootloader, tee: t.tee, snp: t.snp, microcode: t.microcode });
      expect(v.claims).toStrictEqual({
        measurement: `0x${r.measurement}`,
        hostData: `0x${r.host_data}`,
        reportData: `0x${r.report_data}`,
        chipId: `0x${r.chip_id}`,
        policy: r.policy,
        reportedTcb: `0x${r.reported_tcb.hex}`,
        vmpl: r.vmpl,
        guestPolicy: {
          smt: r.policy_decoded.smt,
          migrateMa: r.policy_decoded.migrate_ma,
          debug: r.policy_decoded.debug,
          singleSocket: r.policy_decoded.single_socket,
        },
        tcb: { reported: tcb(r.reported_tcb), committed: tcb(r.committed_tcb), current: tcb(r.current_tcb), launch: tcb(r.launch_tcb) },
      });
      expect(v.ok).toBe(true);
      expect(v.tee).toBe("sev-snp");
      expect(v.debug).toBe(r.policy_decoded.debug);
      expect(v.tcb).toEqual({ status: "NotApplicable", advisoryIds: [] });
      expect(v.verifiedAt).toEqual(at);
      // The VCEK's notAfter is the first thing to lapse (no CRL in these sets).
      expect(v.expiresAt).toEqual(new Date(expected.validity_window.not_after));
      expect(v.evidenceHash).toBe(keccak256(fixtureBytes("sev-snp", set, "report.bin")));
      const vcek = fixtureBytes("sev-snp", set, "vcek.der");
      const ask = parsePemCertificates(fixtureText("sev-snp", set, "ask.pem"))[0]!.der;
      const ark = AMD_ARK_MILAN.certificate.der;
      expect(v.collateralHash).toBe(keccak256(concatBytes(keccak256(vcek, "bytes"), keccak256(ask, "bytes"), keccak256(ark, "bytes"))));
      expect(v.platform).toStrictEqual({
        amdProductLine: "Milan",
        amdSigningKey: "vcek",
        reportVersion: r.version,
        vmpl: r.vmpl,
        currentTcb: tcb(r.current_tcb),
        reportedTcb: tcb(r.reported_tcb),
        committedTcb: tcb(r.committed_tcb),
        launchTcb: tcb(r.launch_tcb),
        policyDecoded: report.policyDecoded,
        platformInfo: report.platformInfoDecoded,
      });
      expect(v.platform.platformInfo).toMatchObject({ raw: r.platform_info });
    });

    it(`${set}: reads the VCEK's KDS extensions as listed`, () => {
      const want = (expectedOf("sev-snp", set) as unknown as SnpExpected).vcek_extensions;
      const ext = readVekExtensions(parseCertificate(fixtureBytes("sev-snp", set, "vcek.der")))!;
      expect({
        structVersion: ext.structVersion,
        productName: ext.productName,
        blSPL: ext.blSPL,
        teeSPL: ext.teeSPL,
        spl_4: ext.spl4,
        spl_5: ext.spl5,
        spl_6: ext.spl6,
        spl_7: ext.spl7,
        snpSPL: ext.snpSPL,
        ucodeSPL: ext.ucodeSPL,
        hwID: Buffer.from(ext.hwID!).toString("hex"),
      }).toStrictEqual(want);
      expect(ext.kind).toBe("vcek");
      expect(ext.fmcSPL).toBeUndefined();
    });

    it(`${set}: fails before the VCEK's notBefore and after its notAfter`, async () => {
      const { expected, report, collateral } = await vector(set);
      const before = new Date(new Date(expected.validity_window.not_before).getTime() - 1000);
      const after = new Date(new Date(expected.validity_window.not_after).getTime() + 1000);
      expect(failure(() => verifySnpReport(report, { collateral, at: before, dangerouslyAllowMissingCrl: true })).code).toBe(
        "CERT_NOT_YET_VALID",
      );
      expect(failure(() => verifySnpReport(report, { collateral, at: after, dangerouslyAllowMissingCrl: true })).code).toBe("CERT_EXPIRED");
    });
  }
});

describe("verifySnpReport refuses real reports with the wrong collateral", () => {
  it("names what is missing or wrong", async () => {
    const { report, collateral, at } = await vector("dstack-milan");
    const other = await vector("go-sev-guest-milan-debug");
    const milanPki = await snpTestPki("Milan");
    const only = (...certs: CollateralSet["certificates"]): CollateralSet => ({ ...emptyCollateral(), certificates: certs });
    const vcek = parseCertificate(fixtureBytes("sev-snp", "dstack-milan", "vcek.der"));
    const ask = parsePemCertificates(fixtureText("sev-snp", "dstack-milan", "ask.pem"))[0]!;
    const otherVcek = parseCertificate(fixtureBytes("sev-snp", "go-sev-guest-milan-debug", "vcek.der"));
    const table: Array<{ name: string; run: () => unknown; wantError: string; wantMessage?: string }> = [
      {
        name: "no collateral",
        run: () => verifySnpReport(report, { collateral: emptyCollateral(), at, dangerouslyAllowMissingCrl: true }),
        wantError: "SNP_VEK_MISSING",
        wantMessage: "the collateral holds no VCEK certificate",
      },
      {
        name: "no ASK",
        run: () => verifySnpReport(report, { collateral: only(vcek), at, dangerouslyAllowMissingCrl: true }),
        wantError: "SNP_ASK_MISSING",
        wantMessage: "the collateral holds no ASK that issued the VCEK",
      },
      {
        name: "another chip's VCEK",
        run: () => verifySnpReport(report, { collateral: only(otherVcek, ask), at, dangerouslyAllowMissingCrl: true }),
        wantError: "SNP_HWID_MISMATCH",
        wantMessage: "the VCEK's hwID does not match the report's CHIP_ID",
      },
      { name: "no CRL (required by default)", run: () => verifySnpReport(report, { collateral, at }), wantError: "CRL_MISSING" },
      {
        name: "only test roots trusted",
        run: () => verifySnpReport(report, { collateral, at, trustedRoots: [milanPki.root], dangerouslyAllowMissingCrl: true }),
        wantError: "CERT_ROOT_UNTRUSTED",
      },
      {
        name: "another report's collateral",
        run: () => verifySnpReport(other.report, { collateral, at, dangerouslyAllowMissingCrl: true }),
        wantError: "SNP_HWID_MISMATCH",
      },
    ];
    for (const c of table) {
      const e = failure(c.run);
      expect([c.name, e.code]).toEqual([c.name, c.wantError]);
      expect(e.stage).toBe("verification");
      if (c.wantMessage) expect(e.shortMessage).toBe(c.wantMessage);
    }
  });

  it("picks the right VCEK out of a directory holding several", async () => {
    const a = await vector("dstack-milan");
    const b = await vector("go-sev-guest-milan-debug");
    const both: CollateralSet = { ...emptyCollateral(), certificates: [...b.collateral.certificates, ...a.collateral.certificates] };
    expect(verifySnpReport(a.report, { collateral: both, at: a.at, dangerouslyAllowMissingCrl: true }).claims.chipId).toBe(
      `0x${a.expected.report.chip_id}`,
    );
    expect(verifySnpReport(b.report, { collateral: both, at: b.at, dangerouslyAllowMissingCrl: true }).claims.chipId).toBe(
      `0x${b.expected.report.chip_id}`,
    );
  });
});

describe("collateral is held to its signed bytes", () => {
  // RFC 5280 4.1.1.2 / 5.1.1.2: the unsigned outer algorithm must equal the signed one (checked by parseCertificate/parseCrl).
  it("refuses a real VCEK whose unsigned outer signature algorithm was altered", () => {
    const altered = fixtureBytes("sev-snp", "dstack-milan", "vcek.der").slice();
    altered[799] = 0x00; // the [1] maskGenAlgorithm tag of the outer RSASSA-PSS parameters, outside tbsCertificate
    const e = failure(() => parseCertificate(altered));
    expect([e.code, e.shortMessage]).toEqual([
      "CERT_MALFORMED",
      "certificate: the signature algorithm outside the signed part differs from the one inside",
    ]);
  });

  it("refuses AMD's Genoa CRL with an altered outer signature algorithm", () => {
    const der = fixtureBytes("sev-snp", "genoa-revoked-ask", "crl_genoa.der");
    const altered = der.slice();
    altered[338] = 0x00; // the outer maskGenAlgorithm tag
    const [ask] = parsePemCertificates(fixtureText("sev-snp", "genoa-revoked-ask", "ask_genoa_current_serial_020002.pem"));
    const at = new Date("2023-01-15T00:00:00Z");
    expect(verifyAmdSigningChain({ intermediate: ask!, at, crls: [parseCrl(der)] }).chain.crlsUsed).toHaveLength(1);
    expect(failure(() => parseCrl(altered)).code).toBe("CERT_MALFORMED");
  });
});
