/**
 * The DCAP test signer: builds whole Intel-style attestation material — a test
 * "Intel SGX Root CA", PCK Platform/Processor CAs, PCK certificates with SGX
 * extensions, a TCB signing certificate, CRLs, signed TCB Info and QE
 * Identity, and SGX v3 / TDX v4 / v5 quotes signed by an attestation key
 * that a QE report binds — so DCAP failure cases come from real signatures,
 * never from hand-edited bytes. Verifiers take its root via `trustedRoots`.
 */
import "reflect-metadata"; // @peculiar/x509 needs it loaded first
import { createHash, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import type { CollateralSet, SignedIntelJson } from "../../src/collateral/types.ts";
import type { ParsedCrl } from "../../src/pki/x509/certificate.ts";
import type { TrustedRoot } from "../../src/pki/x509/verifyCertificateChain.ts";
import { asTrustedRoot, createCrl, createRoot, generateKeys, issue, signRaw, type CertOptions, type TestCa } from "./testPki.ts";

type CryptoKeyPair = webcrypto.CryptoKeyPair;

// ===== DER for the SGX extensions =====

function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}
function tlv(tag: number, content: Uint8Array | number[]): Uint8Array {
  const c = content instanceof Uint8Array ? [...content] : content;
  return new Uint8Array([tag, ...derLength(c.length), ...c]);
}
function seq(...parts: Uint8Array[]): Uint8Array {
  return tlv(
    0x30,
    parts.flatMap((p) => [...p]),
  );
}
function oid(dotted: string): Uint8Array {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const out = [a! * 40 + b!];
  for (const n of rest) {
    const groups: number[] = [];
    let v = n;
    do {
      groups.unshift(v & 0x7f);
      v = Math.floor(v / 128);
    } while (v > 0);
    out.push(...groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g)));
  }
  return tlv(0x06, out);
}
function int(n: number): Uint8Array {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(0x02, bytes);
}
const octets = (b: Uint8Array) => tlv(0x04, b);
const hexBytes = (h: string) => new Uint8Array(Buffer.from(h, "hex"));

const SGX = "1.2.840.113741.1.13.1";

export interface PckTcb {
  /** 16 SGX TCB component SVNs. */
  components: number[];
  pceSvn: number;
}

export interface PckCertOptions extends PckTcb {
  fmspc: string;
  pceId: string;
  serial?: string;
  notBefore?: Date;
  notAfter?: Date;
  /** Leave the SGX extensions out entirely. */
  omitSgxExtensions?: boolean;
  /** Subject CN (default "Intel SGX PCK Certificate"). */
  name?: string;
  /** Extra certificate options (a CA leaf, an unknown critical extension, ...). */
  certOptions?: CertOptions;
}

/** The SGX extensions value (OID 1.2.840.113741.1.13.1) as Intel's PCK certificates carry it. */
export function sgxExtensionValue(o: PckCertOptions): Uint8Array {
  const tcb = seq(
    ...o.components.map((svn, i) => seq(oid(`${SGX}.2.${i + 1}`), int(svn))),
    seq(oid(`${SGX}.2.17`), int(o.pceSvn)),
    seq(oid(`${SGX}.2.18`), octets(new Uint8Array(o.components))),
  );
  return seq(
    seq(oid(`${SGX}.1`), octets(new Uint8Array(16).fill(0xab))),
    seq(oid(`${SGX}.2`), tcb),
    seq(oid(`${SGX}.3`), octets(hexBytes(o.pceId))),
    seq(oid(`${SGX}.4`), octets(hexBytes(o.fmspc))),
    seq(oid(`${SGX}.5`), tlv(0x0a, [0])),
  );
}

export async function issuePckCertificate(ca: TestCa, o: PckCertOptions): Promise<TestCa> {
  return issue(ca, o.name ?? "Intel SGX PCK Certificate", {
    ...(o.serial ? { serial: o.serial } : {}),
    ...(o.notBefore ? { notBefore: o.notBefore } : {}),
    ...(o.notAfter ? { notAfter: o.notAfter } : {}),
    ...o.certOptions,
    extensions: [
      ...(o.omitSgxExtensions ? [] : [new x509.Extension(SGX, false, sgxExtensionValue(o))]),
      ...(o.certOptions?.extensions ?? []),
    ],
  });
}

