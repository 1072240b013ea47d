import { bufferView } from "../../util/bufferView.ts";
import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import type { VerifierContext } from "../verifierContext.ts";
import type { ParsedCertificate } from "../../pki/x509/certificate.ts";
import { DER, childrenOf, childrenUpTo, expectTag, readOid, readSingle, readSmallInteger, type Tlv } from "../../pki/x509/der.ts";
import { DCAP_CODES } from "./codes.ts";

/** Intel's SGX extensions OID and its children (Intel SGX PCK Certificate and CRL Profile), by their last arcs. */
export const SGX_EXTENSIONS_OID = "1.2.840.113741.1.13.1";
const ARC = { ppid: 1, tcb: 2, pceId: 3, fmspc: 4, sgxType: 5 } as const;
/** Under the TCB entry: the 16 component SVNs are arcs 1–16, then these. */
const TCB_ARC = { pceSvn: 17, cpuSvn: 18 } as const;

/** The DER contents of SGX_EXTENSIONS_OID and of the TCB entry's OID, below which the entries' OIDs add one arc. */
const SGX_OID_BYTES = Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01);
const TCB_OID_BYTES = Uint8Array.of(...SGX_OID_BYTES, ARC.tcb);

/** The platform facts the PCK certificate carries. Hex is lowercase without 0x. */
export interface PckExtensions {
  ppid: string;
  /** The 16 SGX TCB component SVNs (sgxtcbcomp01svn … sgxtcbcomp16svn). */
  components: number[];
  pceSvn: number;
  cpuSvn: string;
  pceId: string;
  fmspc: string;
  sgxType: number;
}

/**
 * Reads the SGX extensions of a PCK certificate with the bounded DER reader.
 * Remembered in `context` by certificate fingerprint: the answer is a pure function of the bytes.
 */
export function parsePckExtensions(cert: ParsedCertificate, context?: VerifierContext): PckExtensions {
  const hit = context?.pckExtensions.get(cert.fingerprint);
  if (hit) return hit;
  const ext = cert.extensions.find((e) => e.oid === SGX_EXTENSIONS_OID);
  if (!ext) invalid("the PCK certificate has no SGX extensions");
  const out = decode(ext.value);
  return context ? context.pckExtensions.set(cert.fingerprint, out) : out;
}

function decode(value: Uint8Array): PckExtensions {
  const top = readSingle(value, DER.SEQUENCE, "SGX extensions");
  const fields = entries(top, "SGX extensions", SGX_OID_BYTES);
  const tcb = entries(expectTag(fields.get(ARC.tcb), DER.SEQUENCE, "SGX extensions TCB"), "SGX extensions TCB", TCB_OID_BYTES);
  const components: number[] = [];
  for (let i = 1; i <= 16; i++) components.push(integer(tcb.get(i), `sgxtcbcomp${String(i).padStart(2, "0")}svn`));
  return {
    ppid: octets(fields.get(ARC.ppid), "PPID", 16),
    components,
    pceSvn: integer(tcb.get(TCB_ARC.pceSvn), "pcesvn"),
    cpuSvn: octets(tcb.get(TCB_ARC.cpuSvn), "cpusvn", 16),
    pceId: octets(fields.get(ARC.pceId), "PCE-ID", 2),
    fmspc: octets(fields.get(ARC.fmspc), "FMSPC", 6),
    sgxType: enumerated(fields.get(ARC.sgxType), "SGX Type"),
  };
}

/**
 * A SEQUENCE OF SEQUENCE { OID, value } as a map from OID to value. An OID that is `parent` and one more arc
 * below 128 (every entry Intel defines) is keyed by that arc, read from its last octet; any other by its dotted
 * text, decoded and checked as before. The same OID always gets the same key, so a repeated one is still
 * found; the numbers spare building and hashing ~27 strings per certificate (half of this parse).
 */
function entries(seq: Tlv, field: string, parent: Uint8Array): Map<number | string, Tlv> {
  const out = new Map<number | string, Tlv>();
  for (const entry of childrenOf(seq, field)) {
    const [oid, value] = childrenUpTo(expectTag(entry, DER.SEQUENCE, field), 2, field);
    const key = childArc(oid, parent) ?? readOid(oid, field);
    if (value === undefined) invalid(`${field} entry ${readOid(oid, field)} has no value`);
    if (out.has(key)) invalid(`${field} entry ${readOid(oid, field)} appears twice`);
    out.set(key, value);
  }
  return out;
}

/** The last arc of an OID element that is `parent` plus one arc below 128, or undefined. */
function childArc(oid: Tlv | undefined, parent: Uint8Array): number | undefined {
  if (oid?.tag !== DER.OID || oid.length !== parent.length + 1) return undefined;
  const v = oid.value;
  for (let i = 0; i < parent.length; i++) if (v[i] !== parent[i]) return undefined;
  const arc = v[parent.length]!;
  return arc < 0x80 ? arc : undefined;
}

function integer(tlv: Tlv | undefined, field: string): number {
  if (!tlv) invalid(`SGX extension ${field} is missing`);
  const n = readSmallInteger(tlv, field);
  if (n > 0xffff) invalid(`SGX extension ${field} is out of range`);
  return n;
}

function enumerated(tlv: Tlv | undefined, field: string): number {
  if (!tlv) invalid(`SGX extension ${field} is missing`);
  return readSmallInteger(tlv, field, DER.ENUMERATED);
}

function octets(tlv: Tlv | undefined, field: string, length: number): string {
  if (!tlv) invalid(`SGX extension ${field} is missing`);
  const v = expectTag(tlv, DER.OCTET_STRING, field).value;
  if (v.length !== length) invalid(`SGX extension ${field} has ${v.length} bytes, want ${length}`);
  return bufferView(v).toString("hex");
}

function invalid(message: string): never {
  throw new VerificationError(DCAP_CODES.DCAP_PCK_CERT_INVALID, message, { at: { field: "PCK certificate" } });
}
