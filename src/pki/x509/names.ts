import { bufferView } from "../../util/bufferView.ts";
import { daysInMonth } from "../../util/calendar.ts";
import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { X509_CODES } from "./codes.ts";
import { DER, childrenOf, childrenUpTo, expectTag, readOid, type Tlv } from "./der.ts";

const SHORT_NAMES: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.4": "SN",
  "2.5.4.5": "serialNumber",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.9": "street",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.12": "T",
  "2.5.4.42": "G",
  "2.5.4.43": "I",
  "2.5.4.46": "dnQualifier",
  "2.5.4.65": "pseudonym",
  "1.2.840.113549.1.9.1": "E",
  "0.9.2342.19200300.100.1.1": "UID",
  "0.9.2342.19200300.100.1.25": "DC",
};

// PrintableString, UTF8String, IA5String, TeletexString (treated as latin1), VisibleString.
const STRING_TAGS: ReadonlySet<number> = new Set([0x13, 0x0c, 0x16, 0x14, 0x1a]);

/** A value RFC 4514 §2.4 escapes something in: a special anywhere, a leading '#' or space, a trailing space. */
const NEEDS_ESCAPE = /[\\,+"<>;=]|^[# ]| $/;

function escape(value: string): string {
  // Most values (every vendor CA's) need nothing: one test instead of a replace and three edge checks.
  if (!NEEDS_ESCAPE.test(value)) return value;
  // RFC 4514 2.4: escape the specials; leading '#'/space and trailing space too.
  // The edges are the value's own: a lone space is "\\ ", escaped once as leading, not again as trailing.
  let out = value.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`);
  if (value.startsWith("#") || value.startsWith(" ")) out = `\\${out}`;
  if (value.endsWith(" ") && value.length > 1) out = `${out.slice(0, -1)}\\ `;
  return out;
}

function attributeValue(tlv: Tlv): string {
  if (STRING_TAGS.has(tlv.tag)) return escape(bufferView(tlv.value).toString(tlv.tag === 0x0c ? "utf8" : "latin1"));
  if (tlv.tag === 0x1e) {
    // BMPString: UCS-2, big-endian, so an even number of octets.
    if (tlv.value.length % 2 !== 0) {
      throw new EvidenceFormatError(X509_CODES.CERT_MALFORMED, "a BMPString with an odd number of octets", {
        at: { field: "name", offset: tlv.offset },
      });
    }
    return escape(Buffer.from(tlv.value).swap16().toString("utf16le"));
  }
  return `#${bufferView(tlv.raw).toString("hex")}`;
}

/**
 * Renders a Name (RDNSequence) as "CN=…, O=…, C=…" in the order of the
 * encoding — the same text @peculiar/x509 produces — so names read the same
 * in messages and compare equal for equal DER.
 */
export function renderName(name: Tlv, field: string): string {
  expectTag(name, DER.SEQUENCE, field);
  return renderNameInPlace(name) ?? renderNameByElement(name, field);
}

/**
 * renderName's text for a Name in the shape CAs write — each RDN a SET of SEQUENCE { an id-at type with a short
 * name, a string }, every length in the short form — read in place from its contents; otherwise undefined, and
 * renderNameByElement reads (or refuses) it. It accepts nothing that reader refuses and renders the same text
 * (tested on mutated names); it spares the ~4 element objects and views per attribute that reader makes (names
 * were a sixth of a cold DCAP verification's garbage).
 */
export function renderNameInPlace(name: Tlv): string | undefined {
  return name.readContents(nameInPlace);
}

function nameInPlace(d: Uint8Array, start: number, end: number): string | undefined {
  let text: Buffer | undefined;
  let out = "";
  for (let o = start; o < end; ) {
    // A relative distinguished name: a non-empty SET within the name.
    if (o + 2 > end || d[o] !== DER.SET || d[o + 1]! >= 0x80 || d[o + 1] === 0) return undefined;
    const rdnEnd = o + 2 + d[o + 1]!;
    if (rdnEnd > end) return undefined;
    if (out !== "") out += ", ";
    for (let a = o + 2; a < rdnEnd; ) {
      // SEQUENCE { OBJECT IDENTIFIER 2.5.4.x (55 04 xx), a string ending the sequence }, within the RDN.
      if (a + 2 > rdnEnd || d[a] !== DER.SEQUENCE || d[a + 1]! >= 0x80) return undefined;
      const atvEnd = a + 2 + d[a + 1]!;
      const t = a + 2;
      if (atvEnd > rdnEnd || t + 5 > atvEnd || d[t] !== DER.OID || d[t + 1] !== 3 || d[t + 2] !== 0x55 || d[t + 3] !== 0x04)
        return undefined;
      const typeName = d[t + 4]! < 0x80 ? ID_AT_NAMES[d[t + 4]!] : undefined;
      const v = t + 5;
      if (typeName === undefined || v + 2 > atvEnd || !STRING_TAGS.has(d[v]!) || v + 2 + d[v + 1]! !== atvEnd) return undefined;
      text ??= bufferView(d);
      if (a > o + 2) out += "+";
      out += `${typeName}=${escape(text.toString(d[v] === 0x0c ? "utf8" : "latin1", v + 2, atvEnd))}`;
      a = atvEnd;
    }
    o = rdnEnd;
  }
  return out;
}

/** renderName element by element: any Name, and every refusal with its field and offset. */
export function renderNameByElement(name: Tlv, field: string): string {
  let out = "";
  for (const rdn of childrenOf(name, field)) {
    if (rdn.tag !== DER.SET || rdn.value.length === 0) {
      throw new EvidenceFormatError(X509_CODES.CERT_MALFORMED, `${field}: a relative distinguished name is not a non-empty SET`, {
        at: { field, offset: rdn.offset },
      });
    }
    if (out !== "") out += ", ";
    let first = true;
    for (const atv of childrenOf(rdn, field)) {
      const [type, value] = childrenUpTo(expectTag(atv, DER.SEQUENCE, field), 2, field);
      const typeName = attributeTypeName(type, field);
      if (value === undefined)
        throw new EvidenceFormatError(X509_CODES.CERT_MALFORMED, `${field}: attribute ${readOid(type, field)} has no value`, {
          at: { field, offset: atv.offset },
        });
      out += `${first ? "" : "+"}${typeName}=${attributeValue(value)}`;
      first = false;
    }
  }
  return out;
}

/** The short names of the attribute types under id-at (2.5.4), by their last arc: read without decoding the OID. */
const ID_AT_NAMES: ReadonlyArray<string | undefined> = Object.freeze(Array.from({ length: 128 }, (_, arc) => SHORT_NAMES[`2.5.4.${arc}`]));

/** An AttributeType as its short name (RFC 4514), or as its dotted OID when it has none. */
function attributeTypeName(type: Tlv | undefined, field: string): string {
  const v = type?.value;
  // 55 04 xx is 2.5.4.xx for any xx < 0x80 (one-octet arcs, nothing to validate).
  if (type?.tag === DER.OID && v!.length === 3 && v![0] === 0x55 && v![1] === 0x04 && v![2]! < 0x80) {
    const short = ID_AT_NAMES[v![2]!];
    if (short !== undefined) return short;
  }
  const oid = readOid(type, field);
  return SHORT_NAMES[oid] ?? oid;
}

/**
 * A Time as RFC 5280 §4.1.2.5 (and §5.1.2.4 for CRLs) allows it: UTCTime
 * YYMMDDHHMMSSZ for 1950–2049, GeneralizedTime YYYYMMDDHHMMSSZ from 2050,
 * always in UTC with seconds and without fractions.
 */
export function parseTime(tlv: Tlv | undefined, field: string, allowGeneralizedTimeBefore2050 = false): Date {
  return new Date(timeMillis(tlv, field, allowGeneralizedTimeBefore2050));
}

/**
 * parseTime's checks and its instant in milliseconds since the epoch, without a Date: a CRL's revocation dates
 * are checked but not kept (44 of them in a 2.6 KB PCK CRL).
 */
export function timeMillis(tlv: Tlv | undefined, field: string, allowGeneralizedTimeBefore2050 = false): number {
  if (tlv === undefined) return badTime(tlv, field, "is missing");
  const v = tlv.value;
  const t = timeMillisAt(v, 0, v.length, tlv.tag, allowGeneralizedTimeBefore2050);
  if (!Number.isNaN(t)) return t;
  // Why: a GeneralizedTime of fourteen digits and "Z" before 2050 says so; anything else is not a valid time.
  const before2050 =
    !allowGeneralizedTimeBefore2050 &&
    tlv.tag === 0x18 &&
    v.length === 15 &&
    v[14] === 0x5a &&
    digitsAt(v, 0, 14) &&
    twoDigits(v, 0) * 100 + twoDigits(v, 2) < 2050;
  return badTime(tlv, field, before2050 ? "is a GeneralizedTime before 2050 (RFC 5280 wants UTCTime there)" : undefined);
}

/**
 * The instant of the Time with tag `tag` whose contents are `v[start, start + length)`, in milliseconds since the
 * epoch, or NaN where parseTime refuses it. Read digit by digit, in place (no text, no pattern, no view).
 */
export function timeMillisAt(v: Uint8Array, start: number, length: number, tag: number, allowGeneralizedTimeBefore2050: boolean): number {
  const digits = tag === 0x17 ? 12 : tag === 0x18 ? 14 : 0;
  if (digits === 0 || length !== digits + 1 || v[start + digits] !== 0x5a /* Z */ || !digitsAt(v, start, digits)) return NaN;
  let year: number;
  if (digits === 12) {
    const yy = twoDigits(v, start);
    year = yy < 50 ? 2000 + yy : 1900 + yy;
  } else {
    year = twoDigits(v, start) * 100 + twoDigits(v, start + 2);
    if (year < 2050 && !allowGeneralizedTimeBefore2050) return NaN;
  }
  const o = start + digits - 10;
  const month = twoDigits(v, o);
  const day = twoDigits(v, o + 2);
  const hour = twoDigits(v, o + 4);
  const minute = twoDigits(v, o + 6);
  const second = twoDigits(v, o + 8);
  // The calendar Date.UTC counts in: it reads a year below 100 (a lenient GeneralizedTime only) as 19xx.
  const calendarYear = year < 100 ? 1900 + year : year;
  if (day < 1 || day > daysInMonth(calendarYear, month) || hour > 23 || minute > 59 || second > 59) return NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** Whether `v[start, start + count)` are all ASCII digits. */
function digitsAt(v: Uint8Array, start: number, count: number): boolean {
  for (let i = start; i < start + count; i++) if (v[i]! < 0x30 || v[i]! > 0x39) return false;
  return true;
}

/** The number written by the two ASCII digits at `i` (checked to be digits before). */
function twoDigits(v: Uint8Array, i: number): number {
  return (v[i]! - 0x30) * 10 + (v[i + 1]! - 0x30);
}

function badTime(tlv: Tlv | undefined, field: string, why = "is not a valid time"): never {
  throw new EvidenceFormatError(X509_CODES.CERT_TIME_INVALID, `${field} ${why}`, {
    at: { field, ...(tlv ? { offset: tlv.offset } : {}) },
    ...(tlv ? { details: { tag: tlv.tag, text: Buffer.from(tlv.value.subarray(0, 32)).toString("latin1") } } : {}),
  });
}

/** The CN of a rendered name ("CN=…, O=…"), unescaped as far as commas go, or "". */
export function commonName(name: string): string {
  // The usual name, CN first with no backslash before its end: the pattern's answer is the slice (a cold DCAP
  // verification reads ~15 CNs).
  if (name.startsWith("CN=")) {
    const comma = name.indexOf(",", 3);
    const end = comma < 0 ? name.length : comma;
    if (end > 3 && name.lastIndexOf("\\", end) < 0) return name.slice(3, end).trim();
  }
  const m = /(?:^|,\s*)CN=((?:\\,|[^,])+)/.exec(name);
  return m ? m[1]!.replace(/\\,/g, ",").trim() : "";
}
