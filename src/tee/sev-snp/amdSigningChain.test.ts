import { describe, expect, it } from "vitest";
import { fixtureBytes, fixtureText } from "../../../test/support/fixtures.ts";
import {
  buildSnpReport,
  defaultReportFields,
  generateTestVekFor,
  signSnpReport,
  snpTestPki,
  testTcbBytes,
} from "../../../test/support/snpTestSigner.ts";
import { emptyCollateral } from "../../collateral/types.ts";
import { KeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { parseSnpReport } from "./parseSnpReport.ts";
import { AMD_ARKS, AMD_ARK_GENOA, AMD_ARK_MILAN, type AmdProductLine } from "../../pki/roots.ts";
import { parseCertificate, parseCrl, parsePemCertificates } from "../../pki/x509/certificate.ts";
import { verifyCertificateChain } from "../../pki/x509/verifyCertificateChain.ts";
import { verifyAmdSigningChain } from "./amdSigningChain.ts";
import { readVekExtensions, vekTcbBytes } from "./vekExtensions.ts";
import { verifySnpReport } from "./verifySnpReport.ts";

function failure(fn: () => unknown): KeepledgerError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KeepledgerError) return e;
    throw e;
  }
  throw new Error("expected a KeepledgerError");
}

const AT = new Date("2025-01-01T00:00:00Z");

describe("AMD KDS cert chains (amd-kds-cert-chains)", () => {
  const table: Array<{ file: string; productLine: AmdProductLine; signingKey: "vcek" | "vlek"; cn: string }> = [
    { file: "ask_ark_milan.pem", productLine: "Milan", signingKey: "vcek", cn: "SEV-Milan" },
    { file: "ask_ark_milan_vlek.pem", productLine: "Milan", signingKey: "vlek", cn: "SEV-VLEK-Milan" },
    { file: "ask_ark_genoa.pem", productLine: "Genoa", signingKey: "vcek", cn: "SEV-Genoa" },
    { file: "ask_ark_genoa_vlek.pem", productLine: "Genoa", signingKey: "vlek", cn: "SEV-VLEK-Genoa" },
    { file: "ask_ark_turin_vcek.pem", productLine: "Turin", signingKey: "vcek", cn: "SEV-Turin" },
    { file: "ask_ark_turin_vlek.pem", productLine: "Turin", signingKey: "vlek", cn: "SEV-VLEK-Turin" },
  ];
  for (const t of table) {
    it(`${t.file}: the ${t.signingKey === "vlek" ? "ASVK" : "ASK"} verifies to the pinned ARK-${t.productLine}`, () => {
      const [intermediate, ark] = parsePemCertificates(fixtureText("sev-snp", "amd-kds-cert-chains", t.file));
      // The bundle's ARK is byte-identical to the pinned one; verification never uses it.
      expect(ark!.fingerprint).toBe(AMD_ARKS[t.productLine].certificate.fingerprint);
      const r = verifyAmdSigningChain({ intermediate: intermediate!, at: AT });
      expect(r.productLine).toBe(t.productLine);
      expect(r.signingKey).toBe(t.signingKey);
      expect(r.chain.root).toBe(AMD_ARKS[t.productLine]);
      expect(intermediate!.x509.subjectName.getField("CN")).toEqual([t.cn]);
    });
  }

  it("refuses a product's ASK when only another product's ARK is trusted", () => {
    const [ask] = parsePemCertificates(fixtureText("sev-snp", "amd-kds-cert-chains", "ask_ark_milan.pem"));
    expect(failure(() => verifyAmdSigningChain({ intermediate: ask!, at: AT, trustedRoots: [AMD_ARK_GENOA] })).code).toBe(
      "CERT_ROOT_UNTRUSTED",
    );
    expect(verifyAmdSigningChain({ intermediate: ask!, at: AT, trustedRoots: [AMD_ARK_MILAN] }).productLine).toBe("Milan");
  });

  it("refuses an ARK offered as an ASK", () => {
    const [, ark] = parsePemCertificates(fixtureText("sev-snp", "amd-kds-cert-chains", "ask_ark_milan.pem"));
    expect(failure(() => verifyAmdSigningChain({ intermediate: ark!, at: AT })).code).toBe("SNP_PRODUCT_UNDETERMINED");
  });
});

