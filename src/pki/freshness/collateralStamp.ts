/**
 * Collateral stamps: what makes one CRL, TCB Info or QE Identity newer than another of the same key, and
 * the floor a validator keeps of the newest it has verified. Pure: the floor is handed in as an option
 * object (the node persists it, src/node/store/CollateralFloorStore.ts), never kept in module state.
 *
 * Keys: a CRL by its issuer's name and key (SHA-256 of the issuer's SubjectPublicKeyInfo, first 16 hex
 * digits), a TCB Info by TEE and FMSPC, a QE Identity by id. Order: CRLs by thisUpdate then CRL number;
 * TCB Info and QE Identity by tcbEvaluationDataNumber then issueDate.
 */
import { hash } from "node:crypto";
import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import type { ParsedCertificate, ParsedCrl } from "../x509/certificate.ts";
import type { VerifiedChain } from "../x509/verifyCertificateChain.ts";
import { FRESHNESS_CODES } from "./codes.ts";
import type { CollateralStamp, StampedDocument } from "@keepledger/sdk/internal/pki/types";

export type { CollateralStamp, StampedDocument };

/** The newest verified document per key; read-only for verifiers. */
export type CollateralFloor = ReadonlyMap<string, CollateralStamp>;

export interface CollateralFreshnessOptions {
  /** The newest document per key this validator has verified: anything older is refused. */
  floor?: CollateralFloor;
  /**
   * Refuse a CRL, TCB Info or QE Identity issued more than this many seconds before the verification
   * time. Default: unset — the document's own nextUpdate is the limit (and the floor still applies).
   */
  maxCollateralAgeSeconds?: number;
}

export function defaultCollateralFreshnessOptions(): CollateralFreshnessOptions {
  return {};
}

/** > 0 when `a` is newer than `b` (same key assumed). */
export function compareStamps(a: CollateralStamp, b: CollateralStamp): number {
  const byDate = a.issued.getTime() - b.issued.getTime();
  const byNumber = a.number - b.number;
  return a.document === "crl" ? byDate || byNumber : byNumber || byDate;
}

/** The newer of two stamps of one key (`current` on a tie). */
export function newerStamp(current: CollateralStamp | undefined, candidate: CollateralStamp): CollateralStamp {
  return current === undefined || compareStamps(candidate, current) > 0 ? candidate : current;
}

const keyIds = new WeakMap<ParsedCertificate, string>();

/**
 * SHA-256 of the certificate's SubjectPublicKeyInfo, first 16 hex digits; kept with the certificate object, as its
 * CRL number is with a CRL: a cold DCAP verdict stamps the root CA CRL once per chain (three times), each by the
 * pinned root's key, and a hash was ~1 µs.
 */
export function keyIdOf(cert: ParsedCertificate): string {
  let id = keyIds.get(cert);
  if (id === undefined) {
    id = hash("sha256", cert.spki, "hex").slice(0, 16);
    keyIds.set(cert, id);
  }
  return id;
}

export function crlKey(issuer: ParsedCertificate): string {
  return `crl:${issuer.subject}#${keyIdOf(issuer)}`;
}

const CRL_NUMBER_OID = "2.5.29.20";
const crlNumbers = new WeakMap<ParsedCrl, number>();

/** The cRLNumber extension (RFC 5280 §5.2.3), or 0 when the CRL has none. Numbers above 2^53 lose precision. */
export function crlNumberOf(crl: ParsedCrl): number {
  const hit = crlNumbers.get(crl);
  if (hit !== undefined) return hit;
  let n = 0;
  // From the CRL's own DER walk: going through @peculiar/x509 here cost ~0.6 ms per cold DCAP verification.
  const ext = crl.extensions.find((e) => e.oid === CRL_NUMBER_OID);
  if (ext) {
    const v = ext.value;
    // extnValue is a DER INTEGER: 02 len bytes (short length form: CRL numbers are at most 20 octets).
    if (v[0] === 0x02 && v[1] !== undefined && v[1] < 0x80 && v.length === 2 + v[1]) {
      if (v.length <= 8) {
        // Up to 6 octets the number is exact in a double: no BigInt (~1 µs per CRL of a cold verification).
        for (let i = 2; i < v.length; i++) n = n * 256 + v[i]!;
      } else {
        let big = 0n;
        for (const b of v.subarray(2)) big = (big << 8n) | BigInt(b);
        n = Number(big);
      }
    }
  }
  crlNumbers.set(crl, n);
  return n;
}

