/**
 * The test signer: builds whole certificate chains and CRLs with
 * @peculiar/x509 so failure cases (expired, not yet valid, revoked, wrong root,
 * wrong issuer) come from real certificates, never from hand-edited bytes.
 * Verifiers take these roots through their explicit `trustedRoots` option; the
 * pinned vendor roots stay pinned.
 */
import { webcrypto } from "node:crypto";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { bitString, explicit, integer, octets, oid, seq, tlv } from "../../src/pki/x509/derEncode.ts";
import { parseCertificate, parseCrl, type ParsedCertificate, type ParsedCrl } from "../../src/pki/x509/certificate.ts";
import type { TrustedRoot } from "../../src/pki/x509/verifyCertificateChain.ts";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type Algorithm = webcrypto.Algorithm;
type EcdsaParams = webcrypto.EcdsaParams;
type EcKeyGenParams = webcrypto.EcKeyGenParams;
type RsaHashedKeyGenParams = webcrypto.RsaHashedKeyGenParams;

export type KeyKind = "p256" | "p384" | "rsa-pss-384";

const ALGS: Record<KeyKind, { gen: RsaHashedKeyGenParams | EcKeyGenParams; sign: Algorithm | EcdsaParams }> = {
  p256: { gen: { name: "ECDSA", namedCurve: "P-256" }, sign: { name: "ECDSA", hash: "SHA-256" } as EcdsaParams },
  p384: { gen: { name: "ECDSA", namedCurve: "P-384" }, sign: { name: "ECDSA", hash: "SHA-384" } as EcdsaParams },
  "rsa-pss-384": {
    gen: { name: "RSA-PSS", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-384" },
    sign: { name: "RSA-PSS", hash: "SHA-384", saltLength: 48 } as Algorithm,
  },
};

export interface TestCa {
  name: string;
  keys: CryptoKeyPair;
  keyKind: KeyKind;
  cert: ParsedCertificate;
}

export interface CertOptions {
  notBefore?: Date;
  notAfter?: Date;
  serial?: string;
  ca?: boolean;
  keyKind?: KeyKind;
  extensions?: x509.Extension[];
  /** basicConstraints pathLenConstraint (a CA only). */
  pathLength?: number;
  /** keyUsage flags (x509.KeyUsageFlags) instead of the defaults; null leaves the extension out. */
  keyUsage?: number | null;
  /** Adds a critical extension with this OID that no verifier understands (value: NULL). */
  unknownCriticalExtension?: string;
  /** Adds a critical nameConstraints extension (permitted dNSName "test"). */
  nameConstraints?: boolean;
}

/** The extensions every issued certificate carries, shaped by the adversarial options. */
function standardExtensions(options: CertOptions, ca: boolean): x509.Extension[] {
  const usage =
    options.keyUsage === undefined
      ? ca
        ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign
        : x509.KeyUsageFlags.digitalSignature
      : options.keyUsage;
  return [
    new x509.BasicConstraintsExtension(ca, options.pathLength, true),
    ...(usage === null ? [] : [new x509.KeyUsagesExtension(usage, true)]),
    ...(options.unknownCriticalExtension ? [new x509.Extension(options.unknownCriticalExtension, true, Uint8Array.of(0x05, 0x00))] : []),
    // NameConstraints ::= SEQUENCE { permittedSubtrees [0] { GeneralSubtree { dNSName "test" } } }
    ...(options.nameConstraints ? [new x509.Extension("2.5.29.30", true, Buffer.from("300aa0083006820474657374", "hex"))] : []),
    ...(options.extensions ?? []),
  ];
}

const DAY = 86_400_000;
let serialCounter = 0x1000;
function nextSerial(): string {
  serialCounter += 1;
  return serialCounter.toString(16).padStart(6, "0");
}

export async function generateKeys(kind: KeyKind): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGS[kind].gen, true, ["sign", "verify"])) as CryptoKeyPair;
}

/** A self-signed root CA. */
export async function createRoot(name: string, options: CertOptions = {}): Promise<TestCa> {
  const keyKind = options.keyKind ?? "p256";
  const keys = await generateKeys(keyKind);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: options.serial ?? nextSerial(),
    name: `CN=${name}`,
    notBefore: options.notBefore ?? new Date(Date.UTC(2020, 0, 1)),
    notAfter: options.notAfter ?? new Date(Date.UTC(2049, 0, 1)),
    keys,
    signingAlgorithm: ALGS[keyKind].sign,
    extensions: standardExtensions(options, true),
  });
  return { name, keys, keyKind, cert: parseCertificate(new Uint8Array(cert.rawData)) };
}

/** A certificate issued by `issuer`; a CA when `options.ca`. Returns its keys too. */
export async function issue(issuer: TestCa, name: string, options: CertOptions = {}): Promise<TestCa> {
  const keyKind = options.keyKind ?? "p256";
  const keys = await generateKeys(keyKind);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: options.serial ?? nextSerial(),
    subject: `CN=${name}`,
    issuer: issuer.cert.x509.subject,
    notBefore: options.notBefore ?? new Date(Date.UTC(2020, 0, 1)),
    notAfter: options.notAfter ?? new Date(Date.UTC(2045, 0, 1)),
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: ALGS[issuer.keyKind].sign,
    extensions: standardExtensions(options, options.ca === true),
  });
  return { name, keys, keyKind, cert: parseCertificate(new Uint8Array(cert.rawData)) };
}

