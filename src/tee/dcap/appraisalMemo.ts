import { hash } from "node:crypto";
import type { CollateralSet, SignedIntelJson } from "../../collateral/types.ts";
import { compareStamps, type CollateralFreshnessOptions, type CollateralStamp } from "../../pki/freshness/collateralStamp.ts";
import type { TrustedRoot } from "../../pki/x509/verifyCertificateChain.ts";
import type { BoundedCache } from "../../util/boundedCache.ts";
import type { DcapQuote } from "./types.ts";

/**
 * A remembered DCAP appraisal: what one verification concluded about a platform — its PCK chain and CRLs, the
 * QE report's signature and its binding of the attestation key, the TCB Info, the QE Identity and the TDX
 * module — so that the next quote from the same QE on the same platform costs its own signature only.
 *
 * None of that reads the quote's signature or body (beyond the TDX SEAM fields the TCB level and the module
 * identity are judged by): it is a pure function of the key below, which names every input it reads — the
 * header, the signature data without the quote signature (attestation key, QE report and its signature, QE
 * auth data, PCK chain), those SEAM fields, the collateral items by content, the roots, the unsafe switches,
 * the maximum collateral age and the exact "as of" instant. One instant, not a window: every date check,
 * every choice among documents and the maximum age give the same answer only at the same time. A node
 * verifies as of the chain's time in whole seconds, so the quotes it verifies within one second share it.
 *
 * The validator's freshness floor moves between verifications, so it is not in the key: a remembered
 * appraisal is used only while the floor is no newer than any document it used (the same test the full
 * verification makes); otherwise the quote is verified in full, which refuses it with the exact code.
 */
export interface DcapAppraisalInputs {
  collateral: CollateralSet;
  at: Date;
  roots: readonly TrustedRoot[];
  requireCrls: boolean;
  allowMissingQeIdentity: boolean;
  freshness?: CollateralFreshnessOptions | undefined;
}

/**
 * The fields, each as its 4-byte big-endian length and its bytes (so that no two sequences of fields hash
 * alike), in one buffer: hashed with one update rather than two per field (each update is a call into
 * OpenSSL; ~2 µs of the key's 5 on a warm verification).
 */
function framed(fields: readonly Uint8Array[]): Buffer {
  let size = 0;
  for (const f of fields) size += 4 + f.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const f of fields) {
    at = out.writeUInt32BE(f.length, at);
    out.set(f, at);
    at += f.length;
  }
  return out;
}

// A collateral item never changes once parsed: its content id is computed once per object.
const documentIds = new WeakMap<SignedIntelJson, string>();

function documentId(doc: SignedIntelJson): string {
  let id = documentIds.get(doc);
  if (id === undefined) {
    const fields = [Buffer.from(doc.type), doc.body, doc.signature, ...doc.issuerChain.map((c) => Buffer.from(c.fingerprint))];
    documentIds.set(doc, (id = hash("sha256", framed(fields), "hex")));
  }
  return id;
}

/** The memo key of a quote's appraisal: SHA-256 over every input the appraisal reads, and the instant. */
export function dcapAppraisalKey(
  quote: DcapQuote,
  inputs: DcapAppraisalInputs,
  collateralMemo?: BoundedCache<CollateralSet, CollateralIds>,
): string {
  const { header, signature } = quote;
  const scalars = [
    quote.tee,
    header.version,
    header.attestationKeyType,
    header.teeType,
    header.qeSvn,
    header.pceSvn,
    signature.outerCertificationDataType ?? "-",
    inputs.requireCrls,
    inputs.allowMissingQeIdentity,
    inputs.freshness?.maxCollateralAgeSeconds ?? "-",
  ];
  const fields = [
    Buffer.from(scalars.join(",")),
    header.qeVendorId,
    header.userData,
    signature.attestationKey,
    signature.qeReport.raw,
    signature.qeReportSignature,
    signature.qeAuthData,
    // The PEM text's SHA-256, taken when it was parsed (it decodes to exactly the chain verified).
    Buffer.from(signature.pckChain.digest),
  ];
  if (quote.tee === "tdx") fields.push(quote.body.teeTcbSvn, quote.body.mrSignerSeam, quote.body.seamAttributes);
  fields.push(
    Buffer.from(inputs.roots.map((r) => r.certificate.fingerprint).join(",")),
    collateralIdsOf(inputs.collateral, collateralMemo),
  );
  return `${inputs.at.getTime()}:${hash("sha256", framed(fields), "hex")}`;
}

/** A collateral set's content ids, as their SHA-256, with the items they were computed from (see {@link collateralIdsOf}). */
export interface CollateralIds {
  snapshot: Pick<CollateralSet, "certificates" | "crls" | "intelDocuments">;
  /** SHA-256 of the joined ids (32 bytes in the appraisal key rather than ~1.3 KB). */
  digest: Buffer;
}

/**
 * The collateral's content ids: its certificates', CRLs' and Intel documents' (each immutable once parsed),
 * remembered per set in the verifier context — a provider hands the same set to every verification
 * (verifyEvidence passes a single provider's set through unmerged) — while it holds the same items, checked
 * one by one by identity, so a set changed in place is read afresh. Joining and hashing ~20 fingerprints was
 * 3 µs of a warm quote. Not a module-level WeakMap: its entries, whose values hold the whole set's items,
 * made every garbage collection of a cold verifier (a new set per call) 20 % of its time slower.
 */
function collateralIdsOf(collateral: CollateralSet, memo: BoundedCache<CollateralSet, CollateralIds> | undefined): Buffer {
  const known = memo?.get(collateral);
  if (
    known &&
    sameItems(known.snapshot.certificates, collateral.certificates) &&
    sameItems(known.snapshot.crls, collateral.crls) &&
    sameItems(known.snapshot.intelDocuments, collateral.intelDocuments)
  ) {
    return known.digest;
  }
  const digest = hash(
    "sha256",
    [
      collateral.certificates.map((c) => c.fingerprint).join(","),
      collateral.crls.map((c) => c.fingerprint).join(","),
      collateral.intelDocuments.map(documentId).join(","),
    ].join(";"),
    "buffer",
  );
  memo?.set(collateral, {
    snapshot: { certificates: [...collateral.certificates], crls: [...collateral.crls], intelDocuments: [...collateral.intelDocuments] },
    digest,
  });
  return digest;
}

function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether the floor is still no newer than every document a remembered appraisal used. */
export function meetsFloor(used: readonly CollateralStamp[], freshness: CollateralFreshnessOptions | undefined): boolean {
  const floor = freshness?.floor;
  if (!floor || floor.size === 0) return true;
  for (const stamp of used) {
    const known = floor.get(stamp.key);
    if (known && compareStamps(stamp, known) < 0) return false;
  }
  return true;
}
