import "reflect-metadata"; // @peculiar/x509 relies on it (tsyringe); must load first
import { bufferView, bytesView, sameBytes } from "../../util/bufferView.ts";
import type { BoundedCache } from "../../util/boundedCache.ts";
import type { PkiCaches } from "./pkiCaches.ts";
import { type KeyObject, hash } from "node:crypto";
import { importSpki } from "../keyImport.ts";
import { X509Certificate, X509Crl } from "@peculiar/x509";
import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { X509_CODES } from "./codes.ts";
import { bytesEqual } from "@keepledger/sdk/internal/util/bytes";
import {
  DER,
  checkBitString,
  checkMinimalInteger,
  childrenOf,
  childrenUpTo,
  decodeBoolean,
  derFail,
  expectTag,
  readOid,
  readSingle,
  readSmallInteger,
  type Tlv,
} from "./der.ts";
import { parseTime, renderName, timeMillis, timeMillisAt } from "./names.ts";
import { parseSignatureAlgorithm, type SignatureAlgorithm } from "./signatureAlgorithm.ts";

/** A certificate parsed once, with the exact signed bytes kept for node:crypto. */
export interface ParsedCertificate {
  der: Uint8Array;
  /** Lowercase hex SHA-256 of the DER encoding: how roots are pinned. */
  fingerprint: string;
  /** The full @peculiar/x509 object, built on first access (slow: ~0.6 ms). */
  readonly x509: X509Certificate;
  /** Every extension as encoded, in order. */
  extensions: readonly CertificateExtension[];
  /** keyUsage flags (see KEY_USAGE), null when the extension is absent. */
  keyUsage: number | null;
  /** The exact tbsCertificate bytes the issuer signed. */
  tbs: Uint8Array;
  signatureAlgorithm: SignatureAlgorithm;
  /** The signature as it appears in the certificate (DER for ECDSA). */
  signature: Uint8Array;
  /** SubjectPublicKeyInfo DER. */
  spki: Uint8Array;
  /**
   * The key, imported into OpenSSL on first use: a certificate whose key is never used (a collateral copy of a
   * pinned root, whose pinned object is what verifies) costs no import. The SPKI's structure is checked at
   * parse; a key OpenSSL refuses (e.g. a point off its curve) throws EvidenceFormatError CERT_MALFORMED here.
   */
  readonly publicKey: KeyObject;
  subject: string;
  issuer: string;
  /** Lowercase hex serial without leading zeros. */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  isCa: boolean;
  /** basicConstraints pathLenConstraint: how many CA certificates may follow below this one; null when unlimited. */
  pathLenConstraint: number | null;
  /** keyUsage is present and allows keyCertSign (RFC 5280 §4.2.1.3: a CA's certificate must carry keyUsage). */
  canSignCertificates: boolean;
  /** keyUsage allows cRLSign (true when the extension is absent). */
  canSignCrls: boolean;
}

export interface ParsedCrl {
  der: Uint8Array;
  /** Lowercase hex SHA-256 of the DER encoding. */
  fingerprint: string;
  /** The full @peculiar/x509 object, built on first access. */
  readonly x509: X509Crl;
  tbs: Uint8Array;
  signatureAlgorithm: SignatureAlgorithm;
  signature: Uint8Array;
  issuer: string;
  thisUpdate: Date;
  nextUpdate: Date | undefined;
  /** Revoked serials, lowercase hex without leading zeros. */
  revokedSerials: ReadonlySet<string>;
  /** crlExtensions as encoded (empty for a CRL without them), e.g. the cRLNumber the collateral floor compares. */
  extensions: readonly CertificateExtension[];
}

function sha256Hex(bytes: Uint8Array): string {
  return hash("sha256", bytes, "hex");
}

function remember<T>(cache: BoundedCache<string, T> | undefined, key: string, value: T): T {
  return cache ? cache.set(key, value) : value;
}

export function normalizeSerial(hex: string): string {
  const s = hex.toLowerCase().replace(/^0x/, "").replace(/^0+/, "");
  return s === "" ? "0" : s;
}

/**
 * An INTEGER's contents (`value[start, end)`) as a serial: the same text as `normalizeSerial` of their hex
 * (lowercase, no leading zeros, "0" for zero), made by hex-encoding the octets after the leading zero octets in
 * place and dropping one leading zero digit — no copy, no whole hex string to trim, no pattern. A CRL holds one
 * per revoked certificate (a 500-entry CRL: 450 → 175 µs with the in-place entry reader below).
 */
