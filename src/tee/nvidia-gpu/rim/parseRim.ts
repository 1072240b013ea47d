/**
 * NVIDIA reference integrity manifests: ISO/IEC 19770-2 SWID tags with an
 * enveloped XML-DSig (C14N 1.1, ECDSA P-384, SHA-384) whose KeyInfo carries
 * the signer's chain. Parsing only: the signed bytes are canonicalized here
 * (a pure function of the document), the digest and signature are checked in
 * verifyRim.ts. Everything read for appraisal comes from the signed document
 * element outside the Signature, so a wrapped copy cannot be substituted.
 */
import { bytesView } from "../../../util/bufferView.ts";
import { hash } from "node:crypto";
import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { parseCertificate, type ParsedCertificate } from "../../../pki/x509/certificate.ts";
import type { PkiCaches } from "../../../pki/x509/pkiCaches.ts";
import { NVGPU_FORMAT_CODES } from "../codes.ts";
import { canonicalize11 } from "./c14n.ts";
import { attributeOf, childElements, parseXml, textOf, type XmlElement } from "./xml.ts";

export const SWID_NS = "http://standards.iso.org/iso/19770/-2/2015/schema.xsd";
export const DSIG_NS = "http://www.w3.org/2000/09/xmldsig#";
export const SHA384_NS = "http://www.w3.org/2001/04/xmlenc#sha384";
export const C14N_11 = "http://www.w3.org/2006/12/xml-c14n11";
export const ENVELOPED_SIGNATURE = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
export const ECDSA_SHA384 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384";
export const DIGEST_SHA384 = "http://www.w3.org/2001/04/xmldsig-more#sha384";
const MAX_ALTERNATIVES = 16;
/** NVIDIA's RIM CAs encode pre-2050 validity dates as GeneralizedTime (RFC 5280 wants UTCTime): accepted for these chains only. */
const NVIDIA_RIM_CERTIFICATES = { allowGeneralizedTimeBefore2050: true } as const;

export interface GoldenMeasurement {
  /** 0-based RIM index (report block index − 1). */
  index: number;
  active: boolean;
  /** Accepted 48-byte digests: the report's block must equal one of them. */
  alternatives: Uint8Array[];
}

export interface RimSignature {
  canonicalizationMethod: string;
  signatureMethod: string;
  referenceUri: string;
  transforms: string[];
  digestMethod: string;
  digestValue: Uint8Array;
  /** ECDSA r‖s as XML-DSig carries it (RFC 6931 §2.3.6). */
  signatureValue: Uint8Array;
  /** C14N 1.1 of SignedInfo: what the signature covers. */
  signedInfo: Uint8Array;
  /** C14N 1.1 of the document without its Signature: what the digest covers. */
  signedDocument: Uint8Array;
  /** KeyInfo's X509Certificates in order (signer first). */
  chain: ParsedCertificate[];
}

export interface ParsedRim {
  bytes: Uint8Array;
  /** SHA-256 of `bytes` (hex): the key a verifier context remembers the RIM by. */
  contentHash: string;
  tagId: string;
  /** SoftwareIdentity@name (the chip, e.g. "GH100"). */
  name: string;
  /** Meta@colloquialVersion: the driver ("550.90.07") or VBIOS ("96.00.9F.00.01") version. */
  colloquialVersion: string;
  /** Meta@product, Meta@edition. */
  product: string;
  edition: string;
  measurements: GoldenMeasurement[];
  signature: RimSignature;
}

function schema(message: string, field: string): never {
  throw new EvidenceFormatError(NVGPU_FORMAT_CODES.NVGPU_RIM_SCHEMA_INVALID, `RIM: ${message}`, { at: { field } });
}

function one(parent: XmlElement, ns: string, local: string): XmlElement {
  const found = childElements(parent, ns, local);
  if (found.length !== 1) schema(`<${parent.local}> must have exactly one <${local}>, it has ${found.length}`, `${parent.local}.${local}`);
  return found[0]!;
}

function attr(el: XmlElement, local: string, ns = ""): string {
  const v = attributeOf(el, local, ns);
  if (v === undefined) schema(`<${el.local}> has no ${local} attribute`, `${el.local}@${local}`);
  return v;
}

function algorithm(el: XmlElement): string {
  return attr(el, "Algorithm");
}

function base64(text: string, field: string): Uint8Array {
  const clean = text.replace(/[ \t\n]/g, "");
  const bytes = bytesView(Buffer.from(clean, "base64"));
  // Canonical base64 only (RFC 4648 §3.5): non-zero padding bits would give the same bytes a second spelling.
  if (Buffer.from(bytes).toString("base64") !== clean) schema("not canonical base64", field);
  return bytes;
}

