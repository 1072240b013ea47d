/**
 * The SEV-SNP test signer: an AMD-shaped PKI (ARK and ASK/ASVK with RSA-PSS,
 * VCEK/VLEK with P-384 and AMD's KDS extensions) and attestation reports
 * signed by it — versions 2, 3 and 5, Milan/Genoa and Turin TCB layouts,
 * VCEK and VLEK. It builds the cases no public vector covers. The report
 * layout is written out here independently of the parser, so a mistake in one
 * is caught by the other. Verifiers take these roots through `trustedRoots`.
 */
import { randomBytes, webcrypto } from "node:crypto";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { parseCertificate, type ParsedCertificate } from "../../src/pki/x509/certificate.ts";
import type { TrustedRoot } from "../../src/pki/x509/verifyCertificateChain.ts";
import type { AmdProductLine } from "../../src/pki/roots.ts";
import { asTrustedRoot, createRoot, generateKeys, issue, signRaw, type TestCa } from "./testPki.ts";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKeyPair = webcrypto.CryptoKeyPair;

const RSA_PSS_SHA384 = { name: "RSA-PSS", hash: "SHA-384", saltLength: 48 } as webcrypto.Algorithm;

/** CPUID family/model/stepping of one shipping part per product line. */
export const SNP_TEST_CPUID: Record<AmdProductLine, { family: number; model: number; stepping: number }> = {
  Milan: { family: 0x19, model: 0x01, stepping: 1 },
  Genoa: { family: 0x19, model: 0x11, stepping: 1 },
  Turin: { family: 0x1a, model: 0x02, stepping: 0 },
};

/** TCB components; `fmc` is Turin's; `reserved` fills the reserved bytes in order. */
export interface TestTcb {
  bootloader: number;
  tee: number;
  snp: number;
  microcode: number;
  fmc?: number;
  reserved?: number[];
}

/** TCB_VERSION bytes: Milan/Genoa bl,tee,r,r,r,r,snp,ucode; Turin fmc,bl,tee,snp,r,r,r,ucode. */
export function testTcbBytes(productLine: AmdProductLine, t: TestTcb): Uint8Array {
  const r = t.reserved ?? [];
  if (productLine === "Turin") return Uint8Array.of(t.fmc ?? 0, t.bootloader, t.tee, t.snp, r[0] ?? 0, r[1] ?? 0, r[2] ?? 0, t.microcode);
  return Uint8Array.of(t.bootloader, t.tee, r[0] ?? 0, r[1] ?? 0, r[2] ?? 0, r[3] ?? 0, t.snp, t.microcode);
}

export const DEFAULT_TEST_TCB: Record<AmdProductLine, TestTcb> = {
  Milan: { bootloader: 3, tee: 0, snp: 22, microcode: 213 },
  Genoa: { bootloader: 9, tee: 0, snp: 23, microcode: 84 },
  Turin: { fmc: 1, bootloader: 2, tee: 3, snp: 4, microcode: 72 },
};

/** Every field of a report; what is left out gets a plausible value. */
export interface SnpReportFields {
  version: number;
  guestSvn: number;
  policy: bigint;
  familyId: Uint8Array;
  imageId: Uint8Array;
  vmpl: number;
  signatureAlgo: number;
  currentTcb: Uint8Array;
  platformInfo: bigint;
  /** KEY_INFO as a raw u32 (bit 0 AUTHOR_KEY_EN, bit 1 MASK_CHIP_KEY, bits 2..4 SIGNING_KEY). */
  keyInfo: number;
  reportData: Uint8Array;
  measurement: Uint8Array;
  hostData: Uint8Array;
  idKeyDigest: Uint8Array;
  authorKeyDigest: Uint8Array;
  reportId: Uint8Array;
  reportIdMa: Uint8Array;
  reportedTcb: Uint8Array;
  /** Written for versions ≥ 3 only. */
  cpuid: { family: number; model: number; stepping: number };
  chipId: Uint8Array;
  committedTcb: Uint8Array;
  currentVersion: { major: number; minor: number; build: number };
  committedVersion: { major: number; minor: number; build: number };
  launchTcb: Uint8Array;
  /** Written for version 5 only. */
  launchMitigationVector: bigint;
  currentMitigationVector: bigint;
}

