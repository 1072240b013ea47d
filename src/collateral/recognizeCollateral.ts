import { fromHex, tryFromHex } from "@keepledger/sdk/internal/util/bytes";
import { parseCertificate, parseCrl, parsePemCertificates, type ParsedCrl } from "../pki/x509/certificate.ts";
import { looksLikeOcspResponse, parseOcspResponse } from "../pki/ocsp/ocspResponse.ts";
import { rawJsonMember } from "./rawJson.ts";
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
 * yields an empty set.
 */
export function recognizeCollateral(bytes: Uint8Array, source?: string): RecognizedFile {
  const out = emptyCollateral();
  if (bytes.length === 0) return { collateral: out };
  try {
    if (bytes[0] === 0x30) {
      if (looksLikeOcspResponse(bytes)) return { collateral: { ...out, ocspResponses: [parseOcspResponse(bytes)] } };
      return { collateral: recognizeDer(bytes) };
    }
    const text = Buffer.from(bytes).toString("utf8");
    if (RIM_START.test(text.slice(0, 4096))) return { collateral: { ...out, rims: [bytes] } };
    // JSON first: combined collateral files (dcap-qvl's) hold PEM chains inside JSON strings.
    if (text.trimStart().startsWith("{"))
      return { collateral: { ...recognizeJson(text), endorsementKeys: recognizeEndorsementKeys(text, source) } };
    if (text.trimStart().startsWith("[")) return { collateral: { ...out, endorsementKeys: recognizeEndorsementKeys(text, source) } };
    if (text.includes("-----BEGIN ")) {
      out.endorsementKeys = recognizeEndorsementKeys(text, source);
      out.certificates.push(...parsePemCertificates(text));
      for (const block of text.match(PEM_CRL) ?? []) out.crls.push(parseCrl(block));
      return { collateral: out };
    }
  } catch (e) {
    return { collateral: emptyCollateral(), problem: e instanceof Error ? e.message : String(e) };
  }
  return { collateral: out };
}

function recognizeDer(der: Uint8Array): CollateralSet {
  const out = emptyCollateral();
  // A certificate's first inner element is tbsCertificate (a SEQUENCE holding a
  // [0] version); a CRL's tbsCertList starts with an INTEGER version. Try both.
  try {
    out.certificates.push(parseCertificate(der));
    return out;
  } catch {
    out.crls.push(parseCrl(der));
    return out;
  }
}

function signedIntel(text: string, type: "tcbInfo" | "enclaveIdentity"): SignedIntelJson | undefined {
  const body = rawJsonMember(text, type);
  const sig = rawJsonMember(text, "signature");
  if (body === undefined || sig === undefined) return undefined;
  const signature = tryFromHex(JSON.parse(sig) as string);
  if (!signature) throw new Error(`${type} signature is not hex`);
  return { type, body: new Uint8Array(Buffer.from(body, "utf8")), value: JSON.parse(body), signature, issuerChain: [] };
}

function recognizeJson(text: string): CollateralSet {
  const out = emptyCollateral();
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return out;
  }
  if (doc === null || typeof doc !== "object") return out;
  for (const type of ["tcbInfo", "enclaveIdentity"] as const) {
    if (type in doc && "signature" in doc) {
      const signed = signedIntel(text, type);
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
    if (typeof v === "string") out.certificates.push(...parsePemCertificates(v));
  }
  for (const key of ["pck_crl", "root_ca_crl"]) {
    const v = doc[key];
    if (typeof v === "string") out.crls.push(crlFromHexOrPem(v));
  }
  return out;
}

function fromCombined(body: string, signatureHex: string, type: "tcbInfo" | "enclaveIdentity"): SignedIntelJson {
  return {
    type,
    body: new Uint8Array(Buffer.from(body, "utf8")),
    value: JSON.parse(body),
    signature: fromHex(signatureHex),
    issuerChain: [],
  };
}

function crlFromHexOrPem(v: string): ParsedCrl {
  if (v.includes("-----BEGIN X509 CRL-----")) return parseCrl(v);
  return parseCrl(fromHex(v));
}