// ===== Intel PKI =====

export interface IntelTestPki {
  root: TestCa;
  platformCa: TestCa;
  processorCa: TestCa;
  tcbSigning: TestCa;
  roots: TrustedRoot[];
}

export async function createIntelTestPki(
  options: { tcbSigningNotAfter?: Date; rootOptions?: CertOptions; platformCaOptions?: CertOptions } = {},
): Promise<IntelTestPki> {
  const root = await createRoot("Intel SGX Root CA", options.rootOptions);
  const platformCa = await issue(root, "Intel SGX PCK Platform CA", { ca: true, ...options.platformCaOptions });
  const processorCa = await issue(root, "Intel SGX PCK Processor CA", { ca: true });
  const tcbSigning = await issue(root, "Intel SGX TCB Signing", options.tcbSigningNotAfter ? { notAfter: options.tcbSigningNotAfter } : {});
  return { root, platformCa, processorCa, tcbSigning, roots: [asTrustedRoot(root)] };
}

/** Signs a TCB Info or QE Identity the way PCS serves it: ECDSA P-256 (r‖s) over the exact inner JSON bytes. */
export async function signIntelJson(
  signer: TestCa,
  type: "tcbInfo" | "enclaveIdentity",
  value: unknown,
  issuerChain: TestCa[] = [],
): Promise<SignedIntelJson> {
  const body = new Uint8Array(Buffer.from(JSON.stringify(value), "utf8"));
  return { type, body, value, signature: await signRaw(signer.keys, "p256", body), issuerChain: issuerChain.map((c) => c.cert) };
}

// ===== Quotes =====

export interface EnclaveReportFields {
  cpuSvn?: Uint8Array;
  miscSelect?: number;
  attributes?: Uint8Array;
  mrEnclave?: Uint8Array;
  mrSigner?: Uint8Array;
  isvProdId?: number;
  isvSvn?: number;
  reportData?: Uint8Array;
}

export function enclaveReportBytes(f: EnclaveReportFields): Uint8Array {
  const out = new Uint8Array(384);
  const v = new DataView(out.buffer);
  if (f.cpuSvn) out.set(f.cpuSvn, 0);
  v.setUint32(16, f.miscSelect ?? 0, true);
  out.set(f.attributes ?? hexBytes("0500000000000000e700000000000000"), 48);
  out.set(f.mrEnclave ?? new Uint8Array(32).fill(0x11), 64);
  out.set(f.mrSigner ?? new Uint8Array(32).fill(0x22), 128);
  v.setUint16(256, f.isvProdId ?? 0, true);
  v.setUint16(258, f.isvSvn ?? 0, true);
  out.set(f.reportData ?? new Uint8Array(64), 320);
  return out;
}

export interface TdReportFields {
  teeTcbSvn?: Uint8Array;
  mrSignerSeam?: Uint8Array;
  seamAttributes?: Uint8Array;
  tdAttributes?: Uint8Array;
  mrTd?: Uint8Array;
  mrConfigId?: Uint8Array;
  mrOwner?: Uint8Array;
  mrOwnerConfig?: Uint8Array;
  xfam?: Uint8Array;
  rtmr?: Uint8Array[];
  reportData?: Uint8Array;
  /** TD 1.5 body (648 bytes) with TEE_TCB_SVN2 and MRSERVICETD. */
  td15?: boolean;
}

export function tdReportBytes(f: TdReportFields): Uint8Array {
  const out = new Uint8Array(f.td15 ? 648 : 584);
  out.set(f.teeTcbSvn ?? hexBytes("03010300000000000000000000000000"), 0);
  out.set(new Uint8Array(48).fill(0x5e), 16); // MRSEAM
  if (f.mrSignerSeam) out.set(f.mrSignerSeam, 64);
  if (f.seamAttributes) out.set(f.seamAttributes, 112);
  out.set(f.tdAttributes ?? hexBytes("0000001000000000"), 120);
  out.set(f.xfam ?? hexBytes("e702060000000000"), 128);
  out.set(f.mrTd ?? new Uint8Array(48).fill(0x33), 136);
  if (f.mrConfigId) out.set(f.mrConfigId, 184);
  if (f.mrOwner) out.set(f.mrOwner, 232);
  if (f.mrOwnerConfig) out.set(f.mrOwnerConfig, 280);
  (f.rtmr ?? [0x40, 0x41, 0x42, 0x43].map((b) => new Uint8Array(48).fill(b))).forEach((r, i) => out.set(r, 328 + 48 * i));
  out.set(f.reportData ?? new Uint8Array(64).fill(0x77), 520);
  if (f.td15) out.set(hexBytes("03010300000000000000000000000000"), 584);
  return out;
}

