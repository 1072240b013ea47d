/**
 * The NVIDIA GPU test signer: NVIDIA-shaped device chains (P-384, a leaf with
 * the DICE CompositeDeviceID FWID extension), SPDM 1.1 GET_MEASUREMENTS
 * reports signed by that leaf, RIMs (SWID + enveloped XML-DSig, C14N 1.1,
 * ECDSA P-384) signed under a test RIM root, and OCSP responses for every
 * certificate. Verifiers take its roots through their `roots` option; the
 * pinned NVIDIA roots stay pinned.
 */
import { createHash, type webcrypto } from "node:crypto";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { integer, octets, oid, seq } from "../../src/pki/x509/derEncode.ts";
import { asTrustedRoot, createRoot, generateKeys, issue, signRaw, spkiOf, type CertOptions, type TestCa } from "./testPki.ts";
import { createOcspResponse, type OcspEntry } from "./ocspTestSigner.ts";
import { canonicalize11 } from "../../src/tee/nvidia-gpu/rim/c14n.ts";
import { childElements, parseXml } from "../../src/tee/nvidia-gpu/rim/xml.ts";
import { DSIG_NS } from "../../src/tee/nvidia-gpu/rim/parseRim.ts";
import type { TrustedRoot } from "../../src/pki/x509/verifyCertificateChain.ts";

const SHA384_OID = "2.16.840.1.101.3.4.2.2";
const CA = { ca: true, keyKind: "p384" as const };

export interface DeviceChain {
  root: TestCa;
  identity: TestCa;
  provisioner: TestCa;
  brom: TestCa;
  leaf: TestCa;
  fwid: Uint8Array;
  /** Leaf first, root last. */
  chain: TestCa[];
}

/** The DICE CompositeDeviceID extension NVIDIA's Hopper leaf carries: { version 1, SPKI, FWID { sha384, digest } }. */
export async function fwidExtension(
  spkiKeys: webcrypto.CryptoKeyPair,
  fwid: Uint8Array,
  extOid = "2.23.133.5.4.1",
): Promise<x509.Extension> {
  const value = seq(integer(1), await spkiOf(spkiKeys), seq(oid(SHA384_OID), octets(fwid)));
  return new x509.Extension(extOid, false, value);
}

export interface DeviceChainOptions {
  fwid?: Uint8Array;
  /** Validity of every certificate. */
  notBefore?: Date;
  notAfter?: Date;
  /** Leaf validity, when it differs. */
  leaf?: CertOptions;
  extOid?: string;
}

export async function createDeviceChain(options: DeviceChainOptions = {}): Promise<DeviceChain> {
  const dates = {
    ...(options.notBefore ? { notBefore: options.notBefore } : {}),
    ...(options.notAfter ? { notAfter: options.notAfter } : {}),
  };
  const fwid = options.fwid ?? new Uint8Array(createHash("sha384").update("test fwid").digest());
  const root = await createRoot("Test NVIDIA Device Identity CA", { ...CA, ...dates });
  const identity = await issue(root, "NVIDIA GH100 Identity", { ...CA, ...dates });
  const provisioner = await issue(identity, "NVIDIA GH100 Provisioner ICA 1", { ...CA, ...dates });
  const brom = await issue(provisioner, "GH100 A01 GSP BROM", { ...CA, ...dates });
  // The extension names the device identity key; the verifier reads only its FWID.
  const identityKeys = await generateKeys("p384");
  const leaf = await issue(brom, "GH100 A01 GSP FMC LF", {
    keyKind: "p384",
    ...dates,
    ...options.leaf,
    extensions: [await fwidExtension(identityKeys, fwid, options.extOid)],
  });
  return { root, identity, provisioner, brom, leaf, fwid, chain: [leaf, brom, provisioner, identity, root] };
}

export interface ReportOptions {
  nonce?: Uint8Array;
  responderNonce?: Uint8Array;
  /** Block digests, block 1 first (default 64 pseudo-random digests). */
  blocks?: Uint8Array[];
  driverVersion?: string;
  /** 8 raw bytes as the GPU reports them. */
  vbiosVersion?: Uint8Array;
  fwid: Uint8Array;
  nvdec0Status?: number;
  /** Extra or replacement opaque fields (type → value). */
  opaque?: Map<number, Uint8Array>;
}