export function crlStamp(crl: ParsedCrl, issuer: ParsedCertificate): CollateralStamp {
  return {
    document: "crl",
    key: crlKey(issuer),
    issued: crl.thisUpdate,
    number: crlNumberOf(crl),
    ...(crl.nextUpdate ? { nextUpdate: crl.nextUpdate } : {}),
    digest: crl.fingerprint,
  };
}

export function intelDocumentStamp(
  document: "tcbInfo" | "qeIdentity",
  value: { id: string; fmspc?: string; issueDate: Date; nextUpdate: Date; tcbEvaluationDataNumber: number },
  bodyHash: string,
): CollateralStamp {
  return {
    document,
    key: document === "tcbInfo" ? `tcbInfo:${value.id}:${(value.fmspc ?? "").toLowerCase()}` : `qeIdentity:${value.id}`,
    issued: value.issueDate,
    number: value.tcbEvaluationDataNumber,
    nextUpdate: value.nextUpdate,
    digest: bodyHash,
  };
}

/** The stamps of the CRLs a verified chain used, each keyed by the certificate that issued it. */
export function chainCrlStamps(chain: VerifiedChain): CollateralStamp[] {
  const out: CollateralStamp[] = [];
  for (const crl of chain.crlsUsed) {
    const issuer = chain.certificates.find((c) => c.subject === crl.issuer);
    if (issuer) out.push(crlStamp(crl, issuer));
  }
  return out;
}

/**
 * Stamps without repeats (same key and document digest), the first of each kept. A verdict's stamps are the few
 * documents it used (a DCAP verdict's 6, 4 of them distinct), so they are compared pair by pair, digests first,
 * rather than each joined into a key string to hash.
 */
export function uniqueStamps(stamps: readonly CollateralStamp[]): CollateralStamp[] {
  const out: CollateralStamp[] = [];
  for (const s of stamps) if (!out.some((o) => o.digest === s.digest && o.key === s.key)) out.push(s);
  return out;
}

const NAMES: Record<StampedDocument, string> = { crl: "CRL", tcbInfo: "TCB Info", qeIdentity: "QE Identity" };
const STALE_CODES = {
  crl: FRESHNESS_CODES.CRL_STALE,
  tcbInfo: FRESHNESS_CODES.DCAP_TCB_INFO_STALE,
  qeIdentity: FRESHNESS_CODES.DCAP_QE_IDENTITY_STALE,
} as const;

/** How a stamp reads in error details and logs. */
export function describeStamp(s: CollateralStamp): { issued: string; number: number; digest: string } {
  return { issued: s.issued.toISOString(), number: s.number, digest: s.digest };
}

/**
 * Refuses a chosen document older than the floor's for its key (typed per document: CRL_STALE,
 * DCAP_TCB_INFO_STALE, DCAP_QE_IDENTITY_STALE) or issued longer than maxCollateralAgeSeconds before `at`
 * (COLLATERAL_TOO_OLD). The details name the document and both dates and numbers.
 */
export function checkFreshness(
  stamp: CollateralStamp,
  options: CollateralFreshnessOptions | undefined,
  at: Date,
  name = NAMES[stamp.document],
): void {
  const known = options?.floor?.get(stamp.key);
  if (known && compareStamps(stamp, known) < 0) {
    throw new VerificationError(
      STALE_CODES[stamp.document],
      `${name} issued ${stamp.issued.toISOString()} (#${stamp.number}) is older than the one issued ${known.issued.toISOString()} (#${known.number}) this validator has verified`,
      {
        at: { field: `collateral.${stamp.document}` },
        details: { document: stamp.key, got: describeStamp(stamp), newest: describeStamp(known) },
      },
    );
  }
  const maxAge = options?.maxCollateralAgeSeconds;
  if (maxAge !== undefined && at.getTime() - stamp.issued.getTime() > maxAge * 1000) {
    throw new VerificationError(
      FRESHNESS_CODES.COLLATERAL_TOO_OLD,
      `${name} was issued ${stamp.issued.toISOString()}, more than ${maxAge} s before ${at.toISOString()}`,
      {
        at: { field: `collateral.${stamp.document}` },
        details: { document: stamp.key, issued: stamp.issued.toISOString(), at: at.toISOString(), maxCollateralAgeSeconds: maxAge },
      },
    );
  }
}
