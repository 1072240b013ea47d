import { isAscii } from "node:buffer";
import { bufferView, bytesView } from "../util/bufferView.ts";
import { fromHex, tryFromHex } from "@keepledger/sdk/internal/util/bytes";
import { parseCertificate, parseCrl, parsePemCertificates, type ParsedCertificate, type ParsedCrl } from "../pki/x509/certificate.ts";
import { DER, readTlv } from "../pki/x509/der.ts";
import { looksLikeOcspResponse, parseOcspResponse } from "../pki/ocsp/ocspResponse.ts";
import type { PkiCaches } from "../pki/x509/pkiCaches.ts";
import { offerParsedBody } from "./parsedIntelBody.ts";
import { rawJsonMemberSpans } from "./rawJson.ts";
import { recognizeEndorsementKeys } from "./recognizeEndorsementKeys.ts";
import { emptyCollateral, type CollateralSet, type SignedIntelJson } from "./types.ts";

export interface RecognizedFile {
  collateral: CollateralSet;
  /** Why a file that looked like collateral was not used; unrelated files are skipped silently. */
  problem?: string;
}

/** A SWID tag (an NVIDIA RIM): optional BOM, XML declaration and comments, then the SoftwareIdentity root. */
const RIM_START = /^(?:\uFEFF)?(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<SoftwareIdentity[\s>]/;

const PEM_CRL = /-----BEGIN X509 CRL-----[A-Za-z0-9+/=\s]+-----END X509 CRL-----/g;

/**
 * Recognizes collateral by content, whatever the file is called: PEM or DER
 * certificates and CRLs, Intel TCB Info / QE Identity JSON as served by PCS v4,
 * and the combined Intel collateral JSON some verifiers use (dcap-qvl's
 * QuoteCollateralV3), Arm CCA CPAKs (P-384 PEM public keys, JWKs, Veraison trust-anchor lists), DER OCSP
 * responses and NVIDIA RIMs (SWID tags, kept as raw documents for the nvidia-gpu kind to parse). Anything else
 * yields an empty set. With `caches`, a certificate or CRL met again (an issuer chain's root in every chain
 * file) is parsed once.
 */
export function recognizeCollateral(bytes: Uint8Array, source?: string, caches?: PkiCaches): RecognizedFile {
  const out = emptyCollateral();
  if (bytes.length === 0) return { collateral: out };
  try {
    if (bytes[0] === 0x30) {
      if (looksLikeOcspResponse(bytes)) return { collateral: { ...out, ocspResponses: [parseOcspResponse(bytes)] } };
      return { collateral: recognizeDer(bytes, caches) };
    }
    const text = bufferView(bytes).toString("utf8");
    if (RIM_START.test(text.slice(0, 4096))) return { collateral: { ...out, rims: [bytes] } };
    // JSON first: combined collateral files (dcap-qvl's) hold PEM chains inside JSON strings.
    if (text.trimStart().startsWith("{")) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return { collateral: { ...out, endorsementKeys: recognizeEndorsementKeys(text, source) } };
      }
      return {
        collateral: { ...recognizeJson(text, bytes, json, caches), endorsementKeys: recognizeEndorsementKeys(text, source, { json }) },
      };
    }
    if (text.trimStart().startsWith("[")) return { collateral: { ...out, endorsementKeys: recognizeEndorsementKeys(text, source) } };
    if (text.includes("-----BEGIN ")) {
      out.endorsementKeys = recognizeEndorsementKeys(text, source);
      out.certificates.push(...parsePemCertificates(text, undefined, caches));
      // A literal search first: the pattern's scan of a certificate chain that holds no CRL costs more.
      if (text.includes("-----BEGIN X509 CRL-----"))
        for (const block of text.match(PEM_CRL) ?? []) out.crls.push(parseCrl(block, undefined, caches));
      return { collateral: out };
    }
  } catch (e) {
    return { collateral: emptyCollateral(), problem: e instanceof Error ? e.message : String(e) };
  }
  return { collateral: out };
}

function recognizeDer(der: Uint8Array, caches: PkiCaches | undefined): CollateralSet {
  const out = emptyCollateral();
  // Try the likelier reading first (a failed parse builds a typed error with its stack: tens of µs), then
  // the other; the error of the second attempt is the one reported.
  if (looksLikeCrl(der)) {
    try {
      out.crls.push(parseCrl(der, undefined, caches));
    } catch {
      out.certificates.push(parseCertificate(der, undefined, caches));
    }
    return out;
  }
  try {
    out.certificates.push(parseCertificate(der, undefined, caches));
  } catch {
    out.crls.push(parseCrl(der, undefined, caches));
  }
  return out;
}

/**
 * A hint, not a check: tbsCertList has a time (thisUpdate) right after its issuer, 3rd or 4th element (v1
 * or v2); tbsCertificate has the validity SEQUENCE there. Malformed input says false.
 */
function looksLikeCrl(der: Uint8Array): boolean {
  try {
    const outer = readTlv(der, 0, "collateral");
    const tbs = readTlv(outer.value, 0, "collateral.tbs");
    if (tbs.tag !== DER.SEQUENCE) return false;
    const tags: number[] = [];
    for (let o = 0; o < tbs.value.length && tags.length < 4; ) {
      const t = readTlv(tbs.value, o, "collateral.tbs");
      tags.push(t.tag);
      o += t.size;
    }
    const time = (tag: number | undefined): boolean => tag === 0x17 || tag === 0x18; // UTCTime, GeneralizedTime
    return tags[0] === DER.INTEGER ? time(tags[3]) : time(tags[2]);
  } catch {
    return false;
  }
}

