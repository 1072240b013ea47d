import { createHash, type Hash } from "node:crypto";
import type { CollateralSet, SignedIntelJson } from "../../collateral/types.ts";
import { compareStamps, type CollateralFreshnessOptions, type CollateralStamp } from "../../pki/freshness/collateralStamp.ts";
import type { TrustedRoot } from "../../pki/x509/verifyCertificateChain.ts";
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

/** Bytes with their length first, so that no two sequences of fields hash alike. */
function feed(hash: Hash, bytes: Uint8Array): void {
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32BE(bytes.length);
  hash.update(length).update(bytes);
}

// A collateral item never changes once parsed: its content id is computed once per object.
const documentIds = new WeakMap<SignedIntelJson, string>();

function documentId(doc: SignedIntelJson): string {
  let id = documentIds.get(doc);
  if (id === undefined) {
    const h = createHash("sha256");
    feed(h, Buffer.from(doc.type));
    feed(h, doc.body);
    feed(h, doc.signature);
    for (const c of doc.issuerChain) feed(h, Buffer.from(c.fingerprint));
    documentIds.set(doc, (id = h.digest("hex")));
  }
  return id;
}

/** The memo key of a quote's appraisal: SHA-256 over every input the appraisal reads, and the instant. */
export function dcapAppraisalKey(quote: DcapQuote, inputs: DcapAppraisalInputs): string {
  const h = createHash("sha256");
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
  feed(h, Buffer.from(scalars.join(",")));
  feed(h, header.qeVendorId);
  feed(h, header.userData);
  feed(h, signature.attestationKey);
  feed(h, signature.qeReport.raw);
  feed(h, signature.qeReportSignature);
  feed(h, signature.qeAuthData);
  // The PEM text's SHA-256, taken when it was parsed (it decodes to exactly the chain verified).
  feed(h, Buffer.from(signature.pckChain.digest));
  if (quote.tee === "tdx") {
    feed(h, quote.body.teeTcbSvn);
    feed(h, quote.body.mrSignerSeam);
    feed(h, quote.body.seamAttributes);
  }
  const { collateral } = inputs;
  const ids = [
    inputs.roots.map((r) => r.certificate.fingerprint).join(","),
    collateral.certificates.map((c) => c.fingerprint).join(","),
    collateral.crls.map((c) => c.fingerprint).join(","),
    collateral.intelDocuments.map(documentId).join(","),
  ];
  feed(h, Buffer.from(ids.join(";")));
  return `${inputs.at.getTime()}:${h.digest("hex")}`;
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
