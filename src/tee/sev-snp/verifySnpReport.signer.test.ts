/**
 * Cases no public vector covers, built by the SNP test signer: Genoa and Turin
 * reports, VLEK-signed reports, versions 2/3/5, and one broken thing at a time.
 */
import { keccak256 } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { createCrl, createRoot, generateKeys, issue } from "../../../test/support/testPki.ts";
import {
  DEFAULT_TEST_TCB,
  snpTestCase,
  snpTestPki,
  testTcbBytes,
  type SnpTestCase,
  type SnpTestCaseOptions,
} from "../../../test/support/snpTestSigner.ts";
import { emptyCollateral, type CollateralSet } from "../../collateral/types.ts";
import { KeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { parseSnpReport } from "./parseSnpReport.ts";
import { concatBytes } from "@keepledger/sdk/internal/util/bytes";
import type { ParsedCrl } from "../../pki/x509/certificate.ts";
import { verifySnpReport, type VerifySnpReportOptions } from "./verifySnpReport.ts";

const AT = new Date(Date.UTC(2025, 5, 1));

function collateralOf(c: SnpTestCase, crls: ParsedCrl[] = []): CollateralSet {
  return { ...emptyCollateral(), certificates: c.certificates, crls };
}

/** Most cases break one thing other than the CRL, so the CRL is not required unless a case says so. */
function verifyCase(c: SnpTestCase, options: Partial<VerifySnpReportOptions> = {}) {
  return verifySnpReport(parseSnpReport(c.report), {
    collateral: collateralOf(c),
    at: AT,
    trustedRoots: c.trustedRoots,
    dangerouslyAllowMissingCrl: true,
    ...options,
  });
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

beforeAll(async () => {
  // Key generation dominates: make the three PKIs once.
  await Promise.all([snpTestPki("Milan"), snpTestPki("Genoa"), snpTestPki("Turin")]);
});

describe("verifySnpReport accepts what AMD firmware produces", () => {
  const table: Array<{ name: string; options: SnpTestCaseOptions; product: string; key: string }> = [
    { name: "Milan v2, VCEK", options: { version: 2 }, product: "Milan", key: "vcek" },
    { name: "Milan v3, VCEK", options: { version: 3 }, product: "Milan", key: "vcek" },
    { name: "Milan v5, VCEK", options: { version: 5 }, product: "Milan", key: "vcek" },
    { name: "Genoa v3, VCEK", options: { productLine: "Genoa" }, product: "Genoa", key: "vcek" },
    { name: "Genoa v5, VCEK", options: { productLine: "Genoa", version: 5 }, product: "Genoa", key: "vcek" },
    { name: "Turin v2, VCEK (Turin told by CHIP_ID shape)", options: { productLine: "Turin", version: 2 }, product: "Turin", key: "vcek" },
    { name: "Turin v3, VCEK", options: { productLine: "Turin" }, product: "Turin", key: "vcek" },
    { name: "Turin v5, VCEK", options: { productLine: "Turin", version: 5 }, product: "Turin", key: "vcek" },
    { name: "Milan v3, VLEK", options: { signingKey: "vlek" }, product: "Milan", key: "vlek" },
    { name: "Genoa v5, VLEK", options: { productLine: "Genoa", version: 5, signingKey: "vlek" }, product: "Genoa", key: "vlek" },
    { name: "Turin v5, VLEK", options: { productLine: "Turin", version: 5, signingKey: "vlek" }, product: "Turin", key: "vlek" },
  ];
  for (const t of table) {
    it(t.name, async () => {
      const c = await snpTestCase(t.options);
      const v = verifyCase(c);
      expect(v.platform.amdProductLine).toBe(t.product);
      expect(v.platform.amdSigningKey).toBe(t.key);
      expect(v.platform.reportVersion).toBe(t.options.version ?? 3);
      expect(v.claims.measurement).toBe(`0x${Buffer.from(c.fields.measurement).toString("hex")}`);
      expect(v.claims.reportedTcb).toBe(`0x${Buffer.from(c.fields.reportedTcb).toString("hex")}`);
      expect(v.debug).toBe(false);
      const tcb = DEFAULT_TEST_TCB[t.product as "Milan"];
      expect(v.platform.reportedTcb).toMatchObject({ bootloader: tcb.bootloader, tee: tcb.tee, snp: tcb.snp, microcode: tcb.microcode });
      if (t.product === "Turin") expect(v.platform.reportedTcb).toMatchObject({ fmc: tcb.fmc });
      expect(v.expiresAt).toEqual(new Date(Date.UTC(2031, 0, 1)));
    });
  }

  it("labels a guest whose policy allows debugging as debug", async () => {
    const v = verifyCase(await snpTestCase({ fields: { policy: 0xb0000n } }));
    expect(v.debug).toBe(true);
    expect(v.claims.policy).toBe("0xb0000");
    expect(v.platform.policyDecoded).toMatchObject({ debug: true, smt: true });
  });

  it("exposes current, committed and launch TCBs apart from the reported one", async () => {
    const older = testTcbBytes("Genoa", { bootloader: 9, tee: 0, snp: 20, microcode: 80 });
    const newer = testTcbBytes("Genoa", { bootloader: 10, tee: 1, snp: 24, microcode: 90 });
    const c = await snpTestCase({ productLine: "Genoa", fields: { currentTcb: newer, committedTcb: newer, launchTcb: older } });
    const v = verifyCase(c);
    expect(v.platform.currentTcb).toMatchObject({ bootloader: 10, tee: 1, snp: 24, microcode: 90 });
    expect(v.platform.committedTcb).toMatchObject({ snp: 24 });
    expect(v.platform.launchTcb).toMatchObject({ snp: 20, microcode: 80 });
    expect(v.platform.reportedTcb).toMatchObject({ snp: 23, microcode: 84 });
  });

  it("uses AMD's CRL when given: expiry, collateral hash", async () => {
    const c = await snpTestCase();
    const crl = await createCrl(c.pki.ark, [], { thisUpdate: new Date(Date.UTC(2025, 0, 1)), nextUpdate: new Date(Date.UTC(2025, 11, 1)) });
    const v = verifyCase(c, { collateral: collateralOf(c, [crl]), dangerouslyAllowMissingCrl: false });
    expect(v.expiresAt).toEqual(crl.nextUpdate);
    const parts = [c.vek.cert.der, c.pki.ask.cert.der, c.pki.ark.cert.der, crl.der].map((d) => keccak256(d, "bytes"));
    expect(v.collateralHash).toBe(keccak256(concatBytes(...parts)));
  });
});

describe("verifySnpReport rejects", () => {
  let otherKeys: Awaited<ReturnType<typeof generateKeys>>;
  beforeAll(async () => {
    otherKeys = await generateKeys("p384");
  });

  const tcbPlus = (p: "Milan" | "Turin", field: "snp" | "fmc" | "bootloader") => ({
    ...DEFAULT_TEST_TCB[p],
    [field]: (DEFAULT_TEST_TCB[p][field] ?? 0) + 1,
  });

  const table: Array<{ name: string; build: () => Promise<{ run: () => unknown }>; wantError: string; wantMessage?: string }> = [
    {
      name: "a VCEK for another TCB (snpSPL)",
      build: async () => {
        const c = await snpTestCase({ vek: { tcb: tcbPlus("Milan", "snp") } });
        return { run: () => verifyCase(c) };
      },
      wantError: "SNP_TCB_MISMATCH",
      wantMessage: "the VCEK is for another TCB than the report's REPORTED_TCB",
    },
    {
      name: "a Turin VCEK for another FMC SPL",
      build: async () => {
        const c = await snpTestCase({ productLine: "Turin", vek: { productLine: "Turin", tcb: tcbPlus("Turin", "fmc") } });
        return { run: () => verifyCase(c) };
      },
      wantError: "SNP_TCB_MISMATCH",
    },
    {
      name: "a VLEK for another TCB",
      build: async () => {
        const c = await snpTestCase({ signingKey: "vlek", vek: { tcb: tcbPlus("Milan", "bootloader") } });
        return { run: () => verifyCase(c) };
      },
      wantError: "SNP_TCB_MISMATCH",
      wantMessage: "the VLEK is for another TCB than the report's REPORTED_TCB",
    },
    {
      name: "a VCEK whose reserved spl_4 differs from the report's reserved byte",
      build: async () => {
        const c = await snpTestCase({ vek: { spl: { 4: 1 } } });
        return { run: () => verifyCase(c) };
      },
      wantError: "SNP_TCB_MISMATCH",
    },
    {
      name: "a VCEK for another chip (hwID ≠ CHIP_ID)",
      build: async () => {
        const c = await snpTestCase({ vek: { hwId: new Uint8Array(64).fill(7) } });
        return { run: () => verifyCase(c) };
      },
      wantError: "SNP_HWID_MISMATCH",
      wantMessage: "the VCEK's hwID does not match the report's CHIP_ID",
    },
    {
      name: "a Turin CHIP_ID with bytes after the 8-byte hwID",
      build: async () => {
        const chipId = new Uint8Array(64).fill(0x5a);
        const c = await snpTestCase({ productLine: "Turin", fields: { chipId }, vek: { hwId: chipId.slice(0, 8) } });
        return { run: () => verifyCase(c) };
      },
      wantError: "SNP_HWID_MISMATCH",
    },
    {
      name: "a report signed by another key",
      build: async () => {
        const c = await snpTestCase({ signWith: otherKeys });
        return { run: () => verifyCase(c) };
      },
      wantError: "SNP_REPORT_SIGNATURE_INVALID",
      wantMessage: "the report signature does not verify with the VCEK key",
    },
    {
      name: "an expired VCEK",
      build: async () => {
        const c = await snpTestCase({ vek: { notBefore: new Date(Date.UTC(2018, 0, 1)), notAfter: new Date(Date.UTC(2025, 0, 1)) } });
        return { run: () => verifyCase(c) };
      },
      wantError: "CERT_EXPIRED",
    },
    {
      name: "a VCEK not yet valid",
      build: async () => {
        const c = await snpTestCase({ vek: { notBefore: new Date(Date.UTC(2026, 0, 1)) } });
        return { run: () => verifyCase(c) };
      },
      wantError: "CERT_NOT_YET_VALID",
    },
    {
      name: "a chain to the wrong product's root (Genoa ASK under ARK-Milan)",
      build: async () => {
        const milan = await snpTestPki("Milan");
        const genoa = await snpTestPki("Genoa");
        const milanArk = milan.ark;
        const ask = await issue(milanArk, "SEV-Genoa", { ca: true, keyKind: "rsa-pss-384" });
        const c = await snpTestCase({ productLine: "Genoa", vek: { signer: ask } });
        const collateral = { ...emptyCollateral(), certificates: [c.vek.cert, ask.cert] };
        return { run: () => verifyCase(c, { collateral, trustedRoots: [genoa.root, milan.root] }) };
      },
      wantError: "CERT_ROOT_UNTRUSTED",
    },
    {
      name: "a look-alike ARK (same name, other key)",
      build: async () => {
        const fake = await createRoot("ARK-Milan", { keyKind: "rsa-pss-384" });
        const ask = await issue(fake, "SEV-Milan", { ca: true, keyKind: "rsa-pss-384" });
        const c = await snpTestCase({ vek: { signer: ask } });
        const collateral = { ...emptyCollateral(), certificates: [c.vek.cert, ask.cert, fake.cert] };
        return { run: () => verifyCase(c, { collateral }) };
      },
      wantError: "CERT_ROOT_UNTRUSTED",
    },
    {
      name: "a Genoa report (CPUID) signed through the Milan chain",
      build: async () => {
        const c = await snpTestCase({ fields: { cpuid: { family: 0x19, model: 0x11, stepping: 1 } } });
        return { run: () => verifyCase(c) };
      },
      wantError: "SNP_PRODUCT_MISMATCH",
      wantMessage: "the report is from Genoa (cpuid) but its ASK is for Milan",
    },
    {
      name: "a Turin-shaped v2 report under a Milan chain",
      build: async () => {
        const chipId = new Uint8Array(64).fill(9, 0, 8);
        const c = await snpTestCase({ version: 2, fields: { chipId } });
        return { run: () => verifyCase(c) };
      },
      wantError: "SNP_PRODUCT_MISMATCH",
    },
    {
      name: "a Milan-shaped v2 report under a Turin chain",
      build: async () => {
        const chipId = new Uint8Array(64).fill(9);
        const c = await snpTestCase({ productLine: "Turin", version: 2, fields: { chipId }, vek: { hwId: chipId } });
        return { run: () => verifyCase(c) };
      },
      wantError: "SNP_PRODUCT_MISMATCH",
      wantMessage: "the report's TCB layout (legacy) does not fit Turin",
    },
    {
      name: "a VCEK whose productName is another product line",
      build: async () => {
        const c = await snpTestCase({ vek: { productName: "Genoa-B1" } });
        return { run: () => verifyCase(c) };
      },
      wantError: "SNP_PRODUCT_MISMATCH",
    },
    {
      name: "a VLEK report with only a VCEK in the collateral",
      build: async () => {
        const c = await snpTestCase({ signingKey: "vlek", vek: { kind: "vcek" } });
        return { run: () => verifyCase(c) };
      },
      wantError: "SNP_VEK_MISSING",
      wantMessage: "the collateral holds no VLEK certificate",
    },
    {
      name: "a VLEK issued by the ASK instead of the ASVK",
      build: async () => {
        const pki = await snpTestPki("Milan");
        const c = await snpTestCase({ signingKey: "vlek", vek: { signer: pki.ask } });
        return { run: () => verifyCase(c) };
      },
      wantError: "SNP_SIGNING_KEY_MISMATCH",
    },
    {
      name: "a VCEK without its ucodeSPL extension",
      build: async () => {
        const c = await snpTestCase({ vek: { omit: ["3.8"] } });
        return { run: () => verifyCase(c) };
      },
      wantError: "SNP_VEK_MALFORMED",
    },
    {
      // 22, Milan's default snpSPL, as 02 02 00 16: the value is right, the encoding is not DER.
      name: "a VCEK whose snpSPL INTEGER has a redundant leading 0x00",
      build: async () => {
        const c = await snpTestCase({ vek: { raw: { "3.3": Uint8Array.of(0x02, 0x02, 0x00, 0x16) } } });
        return { run: () => verifyCase(c) };
      },
      wantError: "SNP_VEK_MALFORMED",
      wantMessage: 'VCEK/VLEK certificate "CN=SEV-VCEK": an AMD extension is not valid DER',
    },
    {
      name: "a Turin VCEK without fmcSPL",
      build: async () => {
        const c = await snpTestCase({ productLine: "Turin", vek: { omit: ["3.9"] } });
        return { run: () => verifyCase(c) };
      },
      wantError: "SNP_VEK_MALFORMED",
      wantMessage: 'VCEK/VLEK certificate "CN=SEV-VCEK": a Turin VCEK/VLEK needs the fmcSPL extension',
    },
    {
      name: "a VCEK certifying a P-256 key",
      build: async () => {
        const c = await snpTestCase({ vek: { keyKind: "p256" } });
        return { run: () => verifyCase(c) };
      },
      wantError: "SNP_VEK_MALFORMED",
      wantMessage: "the VCEK does not certify a P-384 key",
    },
    {
      name: "an ASK with a name AMD does not use",
      build: async () => {
        const pki = await snpTestPki("Milan");
        const ask = await issue(pki.ark, "SEV-Rome", { ca: true, keyKind: "rsa-pss-384" });
        const c = await snpTestCase({ version: 2, vek: { signer: ask } });
        return { run: () => verifyCase(c, { collateral: { ...emptyCollateral(), certificates: [c.vek.cert, ask.cert] } }) };
      },
      wantError: "SNP_PRODUCT_UNDETERMINED",
    },
    {
      name: "an ASK revoked by the ARK's CRL",
      build: async () => {
        const pki = await snpTestPki("Genoa");
        const ask = await issue(pki.ark, "SEV-Genoa", { ca: true, keyKind: "rsa-pss-384" });
        const crl = await createCrl(pki.ark, [ask.cert.serial]);
        const c = await snpTestCase({ productLine: "Genoa", vek: { signer: ask } });
        return { run: () => verifyCase(c, { collateral: { ...emptyCollateral(), certificates: [c.vek.cert, ask.cert], crls: [crl] } }) };
      },
      wantError: "CERT_REVOKED",
    },
    {
      name: "a CRL past its nextUpdate",
      build: async () => {
        const c = await snpTestCase();
        const crl = await createCrl(c.pki.ark, [], {
          thisUpdate: new Date(Date.UTC(2024, 0, 1)),
          nextUpdate: new Date(Date.UTC(2024, 6, 1)),
        });
        return { run: () => verifyCase(c, { collateral: collateralOf(c, [crl]) }) };
      },
      wantError: "CRL_EXPIRED",
    },
    {
      name: "a missing CRL when one is required",
      build: async () => {
        const c = await snpTestCase();
        return { run: () => verifyCase(c, { dangerouslyAllowMissingCrl: false }) };
      },
      wantError: "CRL_MISSING",
    },
    {
      name: "a VCEK signed by a look-alike ASK (same name, other key)",
      build: async () => {
        const pki = await snpTestPki("Milan");
        const fakeRoot = await createRoot("Other", { keyKind: "rsa-pss-384" });
        const fakeAsk = await issue(fakeRoot, "SEV-Milan", { ca: true, keyKind: "rsa-pss-384" });
        const c = await snpTestCase({ vek: { signer: fakeAsk, issuerName: pki.ask.cert.x509.subjectName } });
        return { run: () => verifyCase(c) };
      },
      wantError: "CERT_SIGNATURE_INVALID",
    },
  ];

  for (const t of table) {
    it(t.name, async () => {
      const { run } = await t.build();
      const e = failure(run);
      expect(e.code).toBe(t.wantError);
      expect(e.stage).toBe("verification");
      if (t.wantMessage) expect(e.shortMessage).toBe(t.wantMessage);
    });
  }
});
