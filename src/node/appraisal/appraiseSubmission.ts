/**
 * Appraisal of one submission, the same for a collector (intake) and a peer (countersigning): decode the
 * evidence, recompute the binding from the chain (key, chain id, registry, the canonical hash of the
 * freshness block, the context), verify the evidence as of the chain's time with the engine, appraise it
 * against the workload's on-chain policy and measurements, and apply TCB recovery. The result is the
 * verdict this node would sign — or a typed error saying why not.
 */
import { secp256k1 } from "@noble/curves/secp256k1";
import type { VerifierContext } from "../../tee/verifierContext.ts";
import { getAddress, type Address, type Hex } from "viem";
import { staticCollateral, type StaticCollateralProvider } from "../../collateral/staticCollateral.ts";
import { mergeCollateral, type CollateralProvider, type CollateralSet } from "../../collateral/types.ts";
import { InfrastructureError, PolicyError, UsageError, VerificationError, isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import {
  bindingHash,
  subjectOfPublicKey,
  tcbStatusCode,
  teeKindCode,
  unboundSubject,
  validatorContext,
  validatorKeyServiceContext,
  verdictId,
  type LoggingProfile,
  type Verdict,
} from "@keepledger/sdk/internal/ids/index";
import { appraiseVerdict, type EvidenceBinding } from "../../policy/appraiseVerdict.ts";
import { checkRevocations, platformEntriesOf } from "../../policy/checkRevocations.ts";
import type { VerdictFields, WorkloadPolicy } from "../../policy/types.ts";
import { evidenceKeccak } from "../../util/evidenceKeccak.ts";
import type { TeeAdapter } from "../../tee/adapter.ts";
import { DEFAULT_ADAPTERS } from "../../tee/table.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import {
  compareStamps,
  crlNumberOf,
  describeStamp,
  intelDocumentStamp,
  type CollateralStamp,
} from "../../pki/freshness/collateralStamp.ts";
import { readIntelDocument, type TcbInfo } from "../../tee/dcap/intelCollateral.ts";
import { DCAP_CODES } from "../../tee/dcap/codes.ts";
import { X509_CODES } from "../../pki/x509/codes.ts";
import { detectAdapter, evidenceBytesOf, verifyEvidence } from "../../verify/verifyEvidence.ts";
import type { TrustedRoot } from "../../pki/x509/verifyCertificateChain.ts";
import type { ChainState, ValidatorView } from "../chain/chainState.ts";
import { NODE_CODES } from "../codes.ts";
import type { NodeMetrics } from "../nodeMetrics.ts";
import type { CollateralFloorStore } from "../store/CollateralFloorStore.ts";
import type { TcbDowngradeNotice, TcbRecovery, VerifiedTcbInfo } from "../tcb/tcbRecovery.ts";
import type { CollateralFile, Submission } from "../types.ts";
import { collateralSetToFiles, dedupeFiles } from "./collateralFiles.ts";
import {
  claimedKeys,
  documentDigests,
  keyClaimed,
  refreshingProvider,
  watchingProvider,
  withoutCovered,
  type WatchingProvider,
} from "./collateralProvenance.ts";
import { showDocuments, showNewest } from "./supersedingDocuments.ts";
import { requestIdOf } from "./requestId.ts";

export interface AppraiserOptions {
  chain: ChainState;
  metrics: NodeMetrics;
  /**
   * The validator's own collateral sources (offline directory, PCS/PCCS, KDS, their caches), asked in
   * both roles: a peer never appraises with the collector's files alone (docs/node.md, "Collateral independence").
   */
  providers: readonly CollateralProvider[];
  /** The newest document per key this validator has verified; moved only by documents a verification used. */
  floor?: CollateralFloorStore;
  /** Refuse a CRL, TCB Info or QE Identity issued longer ago than this; default: its own nextUpdate is the limit. */
  maxCollateralAgeSeconds?: number;
  /** The node's long-lived verifier caches (default: a fresh context per verification, correct but slower). */
  verifierContext?: VerifierContext;
  /** Engine adapters (default: every supported kind). */
  adapters?: readonly TeeAdapter[];
  /** Replaces the pinned vendor roots. Tests only: never set from configuration. */
  unsafeTrustedRoots?: readonly TrustedRoot[];
  tcbRecovery?: TcbRecovery;
  /** Sees the signature-verified TCB Info every successful verification used (TCB recovery watches them). */
  onVerifiedTcbInfo?: (documents: VerifiedTcbInfo[]) => void;
  /**
   * A validator's key-service key as the KeyRegistry publishes it now (undefined: none), when this node
   * follows a KeyRegistry: a validator with one binds it into its own evidence (validator context v2,
   * docs/key-release.md). Without the option every validator's evidence must bind the v1 context.
   */
  keyServiceKeyOf?: (validator: Address) => Promise<Hex | undefined>;
}