/** A chip id as the product line has it: 64 random bytes, or 8 then zeros on Turin. */
export function testChipId(productLine: AmdProductLine): Uint8Array {
  const id = new Uint8Array(64);
  id.set(randomBytes(productLine === "Turin" ? 8 : 64));
  return id;
}

export function defaultReportFields(productLine: AmdProductLine, signingKey: "vcek" | "vlek" = "vcek"): SnpReportFields {
  const tcb = testTcbBytes(productLine, DEFAULT_TEST_TCB[productLine]);
  return {
    version: 3,
    guestSvn: 1,
    policy: 0x30000n,
    familyId: new Uint8Array(16).fill(0x11),
    imageId: new Uint8Array(16).fill(0x22),
    vmpl: 0,
    signatureAlgo: 1,
    currentTcb: tcb,
    platformInfo: 0x25n,
    keyInfo: signingKey === "vlek" ? 1 << 2 : 0,
    reportData: new Uint8Array(randomBytes(64)),
    measurement: new Uint8Array(randomBytes(48)),
    hostData: new Uint8Array(randomBytes(32)),
    idKeyDigest: new Uint8Array(48),
    authorKeyDigest: new Uint8Array(48),
    reportId: new Uint8Array(randomBytes(32)),
    reportIdMa: new Uint8Array(32).fill(0xff),
    reportedTcb: tcb,
    cpuid: SNP_TEST_CPUID[productLine],
    chipId: testChipId(productLine),
    committedTcb: tcb,
    currentVersion: { major: 1, minor: 55, build: 29 },
    committedVersion: { major: 1, minor: 55, build: 29 },
    launchTcb: tcb,
    launchMitigationVector: 0x3n,
    currentMitigationVector: 0x7n,
  };
}

/** Lays the fields out as an unsigned 1184-byte report (signature area zero). */
export function buildSnpReport(f: SnpReportFields): Uint8Array {
  const out = new Uint8Array(0x4a0);
  const view = new DataView(out.buffer);
  view.setUint32(0x000, f.version, true);
  view.setUint32(0x004, f.guestSvn, true);
  view.setBigUint64(0x008, f.policy, true);
  out.set(f.familyId, 0x010);
  out.set(f.imageId, 0x020);
  view.setUint32(0x030, f.vmpl, true);
  view.setUint32(0x034, f.signatureAlgo, true);
  out.set(f.currentTcb, 0x038);
  view.setBigUint64(0x040, f.platformInfo, true);
  view.setUint32(0x048, f.keyInfo, true);
  out.set(f.reportData, 0x050);
  out.set(f.measurement, 0x090);
  out.set(f.hostData, 0x0c0);
  out.set(f.idKeyDigest, 0x0e0);
  out.set(f.authorKeyDigest, 0x110);
  out.set(f.reportId, 0x140);
  out.set(f.reportIdMa, 0x160);
  out.set(f.reportedTcb, 0x180);
  if (f.version >= 3) out.set([f.cpuid.family, f.cpuid.model, f.cpuid.stepping], 0x188);
  out.set(f.chipId, 0x1a0);
  out.set(f.committedTcb, 0x1e0);
  out.set([f.currentVersion.build, f.currentVersion.minor, f.currentVersion.major], 0x1e8);
  out.set([f.committedVersion.build, f.committedVersion.minor, f.committedVersion.major], 0x1ec);
  out.set(f.launchTcb, 0x1f0);
  if (f.version >= 5) {
    view.setBigUint64(0x1f8, f.launchMitigationVector, true);
    view.setBigUint64(0x200, f.currentMitigationVector, true);
  }
  return out;
}

/** Signs bytes 0x000..0x29F with a P-384 key and writes R and S as 72-byte little-endian values. */
export async function signSnpReport(report: Uint8Array, keys: CryptoKeyPair): Promise<Uint8Array> {
  const out = report.slice();
  const sig = await signRaw(keys, "p384", out.subarray(0, 0x2a0)); // r‖s, 48 bytes each, big-endian
  out.fill(0, 0x2a0);
  out.set(sig.slice(0, 48).reverse(), 0x2a0);
  out.set(sig.slice(48, 96).reverse(), 0x2e8);
  return out;
}

