import type { CollateralSet } from "../../collateral/types.ts";
import type { VerifierContext } from "../verifierContext.ts";
import type { DcapQuote } from "./types.ts";
import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import type { Hex } from "@keepledger/sdk/internal/util/bytes";
import { INTEL_SGX_ROOT_CA } from "../../pki/roots.ts";
import type { TcbStatus } from "@keepledger/sdk/internal/tee/types";
import type { TrustedRoot } from "../../pki/x509/verifyCertificateChain.ts";
import { checkQeIdentity, type QeTcb } from "./checkQeIdentity.ts";
import { checkTdxModule, type TdxModuleTcb } from "./checkTdxModule.ts";
import { DCAP_CODES } from "./codes.ts";
import { convergeWithModule, convergeWithQe, unionAdvisories } from "./convergeTcbStatus.ts";
import { dcapAppraisalKey, meetsFloor } from "./appraisalMemo.ts";
import { crlKeccakOf, dcapCollateralHash, documentKeccak } from "./dcapHashes.ts";
import type { IntelDocument, QeIdentity, TcbInfo } from "./intelCollateral.ts";
import { matchTcbLevel } from "./matchTcbLevel.ts";
import { parsePckExtensions } from "./parsePckExtensions.ts";
import { INTEL_QE_IDENTITIES, checkPinnedQeIdentity } from "./pinnedQeIdentity.ts";
import { selectQeIdentity, selectTcbInfo } from "./selectIntelDocuments.ts";
import {
  chainCrlStamps,
  intelDocumentStamp,
  uniqueStamps,
  type CollateralFreshnessOptions,
  type CollateralStamp,
} from "../../pki/freshness/collateralStamp.ts";
import { verifyIntelDocument } from "./verifyIntelDocument.ts";
import { verifyPckChain } from "./verifyPckChain.ts";
import { verifyQeReportBinding, verifyQeReportSignature, verifyQuoteSignature } from "./verifyQuoteSignatures.ts";

export interface VerifyDcapQuoteOptions {
  collateral: CollateralSet;
  /** Verify "as of" this time. */
  at: Date;
  /** Roots to trust instead of the pinned Intel SGX Root CA. Tests only. */
  trustedRoots?: readonly TrustedRoot[];
  /**
   * UNSAFE, off by default. Accepts collateral without a QE Identity: the QE
   * is then only checked against Intel's published QE MRSIGNER, ISVPRODID and
   * attribute masks (pinned in code), its own TCB level is unknown, and
   * `platform.qeStatus` is "NotApplicable". For evidence formats that never
   * carried a QE Identity (Enarx Steward CSRs).
   */
  dangerouslyAllowMissingQeIdentity?: boolean;
  /**
   * UNSAFE, off by default. Verifies the PCK and TCB signing chains without
   * requiring the PCK CRL and the root CA CRL (CRLs that are present are still
   * applied): a revoked PCK certificate would go unnoticed.
   */
  dangerouslyAllowMissingCrls?: boolean;
  /**
   * The validator's floor (newest verified CRL, TCB Info, QE Identity per key) and maximum collateral
   * age: an older choice is refused (CRL_STALE, DCAP_TCB_INFO_STALE, DCAP_QE_IDENTITY_STALE, COLLATERAL_TOO_OLD).
   */
  freshness?: CollateralFreshnessOptions;
  /** What to remember between verifications (a long-lived verifier's); without it nothing is. */
  context?: VerifierContext;
}

const INTEL_ROOTS: readonly TrustedRoot[] = Object.freeze([INTEL_SGX_ROOT_CA]);

/** Platform facts of a verified DCAP quote (VerifiedEvidence.platform). */
export interface DcapPlatformInfo {
  [key: string]: unknown;
  /** 12 lowercase hex digits. */
  fmspc: string;
  /** 4 lowercase hex digits. */
  pceId: string;
  tcbEvaluationDataNumber: number;
  pckCa: "platform" | "processor";
  /** tcbDate of the matched platform TCB level (ISO 8601). */
  tcbDate: string;
  qeStatus: TcbStatus;
  platformStatus: TcbStatus;
  /** TDX with a module of major version > 0: the module identity's level status. */
  moduleStatus?: TcbStatus;
}

export interface VerifyDcapQuoteResult {
  tcb: { status: TcbStatus; advisoryIds: string[] };
  collateralHash: Hex;
  expiresAt: Date;
  platform: DcapPlatformInfo;
  /** The CRLs, TCB Info and QE Identity this verification used, each signature-verified. */
  collateralUsed: CollateralStamp[];
}