export interface QuoteOptions {
  tee: "sgx" | "tdx";
  /** 3 for SGX; 4 (default) or 5 for TDX. */
  version?: number;
  pckLeaf: TestCa;
  /** The certificates to put in the certification data, leaf first. */
  pckChain: TestCa[];
  sgxBody?: EnclaveReportFields;
  tdBody?: TdReportFields;
  qeReport?: EnclaveReportFields;
  qeAuthData?: Uint8Array;
  /** Zero bytes appended after the signature data. */
  padding?: number;
  /** Sign the quote with this key instead of the attestation key the QE report binds. */
  quoteSigningKeys?: CryptoKeyPair;
}

export interface BuiltQuote {
  bytes: Uint8Array;
  attestationKeys: CryptoKeyPair;
}

function u16(n: number): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, n, true);
  return b;
}
function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}
function cat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** Builds and signs a quote the way a QE does: QE report by the PCK key, quote by the attestation key. */
export async function buildQuote(o: QuoteOptions): Promise<BuiltQuote> {
  const version = o.version ?? (o.tee === "sgx" ? 3 : 4);
  const attestationKeys = await generateKeys("p256");
  const rawKey = new Uint8Array(await webcrypto.subtle.exportKey("raw", attestationKeys.publicKey)).subarray(1);
  const qeAuthData = o.qeAuthData ?? new Uint8Array(32).map((_, i) => i);
  const binding = createHash("sha256").update(rawKey).update(qeAuthData).digest();
  const qeReport = enclaveReportBytes({
    attributes: hexBytes("1500000000000000e700000000000000"),
    mrEnclave: new Uint8Array(32).fill(0x9e),
    mrSigner: hexBytes("8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff"),
    isvProdId: o.tee === "sgx" ? 1 : 2,
    isvSvn: 8,
    reportData: cat(binding, new Uint8Array(32)),
    ...o.qeReport,
  });
  const qeReportSignature = await signRaw(o.pckLeaf.keys, "p256", qeReport);
  // Intel's layout: the PEM blocks back to back, each ending in "\n", then a NUL (see parsePckChainData).
  const pem = new Uint8Array(Buffer.from(o.pckChain.map((c) => `${c.cert.x509.toString("pem")}\n`).join("") + "\0", "latin1"));
  const header = cat(
    u16(version),
    u16(2),
    u32(o.tee === "sgx" ? 0 : 0x81),
    u16(o.tee === "sgx" ? 8 : 0),
    u16(o.tee === "sgx" ? 13 : 0),
    hexBytes("939a7233f79c4ca9940a0db3957f0607"),
    new Uint8Array(20),
  );
  let signed: Uint8Array;
  if (o.tee === "sgx") signed = cat(header, enclaveReportBytes(o.sgxBody ?? {}));
  else {
    const body = tdReportBytes(o.tdBody ?? {});
    signed = version === 5 ? cat(header, u16(o.tdBody?.td15 ? 3 : 2), u32(body.length), body) : cat(header, body);
  }
  const quoteSignature = await signRaw(o.quoteSigningKeys?.privateKey ? o.quoteSigningKeys : attestationKeys, "p256", signed);
  const qeCert = cat(qeReport, qeReportSignature, u16(qeAuthData.length), qeAuthData, u16(5), u32(pem.length), pem);
  const sigData = version === 3 ? cat(quoteSignature, rawKey, qeCert) : cat(quoteSignature, rawKey, u16(6), u32(qeCert.length), qeCert);
  return { bytes: cat(signed, u32(sigData.length), sigData, new Uint8Array(o.padding ?? 0)), attestationKeys };
}

// ===== Collateral =====

export const DEFAULT_FMSPC = "00906ed50000";
export const DEFAULT_PCE_ID = "0000";
export const DEFAULT_TCB: PckTcb = { components: [5, 5, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0], pceSvn: 13 };

