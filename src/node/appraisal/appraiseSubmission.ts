/**
 * Appraisal of one submission, the same for a collector (intake) and a peer (countersigning): decode the
 * evidence, recompute the binding from the chain (key, chain id, registry, the canonical hash of the
 * freshness block, the context), verify the evidence as of the chain's time with the engine, appraise it
 * against the workload's on-chain policy and measurements, and apply TCB recovery. The result is the
 * verdict this node would sign — or a typed error saying why not.
 */
import { secp256k1 } from "@noble/curves/secp256k1";
import { getAddress, type Hex } from "viem";
import type { CollateralProvider, CollateralSet } from "../../collateral/types.ts";
import { PolicyError, UsageError, isKeepledgerError } from "../../errors/index.ts";
import { decodeEvidenceInput } from "../../evidence/decodeEvidenceInput.ts";
import {
  bindingHash,
  subjectOfPublicKey,
  tcbStatusCode,
  teeKindCode,
  unboundSubject,
  validatorContext,
  type LoggingProfile,
  type Verdict,
} from "../../ids/index.ts";
import { appraiseVerdict, type EvidenceBinding } from "../../policy/appraiseVerdict.ts";
import { checkRevocations, platformEntriesOf } from "../../policy/checkRevocations.ts";
import type { VerdictFields, WorkloadPolicy } from "../../policy/types.ts";
import { keccak256Hex } from "../../util/keccak256.ts";
import type { TeeAdapter } from "../../verify/adapter.ts";
import type { VerifiedEvidence } from "../../verify/types.ts";
import { detectAdapter, verifyEvidence } from "../../verify/verifyEvidence.ts";
import type { TrustedRoot } from "../../verify/x509/verifyCertificateChain.ts";
import type { ChainState } from "../chain/chainState.ts";
import { NODE_CODES } from "../codes.ts";
import type { NodeMetrics } from "../nodeMetrics.ts";
import type { TcbDowngradeNotice, TcbRecovery } from "../tcb/tcbRecovery.ts";
import type { CollateralFile, Submission } from "../types.ts";
import { fastVerdictId } from "../verdictHash.ts";
import { collateralSetToFiles, dedupeFiles, filesProvider, mergeRecorded, recordingProvider } from "./collateralFiles.ts";
import { requestIdOf } from "./requestId.ts";

export interface AppraiserOptions {
  chain: ChainState;
  metrics: NodeMetrics;
  /** Network and directory collateral providers, asked by a collector (never by a peer). */
  providers: readonly CollateralProvider[];
  /** Engine adapters (default: every supported kind). */
  adapters?: readonly TeeAdapter[];
  /** Replaces the pinned vendor roots. Tests only: never set from configuration. */
  unsafeTrustedRoots?: readonly TrustedRoot[];
  tcbRecovery?: TcbRecovery;
  /** Sees every collateral set a provider returned (TCB recovery watches them). */
  onCollateral?: (set: CollateralSet) => void;
}