/**
 * Verifies an SGX or TDX DCAP quote against Intel collateral as of `at`.
 * Pure: no I/O, no clock. Order (each step fails with its own code):
 * PCK chain with CRLs → PCK SGX extensions → QE report signature → QE report
 * binds the attestation key → quote signature → TCB Info (selection, signature,
 * chain, dates, version, FMSPC/PCE ID) → QE Identity (same) → QE identity policy
 * and QE TCB → TDX module → platform TCB level → convergence; Revoked rejects.
 *
 * With a context, the appraisal of the platform (everything but the quote signature) is remembered for the
 * exact inputs it read and the exact "as of" instant (appraisalMemo.ts): the next quote from the same QE and
 * platform, verified as of the same instant, costs its signature check.
 */
export function verifyDcapQuote(quote: DcapQuote, options: VerifyDcapQuoteOptions): VerifyDcapQuoteResult {
  const { collateral, at, freshness, context } = options;
  const roots = options.trustedRoots ?? INTEL_ROOTS;
  const requireCrls = options.dangerouslyAllowMissingCrls !== true;
  // The memo serves later verifications only: a context made for this one does not compute its key.
  if (!context?.reusable) return appraiseDcapQuote(quote, options, roots, requireCrls);
  const key = dcapAppraisalKey(
    quote,
    {
      collateral,
      at,
      roots,
      requireCrls,
      allowMissingQeIdentity: options.dangerouslyAllowMissingQeIdentity === true,
      freshness,
    },
    context.dcapCollateralIds,
  );
  const known = context.dcapAppraisals.get(key);
  if (known && meetsFloor(known.collateralUsed, freshness)) {
    // Every other input is the same, and passed at this instant: only the quote's own signature is new.
    verifyQuoteSignature(quote, context);
    return copyOf(known);
  }
  return copyOf(context.dcapAppraisals.set(key, appraiseDcapQuote(quote, options, roots, requireCrls)));
}

/** The caller owns what it is handed; the remembered result stays as it was made. */
function copyOf(r: VerifyDcapQuoteResult): VerifyDcapQuoteResult {
  return {
    tcb: { status: r.tcb.status, advisoryIds: [...r.tcb.advisoryIds] },
    collateralHash: r.collateralHash,
    expiresAt: new Date(r.expiresAt.getTime()),
    platform: { ...r.platform },
    collateralUsed: r.collateralUsed.map((s) => ({ ...s })),
  };
}