export function serialOf(value: Uint8Array, start = 0, end = value.length): string {
  let i = start;
  while (i < end && value[i] === 0) i++;
  if (i === end) return "0";
  const hex = Buffer.from(value.buffer, value.byteOffset + i, end - i).toString("hex");
  return hex.charCodeAt(0) === 0x30 ? hex.slice(1) : hex;
}

/**
 * The serials of a CRL's revokedCertificates, read in place from the list's contents `d` when every entry has
 * the shape CAs write — SEQUENCE { INTEGER, Time, and in a v2 CRL optionally an extensions SEQUENCE }, every
 * length in the short form — or undefined, and revokedSerialsByElement reads (and refuses) them. It accepts
 * nothing that reader refuses and yields the same serials (tested on mutated CRLs); it spares the ~4 element
 * objects, the array and the 2 views per entry that reader makes (a PCK CRL lists tens to hundreds).
 * Every entry is checked here; no serial is made into text until one is asked for (SerialsInPlace).
 */
export function revokedSerialsInPlace(d: Uint8Array, v2: boolean): ReadonlySet<string> | undefined {
  for (let o = 0; o < d.length; ) {
    // The entry: SEQUENCE, short-form length, within the list.
    if (o + 2 > d.length || d[o] !== DER.SEQUENCE || d[o + 1]! >= 0x80) return undefined;
    const end = o + 2 + d[o + 1]!;
    if (end > d.length) return undefined;
    // userCertificate: a minimal INTEGER.
    let p = o + 2;
    if (p + 2 > end || d[p] !== DER.INTEGER) return undefined;
    const serialLength = d[p + 1]!;
    const serial = p + 2;
    if (serialLength === 0 || serialLength >= 0x80 || serial + serialLength > end) return undefined;
    if (serialLength > 1 && ((d[serial] === 0x00 && d[serial + 1]! < 0x80) || (d[serial] === 0xff && d[serial + 1]! >= 0x80)))
      return undefined;
    p = serial + serialLength;
    // revocationDate: a valid UTCTime or GeneralizedTime.
    if (p + 2 > end || d[p + 1]! >= 0x80 || p + 2 + d[p + 1]! > end) return undefined;
    if (Number.isNaN(timeMillisAt(d, p + 2, d[p + 1]!, d[p]!, false))) return undefined;
    p += 2 + d[p + 1]!;
    // crlEntryExtensions (v2 only), ending the entry exactly; nothing else.
    if (p < end && (!v2 || p + 2 > end || d[p] !== DER.SEQUENCE || d[p + 1]! >= 0x80 || p + 2 + d[p + 1]! !== end)) return undefined;
    o = end;
  }
  return new SerialsInPlace(d);
}

/** Lookups a CRL answers by scanning its entries before it builds a set of their serials' text. */
const SCANS_BEFORE_SET = 4;

/**
 * The serials of a revokedCertificates list that revokedSerialsInPlace has checked, kept as its bytes. A cold
 * verification asks each CRL about one or two certificates: `has` compares the serial's octets with each entry's
 * in place (a 44-entry PCK CRL: ~1 µs, against ~13 µs to make the 44 strings and the set). A CRL consulted more
 * often (a long-lived verifier's cached one) builds the set once and answers from it; so does everything else a
 * set offers.
 */
class SerialsInPlace implements ReadonlySet<string> {
  readonly #list: Uint8Array;
  #scans = 0;
  #set: Set<string> | undefined = undefined;

  constructor(list: Uint8Array) {
    this.#list = list;
  }

  /** The distinct serials (a CRL may list one twice). */
  get size(): number {
    return this.#serials().size;
  }

  has(serial: string): boolean {
    if (this.#set !== undefined || ++this.#scans > SCANS_BEFORE_SET) return this.#serials().has(serial);
    const want = serialOctets(serial);
    if (want === undefined) return false;
    const d = this.#list;
    // Entries as revokedSerialsInPlace checked them: SEQUENCE (short form) { INTEGER (short form) … }.
    for (let o = 0; o < d.length; o += 2 + d[o + 1]!) {
      let start = o + 4;
      const end = start + d[o + 3]!;
      while (start < end && d[start] === 0) start++; // as serialOf: the magnitude without its zero octets
      if (end - start !== want.length) continue;
      let i = 0;
      while (i < want.length && d[start + i] === want[i]) i++;
      if (i === want.length) return true;
    }
    return false;
  }

  #serials(): Set<string> {
    if (this.#set === undefined) {
      const set = new Set<string>();
      const d = this.#list;
      for (let o = 0; o < d.length; o += 2 + d[o + 1]!) set.add(serialOf(d, o + 4, o + 4 + d[o + 3]!));
      this.#set = set;
    }
    return this.#set;
  }