function u16(n: number): Uint8Array {
  return Uint8Array.of(n & 0xff, n >> 8);
}

function asciiz(s: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(Buffer.from(s, "latin1"));
  return out;
}

export function testBlocks(count = 64, seed = "block"): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => new Uint8Array(createHash("sha384").update(`${seed}${i}`).digest()));
}

/** VBIOS bytes for "96.00.9f.00.01" (NVIDIA's b3.b2.b1.b0.b4 order). */
export const TEST_VBIOS_BYTES = Uint8Array.of(0x00, 0x9f, 0x00, 0x96, 0x01, 0, 0, 0);
export const TEST_VBIOS_VERSION = "96.00.9f.00.01";

/** An SPDM 1.1 GET_MEASUREMENTS request ‖ MEASUREMENTS response, signed (ECDSA P-384, r‖s) by `leaf`. */
export async function createSpdmReport(leaf: TestCa, options: ReportOptions): Promise<Uint8Array> {
  const nonce = options.nonce ?? new Uint8Array(32).fill(0x11);
  const request = Buffer.concat([Uint8Array.of(0x11, 0xe0, 0x01, 0xff), nonce, Uint8Array.of(0)]);
  const blocks = options.blocks ?? testBlocks();
  const record = Buffer.concat(
    blocks.map((d, i) => Buffer.concat([Uint8Array.of(i + 1, 1), u16(3 + d.length), Uint8Array.of(1), u16(d.length), d])),
  );
  const fields = new Map<number, Uint8Array>([
    [6, options.vbiosVersion ?? TEST_VBIOS_BYTES],
    [14, Uint8Array.of(0xb1, 0x03, 0, 0)],
    [15, asciiz("882", 9)],
    [17, asciiz("1010", 5)],
    [18, asciiz("0200", 5)],
    [3, asciiz(options.driverVersion ?? "550.90.07", 10)],
    [11, Uint8Array.of(options.nvdec0Status ?? 0x55)],
    [20, options.fwid],
    [21, Uint8Array.of(0x55)],
  ]);
  for (const [k, v] of options.opaque ?? []) fields.set(k, v);
  const opaque = Buffer.concat([...fields].map(([t, v]) => Buffer.concat([u16(t), u16(v.length), v])));
  const len = record.length;
  const response = Buffer.concat([
    Uint8Array.of(0x11, 0x60, 0, 0, blocks.length, len & 0xff, (len >> 8) & 0xff, len >> 16),
    record,
    options.responderNonce ?? new Uint8Array(32).fill(0x22),
    u16(opaque.length),
    opaque,
  ]);
  const signed = new Uint8Array(Buffer.concat([request, response]));
  const signature = await signRaw(leaf.keys, "p384", signed);
  return new Uint8Array(Buffer.concat([signed, signature]));
}

export interface RimChain {
  root: TestCa;
  ca: TestCa;
  l3: TestCa;
  signer: TestCa;
  chain: TestCa[];
}

export async function createRimChain(options: { notBefore?: Date; notAfter?: Date; signer?: CertOptions } = {}): Promise<RimChain> {
  const dates = {
    ...(options.notBefore ? { notBefore: options.notBefore } : {}),
    ...(options.notAfter ? { notAfter: options.notAfter } : {}),
  };
  const root = await createRoot("Test NVIDIA CoRIM signing Root CA", { ...CA, ...dates });
  const ca = await issue(root, "NVIDIA Reference Value GH100 CA", { ...CA, ...dates });
  const l3 = await issue(ca, "NVIDIA Reference Value L3 GH100 002", { ...CA, ...dates });
  const signer = await issue(l3, "HCC RIM L4 Signer", { keyKind: "p384", ...dates, ...options.signer });
  return { root, ca, l3, signer, chain: [signer, l3, ca, root] };
}

export interface RimOptions {
  version: string;
  chip?: string;
  /** index (0-based) → alternatives; every other index up to `size` is inactive. */
  golden: Map<number, Uint8Array[]>;
  size?: number;
  /** Replaces the SignedInfo methods (to test refusal of other profiles). */
  canonicalization?: string;
  /** Changes the document after signing (a tampered RIM). */
  tamper?: (xml: string) => string;
}