/**
 * A PCS-form Intel document: the signed body is cut from the document as served; its parse is the one the whole
 * document's parse already made — the same thing, since rawJsonMemberSpans refuses a name given twice (which of
 * two a parser keeps is not what the signature covers), so the verifier does not parse the body a second time.
 * `bytes` is the file `text` was decoded from: when it is all ASCII (PCS serves it so), a character's index is
 * its byte's, and the body is a view of the file's bytes rather than the text encoded again (a 4.5 KB TCB Info
 * body: ~9 µs and a buffer outside V8's heap, in every cold verification).
 */
function signedIntel(
  text: string,
  bytes: Uint8Array,
  doc: Record<string, unknown>,
  type: "tcbInfo" | "enclaveIdentity",
): SignedIntelJson | undefined {
  const members = rawJsonMemberSpans(text);
  const span = members?.get(type);
  if (members === undefined || span === undefined || !members.has("signature")) return undefined;
  const signature = typeof doc.signature === "string" ? tryFromHex(doc.signature) : undefined;
  if (!signature) throw new Error(`${type} signature is not hex`);
  const body = text.slice(span.start, span.end);
  const bodyBytes = isAscii(bytes) ? bytes.subarray(span.start, span.end) : bytesView(Buffer.from(body, "utf8"));
  return signedDocument(type, body, bodyBytes, doc[type], signature);
}

/**
 * A signed document whose body is `bytes`, the UTF-8 of `body`. `parsed` (the body's parse, already made) goes to
 * the verifier that first reads the body (parsedIntelBody.ts); `value` is a parse of its own, made when first
 * read, so that nothing the verifier evaluates is reachable from the document.
 */
function signedDocument(
  type: "tcbInfo" | "enclaveIdentity",
  body: string,
  bytes: Uint8Array,
  parsed: unknown,
  signature: Uint8Array,
): SignedIntelJson {
  offerParsedBody(bytes, parsed);
  return new RecognizedIntelDocument(type, body, bytes, signature);
}

/**
 * A recognized document whose `value` is parsed when first read. A class rather than an object literal with a
 * getter: V8 keeps a literal's getter in the object's own map, in the old generation, and with it the getter's
 * closure and the document's text, which no young-generation collection could then free (Certificate in
 * certificate.ts says more).
 */
class RecognizedIntelDocument implements SignedIntelJson {
  readonly type: "tcbInfo" | "enclaveIdentity";
  readonly body: Uint8Array;
  readonly signature: Uint8Array;
  readonly issuerChain: ParsedCertificate[] = [];
  readonly #text: string;
  #value: unknown = undefined;
  #read = false;

  constructor(type: "tcbInfo" | "enclaveIdentity", text: string, body: Uint8Array, signature: Uint8Array) {
    this.type = type;
    this.body = body;
    this.signature = signature;
    this.#text = text;
  }

  get value(): unknown {
    if (!this.#read) {
      this.#value = JSON.parse(this.#text);
      this.#read = true;
    }
    return this.#value;
  }
}

/**
 * `json` is `text` parsed, and `text` is `bytes` decoded; the signed bodies are cut from the document itself (their
 * exact bytes are what is signed).
 */
function recognizeJson(text: string, bytes: Uint8Array, json: unknown, caches: PkiCaches | undefined): CollateralSet {
  const out = emptyCollateral();
  if (json === null || typeof json !== "object") return out;
  const doc = json as Record<string, unknown>;
  for (const type of ["tcbInfo", "enclaveIdentity"] as const) {
    if (type in doc && "signature" in doc) {
      const signed = signedIntel(text, bytes, doc, type);
      if (signed) out.intelDocuments.push(signed);
    }
  }
  // dcap-qvl QuoteCollateralV3: the signed bodies are strings holding the exact JSON text.
  if (typeof doc.tcb_info === "string" && typeof doc.tcb_info_signature === "string") {
    out.intelDocuments.push(fromCombined(doc.tcb_info, doc.tcb_info_signature, "tcbInfo"));
  }
  if (typeof doc.qe_identity === "string" && typeof doc.qe_identity_signature === "string") {
    out.intelDocuments.push(fromCombined(doc.qe_identity, doc.qe_identity_signature, "enclaveIdentity"));
  }
  for (const key of ["pck_crl_issuer_chain", "tcb_info_issuer_chain", "qe_identity_issuer_chain"]) {
    const v = doc[key];
    if (typeof v === "string") out.certificates.push(...parsePemCertificates(v, undefined, caches));
  }
  for (const key of ["pck_crl", "root_ca_crl"]) {
    const v = doc[key];
    if (typeof v === "string") out.crls.push(crlFromHexOrPem(v, caches));
  }
  return out;
}

function fromCombined(body: string, signatureHex: string, type: "tcbInfo" | "enclaveIdentity"): SignedIntelJson {
  return signedDocument(type, body, bytesView(Buffer.from(body, "utf8")), JSON.parse(body), fromHex(signatureHex));
}

function crlFromHexOrPem(v: string, caches: PkiCaches | undefined): ParsedCrl {
  if (v.includes("-----BEGIN X509 CRL-----")) return parseCrl(v, undefined, caches);
  return parseCrl(fromHex(v), undefined, caches);
}