describe("Turin VCEK chain (turin-vcek-chain-only)", () => {
  const vcek = parseCertificate(fixtureBytes("sev-snp", "turin-vcek-chain-only", "vcek_turin.der"));
  const [ask] = parsePemCertificates(fixtureText("sev-snp", "turin-vcek-chain-only", "cert_chain_turin.pem"));

  it("chains the Turin VCEK to the pinned ARK-Turin", () => {
    const r = verifyCertificateChain({ name: "VCEK chain", chain: [vcek, ask!], roots: [AMD_ARKS.Turin], at: AT });
    expect(r.root).toBe(AMD_ARKS.Turin);
    expect(r.expiresAt.toISOString()).toBe("2031-11-06T21:14:00.000Z");
    expect(verifyAmdSigningChain({ intermediate: ask!, at: AT }).productLine).toBe("Turin");
  });

  it("reads Turin's KDS extensions: struct version 1, fmcSPL, an 8-byte hwID", () => {
    const ext = readVekExtensions(vcek)!;
    expect(ext).toMatchObject({
      kind: "vcek",
      structVersion: 1,
      productName: "Turin",
      fmcSPL: 0,
      blSPL: 0,
      teeSPL: 0,
      snpSPL: 0,
      ucodeSPL: 9,
    });
    expect(ext.spl4).toBeUndefined();
    expect([ext.spl5, ext.spl6, ext.spl7]).toEqual([0, 0, 0]);
    expect(Buffer.from(ext.hwID!).toString("hex")).toBe("1e550a8ee5cf9f4d");
    // Turin order: fmc, bl, tee, snp, reserved×3, ucode.
    expect(Buffer.from(vekTcbBytes(vcek, ext, "Turin")).toString("hex")).toBe("0000000000000009");
  });

  it("matches a Turin report with CHIP_ID = hwID‖zeros and that TCB up to the signature, which only AMD can make", () => {
    const f = defaultReportFields("Turin");
    f.chipId = new Uint8Array(64);
    f.chipId.set(Buffer.from("1e550a8ee5cf9f4d", "hex"));
    f.reportedTcb = testTcbBytes("Turin", { fmc: 0, bootloader: 0, tee: 0, snp: 0, microcode: 9 });
    const collateral = { ...emptyCollateral(), certificates: [vcek, ask!] };
    const e = failure(() => verifySnpReport(parseSnpReport(buildSnpReport(f)), { collateral, at: AT, dangerouslyAllowMissingCrl: true }));
    expect(e.code).toBe("SNP_REPORT_SIGNATURE_INVALID");
    f.reportedTcb = testTcbBytes("Turin", { fmc: 1, bootloader: 0, tee: 0, snp: 0, microcode: 9 });
    expect(
      failure(() => verifySnpReport(parseSnpReport(buildSnpReport(f)), { collateral, at: AT, dangerouslyAllowMissingCrl: true })).code,
    ).toBe("SNP_TCB_MISMATCH");
    f.reportedTcb = testTcbBytes("Turin", { fmc: 0, bootloader: 0, tee: 0, snp: 0, microcode: 9 });
    f.chipId[8] = 1;
    expect(
      failure(() => verifySnpReport(parseSnpReport(buildSnpReport(f)), { collateral, at: AT, dangerouslyAllowMissingCrl: true })).code,
    ).toBe("SNP_HWID_MISMATCH");
  });
});

describe("Genoa ASK revoked by AMD's CRL (genoa-revoked-ask)", () => {
  const crl = parseCrl(fixtureBytes("sev-snp", "genoa-revoked-ask", "crl_genoa.der"));
  const [revoked] = parsePemCertificates(fixtureText("sev-snp", "genoa-revoked-ask", "ask_genoa_revoked_serial_020001.pem"));
  const [current] = parsePemCertificates(fixtureText("sev-snp", "genoa-revoked-ask", "ask_genoa_current_serial_020002.pem"));
  const at = new Date("2023-01-15T00:00:00Z");

  it("fails the revoked ASK with CERT_REVOKED and passes the current one, with AMD's CRL", () => {
    expect(revoked!.serial).toBe("20001");
    expect(failure(() => verifyAmdSigningChain({ intermediate: revoked!, at, crls: [crl] })).code).toBe("CERT_REVOKED");
    const ok = verifyAmdSigningChain({ intermediate: current!, at, crls: [crl], requireCrl: true });
    expect(ok.chain.crlsUsed).toEqual([crl]);
    expect(ok.chain.expiresAt).toEqual(crl.nextUpdate);
  });

  it("fails a Genoa report whose VCEK names the revoked ASK as issuer with CERT_REVOKED", async () => {
    const pki = await snpTestPki("Genoa");
    const fields = defaultReportFields("Genoa");
    // A VCEK whose issuer is the real, revoked SEV-Genoa (020001); the ASK chain is checked first, so revocation is what fails.
    const vek = await generateTestVekFor(pki, fields, {
      issuerName: revoked!.x509.subjectName,
      notBefore: new Date("2022-11-01T00:00:00Z"),
    });
    const report = parseSnpReport(await signSnpReport(buildSnpReport(fields), vek.keys));
    const collateral = (ask: typeof revoked) => ({ ...emptyCollateral(), certificates: [vek.cert, ask!], crls: [crl] });
    const e = failure(() => verifySnpReport(report, { collateral: collateral(revoked), at, dangerouslyAllowMissingCrl: true }));
    expect(e.code).toBe("CERT_REVOKED");
    expect(e.shortMessage).toBe(`AMD ASK chain: certificate "${revoked!.subject}" is revoked`);
    // Through the current ASK the AMD part of the chain holds, and only the test VCEK's signature fails.
    expect(failure(() => verifySnpReport(report, { collateral: collateral(current), at, dangerouslyAllowMissingCrl: true })).code).toBe(
      "CERT_SIGNATURE_INVALID",
    );
  });

  it("cannot judge revocation before the CRL was issued, nor after its nextUpdate", () => {
    expect(failure(() => verifyAmdSigningChain({ intermediate: revoked!, at: new Date("2022-10-01T00:00:00Z"), crls: [crl] })).code).toBe(
      "CRL_NOT_YET_VALID",
    );
    expect(failure(() => verifyAmdSigningChain({ intermediate: current!, at: new Date("2024-01-01T00:00:00Z"), crls: [crl] })).code).toBe(
      "CRL_EXPIRED",
    );
  });
});