function derInteger(n: number): Uint8Array {
  const bytes: number[] = [];
  for (let v = n; ; v = Math.floor(v / 256)) {
    bytes.unshift(v & 0xff);
    if (v < 256) break;
  }
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return new Uint8Array([0x02, bytes.length, ...bytes]);
}

/** A CRL by `issuer` revoking `revoked` serials (hex). */
export async function createCrl(
  issuer: TestCa,
  revoked: string[] = [],
  options: { thisUpdate?: Date; nextUpdate?: Date; crlNumber?: number } = {},
): Promise<ParsedCrl> {
  const crl = await x509.X509CrlGenerator.create({
    issuer: issuer.cert.x509.subject,
    thisUpdate: options.thisUpdate ?? new Date(Date.UTC(2020, 0, 1)),
    nextUpdate: options.nextUpdate ?? new Date(Date.UTC(2045, 0, 1)),
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: ALGS[issuer.keyKind].sign,
    entries: revoked.map((serialNumber) => ({ serialNumber, revocationDate: new Date(Date.UTC(2021, 0, 1)) })),
    // cRLNumber (2.5.29.20): a DER INTEGER of up to 4 bytes here.
    ...(options.crlNumber === undefined ? {} : { extensions: [new x509.Extension("2.5.29.20", false, derInteger(options.crlNumber))] }),
  });
  return parseCrl(new Uint8Array(crl.rawData));
}

export function asTrustedRoot(ca: TestCa): TrustedRoot {
  return { name: ca.name, certificate: ca.cert };
}

/** Signs `data` with a test key; ECDSA signatures come back as r‖s (IEEE P1363), as quotes carry them. */
export async function signRaw(keys: CryptoKeyPair, kind: KeyKind, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await webcrypto.subtle.sign(ALGS[kind].sign, keys.privateKey, data));
}

export async function spkiOf(keys: CryptoKeyPair): Promise<Uint8Array> {
  return new Uint8Array(await webcrypto.subtle.exportKey("spki", keys.publicKey));
}

export { DAY };

/**
 * The DER pieces of a certificate that {@link issueRaw} assembles and signs: each
 * may be replaced by hand-built bytes, so a malformed field (a BOOLEAN 0x01, an OID
 * arc padded with 0x80, a non-minimal length) sits in a certificate whose
 * signature is otherwise valid. Lengths around the pieces are always re-encoded.
 */
export interface RawCertificateParts {
  /** The [0] version element; null leaves it out (v1). Default v3. */
  version?: Uint8Array | null;
  serial?: Uint8Array;
  notBefore?: Uint8Array;
  notAfter?: Uint8Array;
  /** Whole Extension elements; an empty list leaves the [3] wrapper out. Default: basicConstraints cA=FALSE, critical. */
  extensions?: Uint8Array[];
  /** Elements appended to the TBS after the extensions. */
  tbsTrailing?: Uint8Array;
  /** Elements appended to the outer SEQUENCE after signatureValue. */
  trailing?: Uint8Array;
}

export const ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"));

/** One Extension element: `critical` is the raw BOOLEAN element (or null to leave it out). */
export function rawExtension(oidElement: Uint8Array, critical: Uint8Array | null, value: Uint8Array): Uint8Array {
  return seq(oidElement, ...(critical ? [critical] : []), octets(value));
}

/** Builds and signs a certificate from raw parts with a P-256 test CA (ECDSA with SHA-256). */
export async function issueRaw(issuer: TestCa, name: string, parts: RawCertificateParts = {}): Promise<Uint8Array> {
  if (issuer.keyKind !== "p256") throw new Error("issueRaw signs with P-256 issuers only");
  const keys = await generateKeys("p256");
  const cn = seq(oid("2.5.4.3"), tlv(0x0c, new Uint8Array(Buffer.from(name))));
  const extensions = parts.extensions ?? [rawExtension(oid("2.5.29.19"), Uint8Array.of(0x01, 0x01, 0xff), seq())];
  const tbs = seq(
    ...(parts.version === null ? [] : [parts.version ?? explicit(0, integer(2))]),
    parts.serial ?? integer(BigInt(`0x${nextSerial()}`)),
    ECDSA_SHA256,
    new Uint8Array(issuer.cert.x509.subjectName.toArrayBuffer()),
    seq(
      parts.notBefore ?? tlv(0x17, new Uint8Array(Buffer.from("200101000000Z"))),
      parts.notAfter ?? tlv(0x17, new Uint8Array(Buffer.from("450101000000Z"))),
    ),
    tlv(0x30, tlv(0x31, cn)),
    await spkiOf(keys),
    ...(extensions.length === 0 ? [] : [explicit(3, seq(...extensions))]),
    ...(parts.tbsTrailing ? [parts.tbsTrailing] : []),
  );
  const p1363 = await signRaw(issuer.keys, "p256", tbs);
  const signature = seq(integer(p1363.subarray(0, 32)), integer(p1363.subarray(32)));
  return seq(tbs, ECDSA_SHA256, bitString(signature), ...(parts.trailing ? [parts.trailing] : []));
}