/** One product line's AMD-shaped test PKI. */
export interface SnpTestPki {
  productLine: AmdProductLine;
  ark: TestCa;
  /** "SEV-<product>", issues VCEKs. */
  ask: TestCa;
  /** "SEV-VLEK-<product>", issues VLEKs. */
  asvk: TestCa;
  root: TrustedRoot;
}

const pkiCache = new Map<string, Promise<SnpTestPki>>();

/** The ARK (CN "ARK-<product>") and its ASK and ASVK, RSA-PSS/SHA-384 like AMD's. Memoized per product line. */
export function snpTestPki(productLine: AmdProductLine): Promise<SnpTestPki> {
  let hit = pkiCache.get(productLine);
  if (!hit) {
    hit = (async () => {
      const ark = await createRoot(`ARK-${productLine}`, { keyKind: "rsa-pss-384" });
      const ask = await issue(ark, `SEV-${productLine}`, { ca: true, keyKind: "rsa-pss-384" });
      const asvk = await issue(ark, `SEV-VLEK-${productLine}`, { ca: true, keyKind: "rsa-pss-384" });
      return { productLine, ark, ask, asvk, root: asTrustedRoot(ark) };
    })();
    pkiCache.set(productLine, hit);
  }
  return hit;
}

const AMD = "1.3.6.1.4.1.3704.1";

function derInteger(n: number): Uint8Array {
  return n < 0x80 ? Uint8Array.of(0x02, 0x01, n) : Uint8Array.of(0x02, 0x02, 0x00, n);
}

function derIa5(s: string): Uint8Array {
  return Uint8Array.of(0x16, s.length, ...Buffer.from(s, "ascii"));
}

export interface TestVekOptions {
  productLine: AmdProductLine;
  kind: "vcek" | "vlek";
  /** The TCB the certificate is issued for (KDS extensions). */
  tcb: TestTcb;
  /** VCEK only: the hwID extension (default: the right form of `chipId`). */
  hwId?: Uint8Array;
  chipId?: Uint8Array;
  /** VLEK only. */
  cspId?: string;
  productName?: string;
  /** Reserved SPL extensions .3.4–.3.7 to add, by number. */
  spl?: Partial<Record<4 | 5 | 6 | 7, number>>;
  /** Extension OIDs (under 1.3.6.1.4.1.3704.1) to leave out, e.g. "3.8". */
  omit?: string[];
  /** Extension values to write as these raw bytes instead, by OID suffix, e.g. { "3.3": non-minimal INTEGER }. */
  raw?: Record<string, Uint8Array>;
  notBefore?: Date;
  notAfter?: Date;
  /** Who signs the certificate (default: the PKI's ASK or ASVK). */
  signer?: TestCa;
  /** The issuer name written into the certificate (default: the signer's subject). */
  issuerName?: x509.Name;
  /** The certified key (default: a fresh P-384 key). */
  keys?: CryptoKeyPair;
  /** Sign the certificate with ECDSA P-384 instead of RSA-PSS (for a VEK whose signer is a P-384 key). */
  keyKind?: "p384" | "p256";
}