  forEach(callback: (value: string, key: string, set: ReadonlySet<string>) => void, thisArg?: unknown): void {
    for (const serial of this.#serials()) callback.call(thisArg, serial, serial, this);
  }

  entries(): SetIterator<[string, string]> {
    return this.#serials().entries();
  }

  keys(): SetIterator<string> {
    return this.#serials().keys();
  }

  values(): SetIterator<string> {
    return this.#serials().values();
  }

  [Symbol.iterator](): SetIterator<string> {
    return this.#serials()[Symbol.iterator]();
  }
}

/**
 * The octets of a serial as serialOf writes it (lowercase hex, no leading zeros; "0" for zero), without leading
 * zero octets (zero: none), or undefined for text serialOf never writes, which no entry can match.
 */
function serialOctets(serial: string): Uint8Array | undefined {
  if (serial === "0") return new Uint8Array(0);
  if (!/^[1-9a-f][0-9a-f]*$/.test(serial)) return undefined;
  return bytesView(Buffer.from(serial.length % 2 === 1 ? `0${serial}` : serial, "hex"));
}

/** The serials of a CRL's revokedCertificates list, element by element: every refusal with its field and offset. */
export function revokedSerialsByElement(list: Tlv, field: string, v2: boolean): Set<string> {
  const out = new Set<string>();
  // The field names are the same for every entry: made once, not per entry.
  const name = `${field}.revokedCertificate`;
  const serialField = `${name}.serial`;
  const dateField = `${name}.revocationDate`;
  for (const entry of childrenOf(list, `${field}.revokedCertificates`)) {
    const [serial, date, entryExtensions] = childrenUpTo(expectTag(entry, DER.SEQUENCE, name), 3, name);
    const s = expectTag(serial, DER.INTEGER, serialField);
    const value = s.value;
    checkMinimalInteger(value, serialField, s.valueOffset);
    timeMillis(date, dateField); // checked, not kept
    if (entryExtensions !== undefined) {
      expectTag(entryExtensions, DER.SEQUENCE, `${name}.crlEntryExtensions`);
      if (!v2) versionInvalid(field, entryExtensions.offset, "a v1 CRL has entry extensions (v2 only)", 0);
    }
    out.add(serialOf(value));
  }
  return out;
}

/** Splits `SEQUENCE { tbs, signatureAlgorithm, signatureValue }` byte-exactly. */
function splitSigned(
  der: Uint8Array,
  what: string,
  kind: "certificate" | "crl",
): { tbs: Tlv; algorithm: SignatureAlgorithm; signature: Uint8Array } {
  const outer = readSingle(der, DER.SEQUENCE, what);
  // Nothing may follow signatureValue: an extra element would be unsigned bytes riding along.
  const [tbs, alg, sig] = childrenUpTo(outer, 3, what);
  const tbsSeq = expectTag(tbs, DER.SEQUENCE, `${what}.tbs`);
  const algSeq = expectTag(alg, DER.SEQUENCE, `${what}.signatureAlgorithm`);
  // RFC 5280 §4.1.1.2 / §5.1.1.2: the unsigned outer algorithm must equal the signed one inside the TBS.
  // Otherwise its bytes (e.g. RSA-PSS parameters) could change without breaking the signature, giving a
  // second encoding — and a second collateral hash — of the same certificate.
  const inner = childrenOf(tbsSeq, `${what}.tbs`);
  const index = kind === "certificate" ? (inner[0]?.tag === 0xa0 ? 2 : 1) : inner[0]?.tag === DER.INTEGER ? 1 : 0;
  if (inner[index] === undefined || !bytesEqual(inner[index].raw, algSeq.raw)) {
    throw new EvidenceFormatError(
      X509_CODES.CERT_MALFORMED,
      `${what}: the signature algorithm outside the signed part differs from the one inside`,
      {
        at: { field: what },
      },
    );
  }
  const sigBits = checkBitString(expectTag(sig, DER.BIT_STRING, `${what}.signatureValue`), `${what}.signatureValue`);
  if (sigBits.unused !== 0) {
    throw new EvidenceFormatError(X509_CODES.CERT_MALFORMED, `${what} signature BIT STRING has unused bits`, {
      at: { field: `${what}.signatureValue`, offset: sig!.offset },
    });
  }
  const [oid, params] = childrenUpTo(algSeq, 2, `${what}.signatureAlgorithm`);
  const algorithm = parseSignatureAlgorithm(readOid(oid, `${what}.signatureAlgorithm`), params);
  return { tbs: tbsSeq, algorithm, signature: sigBits.bytes };
}

/** One PEM block per label; compiled once (a RegExp built per call cost a parse ~5 µs). */
const PEM_BLOCK = {
  CERTIFICATE: /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/,
  "X509 CRL": /-----BEGIN X509 CRL-----([A-Za-z0-9+/=\s]+)-----END X509 CRL-----/,
} as const;

function toDer(input: Uint8Array | string, label: keyof typeof PEM_BLOCK): Uint8Array {
  if (typeof input !== "string") return input;
  const m = PEM_BLOCK[label].exec(input);
  if (!m) throw new EvidenceFormatError(X509_CODES.CERT_MALFORMED, `no PEM ${label} block found`);
  // The block holds only base64 characters and whitespace (PEM_BLOCK), and Node's base64 decoder skips whitespace.
  return bytesView(Buffer.from(m[1]!, "base64"));
}

/** One certificate extension as encoded. */
export interface CertificateExtension {
  oid: string;
  critical: boolean;
  /** The extnValue contents (the DER inside the OCTET STRING). */
  value: Uint8Array;
  /** Where the Extension element starts in the certificate's DER, for messages. */
  offset: number;
}

/**
 * Parses a DER or PEM certificate with the bounded DER reader; results are
 * cached by the DER's SHA-256. The fields verification needs are read here
 * directly (tens of microseconds, against ~0.6 ms for a full ASN.1 object
 * model); the @peculiar/x509 object is built only when something asks for
 * `x509`, e.g. to read an extension with its API.
 */
export interface ParseCertificateOptions {
  /**
   * Accept a GeneralizedTime validity date before 2050, where RFC 5280 §4.1.2.5 wants UTCTime. NVIDIA's
   * RIM signing CAs are encoded so; only their verifier turns this on. Certificates parsed with it are
   * cached apart from strict parses, so a strict parse of the same bytes elsewhere still refuses them.
   */
  allowGeneralizedTimeBefore2050?: boolean;
}

export function parseCertificate(
  input: Uint8Array | string,
  field = "certificate",
  caches?: PkiCaches,
  options: ParseCertificateOptions = {},
): ParsedCertificate {
  const der = toDer(input, "CERTIFICATE");
  if (caches !== undefined) {
    // A copy of a pinned root (every Intel issuer chain and PCK chain ends with one) is the pinned object, found
    // by its bytes without the SHA-256 a cache lookup needs.
    for (const root of caches.pinnedRoots) if (sameBytes(root.der, der)) return root;
  }
  const fingerprint = sha256Hex(der);
  const lenient = options.allowGeneralizedTimeBefore2050 === true;
  // A lenient parse is remembered apart (its own keys): a strict parse of the same bytes never finds it, and a
  // certificate two lenient chains share (NVIDIA's RIM CA, in the driver's and the VBIOS's RIM) is one object,
  // whose key is imported once.
  const cacheKey = lenient ? `lenient:${fingerprint}` : fingerprint;
  const hit = caches?.certificates.get(cacheKey);
  if (hit) return hit;
  const { tbs: tbsSeq, algorithm, signature } = splitSigned(der, field, "certificate");
  const f = childrenOf(tbsSeq, `${field}.tbs`);
  let i = 0;
  let version = 0; // v1
  if (f[0]?.tag === 0xa0) {
    const [v] = childrenUpTo(f[0], 1, `${field}.version`);
    version = readSmallInteger(v, `${field}.version`);
    // version is DEFAULT v1: DER leaves it out rather than encoding 0.
    if (version === 0)
      derFail(`${field}.version`, f[0].offset, "version v1 encoded although it is the DEFAULT", undefined, X509_CODES.DER_DEFAULT_ENCODED);
    if (version > 2) versionInvalid(field, f[0].offset, `version ${version + 1} does not exist`, version);
    i = 1;
  }
  const serial = expectTag(f[i++], DER.INTEGER, `${field}.serialNumber`);
  checkMinimalInteger(serial.value, `${field}.serialNumber`, serial.valueOffset);
  i++; // signature AlgorithmIdentifier: compared with the outer one in splitSigned
  const issuerName = expectTag(f[i++], DER.SEQUENCE, `${field}.issuer`);
  const validityTlv = expectTag(f[i++], DER.SEQUENCE, `${field}.validity`);
  const validity = childrenUpTo(validityTlv, 2, `${field}.validity`);
  const subjectName = expectTag(f[i++], DER.SEQUENCE, `${field}.subject`);
  const spkiTlv = expectTag(f[i++], DER.SEQUENCE, `${field}.subjectPublicKeyInfo`);
  checkSpki(spkiTlv, `${field}.subjectPublicKeyInfo`);
  const spki = spkiTlv.raw;
  // Then, in this order and each at most once: [1] issuerUniqueID, [2] subjectUniqueID (v2 or v3), [3] extensions (v3).
  let wrapper: Tlv | undefined;
  // (The unique identifiers are IMPLICIT BIT STRINGs, so primitive: 0x81, 0x82.)
  for (const [tag, minVersion] of [
    [0x81, 1],
    [0x82, 1],
    [0xa3, 2],
  ] as const) {
    const t = f[i];
    if (t === undefined || t.tag !== tag) continue;
    if (version < minVersion)
      versionInvalid(
        field,
        t.offset,
        `a v${version + 1} certificate has ${t.tag === 0xa3 ? "extensions (v3 only)" : "unique identifiers (v2 and v3 only)"}`,
        version,
      );
    if (t.tag === 0xa3) wrapper = t;
    i++;
  }
  if (f[i] !== undefined) {
    derFail(
      `${field}.tbs`,
      f[i]!.offset,
      `unexpected element with tag 0x${f[i]!.tag.toString(16)} after subjectPublicKeyInfo`,
      { tag: f[i]!.tag },
      X509_CODES.DER_TRAILING_DATA,
    );
  }
  const extensions = parseExtensions(wrapper, field);
  const basic = basicConstraintsOf(
    extensions.find((e) => e.oid === "2.5.29.19"),
    field,
  );
  const keyUsage = keyUsageOf(
    extensions.find((e) => e.oid === "2.5.29.15"),
    field,
  );
  return remember(
    caches?.certificates,
    cacheKey,
    new Certificate(
      {
        der,
        fingerprint,
        tbs: tbsSeq.raw,
        signatureAlgorithm: algorithm,
        signature,
        spki,
        subject: renderName(subjectName, `${field}.subject`),
        issuer: renderName(issuerName, `${field}.issuer`),
        serial: serialOf(serial.value),
        notBefore: parseTime(validity[0], `${field}.notBefore`, lenient),
        notAfter: parseTime(validity[1], `${field}.notAfter`, lenient),
        isCa: basic.isCa,
        pathLenConstraint: basic.pathLenConstraint,
        extensions,
        keyUsage,
        canSignCertificates: keyUsage !== null && (keyUsage & KEY_USAGE.keyCertSign) !== 0,
        canSignCrls: keyUsage === null || (keyUsage & KEY_USAGE.cRLSign) !== 0,
      },
      field,
    ),
  );
}

type CertificateFields = Omit<ParsedCertificate, "x509" | "publicKey">;

/**
 * A parsed certificate whose key and @peculiar/x509 object are made when first read. A class rather than an
 * object literal with getters: V8 keeps a literal's getters in the object's own map, so each literal gets a
 * new map in the old generation whose getters (and what their closure holds: the DER, the key) no young-generation
 * collection can free. Every parsed certificate was promoted that way, and a cold DCAP verification promoted
 * ~12 KB (docs/benchmarks.md, "Getters on the prototype").
 */
class Certificate implements ParsedCertificate {
  readonly der: Uint8Array;
  readonly fingerprint: string;
  readonly extensions: readonly CertificateExtension[];
  readonly keyUsage: number | null;
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: SignatureAlgorithm;
  readonly signature: Uint8Array;
  readonly spki: Uint8Array;
  readonly subject: string;
  readonly issuer: string;
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCa: boolean;
  readonly pathLenConstraint: number | null;
  readonly canSignCertificates: boolean;
  readonly canSignCrls: boolean;
  /** Where the certificate was read from, for the messages of the lazy reads. */
  readonly #field: string;
  #x509: X509Certificate | undefined = undefined;
  #publicKey: KeyObject | undefined = undefined;