export interface TcbLevelSpec {
  components: number[];
  pceSvn: number;
  tdxComponents?: number[];
  status: string;
  tcbDate?: string;
  advisoryIDs?: string[];
}

export function tcbInfoValue(o: {
  id: "SGX" | "TDX";
  fmspc?: string;
  pceId?: string;
  issueDate: Date;
  nextUpdate: Date;
  levels: TcbLevelSpec[];
  tdxModuleIdentities?: unknown[];
  version?: number;
}): Record<string, unknown> {
  return {
    id: o.id,
    version: o.version ?? 3,
    issueDate: o.issueDate.toISOString().replace(".000", ""),
    nextUpdate: o.nextUpdate.toISOString().replace(".000", ""),
    fmspc: (o.fmspc ?? DEFAULT_FMSPC).toUpperCase(),
    pceId: o.pceId ?? DEFAULT_PCE_ID,
    tcbType: 0,
    tcbEvaluationDataNumber: 17,
    ...(o.id === "TDX"
      ? {
          tdxModule: { mrsigner: "00".repeat(48), attributes: "0000000000000000", attributesMask: "FFFFFFFFFFFFFFFF" },
          tdxModuleIdentities: o.tdxModuleIdentities ?? [
            {
              id: "TDX_01",
              mrsigner: "00".repeat(48),
              attributes: "0000000000000000",
              attributesMask: "FFFFFFFFFFFFFFFF",
              tcbLevels: [
                { tcb: { isvsvn: 3 }, tcbDate: "2024-03-13T00:00:00Z", tcbStatus: "UpToDate" },
                { tcb: { isvsvn: 2 }, tcbDate: "2023-08-09T00:00:00Z", tcbStatus: "OutOfDate", advisoryIDs: ["INTEL-SA-MODULE"] },
              ],
            },
          ],
        }
      : {}),
    tcbLevels: o.levels.map((l) => ({
      tcb: {
        sgxtcbcomponents: l.components.map((svn) => ({ svn })),
        pcesvn: l.pceSvn,
        ...(l.tdxComponents ? { tdxtcbcomponents: l.tdxComponents.map((svn) => ({ svn })) } : {}),
      },
      tcbDate: l.tcbDate ?? "2024-03-13T00:00:00Z",
      tcbStatus: l.status,
      ...(l.advisoryIDs ? { advisoryIDs: l.advisoryIDs } : {}),
    })),
  };
}

export function qeIdentityValue(o: {
  id: "QE" | "TD_QE";
  issueDate: Date;
  nextUpdate: Date;
  levels?: Array<{ isvsvn: number; status: string; advisoryIDs?: string[] }>;
  mrsigner?: string;
  isvprodid?: number;
  version?: number;
}): Record<string, unknown> {
  return {
    id: o.id,
    version: o.version ?? 2,
    issueDate: o.issueDate.toISOString().replace(".000", ""),
    nextUpdate: o.nextUpdate.toISOString().replace(".000", ""),
    tcbEvaluationDataNumber: 17,
    miscselect: "00000000",
    miscselectMask: "FFFFFFFF",
    attributes: "11000000000000000000000000000000",
    attributesMask: "FBFFFFFFFFFFFFFF0000000000000000",
    mrsigner: (o.mrsigner ?? "8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff").toUpperCase(),
    isvprodid: o.isvprodid ?? (o.id === "QE" ? 1 : 2),
    tcbLevels: (
      o.levels ?? [
        { isvsvn: 8, status: "UpToDate" },
        { isvsvn: 6, status: "OutOfDate", advisoryIDs: ["INTEL-SA-QE"] },
      ]
    ).map((l) => ({
      tcb: { isvsvn: l.isvsvn },
      tcbDate: "2024-03-13T00:00:00Z",
      tcbStatus: l.status,
      ...(l.advisoryIDs ? { advisoryIDs: l.advisoryIDs } : {}),
    })),
  };
}

// ===== Whole scenarios =====

export const SCENARIO_AT = new Date("2025-06-01T00:00:00Z");
const ISSUE = new Date("2025-05-15T00:00:00Z");
const NEXT = new Date("2025-06-14T00:00:00Z");