/** A VCEK or VLEK with AMD's KDS extensions, issued by the test ASK/ASVK. */
export async function issueTestVek(pki: SnpTestPki, o: TestVekOptions): Promise<TestCa> {
  const signer = o.signer ?? (o.kind === "vlek" ? pki.asvk : pki.ask);
  const keys = o.keys ?? (await generateKeys(o.keyKind ?? "p384"));
  const turin = o.productLine === "Turin";
  const ext = new Map<string, Uint8Array>();
  ext.set("1", derInteger(turin ? 1 : 0));
  ext.set("2", derIa5(o.productName ?? (turin ? "Turin" : `${o.productLine}-B1`)));
  if (turin) ext.set("3.9", derInteger(o.tcb.fmc ?? 0));
  ext.set("3.1", derInteger(o.tcb.bootloader));
  ext.set("3.2", derInteger(o.tcb.tee));
  ext.set("3.3", derInteger(o.tcb.snp));
  for (const [n, v] of Object.entries(o.spl ?? {})) ext.set(`3.${n}`, derInteger(v));
  ext.set("3.8", derInteger(o.tcb.microcode));
  if (o.kind === "vcek") {
    const chip = o.chipId ?? new Uint8Array(64);
    ext.set("4", o.hwId ?? (turin ? chip.slice(0, 8) : chip.slice()));
  } else {
    ext.set("5", derIa5(o.cspId ?? "keepledger-test-csp"));
  }
  for (const k of o.omit ?? []) ext.delete(k);
  for (const [k, v] of Object.entries(o.raw ?? {})) ext.set(k, v);
  const signerKind = signer.keyKind;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: "00",
    subject: o.kind === "vlek" ? "CN=SEV-VLEK" : "CN=SEV-VCEK",
    issuer: o.issuerName ?? signer.cert.x509.subjectName,
    notBefore: o.notBefore ?? new Date(Date.UTC(2024, 0, 1)),
    notAfter: o.notAfter ?? new Date(Date.UTC(2031, 0, 1)),
    publicKey: keys.publicKey,
    signingKey: signer.keys.privateKey,
    signingAlgorithm: signerKind === "rsa-pss-384" ? RSA_PSS_SHA384 : ({ name: "ECDSA", hash: "SHA-384" } as webcrypto.EcdsaParams),
    extensions: [...ext].map(([oid, value]) => new x509.Extension(`${AMD}.${oid}`, false, value)),
  });
  return {
    name: o.kind === "vlek" ? "SEV-VLEK" : "SEV-VCEK",
    keys,
    keyKind: o.keyKind ?? "p384",
    cert: parseCertificate(new Uint8Array(cert.rawData)),
  };
}

/** A VEK for a report built from `fields`: its chip id, its signing key kind, the default TCB. */
export function generateTestVekFor(pki: SnpTestPki, fields: SnpReportFields, o: Partial<TestVekOptions> = {}): Promise<TestCa> {
  const kind = ((fields.keyInfo >>> 2) & 7) === 1 ? "vlek" : "vcek";
  return issueTestVek(pki, { productLine: pki.productLine, kind, tcb: DEFAULT_TEST_TCB[pki.productLine], chipId: fields.chipId, ...o });
}

export interface SnpTestCaseOptions {
  productLine?: AmdProductLine;
  version?: 2 | 3 | 5;
  signingKey?: "vcek" | "vlek";
  /** Changes to the report fields before signing. */
  fields?: Partial<SnpReportFields>;
  /** Changes to the VEK certificate. */
  vek?: Partial<TestVekOptions>;
  /** Sign the report with this key instead of the VEK's. */
  signWith?: CryptoKeyPair;
}

export interface SnpTestCase {
  report: Uint8Array;
  fields: SnpReportFields;
  pki: SnpTestPki;
  vek: TestCa;
  /** VEK, then the ASK/ASVK (the ARK is never needed: it is the trusted root). */
  certificates: ParsedCertificate[];
  trustedRoots: TrustedRoot[];
}

/** A signed report with a matching VEK chain; options bend one thing at a time. */
export async function snpTestCase(o: SnpTestCaseOptions = {}): Promise<SnpTestCase> {
  const productLine = o.productLine ?? "Milan";
  const signingKey = o.signingKey ?? "vcek";
  const pki = await snpTestPki(productLine);
  const fields: SnpReportFields = { ...defaultReportFields(productLine, signingKey), version: o.version ?? 3, ...o.fields };
  const vek = await issueTestVek(pki, {
    productLine,
    kind: signingKey,
    tcb: DEFAULT_TEST_TCB[productLine],
    chipId: fields.chipId,
    ...o.vek,
  });
  const report = await signSnpReport(buildSnpReport(fields), o.signWith ?? vek.keys);
  const intermediate = vek.cert.issuer === pki.asvk.cert.subject ? pki.asvk : pki.ask;
  return { report, fields, pki, vek, certificates: [vek.cert, intermediate.cert], trustedRoots: [pki.root] };
}