function resource(index: number, alternatives: Uint8Array[] | undefined): string {
  const alts = alternatives ?? [new Uint8Array(48)];
  const hashes = alts.map((a, j) => `ns2:Hash${j}="${Buffer.from(a).toString("hex")}"`).join(" ");
  return `        <ns0:Resource type="Measurement" index="${index}" active="${alternatives ? "True" : "False"}" alternatives="${alts.length}" ${hashes} name="Measurement_${index}" size="48"/>\n`;
}

/** A RIM like NVIDIA's, signed by `chain.signer` with its chain in KeyInfo. */
export async function createRim(chain: RimChain, options: RimOptions): Promise<Uint8Array> {
  const chip = options.chip ?? "GH100";
  const size = options.size ?? 64;
  const payload = Array.from({ length: size }, (_, i) => resource(i, options.golden.get(i))).join("");
  const c14n = options.canonicalization ?? "http://www.w3.org/2006/12/xml-c14n11";
  const head =
    `<SoftwareIdentity xmlns="http://standards.iso.org/iso/19770/-2/2015/schema.xsd" xmlns:ns0="http://standards.iso.org/iso/19770/-2/2015/schema.xsd" xmlns:ns2="http://www.w3.org/2001/04/xmlenc#sha384" corpus="false" name="${chip}" patch="false" supplemental="false" tagId="${createHash("sha384").update(options.version).digest("hex")}" version="1.0" tagVersion="0">\n` +
    `    <ns0:Entity name="NVIDIA Corporation" role="softwareCreator tagCreator"/>\n` +
    `    <ns0:Meta xmlns:ns1="https://trustedcomputinggroup.org/resource/tcg-reference-integrity-manifest-rim-information-model/" colloquialVersion="${options.version}" edition="GPU" product="${chip}" revision="r1" PayloadType="direct" ns1:BindingSpec="RIMIM"/>\n` +
    `    <ns0:Payload xmlns:SHA384="http://www.w3.org/2001/04/xmlenc#sha384">\n${payload}    </ns0:Payload>\n`;
  const certs = chain.chain.map((c) => `<ds:X509Certificate>${Buffer.from(c.cert.der).toString("base64")}</ds:X509Certificate>`).join("");
  const signature = (digest: string, value: string): string =>
    `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${c14n}"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"/><ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2006/12/xml-c14n11"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#sha384"/><ds:DigestValue>${digest}</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue>${value}</ds:SignatureValue><ds:KeyInfo><ds:X509Data>${certs}</ds:X509Data></ds:KeyInfo></ds:Signature>`;
  const doc = (digest: string, value: string): string => `${head}${signature(digest, value)}</SoftwareIdentity>\n`;
  const draft = parseXml(new TextEncoder().encode(doc("", "")));
  const sigEl = childElements(draft, DSIG_NS, "Signature")[0]!;
  const digest = createHash("sha384").update(canonicalize11(draft, sigEl)).digest("base64");
  const withDigest = parseXml(new TextEncoder().encode(doc(digest, "")));
  const signedInfo = childElements(childElements(withDigest, DSIG_NS, "Signature")[0]!, DSIG_NS, "SignedInfo")[0]!;
  const value = Buffer.from(await signRaw(chain.signer.keys, "p384", canonicalize11(signedInfo))).toString("base64");
  const xml = doc(digest, value);
  return new TextEncoder().encode(options.tamper ? options.tamper(xml) : xml);
}

/** OCSP "good" answers for every certificate below the root of each chain (leaf first, root last), signed by its issuer. */
export async function goodOcspFor(chains: TestCa[][], entry: Omit<OcspEntry, "certificate"> = {}): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const chain of chains) {
    for (let i = 0; i < chain.length - 1; i++)
      out.push(await createOcspResponse(chain[i + 1]!, [{ certificate: chain[i]!.cert, ...entry }]));
  }
  return out;
}

export function rootsOf(device: DeviceChain, rim: RimChain): { device: TrustedRoot[]; rim: TrustedRoot[] } {
  return { device: [asTrustedRoot(device.root)], rim: [asTrustedRoot(rim.root)] };
}