export interface ScenarioOptions {
  tee: "sgx" | "tdx";
  version?: number;
  pki?: IntelTestPki;
  pck?: Partial<PckCertOptions>;
  pckCa?: "platform" | "processor";
  levels?: TcbLevelSpec[];
  tcbInfo?: Partial<Parameters<typeof tcbInfoValue>[0]>;
  qeIdentity?: Partial<Parameters<typeof qeIdentityValue>[0]>;
  quote?: Partial<QuoteOptions>;
  revokedPckSerials?: string[];
  crlNextUpdate?: Date;
  /** Sign TCB Info / QE Identity with this certificate instead of the TCB signing one. */
  collateralSigner?: TestCa;
}

export interface Scenario {
  quote: Uint8Array;
  collateral: CollateralSet;
  roots: TrustedRoot[];
  at: Date;
  pki: IntelTestPki;
  pckLeaf: TestCa;
  pckCrl: ParsedCrl;
  rootCrl: ParsedCrl;
  tcbInfo: SignedIntelJson;
  qeIdentity: SignedIntelJson;
}

export function defaultLevels(tee: "sgx" | "tdx"): TcbLevelSpec[] {
  const tdx = (svn: number[]) => (tee === "tdx" ? { tdxComponents: [...svn, ...new Array(16 - svn.length).fill(0)] } : {});
  return [
    { components: [5, 5, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0], pceSvn: 13, ...tdx([3, 1, 3]), status: "UpToDate" },
    {
      components: [4, 4, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0],
      pceSvn: 13,
      ...tdx([2, 1, 2]),
      status: "SWHardeningNeeded",
      advisoryIDs: ["INTEL-SA-00615"],
    },
    {
      components: [3, 3, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0],
      pceSvn: 11,
      ...tdx([0, 0, 0]),
      status: "OutOfDate",
      advisoryIDs: ["INTEL-SA-00289", "INTEL-SA-00615"],
    },
    {
      components: [2, 2, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0],
      pceSvn: 9,
      ...tdx([0, 0, 0]),
      status: "Revoked",
      advisoryIDs: ["INTEL-SA-00001"],
    },
  ];
}

/** A complete, valid quote with its collateral; every option bends one thing so a test can break exactly that. */
export async function buildScenario(o: ScenarioOptions): Promise<Scenario> {
  const pki = o.pki ?? (await createIntelTestPki());
  const ca = (o.pckCa ?? "platform") === "platform" ? pki.platformCa : pki.processorCa;
  const pckLeaf = await issuePckCertificate(ca, { fmspc: DEFAULT_FMSPC, pceId: DEFAULT_PCE_ID, ...DEFAULT_TCB, ...o.pck });
  const built = await buildQuote({
    tee: o.tee,
    ...(o.version !== undefined ? { version: o.version } : {}),
    pckLeaf,
    pckChain: [pckLeaf, ca, pki.root],
    ...o.quote,
  });
  const crlDates = { thisUpdate: new Date("2025-05-20T00:00:00Z"), nextUpdate: o.crlNextUpdate ?? new Date("2025-06-20T00:00:00Z") };
  const pckCrl = await createCrl(ca, o.revokedPckSerials ?? ["0fffff"], crlDates);
  const rootCrl = await createCrl(pki.root, [], crlDates);
  const signer = o.collateralSigner ?? pki.tcbSigning;
  const tcbInfo = await signIntelJson(
    signer,
    "tcbInfo",
    tcbInfoValue({
      id: o.tee === "sgx" ? "SGX" : "TDX",
      issueDate: ISSUE,
      nextUpdate: NEXT,
      levels: o.levels ?? defaultLevels(o.tee),
      ...o.tcbInfo,
    }),
    [signer, pki.root],
  );
  const qeIdentity = await signIntelJson(
    signer,
    "enclaveIdentity",
    qeIdentityValue({ id: o.tee === "sgx" ? "QE" : "TD_QE", issueDate: ISSUE, nextUpdate: NEXT, ...o.qeIdentity }),
    [signer, pki.root],
  );
  return {
    quote: built.bytes,
    collateral: { certificates: [], crls: [pckCrl, rootCrl], intelDocuments: [tcbInfo, qeIdentity] },
    roots: pki.roots,
    at: SCENARIO_AT,
    pki,
    pckLeaf,
    pckCrl,
    rootCrl,
    tcbInfo,
    qeIdentity,
  };
}