export interface AppraiseOptions {
  /**
   * "collector": the posted collateral and the node's own sources, the newest of each document wins;
   * "peer": the files the collector sent, with the node's own sources filling in only what they lack —
   * so both reach the same collateralHash — and a refusal (COLLATERAL_SUPERSEDED) when the peer's own
   * sources hold a newer verified document than the one sent.
   */
  role: "collector" | "peer";
  /** The verdict's issuedAt (a peer takes the collector's, after checking its skew). Default: the chain's time. */
  issuedAt?: bigint;
  /**
   * Ask each of this node's sources to bypass its cache once (CollateralProvider.refresh): a peer showed
   * newer collateral than this node's, so its cached copies may be out of date (CollateralHealer.ts).
   */
  refreshSources?: boolean;
}

export interface Appraisal {
  requestId: Hex;
  verdict: Verdict;
  verdictId: Hex;
  fields: VerdictFields;
  verified: VerifiedEvidence;
  /** The raw evidence bytes (decoded) and their hash. */
  evidence: Uint8Array;
  evidenceHash: Hex;
  /** Every collateral file the verification was given. */
  collateral: CollateralFile[];
  subjectPublicKey: Hex | null;
  /** "keep" or "validator:<profile>", as the evidence store records it. */
  bindingContext: string;
  policy: WorkloadPolicy;
  /** The chain time the evidence was verified at. */
  at: bigint;
  tcbDowngrade?: TcbDowngradeNotice;
}

/** Thrown errors carry the request id so a refusal can be recorded under it. */
export interface AppraisalFailure {
  requestId: Hex;
  evidenceHash: Hex;
  error: unknown;
}

export class Appraiser {
  readonly #o: AppraiserOptions;

  constructor(options: AppraiserOptions) {
    this.#o = options;
  }

