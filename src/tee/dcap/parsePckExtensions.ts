import { bufferView } from "../../util/bufferView.ts";
import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import type { VerifierContext } from "../verifierContext.ts";
import type { ParsedCertificate } from "../../pki/x509/certificate.ts";
import {
  DER,
  childrenOf,
  childrenUpTo,
  contentStartAt,
  elementEndAt,
  expectTag,
  readOid,
  readSingle,
  readSmallInteger,
  type Tlv,
} from "../../pki/x509/der.ts";
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
  return decodePckExtensionsInPlace(value) ?? decodePckExtensionsByElement(value);
}

/**
 * The SGX extensions' value read with the bounded element reader: the reference reading, and the one that says
 * why a value is refused.
 */
export function decodePckExtensionsByElement(value: Uint8Array): PckExtensions {
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

/** Where each entry's value is, by its OID's last arc (< 128): tag, contents start and end; -1 for none. */
type ArcTable = Int32Array;
const ARCS = 128;

/**
 * Fills `table` with the entries of the SEQUENCE OF SEQUENCE { OID, value } whose contents are `v[start, end)`,
 * when every entry's OID is `parent` and one arc below 128, given once, with exactly one value after it. False
 * otherwise (the element reader then reads it: an OID of another form is keyed by its text there).
 */
function entriesInPlace(v: Uint8Array, start: number, end: number, parent: Uint8Array, table: ArcTable): boolean {
  table.fill(-1);
  for (let o = start; o < end; ) {
    const entryEnd = v[o] === DER.SEQUENCE ? elementEndAt(v, o, end) : -1;
    if (entryEnd < 0) return false;
    const oid = contentStartAt(v, o);
    const oidEnd = v[oid] === DER.OID ? elementEndAt(v, oid, entryEnd) : -1;
    const oidStart = oidEnd < 0 ? -1 : contentStartAt(v, oid);
    if (oidEnd < 0 || oidEnd - oidStart !== parent.length + 1) return false;
    for (let i = 0; i < parent.length; i++) if (v[oidStart + i] !== parent[i]) return false;
    const arc = v[oidStart + parent.length]!;
    if (arc >= 0x80 || table[arc * 3] !== -1) return false;
    // Exactly one element after the OID, ending the entry.
    if (elementEndAt(v, oidEnd, entryEnd) !== entryEnd) return false;
    table[arc * 3] = v[oidEnd]!;
    table[arc * 3 + 1] = contentStartAt(v, oidEnd);
    table[arc * 3 + 2] = entryEnd;
    o = entryEnd;
  }
  return true;
}

/** The non-negative, minimal INTEGER (or ENUMERATED) at `arc` up to `max`, as readSmallInteger reads it; -1 otherwise. */
function integerAt(v: Uint8Array, table: ArcTable, arc: number, tag: number, max: number): number {
  const s = table[arc * 3 + 1]!;
  const e = table[arc * 3 + 2]!;
  if (table[arc * 3] !== tag || e - s < 1 || e - s > 7 || (v[s]! & 0x80) !== 0) return -1;
  if (e - s > 1 && v[s] === 0x00 && v[s + 1]! < 0x80) return -1;
  let n = 0;
  for (let i = s; i < e; i++) n = n * 256 + v[i]!;
  return n <= max ? n : -1;
}

/** The OCTET STRING at `arc` of exactly `length` octets as lowercase hex, or undefined. */
function octetsAt(v: Uint8Array, table: ArcTable, arc: number, length: number): string | undefined {
  const s = table[arc * 3 + 1]!;
  if (table[arc * 3] !== DER.OCTET_STRING || table[arc * 3 + 2]! - s !== length) return undefined;
  return Buffer.from(v.buffer, v.byteOffset + s, length).toString("hex");
}

const topArcs: ArcTable = new Int32Array(ARCS * 3);
const tcbArcs: ArcTable = new Int32Array(ARCS * 3);

/**
 * The SGX extensions read in place when they have the shape Intel writes: every entry a SEQUENCE of an OID one
 * arc below its parent's and one value, each length in its fewest octets, and the values the verifier reads of
 * their type and size. Anything else gives undefined, and decodePckExtensionsByElement decides (its answer or its
 * error): so this accepts nothing that reader refuses, and answers as it does (tested on mutated extensions). It
 * spares the ~110 element objects and arrays that reader makes per certificate, ~7 µs of a cold DCAP
 * verification's ~900.
 */
export function decodePckExtensionsInPlace(v: Uint8Array): PckExtensions | undefined {
  if (v[0] !== DER.SEQUENCE || elementEndAt(v, 0, v.length) !== v.length) return undefined;
  if (!entriesInPlace(v, contentStartAt(v, 0), v.length, SGX_OID_BYTES, topArcs)) return undefined;
  if (topArcs[ARC.tcb * 3] !== DER.SEQUENCE) return undefined;
  if (!entriesInPlace(v, topArcs[ARC.tcb * 3 + 1]!, topArcs[ARC.tcb * 3 + 2]!, TCB_OID_BYTES, tcbArcs)) return undefined;
  const components: number[] = [];
  for (let i = 1; i <= 16; i++) {
    const n = integerAt(v, tcbArcs, i, DER.INTEGER, 0xffff);
    if (n < 0) return undefined;
    components.push(n);
  }
  const pceSvn = integerAt(v, tcbArcs, TCB_ARC.pceSvn, DER.INTEGER, 0xffff);
  const sgxType = integerAt(v, topArcs, ARC.sgxType, DER.ENUMERATED, Number.MAX_SAFE_INTEGER);
  const cpuSvn = octetsAt(v, tcbArcs, TCB_ARC.cpuSvn, 16);
  const ppid = octetsAt(v, topArcs, ARC.ppid, 16);
  const pceId = octetsAt(v, topArcs, ARC.pceId, 2);
  const fmspc = octetsAt(v, topArcs, ARC.fmspc, 6);
  if (pceSvn < 0 || sgxType < 0 || cpuSvn === undefined || ppid === undefined || pceId === undefined || fmspc === undefined)
    return undefined;
  return { ppid, components, pceSvn, cpuSvn, pceId, fmspc, sgxType };
}