function appraiseDcapQuote(
  quote: DcapQuote,
  options: VerifyDcapQuoteOptions,
  roots: readonly TrustedRoot[],
  requireCrls: boolean,
): VerifyDcapQuoteResult {
  const { collateral, at, freshness, context } = options;
  const pckChain = verifyPckChain(quote, { collateral, roots, at, requireCrls, ...(freshness ? { freshness } : {}), context });
  const pck = parsePckExtensions(pckChain.leaf, context);

  verifyQeReportSignature(quote, pckChain.leaf, context);
  verifyQeReportBinding(quote);
  verifyQuoteSignature(quote, context);

  const tcbInfoDoc = selectTcbInfo(collateral, quote.tee === "sgx" ? "SGX" : "TDX", pck.fmspc, pck.pceId, at, freshness, context);
  checkVersion(tcbInfoDoc, "TCB Info", 3);
  if (tcbInfoDoc.value.tcbType !== 0) unsupported("TCB Info", "tcbType", tcbInfoDoc.value.tcbType, 0);
  const tcbSigning = verifyIntelDocument({
    document: tcbInfoDoc,
    name: "TCB Info",
    collateral,
    roots,
    at,
    requireCrls,
    ...(freshness ? { freshness } : {}),
    context,
  });
  const tcbInfo = tcbInfoDoc.value;

  const qeId = quote.tee === "sgx" ? "QE" : "TD_QE";
  const qeIdentityDoc = selectQeIdentity(collateral, qeId, at, freshness, context);
  let qe: QeTcb | undefined;
  let qeSigningExpires: Date | undefined;
  const used: CollateralStamp[] = [
    ...chainCrlStamps(pckChain.chain),
    ...chainCrlStamps(tcbSigning.chain),
    intelDocumentStamp("tcbInfo", tcbInfoDoc.value, tcbInfoDoc.bodyHash),
  ];
  if (qeIdentityDoc) {
    checkVersion(qeIdentityDoc, "QE Identity", 2);
    const qeSigning = verifyIntelDocument({
      document: qeIdentityDoc,
      name: "QE Identity",
      collateral,
      roots,
      at,
      requireCrls,
      ...(freshness ? { freshness } : {}),
      context,
    });
    qeSigningExpires = qeSigning.chain.expiresAt;
    used.push(...chainCrlStamps(qeSigning.chain), intelDocumentStamp("qeIdentity", qeIdentityDoc.value, qeIdentityDoc.bodyHash));
    qe = checkQeIdentity(quote.signature.qeReport, qeIdentityDoc.value);
  } else if (options.dangerouslyAllowMissingQeIdentity === true) {
    checkPinnedQeIdentity(quote.signature.qeReport, INTEL_QE_IDENTITIES[qeId]);
  } else {
    throw new VerificationError(DCAP_CODES.DCAP_QE_IDENTITY_MISSING, `no ${qeId} identity in the collateral`, {
      at: { field: "collateral.qeIdentity" },
      details: { id: qeId },
    });
  }

  let module: TdxModuleTcb | undefined;
  if (quote.tee === "tdx") module = checkTdxModule(quote.body, tcbInfo);
  const level = matchTcbLevel({ tcbInfo, pck, ...(quote.tee === "tdx" ? { teeTcbSvn: quote.body.teeTcbSvn } : {}) });

  const withModule = convergeWithModule(level.tcbStatus, module?.status);
  const status = withModule === "Revoked" ? withModule : convergeWithQe(withModule, qe?.status);
  if (status === "Revoked") {
    throw new VerificationError(DCAP_CODES.DCAP_TCB_REVOKED, "the TCB is revoked", {
      at: { field: "tcbInfo.tcbLevels" },
      details: { platform: level.tcbStatus, qe: qe?.status, module: module?.status, tcbDate: level.tcbDate },
    });
  }

  const expiries = [pckChain.chain.expiresAt, tcbSigning.chain.expiresAt, tcbInfo.nextUpdate];
  if (qeSigningExpires) expiries.push(qeSigningExpires);
  if (qeIdentityDoc) expiries.push(qeIdentityDoc.value.nextUpdate);
  const expiresAt = new Date(Math.min(...expiries.map((d) => d.getTime())));

  const rootCaCrl = pckChain.rootCaCrl ?? tcbSigning.chain.crlsUsed.find((c) => c.issuer === tcbSigning.chain.root.certificate.subject);
  const collateralHash = dcapCollateralHash(
    {
      tcbInfo: documentKeccak(tcbInfoDoc.bodyHash, tcbInfoDoc.source.body, context),
      ...(qeIdentityDoc ? { qeIdentity: documentKeccak(qeIdentityDoc.bodyHash, qeIdentityDoc.source.body, context) } : {}),
      ...(pckChain.pckCrl ? { pckCrl: crlKeccakOf(pckChain.pckCrl, context) } : {}),
      ...(rootCaCrl ? { rootCaCrl: crlKeccakOf(rootCaCrl, context) } : {}),
    },
    context,
  );

  const platform: DcapPlatformInfo = {
    fmspc: pck.fmspc,
    pceId: pck.pceId,
    tcbEvaluationDataNumber: tcbInfo.tcbEvaluationDataNumber,
    pckCa: pckChain.pckCa,
    tcbDate: level.tcbDate.toISOString(),
    qeStatus: qe?.status ?? "NotApplicable",
    platformStatus: level.tcbStatus,
    ...(module?.status !== undefined ? { moduleStatus: module.status } : {}),
  };
  return {
    tcb: { status, advisoryIds: unionAdvisories(level.advisoryIDs ?? [], qe?.advisoryIds ?? [], module?.advisoryIds ?? []) },
    collateralHash,
    expiresAt,
    platform,
    collateralUsed: uniqueStamps(used),
  };
}

function checkVersion(doc: IntelDocument<TcbInfo | QeIdentity>, name: string, want: number): void {
  if (doc.value.version !== want) unsupported(name, "version", doc.value.version, want);
}

function unsupported(name: string, field: string, got: unknown, want: unknown): never {
  throw new VerificationError(DCAP_CODES.DCAP_COLLATERAL_UNSUPPORTED, `${name} ${field} ${String(got)} is not supported`, {
    at: { field: `${name}.${field}` },
    details: { got, want },
  });
}