  /** The raw bytes, their hash and the request id of a submission, before anything is verified. */
  identify(submission: Submission): { evidence: Uint8Array; evidenceHash: Hex; requestId: Hex } {
    const bytes = evidenceBytesOf(submission.evidence, this.#o.adapters ?? DEFAULT_ADAPTERS);
    const evidenceHash = evidenceKeccak(bytes);
    return { evidence: bytes, evidenceHash, requestId: requestIdOf({ ...submission, evidenceHash }) };
  }

  async appraise(submission: Submission, options: AppraiseOptions): Promise<Appraisal> {
    const { chain, metrics } = this.#o;
    const { evidence, evidenceHash, requestId } = this.identify(submission);
    const workload = await chain.workload(submission.workloadId);
    if (!workload) {
      throw new PolicyError(NODE_CODES.NODE_UNKNOWN_WORKLOAD, `workload ${submission.workloadId} is not registered`, {
        details: { workloadId: submission.workloadId },
      });
    }
    const at = chain.now();
    const issuedAt = options.issuedAt ?? at;
    const { binding, bindingContext } = await this.#binding(submission, evidenceHash);

    // Collateral: what was posted (by the Keep, or by the collector), plus this node's own sources. Arm CCA
    // platform keys (CPAKs) are trust anchors, like the pinned vendor roots: outside dev policies a posted one
    // is dropped, so a submitter cannot endorse a platform of its own making (docs/threat-model.md).
    const posted = withoutPostedEndorsements(staticCollateral(submission.collateral, "posted collateral"), workload.policy.dev);
    const supplied = posted.collateral;
    const watching = this.#o.providers.map((p) => watchingProvider(options.refreshSources ? refreshingProvider(p) : p));
    const own: CollateralProvider[] =
      options.role === "peer"
        ? watching.map((w) => ({ name: w.name, fetch: async (r, t) => withoutCovered(supplied, await w.fetch(r, t)) }))
        : watching;
    const providers: CollateralProvider[] = [...(submission.collateral.length > 0 ? [posted] : []), ...own];
    let kind = "unknown";
    try {
      kind = detectAdapter(evidence, this.#o.adapters).kind;
    } catch {
      // verifyEvidence raises the typed error below.
    }
    const atDate = new Date(Number(at) * 1000);
    const started = performance.now();
    let verified: VerifiedEvidence;
    try {
      verified = await verifyEvidence(evidence, {
        at: atDate,
        collateral: providers,
        ...(this.#o.adapters ? { adapters: this.#o.adapters } : {}),
        ...(this.#o.unsafeTrustedRoots ? { trustedRoots: this.#o.unsafeTrustedRoots } : {}),
        ...(this.#o.verifierContext ? { context: this.#o.verifierContext } : {}),
        freshness: {
          ...(this.#o.floor ? { floor: this.#o.floor.floorFor(workload.policy.tcbGracePeriod, atDate) } : {}),
          ...(this.#o.maxCollateralAgeSeconds !== undefined ? { maxCollateralAgeSeconds: this.#o.maxCollateralAgeSeconds } : {}),
        },
      });
      const fetched = mergeCollateral(...watching.flatMap((w) => w.recorded));
      this.#checkComparable(verified, fetched, watching);
      const newer = options.role === "peer" ? await this.#ownNewer(evidence, verified, supplied, fetched, atDate) : [];
      // Every stamp here was signature-verified: the floor moves even when the peer then refuses.
      if (this.#o.floor) await this.#o.floor.advance([...(verified.collateralUsed ?? []), ...newer]);
      this.#checkSuperseded(verified, newer, workload.policy.tcbGracePeriod, atDate);
      this.#notifyTcbRecovery([...(verified.collateralUsed ?? []), ...newer], mergeCollateral(supplied, fetched));
      metrics.verifications.inc({ kind, result: "ok" });
    } catch (error) {
      metrics.verifications.inc({ kind, result: isKeepledgerError(error) ? error.code : "UNEXPECTED" });
      if (options.role === "peer") showNewest(error, mergeCollateral(...watching.flatMap((w) => w.recorded)));
      throw error;
    } finally {
      metrics.verifySeconds.observe({ kind }, (performance.now() - started) / 1000);
    }
    const fetched = mergeCollateral(...watching.flatMap((w) => w.recorded));
    const sent = options.role === "peer" ? withoutCovered(supplied, fetched) : fetched;
    const collateral = dedupeFiles([...submission.collateral, ...collateralSetToFiles(sent)]);

    const appraiseStarted = performance.now();
    const appraised = appraiseVerdict({
      workloadId: submission.workloadId,
      evidence: verified,
      policy: workload.policy,
      measurements: workload.measurements,
      allowedCpaks: workload.allowedCpaks,
      binding,
      now: Number(issuedAt),
    });
    const { subject: revokable, workloadId: inWorkload } = appraised.verdict;
    checkRevocations({
      subject: revokable,
      workloadId: inWorkload,
      state: await chain.revocations(getAddress(revokable), inWorkload, platformEntriesOf(verified)),
    });
    const tcbDowngrade = await this.#o.tcbRecovery?.check({ verified, evidence, files: collateral, policy: workload.policy, at });
    metrics.appraiseSeconds.observe((performance.now() - appraiseStarted) / 1000);
    const f = appraised.verdict;
    const verdict: Verdict = {
      workloadId: f.workloadId,
      measurementHash: f.measurementHash,
      tee: teeKindCode(f.tee),
      tcbStatus: tcbStatusCode(f.tcbStatus),
      subject: getAddress(f.subject),
      evidenceHash: f.evidenceHash,
      collateralHash: f.collateralHash,
      issuedAt: BigInt(f.issuedAt),
      expiresAt: BigInt(f.expiresAt),
      freshnessBlock: BigInt(f.freshnessBlock),
    };
    return {
      requestId,
      verdict,
      verdictId: verdictId(verdict),
      fields: f,
      verified,
      evidence,
      evidenceHash,
      collateral,
      subjectPublicKey: submission.subjectPublicKey,
      bindingContext,
      policy: workload.policy,
      at,
      ...(tcbDowngrade ? { tcbDowngrade } : {}),
    };
  }

  /**
   * A validator whose own sources failed must not sign on a document it cannot compare: every document
   * used must come from its own sources or be no newer than its floor (then it has verified as new).
   */
  #checkComparable(verified: VerifiedEvidence, fetched: CollateralSet, watching: readonly WatchingProvider[]): void {
    const outages = watching.flatMap((w) => w.outages);
    if (outages.length === 0) return;
    const ownDigests = documentDigests(fetched);
    for (const used of verified.collateralUsed ?? []) {
      if (ownDigests.has(used.digest)) continue;
      const known = this.#o.floor?.newest(used.key);
      if (known && compareStamps(used, known) <= 0) continue;
      throw new InfrastructureError(
        NODE_CODES.COLLATERAL_FRESHNESS_UNKNOWN,
        `this validator's collateral sources are down and it cannot tell whether ${used.key} of ${used.issued.toISOString()} is current`,
        {
          details: {
            document: used.key,
            offered: describeStamp(used),
            newestVerified: known ? describeStamp(known) : null,
            outage: outages[0]!.code,
          },
          cause: outages[0],
        },
      );
    }
  }

  /**
   * A peer's own documents for the keys the collector's files cover were left out of its verification.
   * When one of them claims to be newer than the document used, the evidence is verified again with this
   * node's own documents first: the stamps that verification used (signature-verified) are returned.
   */
  async #ownNewer(
    evidence: Uint8Array,
    verified: VerifiedEvidence,
    supplied: CollateralSet,
    fetched: CollateralSet,
    at: Date,
  ): Promise<CollateralStamp[]> {
    const used = verified.collateralUsed ?? [];
    const ownKeys = claimedKeys(fetched);
    const claimsNewer = used.some((u) => keyClaimed(u.key, ownKeys) && rawStamps(fetched, u).some((s) => compareStamps(s, u) > 0));
    if (!claimsNewer) return [];
    try {
      const again = await verifyEvidence(evidence, {
        at,
        collateral: staticCollateral(collateralSetToFiles(mergeCollateral(fetched, withoutCovered(fetched, supplied))), "own collateral"),
        ...(this.#o.adapters ? { adapters: this.#o.adapters } : {}),
        ...(this.#o.unsafeTrustedRoots ? { trustedRoots: this.#o.unsafeTrustedRoots } : {}),
        ...(this.#o.verifierContext ? { context: this.#o.verifierContext } : {}),
      });
      return again.collateralUsed ?? [];
    } catch (error) {
      // A newer-looking document that does not verify (forged, malformed, out of its dates, its chain
      // incomplete) proves nothing; any other failure is what this node's verified, newer collateral
      // says about the evidence (a PCK revoked by its newer CRL, a revoked TCB): it refuses with it.
      if (isKeepledgerError(error) && !UNPROVEN_OWN_COLLATERAL.has(error.code) && error.stage === "verification") {
        // The collector is shown the newer documents this refusal rests on, to verify for itself.
        const digests = used.flatMap((u) =>
          keyClaimed(u.key, ownKeys)
            ? rawStamps(fetched, u)
                .filter((s) => compareStamps(s, u) > 0)
                .map((s) => s.digest)
            : [],
        );
        showDocuments(error, fetched, digests);
        throw error;
      }
      return [];
    }
  }

  /** Refuses when this node verified a newer document than the one used (a TCB Info or QE Identity of a higher evaluation only after the policy's grace period). */
  #checkSuperseded(verified: VerifiedEvidence, newer: readonly CollateralStamp[], tcbGracePeriod: number, at: Date): void {
    for (const used of verified.collateralUsed ?? []) {
      const own = newer.find((n) => n.key === used.key && compareStamps(n, used) > 0);
      if (!own) continue;
      const recovery = own.document !== "crl" && own.number > used.number && at.getTime() < own.issued.getTime() + tcbGracePeriod * 1000;
      // A TCB recovery's grace period: evidence under the previous evaluation (which the floor still
      // admits) goes on to TCB recovery's check, which flags it now and refuses it after the grace period.
      if (recovery) continue;
      throw new VerificationError(
        NODE_CODES.COLLATERAL_SUPERSEDED,
        `${used.key} of ${used.issued.toISOString()} (#${used.number}) is superseded by the one of ${own.issued.toISOString()} (#${own.number}) this validator verified`,
        {
          at: { field: `collateral.${used.document}` },
          details: { document: used.key, sent: describeStamp(used), newest: describeStamp(own) },
        },
      );
    }
  }

  /** Shows TCB recovery the TCB Info a verification used (signature-verified), with the document itself. */
  #notifyTcbRecovery(stamps: readonly CollateralStamp[], offered: CollateralSet): void {
    const tcbInfo = stamps.filter((s) => s.document === "tcbInfo");
    if (tcbInfo.length === 0 || !this.#o.onVerifiedTcbInfo) return;
    const documents: VerifiedTcbInfo[] = [];
    for (const stamp of tcbInfo) {
      const document = offered.intelDocuments.find(
        (d) => d.type === "tcbInfo" && documentDigests({ certificates: [], crls: [], intelDocuments: [d] }).has(stamp.digest),
      );
      if (document) documents.push({ stamp, document, certificates: offered.certificates });
    }
    this.#o.onVerifiedTcbInfo(documents);
  }

  async #binding(submission: Submission, evidenceHash: Hex): Promise<{ binding: EvidenceBinding; bindingContext: string }> {
    const { chain } = this.#o;
    // The designated validator workload is attested only with the validator context and the validator's
    // logging profile bound: a validator's own verdict is never made from ordinary (keep or unbound) evidence.
    const { validatorWorkload } = await chain.validatorSet();
    if (
      submission.workloadId.toLowerCase() === validatorWorkload.toLowerCase() &&
      (submission.context !== "validator" || submission.subjectPublicKey === null)
    ) {
      throw new PolicyError(
        NODE_CODES.NODE_VALIDATOR_WORKLOAD_NOT_VALIDATOR_CONTEXT,
        `evidence for the validator workload must be bound in the validator context, not ${submission.subjectPublicKey === null ? "unbound" : `"${submission.context}"`}`,
        { details: { workloadId: submission.workloadId, context: submission.subjectPublicKey === null ? "unbound" : submission.context } },
      );
    }
    if (submission.subjectPublicKey === null) {
      return {
        binding: { kind: "unbound", subject: unboundSubject(evidenceHash) },
        bindingContext: submission.context === "validator" ? "validator:unbound" : "keep",
      };
    }
    const key = checkedPublicKey(submission.subjectPublicKey);
    const subject = subjectOfPublicKey(key);
    const n = submission.freshnessBlock;
    let head = chain.head();
    // The Keep bound the newest block another validator (or the chain) showed it; this node's cached
    // head may be a poll behind: ask the chain before calling the block unknown.
    if (n > head.number) head = await chain.refreshHead();
    if (n <= 0n || n > head.number) {
      throw new PolicyError(NODE_CODES.NODE_FRESHNESS_BLOCK_UNKNOWN, `block ${n} is not a block of this chain yet (head ${head.number})`, {
        details: { freshnessBlock: n, head: head.number },
      });
    }
    if (head.number - n + 1n < BigInt(chain.confirmations)) {
      throw new PolicyError(NODE_CODES.NODE_FRESHNESS_BLOCK_UNCONFIRMED, `block ${n} is not ${chain.confirmations} blocks deep yet`, {
        details: { freshnessBlock: n, head: head.number, confirmations: chain.confirmations },
      });
    }
    const block = await chain.block(n);
    if (!block)
      throw new PolicyError(NODE_CODES.NODE_FRESHNESS_BLOCK_UNKNOWN, `block ${n} is not a block of this chain`, {
        details: { freshnessBlock: n },
      });
    let context: Hex | undefined;
    let bindingContext = "keep";
    if (submission.context === "validator") {
      // A validator's own evidence binds its logging profile, which governance may have just changed and
      // which the validator re-attests for at once: read the set from the chain, not from a cache a poll
      // may not have refreshed yet (own evidence is rare, so the read costs nothing that matters).
      chain.invalidateValidators();
      const validator = (await chain.validatorSet()).validators.get(subject);
      if (!validator?.registered) {
        throw new PolicyError(NODE_CODES.NODE_VALIDATOR_CONTEXT_UNKNOWN, `${subject} is not a registered validator`, {
          details: { subject },
        });
      }
      const profile = loggingProfileAt(validator, chain.now());
      const keyServiceKey = await this.#o.keyServiceKeyOf?.(subject);
      context = keyServiceKey ? validatorKeyServiceContext(profile, keyServiceKey) : validatorContext(profile);
      bindingContext = `validator:${profile satisfies LoggingProfile}${keyServiceKey ? `:key-service:${keyServiceKey}` : ""}`;
    }
    const hash = bindingHash({
      chainId: chain.deployment.chainId,
      attestationRegistry: chain.deployment.contracts.attestationRegistry,
      subjectPublicKey: key,
      blockHash: block.hash,
      ...(context ? { context } : {}),
    });
    return {
      binding: {
        kind: "bound",
        subject,
        bindingHash: hash,
        freshnessBlock: { number: Number(block.number), timestamp: Number(block.timestamp) },
      },
      bindingContext,
    };
  }
}

/** Failures of a re-verification with the node's own documents that leave those documents unproven. */
export const UNPROVEN_OWN_COLLATERAL: ReadonlySet<string> = new Set<string>([
  DCAP_CODES.DCAP_COLLATERAL_SIGNATURE_INVALID,
  DCAP_CODES.DCAP_COLLATERAL_MALFORMED,
  DCAP_CODES.DCAP_COLLATERAL_UNSUPPORTED,
  DCAP_CODES.DCAP_COLLATERAL_EXPIRED,
  DCAP_CODES.DCAP_COLLATERAL_NOT_YET_VALID,
  DCAP_CODES.DCAP_TCB_SIGNING_CERT_MISSING,
  DCAP_CODES.DCAP_TCB_INFO_MISSING,
  DCAP_CODES.DCAP_QE_IDENTITY_MISSING,
  DCAP_CODES.DCAP_TCB_INFO_MISMATCH,
  X509_CODES.CRL_SIGNATURE_INVALID,
  X509_CODES.CRL_MISSING,
  X509_CODES.CRL_EXPIRED,
  X509_CODES.CRL_NOT_YET_VALID,
  X509_CODES.CERT_MALFORMED,
  X509_CODES.CERT_ISSUER_NOT_CA,
]);

/** Unverified stamps of the documents of `set` with the key of `like` (for a cheap "claims to be newer" test). */
function rawStamps(set: CollateralSet, like: CollateralStamp): CollateralStamp[] {
  if (like.document === "crl") {
    const issuer = like.key.slice(4, like.key.lastIndexOf("#"));
    return set.crls
      .filter((c) => c.issuer === issuer)
      .map((c) => ({ document: "crl" as const, key: like.key, issued: c.thisUpdate, number: crlNumberOf(c), digest: c.fingerprint }));
  }
  const out: CollateralStamp[] = [];
  for (const d of set.intelDocuments) {
    const r = readIntelDocument(d);
    if (r instanceof Error) continue;
    const stamp = intelDocumentStamp(like.document, r.value as TcbInfo, r.bodyHash);
    if (stamp.key === like.key && (d.type === "tcbInfo") === (like.document === "tcbInfo")) out.push(stamp);
  }
  return out;
}

/** X‖Y of a key given as 64 or 65 (0x04‖X‖Y) bytes, checked to be a point of secp256k1. */
export function checkedPublicKey(publicKey: Hex): Hex {
  const body = publicKey.slice(2).toLowerCase();
  const xy = body.length === 130 && body.startsWith("04") ? body.slice(2) : body;
  if (!/^[0-9a-f]{128}$/.test(xy)) {
    throw new UsageError(NODE_CODES.NODE_PUBLIC_KEY_INVALID, "the public key must be 64 bytes (X‖Y) or 65 bytes (0x04‖X‖Y) of hex", {
      details: { length: body.length / 2 },
    });
  }
  try {
    secp256k1.ProjectivePoint.fromHex(`04${xy}`).assertValidity();
  } catch (cause) {
    throw new UsageError(NODE_CODES.NODE_PUBLIC_KEY_INVALID, "the public key is not a point of secp256k1", { cause });
  }
  return `0x${xy}`;
}

/** The logging profile in force at `at` (chain seconds): a scheduled change applies from its effective time. */
function loggingProfileAt(v: ValidatorView, at: bigint): LoggingProfile {
  return v.loggingProfileEffectiveAt !== 0n && v.loggingProfileEffectiveAt <= at ? v.pendingLoggingProfile : v.loggingProfile;
}

/** The posted collateral, without its endorsement keys unless the workload's policy is a dev policy. */
function withoutPostedEndorsements(posted: StaticCollateralProvider, dev: boolean): StaticCollateralProvider {
  if (dev || (posted.collateral.endorsementKeys ?? []).length === 0) return posted;
  const collateral: CollateralSet = { ...posted.collateral, endorsementKeys: [] };
  return { ...posted, collateral, fetch: async () => collateral };
}
