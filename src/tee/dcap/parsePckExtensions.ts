import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import type { VerifierContext } from "../verifierContext.ts";
import type { ParsedCertificate } from "../../pki/x509/certificate.ts";
import { DER, childrenOf, childrenUpTo, expectTag, readOid, readSingle, readSmallInteger, type Tlv } from "../../pki/x509/der.ts";
import { DCAP_CODES } from "./codes.ts";

/** Intel's SGX extensions OID and its children (Intel SGX PCK Certificate and CRL Profile). */
export const SGX_EXTENSIONS_OID = "1.2.840.113741.1.13.1";
const OID = {
  ppid: `${SGX_EXTENSIONS_OID}.1`,
  tcb: `${SGX_EXTENSIONS_OID}.2`,
  pceSvn: `${SGX_EXTENSIONS_OID}.2.17`,
  cpuSvn: `${SGX_EXTENSIONS_OID}.2.18`,
  pceId: `${SGX_EXTENSIONS_OID}.3`,
  fmspc: `${SGX_EXTENSIONS_OID}.4`,
  sgxType: `${SGX_EXTENSIONS_OID}.5`,
} as const;

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
  const fields = entries(top, "SGX extensions");
  const tcb = entries(expectTag(fields.get(OID.tcb), DER.SEQUENCE, "SGX extensions TCB"), "SGX extensions TCB");
  const components: number[] = [];
  for (let i = 1; i <= 16; i++) components.push(integer(tcb.get(`${OID.tcb}.${i}`), `sgxtcbcomp${String(i).padStart(2, "0")}svn`));
  return {
    ppid: octets(fields.get(OID.ppid), "PPID", 16),
    components,
    pceSvn: integer(tcb.get(OID.pceSvn), "pcesvn"),
    cpuSvn: octets(tcb.get(OID.cpuSvn), "cpusvn", 16),
    pceId: octets(fields.get(OID.pceId), "PCE-ID", 2),
    fmspc: octets(fields.get(OID.fmspc), "FMSPC", 6),
    sgxType: enumerated(fields.get(OID.sgxType), "SGX Type"),
  };
}

/** A SEQUENCE OF SEQUENCE { OID, value } as a map from OID to value. */
function entries(seq: Tlv, field: string): Map<string, Tlv> {
  const out = new Map<string, Tlv>();
  for (const entry of childrenOf(seq, field)) {
    const [oid, value] = childrenUpTo(expectTag(entry, DER.SEQUENCE, field), 2, field);
    const name = readOid(oid, field);
    if (value === undefined) invalid(`${field} entry ${name} has no value`);
    if (out.has(name)) invalid(`${field} entry ${name} appears twice`);
    out.set(name, value);
  }
  return out;
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
  return Buffer.from(v).toString("hex");
}

function invalid(message: string): never {
  throw new VerificationError(DCAP_CODES.DCAP_PCK_CERT_INVALID, message, { at: { field: "PCK certificate" } });
}
