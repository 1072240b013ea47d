/**
 * The documents a peer shows a collector when it refuses the collector's collateral as superseded or
 * stale: the newer CRL, TCB Info or QE Identity it verified, with their issuer chains, as collateral files
 * in the usual format (collateralFiles.ts), carried in the refusal's details. Bounded on both sides: a peer
 * sends at most MAX_SUPERSEDING_FILES files of at most MAX_SUPERSEDING_BYTES together, and a collector
 * reads no more than that from any refusal. To the collector they are supplied collateral, untrusted.
 */
import { createHash } from "node:crypto";
import type { CollateralSet } from "../../collateral/types.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import { FRESHNESS_CODES } from "../../pki/freshness/codes.ts";
import type { ParsedCertificate, ParsedCrl } from "../../pki/x509/certificate.ts";
import { NODE_CODES } from "../codes.ts";
import type { CollateralFile } from "../types.ts";
import { collateralSetToFiles } from "./collateralFiles.ts";

/** The most bytes of superseding documents one refusal carries (a TCB Info with its chain is ~10 KiB). */
export const MAX_SUPERSEDING_BYTES = 64 << 10;
/** The most files one refusal carries. */
export const MAX_SUPERSEDING_FILES = 8;

/** A superseding document in a refusal's details (`details.superseding`). */
export interface SupersedingFileJson {
  name: string;
  /** The file's bytes, base64. */
  base64: string;
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** A CRL's issuer chain from the certificates of a set: its issuer, that one's issuer, … (at most 4). */
function crlChain(crl: ParsedCrl, certificates: readonly ParsedCertificate[]): ParsedCertificate[] {
  const chain: ParsedCertificate[] = [];
  let name = crl.issuer;
  for (let depth = 0; depth < 4; depth++) {
    const cert = certificates.find((c) => c.subject === name && !chain.includes(c));
    if (!cert) break;
    chain.push(cert);
    if (cert.issuer === cert.subject) break;
    name = cert.issuer;
  }
  return chain;
}

/**
 * The documents of `set` with the given digests (CollateralStamp.digest: SHA-256 of a CRL's DER or of an
 * Intel document's signed body), with their issuer chains, as files. Empty when they do not fit the bounds:
 * the refusal then names the documents without carrying them.
 */
export function supersedingFiles(set: CollateralSet, digests: readonly string[]): CollateralFile[] {
  const wanted = new Set(digests.map((d) => d.toLowerCase()));
  const crls = set.crls.filter((c) => wanted.has(c.fingerprint));
  const documents = set.intelDocuments.filter((d) => wanted.has(sha256(d.body)));
  if (crls.length + documents.length === 0) return [];
  const files = collateralSetToFiles({ certificates: crls.flatMap((c) => crlChain(c, set.certificates)), crls, intelDocuments: documents });
  const bytes = files.reduce((n, f) => n + f.bytes.length, 0);
  return files.length <= MAX_SUPERSEDING_FILES && bytes <= MAX_SUPERSEDING_BYTES ? files : [];
}

export function supersedingToJson(files: readonly CollateralFile[]): SupersedingFileJson[] {
  return files.map((f) => ({ name: f.name, base64: Buffer.from(f.bytes).toString("base64") }));
}

/**
 * The superseding documents of a refusal's details, as a peer sent them: untrusted, so only well-formed
 * entries within the bounds are read (the rest is ignored) and nothing here says they are genuine.
 */
export function supersedingFromDetails(details: unknown): CollateralFile[] {
  const list = (details as { superseding?: unknown } | null | undefined)?.superseding;
  if (!Array.isArray(list)) return [];
  const out: CollateralFile[] = [];
  let total = 0;
  for (const entry of list.slice(0, MAX_SUPERSEDING_FILES)) {
    const { name, base64 } = (entry ?? {}) as Partial<SupersedingFileJson>;
    if (
      typeof name !== "string" ||
      !FILE_NAME.test(name) ||
      typeof base64 !== "string" ||
      base64.length > (MAX_SUPERSEDING_BYTES * 4) / 3 + 4
    )
      continue;
    const bytes = new Uint8Array(Buffer.from(base64, "base64"));
    if (bytes.length === 0 || total + bytes.length > MAX_SUPERSEDING_BYTES) continue;
    total += bytes.length;
    out.push({ name, bytes });
  }
  return out;
}

/** Peer refusals that name a newer document the peer verified (`details.newest`), which it then shows. */
export const SUPERSEDING_REFUSALS: ReadonlySet<string> = new Set<string>([
  NODE_CODES.COLLATERAL_SUPERSEDED,
  FRESHNESS_CODES.CRL_STALE,
  FRESHNESS_CODES.DCAP_TCB_INFO_STALE,
  FRESHNESS_CODES.DCAP_QE_IDENTITY_STALE,
]);

/** Attaches the documents of `own` with these digests to a refusal (`details.superseding`), when there are any within the bounds. */
export function showDocuments(error: unknown, own: CollateralSet, digests: readonly string[]): void {
  if (!isKeepledgerError(error)) return;
  const files = supersedingFiles(own, digests);
  if (files.length > 0) error.details.superseding = supersedingToJson(files);
}

/**
 * A peer refusing the collector's document as superseded or stale shows the newer one it verified
 * (`details.newest.digest`), with its issuer chain, when its own sources still hold it: the collector can
 * then heal at once instead of waiting for its own cache (docs/node.md, "Collateral independence").
 */
export function showNewest(error: unknown, own: CollateralSet): void {
  if (!isKeepledgerError(error) || !SUPERSEDING_REFUSALS.has(error.code)) return;
  const digest = (error.details.newest as { digest?: unknown } | undefined)?.digest;
  if (typeof digest === "string") showDocuments(error, own, [digest]);
}