function parseSignature(root: XmlElement, signature: XmlElement, caches?: PkiCaches): RimSignature {
  const signedInfo = one(signature, DSIG_NS, "SignedInfo");
  const reference = one(signedInfo, DSIG_NS, "Reference");
  const transforms = childElements(one(reference, DSIG_NS, "Transforms"), DSIG_NS, "Transform").map(algorithm);
  const certificates = childElements(one(one(signature, DSIG_NS, "KeyInfo"), DSIG_NS, "X509Data"), DSIG_NS, "X509Certificate");
  if (childElements(signedInfo, DSIG_NS, "Reference").length !== 1) schema("SignedInfo must have one Reference", "SignedInfo");
  return {
    canonicalizationMethod: algorithm(one(signedInfo, DSIG_NS, "CanonicalizationMethod")),
    signatureMethod: algorithm(one(signedInfo, DSIG_NS, "SignatureMethod")),
    referenceUri: attr(reference, "URI"),
    transforms,
    digestMethod: algorithm(one(reference, DSIG_NS, "DigestMethod")),
    digestValue: base64(textOf(one(reference, DSIG_NS, "DigestValue")), "DigestValue"),
    signatureValue: base64(textOf(one(signature, DSIG_NS, "SignatureValue")), "SignatureValue"),
    signedInfo: canonicalize11(signedInfo),
    signedDocument: canonicalize11(root, signature),
    chain: certificates.map((c, i) =>
      parseCertificate(base64(textOf(c), `X509Certificate[${i}]`), `RIM KeyInfo certificate ${i}`, caches, NVIDIA_RIM_CERTIFICATES),
    ),
  };
}

function parseMeasurement(resource: XmlElement, position: number): GoldenMeasurement {
  const field = `Payload.Resource[${position}]`;
  const index = Number(attr(resource, "index"));
  const count = Number(attr(resource, "alternatives"));
  const activeText = attr(resource, "active");
  const size = Number(attr(resource, "size"));
  if (!Number.isInteger(index) || index < 0 || index > 254) schema(`index ${attr(resource, "index")} is not a block index`, field);
  if (!Number.isInteger(count) || count < 1 || count > MAX_ALTERNATIVES)
    schema(`alternatives ${attr(resource, "alternatives")} is out of range`, field);
  if (activeText !== "True" && activeText !== "False") schema(`active must be True or False`, field);
  if (size !== 48) schema(`size ${attr(resource, "size")} is not 48`, field);
  const alternatives: Uint8Array[] = [];
  for (let j = 0; j < count; j++) {
    const hex = attr(resource, `Hash${j}`, SHA384_NS);
    if (!/^[0-9a-fA-F]{96}$/.test(hex)) schema(`Hash${j} is not a 48-byte hex digest`, field);
    alternatives.push(bytesView(Buffer.from(hex, "hex")));
  }
  return { index, active: activeText === "True", alternatives };
}

/** Parses a RIM: the SWID content keepledger appraises with, and the XML-DSig with its canonical bytes. */
export function parseRim(bytes: Uint8Array, caches?: PkiCaches): ParsedRim {
  const root = parseXml(bytes);
  if (root.ns !== SWID_NS || root.local !== "SoftwareIdentity")
    schema("the document element is not a SWID SoftwareIdentity", "SoftwareIdentity");
  // The enveloped signature must be the document element's own child: one, and only there.
  const signature = one(root, DSIG_NS, "Signature");
  const meta = one(root, SWID_NS, "Meta");
  const resources = childElements(one(root, SWID_NS, "Payload"), SWID_NS, "Resource").filter(
    (r) => attributeOf(r, "type") === "Measurement",
  );
  const measurements = resources.map(parseMeasurement);
  const seen = new Set<number>();
  for (const m of measurements) {
    if (seen.has(m.index)) schema(`measurement index ${m.index} appears twice`, "Payload");
    seen.add(m.index);
  }
  return {
    bytes,
    contentHash: hash("sha256", bytes, "hex"),
    tagId: attr(root, "tagId"),
    name: attr(root, "name"),
    colloquialVersion: attr(meta, "colloquialVersion"),
    product: attributeOf(meta, "product") ?? "",
    edition: attributeOf(meta, "edition") ?? "",
    measurements,
    signature: parseSignature(root, signature, caches),
  };
}