export interface AppraiseOptions {
  /**
   * "collector": the posted collateral plus the node's providers; "peer": exactly the files the collector
   * sent, so both verify with the same documents and reach the same collateralHash.
   */
  role: "collector" | "peer";
  /** The verdict's issuedAt (a peer takes the collector's, after checking its skew). Default: the chain's time. */
  issuedAt?: bigint;
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
    const { bytes } = decodeEvidenceInput(submission.evidence);
    const evidenceHash = keccak256Hex(bytes);
    return { evidence: bytes, evidenceHash, requestId: requestIdOf({ ...submission, evidenceHash }) };
  }

  async appraise(submission: Submission, options: AppraiseOptions): Promise<Appraisal> {
    const { chain, metrics } = this.#o;
    const { evidence, evidenceHash, requestId } = this.identify(submission);
    const workload = await chain.workload(submission.workloadId);
    if (!workload) {
      throw new PolicyError(NODE_CODES.NODE_UNKNOWN_WORKLOAD, `workload ${submission.workloadId} is not registered`, { details: { workloadId: submission.workloadId } });
    }
    const at = chain.now();
    const issuedAt = options.issuedAt ?? at;
    const { binding, bindingContext } = await this.#binding(submission, evidenceHash);

    // Collateral: what was posted, plus (for a collector) what the providers return, recorded as files.
    const recording = options.role === "collector" ? this.#o.providers.map(recordingProvider) : [];
    const providers: CollateralProvider[] = [...(submission.collateral.length > 0 ? [filesProvider(submission.collateral)] : []), ...recording];
    let kind = "unknown";
    try {
      kind = detectAdapter(evidence, this.#o.adapters).kind;
    } catch {
      // verifyEvidence raises the typed error below.
    }
    const started = performance.now();
    let verified: VerifiedEvidence;
    try {
      verified = await verifyEvidence(evidence, {
        at: new Date(Number(at) * 1000),
        collateral: providers,
        ...(this.#o.adapters ? { adapters: this.#o.adapters } : {}),
        ...(this.#o.unsafeTrustedRoots ? { trustedRoots: this.#o.unsafeTrustedRoots } : {}),
      });
      metrics.verifications.inc({ kind, result: "ok" });
    } catch (error) {
      metrics.verifications.inc({ kind, result: isKeepledgerError(error) ? error.code : "UNEXPECTED" });
      throw error;
    } finally {
      metrics.verifySeconds.observe({ kind }, (performance.now() - started) / 1000);
    }
    const fetched = mergeRecorded(recording);
    if (this.#o.onCollateral && recording.some((r) => r.recorded.length > 0)) this.#o.onCollateral(fetched);
    const collateral = recording.length === 0 ? [...submission.collateral] : dedupeFiles([...submission.collateral, ...collateralSetToFiles(fetched)]);

    const appraiseStarted = performance.now();
    const appraised = appraiseVerdict({
      workloadId: submission.workloadId,
      evidence: verified,
      policy: workload.policy,
      measurements: workload.measurements,
      binding,
      now: Number(issuedAt),
    });
    const { subject: revokable, workloadId: inWorkload } = appraised.verdict;
    checkRevocations({ subject: revokable, workloadId: inWorkload, state: await chain.revocations(getAddress(revokable), inWorkload, platformEntriesOf(verified)) });
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
      verdictId: fastVerdictId(verdict),
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

  async #binding(submission: Submission, evidenceHash: Hex): Promise<{ binding: EvidenceBinding; bindingContext: string }> {
    const { chain } = this.#o;
    if (submission.subjectPublicKey === null) {
      return { binding: { kind: "unbound", subject: unboundSubject(evidenceHash) }, bindingContext: submission.context === "validator" ? "validator:unbound" : "keep" };
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
    if (!block) throw new PolicyError(NODE_CODES.NODE_FRESHNESS_BLOCK_UNKNOWN, `block ${n} is not a block of this chain`, { details: { freshnessBlock: n } });
    let context: Hex | undefined;
    let bindingContext = "keep";
    if (submission.context === "validator") {
      const validator = (await chain.validatorSet()).validators.get(subject);
      if (!validator?.registered) {
        throw new PolicyError(NODE_CODES.NODE_VALIDATOR_CONTEXT_UNKNOWN, `${subject} is not a registered validator`, { details: { subject } });
      }
      context = validatorContext(validator.loggingProfile);
      bindingContext = `validator:${validator.loggingProfile satisfies LoggingProfile}`;
    }
    const hash = bindingHash({
      chainId: chain.deployment.chainId,
      attestationRegistry: chain.deployment.contracts.attestationRegistry,
      subjectPublicKey: key,
      blockHash: block.hash,
      ...(context ? { context } : {}),
    });
    return {
      binding: { kind: "bound", subject, bindingHash: hash, freshnessBlock: { number: Number(block.number), timestamp: Number(block.timestamp) } },
      bindingContext,
    };
  }
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
