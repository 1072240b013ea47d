/**
 * The FWID a GPU's leaf (alias) certificate carries in its TCG DICE extension:
 * OID 2.23.133.5.4.1 on Hopper, 2.23.133.5.4.1.1 on Blackwell. Hopper's value
 * has the DICE CompositeDeviceID shape `SEQUENCE { version INTEGER,
 * identity SubjectPublicKeyInfo, fwid FWID }` (seen in the real H100 chain);
 * the DiceTcbInfo shape (TCG DICE Attestation Architecture §6.1.1) keeps its
 * FWIDs in `fwids [6] IMPLICIT SEQUENCE OF FWID`. Both are read; NVIDIA's
 * verifier compares the report's FWID with the first FWID found.
 */
import type { ParsedCertificate } from "../../pki/x509/certificate.ts";
import { DER, childrenOf, readOid, readSingle, expectTag } from "../../pki/x509/der.ts";

export const TCG_DICE_TCB_INFO = "2.23.133.5.4.1";
export const TCG_DICE_TCB_INFO_BLACKWELL = "2.23.133.5.4.1.1";

export interface DiceFwid {
  /** Which OID carried it: the GPU generation. */
  architecture: "hopper" | "blackwell";
  hashAlgorithm: string;
  digest: Uint8Array;
}

/** The first FWID of the leaf's DiceTcbInfo, or null when the certificate has none. Malformed DER throws a format error. */
export function leafFwid(cert: ParsedCertificate): DiceFwid | null {
  const ext = cert.extensions.find((e) => e.oid === TCG_DICE_TCB_INFO || e.oid === TCG_DICE_TCB_INFO_BLACKWELL);
  if (!ext) return null;
  const info = childrenOf(readSingle(ext.value, DER.SEQUENCE, "DiceTcbInfo"), "DiceTcbInfo");
  let first;
  if (info[0]?.tag === DER.INTEGER) {
    // CompositeDeviceID: version, SubjectPublicKeyInfo, FWID.
    first = info[2];
  } else {
    // DiceTcbInfo: fwids [6] IMPLICIT FWIDLIST, constructed, context tag 6.
    const fwids = info.find((t) => t.tag === 0xa6);
    first = fwids ? childrenOf(fwids, "DiceTcbInfo.fwids")[0] : undefined;
  }
  if (!first) return null;
  const [hashAlg, digest] = childrenOf(expectTag(first, DER.SEQUENCE, "DiceTcbInfo.fwids[0]"), "DiceTcbInfo.fwids[0]");
  return {
    architecture: ext.oid === TCG_DICE_TCB_INFO ? "hopper" : "blackwell",
    hashAlgorithm: readOid(hashAlg, "DiceTcbInfo.fwids[0].hashAlg"),
    digest: expectTag(digest, DER.OCTET_STRING, "DiceTcbInfo.fwids[0].digest").value,
  };
}