  constructor(f: CertificateFields, field: string) {
    this.der = f.der;
    this.fingerprint = f.fingerprint;
    this.extensions = f.extensions;
    this.keyUsage = f.keyUsage;
    this.tbs = f.tbs;
    this.signatureAlgorithm = f.signatureAlgorithm;
    this.signature = f.signature;
    this.spki = f.spki;
    this.subject = f.subject;
    this.issuer = f.issuer;
    this.serial = f.serial;
    this.notBefore = f.notBefore;
    this.notAfter = f.notAfter;
    this.isCa = f.isCa;
    this.pathLenConstraint = f.pathLenConstraint;
    this.canSignCertificates = f.canSignCertificates;
    this.canSignCrls = f.canSignCrls;
    this.#field = field;
  }

  get x509(): X509Certificate {
    try {
      this.#x509 ??= new X509Certificate(this.der);
    } catch (cause) {
      throw new EvidenceFormatError(X509_CODES.CERT_MALFORMED, `${this.#field} could not be parsed`, { at: { field: this.#field }, cause });
    }
    return this.#x509;
  }

  get publicKey(): KeyObject {
    try {
      this.#publicKey ??= importSpki(this.spki);
    } catch (cause) {
      throw new EvidenceFormatError(X509_CODES.CERT_MALFORMED, `${this.#field} has an unusable public key`, {
        at: { field: this.#field },
        cause,
      });
    }
    return this.#publicKey;
  }
}

/** keyUsage bits as @peculiar/x509's KeyUsageFlags numbers them (bit n of the BIT STRING = 1 << n). */
export const KEY_USAGE = {
  digitalSignature: 1,
  nonRepudiation: 2,
  keyEncipherment: 4,
  dataEncipherment: 8,
  keyAgreement: 16,
  keyCertSign: 32,
  cRLSign: 64,
  encipherOnly: 128,
  decipherOnly: 256,
} as const;

function versionInvalid(field: string, offset: number, why: string, version: number): never {
  throw new EvidenceFormatError(X509_CODES.CERT_VERSION_INVALID, `${field}: ${why}`, {
    at: { field: `${field}.version`, offset },
    details: { version: version + 1 },
  });
}

/** SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }, walked as DER. */
function checkSpki(spki: Tlv, field: string): void {
  const [alg, key] = childrenUpTo(spki, 2, field);
  const [oid] = childrenUpTo(expectTag(alg, DER.SEQUENCE, `${field}.algorithm`), 2, `${field}.algorithm`);
  readOid(oid, `${field}.algorithm`);
  const bits = checkBitString(expectTag(key, DER.BIT_STRING, `${field}.subjectPublicKey`), `${field}.subjectPublicKey`);
  if (bits.unused !== 0)
    derFail(
      `${field}.subjectPublicKey`,
      key!.valueOffset,
      "a public key with unused bits",
      { unused: bits.unused },
      X509_CODES.DER_BIT_STRING_INVALID,
    );
}

function parseExtensions(wrapper: Tlv | undefined, field: string): CertificateExtension[] {
  if (wrapper === undefined) return [];
  const [list] = childrenUpTo(wrapper, 1, `${field}.extensions`);
  const out: CertificateExtension[] = [];
  const exts = childrenOf(expectTag(list, DER.SEQUENCE, `${field}.extensions`), `${field}.extensions`);
  // Extensions ::= SEQUENCE SIZE (1..MAX): a v3 certificate without extensions leaves the [3] out.
  if (exts.length === 0)
    throw new EvidenceFormatError(X509_CODES.CERT_MALFORMED, `${field}: an empty extensions list`, {
      at: { field: `${field}.extensions`, offset: list!.offset },
    });
  for (const ext of exts) {
    const parts = childrenUpTo(expectTag(ext, DER.SEQUENCE, `${field}.extension`), 3, `${field}.extension`);
    const oid = readOid(parts[0], `${field}.extension`);
    let critical = false;
    if (parts.length === 3) {
      critical = decodeBoolean(parts[1], `${field}.extension(${oid}).critical`);
      // critical is DEFAULT FALSE: DER leaves it out rather than encoding FALSE.
      if (!critical)
        derFail(
          `${field}.extension(${oid}).critical`,
          parts[1]!.offset,
          "critical FALSE encoded although it is the DEFAULT",
          { oid },
          X509_CODES.DER_DEFAULT_ENCODED,
        );
    }
    const value = expectTag(parts[parts.length - 1], DER.OCTET_STRING, `${field}.extension(${oid}).value`).value;
    if (parts.length < 2 || out.some((e) => e.oid === oid)) {
      throw new EvidenceFormatError(X509_CODES.CERT_MALFORMED, `${field}: malformed or repeated extension ${oid}`, {
        at: { field: `${field}.extension(${oid})`, offset: ext.offset },
      });
    }
    out.push({ oid, critical, value, offset: ext.offset });
  }
  return out;
}

/** BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL } (RFC 5280 §4.2.1.9). */
function basicConstraintsOf(ext: CertificateExtension | undefined, field: string): { isCa: boolean; pathLenConstraint: number | null } {
  if (ext === undefined) return { isCa: false, pathLenConstraint: null };
  const name = `${field}.basicConstraints`;
  const parts = childrenUpTo(readSingle(ext.value, DER.SEQUENCE, name), 2, name);
  let isCa = false;
  let pathLenConstraint: number | null = null;
  let i = 0;
  if (parts[i]?.tag === DER.BOOLEAN) {
    isCa = decodeBoolean(parts[i], `${name}.cA`);
    if (!isCa)
      derFail(`${name}.cA`, parts[i]!.offset, "cA FALSE encoded although it is the DEFAULT", undefined, X509_CODES.DER_DEFAULT_ENCODED);
    i++;
  }
  if (parts[i] !== undefined) {
    pathLenConstraint = readSmallInteger(parts[i], `${name}.pathLenConstraint`);
    // "CAs MUST NOT include the pathLenConstraint field unless the cA boolean is asserted".
    if (!isCa)
      throw new EvidenceFormatError(X509_CODES.CERT_MALFORMED, `${field}: pathLenConstraint without cA`, {
        at: { field: `${name}.pathLenConstraint`, offset: parts[i]!.offset },
      });
    i++;
  }
  if (parts[i] !== undefined) derFail(name, parts[i]!.offset, "unexpected element", undefined, X509_CODES.DER_TRAILING_DATA);
  return { isCa, pathLenConstraint };
}

/**
 * The one non-DER encoding a vendor's real certificates carry, accepted by exact bytes:
 * AMD's ASK and ASVK certificates (every product line in test/fixtures/sev-snp) encode
 * keyUsage = keyCertSign as 03 02 01 04 (one unused bit), where DER drops the trailing
 * zero cRLSign bit too and writes 03 02 02 04. The meaning is unambiguous and the bytes
 * are covered by AMD's signature; any other named-bit list with trailing zero bits is refused.
 */
const KEY_USAGE_VENDOR_EXCEPTIONS: readonly string[] = ["03020104"];

function keyUsageOf(ext: CertificateExtension | undefined, field: string): number | null {
  if (ext === undefined) return null;
  const tlv = readSingle(ext.value, DER.BIT_STRING, `${field}.keyUsage`);
  const exempt = KEY_USAGE_VENDOR_EXCEPTIONS.includes(bufferView(tlv.raw).toString("hex"));
  const { bytes } = checkBitString(tlv, `${field}.keyUsage`, !exempt);
  // Nine named bits fit two octets; "at least one of the bits MUST be set" (RFC 5280 §4.2.1.3).
  if (bytes.length === 0 || bytes.length > 2) {
    throw new EvidenceFormatError(X509_CODES.CERT_MALFORMED, `${field}: malformed keyUsage`, {
      at: { field: `${field}.keyUsage` },
      details: { octets: bytes.length },
    });
  }
  let flags = 0;
  for (let byte = 0; byte < bytes.length; byte++) {
    for (let bit = 0; bit < 8; bit++) if ((bytes[byte]! & (0x80 >> bit)) !== 0) flags |= 1 << (byte * 8 + bit);
  }
  return flags;
}

const PEM_CERTIFICATES = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/g;

/** Parses every PEM certificate in a text, in order. */
export function parsePemCertificates(text: string, field = "certificate chain", caches?: PkiCaches): ParsedCertificate[] {
  const out: ParsedCertificate[] = [];
  // Each block's base64 decoded from this one match (handing the block's text on would match it a second time);
  // Node's base64 decoder skips the whitespace the pattern lets through.
  for (const m of text.matchAll(PEM_CERTIFICATES)) {
    out.push(parseCertificate(bytesView(Buffer.from(m[1]!, "base64")), `${field}[${out.length}]`, caches));
  }
  return out;
}

/** Parses a DER or PEM CRL with the bounded DER reader; results are cached by the DER's SHA-256. */
export function parseCrl(input: Uint8Array | string, field = "CRL", caches?: PkiCaches): ParsedCrl {
  const der = toDer(input, "X509 CRL");
  const key = sha256Hex(der);
  const hit = caches?.crls.get(key);
  if (hit) return hit;
  const { tbs: tbsSeq, algorithm, signature } = splitSigned(der, field, "crl");
  const f = childrenOf(tbsSeq, `${field}.tbs`);
  let i = 0;
  let v2 = false;
  if (f[0]?.tag === DER.INTEGER) {
    // version is OPTIONAL and, when present, must be v2 (RFC 5280 §5.1.2.1).
    const version = readSmallInteger(f[0], `${field}.version`);
    if (version !== 1) versionInvalid(field, f[0].offset, `a CRL version must be v2 when present, got v${version + 1}`, version);
    v2 = true;
    i = 1;
  }
  i++; // signature AlgorithmIdentifier
  const issuerName = expectTag(f[i++], DER.SEQUENCE, `${field}.issuer`);
  const thisUpdate = parseTime(f[i++], `${field}.thisUpdate`);
  const nextUpdate =
    f[i] !== undefined && (f[i]!.tag === 0x17 || f[i]!.tag === 0x18) ? parseTime(f[i++], `${field}.nextUpdate`) : undefined;
  let revokedSerials: ReadonlySet<string> = new Set<string>();
  if (f[i]?.tag === DER.SEQUENCE) {
    revokedSerials = revokedSerialsInPlace(f[i]!.value, v2) ?? revokedSerialsByElement(f[i]!, field, v2);
    i++;
  }
  let extensions: CertificateExtension[] = [];
  if (f[i]?.tag === 0xa0) {
    if (!v2) versionInvalid(field, f[i]!.offset, "a v1 CRL has extensions (v2 only)", 0);
    // crlExtensions [0] EXPLICIT Extensions: the same grammar as a certificate's (RFC 5280 §5.1.2.7).
    extensions = parseExtensions(f[i], field);
    i++;
  }
  if (f[i] !== undefined) {
    derFail(
      `${field}.tbs`,
      f[i]!.offset,
      `unexpected element with tag 0x${f[i]!.tag.toString(16)} after the CRL's last field`,
      { tag: f[i]!.tag },
      X509_CODES.DER_TRAILING_DATA,
    );
  }
  return remember(
    caches?.crls,
    key,
    new Crl(
      {
        der,
        fingerprint: key,
        tbs: tbsSeq.raw,
        signatureAlgorithm: algorithm,
        signature,
        issuer: renderName(issuerName, `${field}.issuer`),
        thisUpdate,
        nextUpdate,
        revokedSerials,
        extensions,
      },
      field,
    ),
  );
}

/** A parsed CRL whose @peculiar/x509 object is made when first read; a class for the reason Certificate is one. */
class Crl implements ParsedCrl {
  readonly der: Uint8Array;
  readonly fingerprint: string;
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: SignatureAlgorithm;
  readonly signature: Uint8Array;
  readonly issuer: string;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  readonly revokedSerials: ReadonlySet<string>;
  readonly extensions: readonly CertificateExtension[];
  readonly #field: string;
  #x509: X509Crl | undefined = undefined;

  constructor(f: Omit<ParsedCrl, "x509">, field: string) {
    this.der = f.der;
    this.fingerprint = f.fingerprint;
    this.tbs = f.tbs;
    this.signatureAlgorithm = f.signatureAlgorithm;
    this.signature = f.signature;
    this.issuer = f.issuer;
    this.thisUpdate = f.thisUpdate;
    this.nextUpdate = f.nextUpdate;
    this.revokedSerials = f.revokedSerials;
    this.extensions = f.extensions;
    this.#field = field;
  }

  get x509(): X509Crl {
    try {
      this.#x509 ??= new X509Crl(this.der);
    } catch (cause) {
      throw new EvidenceFormatError(X509_CODES.CERT_MALFORMED, `${this.#field} could not be parsed`, { at: { field: this.#field }, cause });
    }
    return this.#x509;
  }
}
