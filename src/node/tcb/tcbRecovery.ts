/**
 * TCB recovery: Intel publishes TCB Info with a higher tcbEvaluationDataNumber when a vulnerability is
 * fixed, and platforms that were UpToDate become OutOfDate. The node watches the TCB Info its collateral
 * providers return; on a newer one for a platform (TEE kind, FMSPC) it re-appraises the live verdicts it
 * signed for that platform, reports those that would be downgraded below their workload's policy (log,
 * metric, a record served at GET /v1/tcb-recovery), and once the policy's tcbGracePeriod has passed since
 * the new TCB Info was issued it refuses to countersign such evidence again (NODE_TCB_DOWNGRADED). The
 * grace period starts at the TCB Info's issueDate, a date every validator reads the same. The decision
 * itself is src/policy/decideTcbGrace.ts (pure, and replayed by `keepledger audit`); this file finds its
 * inputs: the newest verified TCB Info per platform and the status the evidence gets under it.
 *
 * Only signature-verified TCB Info is ever recorded: what a verification of evidence used (the
 * Appraiser passes it in), and what the periodic refresh fetched and verified on its own
 * (options.verifyTcbInfo). A forged document never moves the bookkeeping or the collateral floor.
 */
import { recognizeCollateral } from "../../collateral/recognizeCollateral.ts";
import type { CollateralProvider, CollateralSet, SignedIntelJson } from "../../collateral/types.ts";
import type { CollateralStamp } from "../../pki/freshness/collateralStamp.ts";
import type { ParsedCertificate } from "../../pki/x509/certificate.ts";
import type { CollateralFloorStore } from "../store/CollateralFloorStore.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import type { TeeAdapter } from "../../tee/adapter.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { detectAdapter } from "../../verify/verifyEvidence.ts";
import type { Hex } from "@keepledger/sdk/internal/util/bytes";
import type { WorkloadPolicy } from "../../policy/types.ts";
import { POLICY_CODES } from "../../policy/codes.ts";
import { decideTcbGrace, type TcbDowngradeNotice } from "../../policy/decideTcbGrace.ts";
import { collateralSetToFiles } from "../appraisal/collateralFiles.ts";
import type { ChainState } from "../chain/chainState.ts";
import type { NodeLogger } from "../logging/createNodeLogger.ts";
import type { NodeMetrics } from "../nodeMetrics.ts";
import type { NodeStore } from "../store/NodeStore.ts";
import type { CollateralFile } from "../types.ts";
import type { TcbInfoRecord } from "./TcbRecoveryStore.ts";
import { dcapKindOfTcbInfoId, isDcapKind } from "../../tee/dcap/tcbInfoId.ts";

export interface TcbRecoveryOptions {
  store: NodeStore;
  chain: ChainState;
  log: NodeLogger;
  metrics: NodeMetrics;
  /** Verifies evidence with exactly these files, as of `at` (the node's engine settings). */
  verify(evidence: Uint8Array, files: readonly CollateralFile[], at: Date): Promise<VerifiedEvidence>;
  /** Where fresh TCB Info comes from (the node's PCS/PCCS/directory providers). */
  providers: readonly CollateralProvider[];
  /** Verifies one fetched TCB Info (signature, signing chain, dates) and returns its stamp; throws when it does not verify. */
  verifyTcbInfo(document: SignedIntelJson, set: CollateralSet, at: Date): CollateralStamp;
  /** The collateral floor the refresh advances with the TCB Info it verified. */
  floor?: CollateralFloorStore;
  adapters: readonly TeeAdapter[];
  /** How often the platforms of live signed verdicts are re-fetched. */
  refreshIntervalMs: number;
}

export interface TcbCheckInput {
  verified: VerifiedEvidence;
  evidence: Uint8Array;
  files: readonly CollateralFile[];
  policy: WorkloadPolicy;
  /** The node's chain time, unix seconds. */
  at: bigint;
}

export type { TcbDowngradeNotice };

/** A TCB Info whose signature verified, with the stamp the verifier read from its signed body. */
export interface VerifiedTcbInfo {
  stamp: CollateralStamp;
  document: SignedIntelJson;
  /** Certificates that came with it (a TCB signing certificate a directory keeps as a file of its own). */
  certificates?: readonly ParsedCertificate[];
}

/** The platform a verified TCB Info is for, from its stamp ("tcbInfo:<SGX|TDX>:<fmspc>"), never from raw JSON. */
function platformOf(stamp: CollateralStamp): { tee: string; fmspc: string; evaluationDataNumber: number; issueDate: number } | undefined {
  const m = /^tcbInfo:([A-Z]+):([0-9a-f]{12})$/.exec(stamp.key);
  const tee = m === null ? undefined : dcapKindOfTcbInfoId(m[1]!);
  if (stamp.document !== "tcbInfo" || !m || tee === undefined) return undefined;
  return {
    tee,
    fmspc: m[2]!,
    evaluationDataNumber: stamp.number,
    issueDate: Math.floor(stamp.issued.getTime() / 1000),
  };
}

/** The evidence's files with its TCB Info replaced by `latest`'s. */
function withTcbInfo(files: readonly CollateralFile[], latest: TcbInfoRecord): CollateralFile[] {
  const kept = files.filter((f) => !recognizeCollateral(f.bytes).collateral.intelDocuments.some((d) => d.type === "tcbInfo"));
  return [...kept, ...latest.files];
}

export class TcbRecovery {
  readonly #o: TcbRecoveryOptions;
  readonly #latest = new Map<string, TcbInfoRecord | null>();
  readonly #reappraised = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  #scans: Promise<unknown> = Promise.resolve();

  constructor(options: TcbRecoveryOptions) {
    this.#o = options;
  }

  start(): void {
    const tick = () => {
      this.refresh()
        .catch((error: unknown) => this.#o.log.warn("TCB Info refresh failed", { err: error }))
        .finally(() => {
          this.#timer = setTimeout(tick, this.#o.refreshIntervalMs);
          this.#timer.unref();
        });
    };
    this.#timer = setTimeout(tick, this.#o.refreshIntervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
  }

  /** Waits for the re-appraisals started so far (tests, shutdown). */
  async settled(): Promise<void> {
    await this.#scans;
  }

  async #latestFor(tee: string, fmspc: string): Promise<TcbInfoRecord | undefined> {
    const key = `${tee}:${fmspc}`;
    if (!this.#latest.has(key)) this.#latest.set(key, (await this.#o.store.tcb.tcbInfo(tee, fmspc)) ?? null);
    return this.#latest.get(key) ?? undefined;
  }

  /** Looks at signature-verified TCB Info; a newer one starts a re-appraisal of that platform. */
  async observe(verified: readonly VerifiedTcbInfo[]): Promise<void> {
    for (const { stamp, document: doc, certificates = [] } of verified) {
      const platform = platformOf(stamp);
      if (!platform) continue;
      const known = await this.#latestFor(platform.tee, platform.fmspc);
      if (known && known.evaluationDataNumber >= platform.evaluationDataNumber) continue;
      // The signing chain travels with the document (or in the same set): keep it beside it.
      const files = collateralSetToFiles({ certificates: [...certificates], crls: [], intelDocuments: [doc] });
      const record: TcbInfoRecord = { ...platform, files };
      if (!(await this.#o.store.tcb.saveTcbInfo(record))) continue;
      this.#latest.set(`${platform.tee}:${platform.fmspc}`, record);
      this.#o.log.info("newer TCB Info: re-appraising the live verdicts of this platform signed under older ones", {
        tee: platform.tee,
        fmspc: platform.fmspc,
        tcbEvaluationDataNumber: platform.evaluationDataNumber,
        ...(known ? { previousTcbEvaluationDataNumber: known.evaluationDataNumber } : {}),
      });
      // Also on the first TCB Info seen for a platform: verdicts signed under an older one (as a peer,
      // with the collector's collateral) are compared against it too.
      this.#scans = this.#scans
        .then(() => this.scan(platform.tee, platform.fmspc))
        .catch((error: unknown) => this.#o.log.error("TCB re-appraisal failed", { err: error }));
    }
  }

  /** The status the evidence gets under `latest` (or the code of the failure it meets). */
  async #reappraise(
    evidenceHash: Hex,
    evidence: Uint8Array,
    files: readonly CollateralFile[],
    latest: TcbInfoRecord,
    at: bigint,
  ): Promise<string> {
    const key = `${evidenceHash}:${latest.tee}:${latest.fmspc}:${latest.evaluationDataNumber}`;
    const cached = this.#reappraised.get(key);
    if (cached) return cached;
    let status: string;
    try {
      status = (await this.#o.verify(evidence, withTcbInfo(files, latest), new Date(Number(at) * 1000))).tcb.status;
    } catch (error) {
      if (!isKeepledgerError(error)) throw error;
      status = error.code === "DCAP_TCB_REVOKED" ? "Revoked" : error.code;
    }
    if (this.#reappraised.size > 10_000) this.#reappraised.clear();
    this.#reappraised.set(key, status);
    return status;
  }

  /**
   * Refuses (after the grace period) or flags (during it) evidence appraised under an older TCB Info than
   * the newest this node knows for its platform, when the newest would put it below the policy.
   */
  async check(input: TcbCheckInput): Promise<TcbDowngradeNotice | undefined> {
    const { verified, policy, at } = input;
    const fmspc = verified.platform.fmspc;
    const used = verified.platform.tcbEvaluationDataNumber;
    if (!isDcapKind(verified.tee) || typeof fmspc !== "string" || typeof used !== "number") return undefined;
    const latest = await this.#latestFor(verified.tee, fmspc.toLowerCase());
    if (!latest || latest.evaluationDataNumber <= used) return undefined;
    const newStatus = await this.#reappraise(verified.evidenceHash, input.evidence, input.files, latest, at);
    const decided = decideTcbGrace({
      evaluationDataNumber: used,
      status: verified.tcb.status,
      newest: { evaluationDataNumber: latest.evaluationDataNumber, issueDate: latest.issueDate, status: newStatus },
      policy,
      now: Number(at),
      fmspc,
    });
    if (decided.decision === "refused") throw decided.error;
    return decided.decision === "grace" ? decided.notice : undefined;
  }

  /** Re-appraises the live verdicts this node signed for a platform under its newest TCB Info. */
  async scan(tee: string, fmspc: string): Promise<number> {
    const latest = await this.#latestFor(tee, fmspc);
    if (!latest) return 0;
    const now = this.#o.chain.now();
    let downgraded = 0;
    for (const signed of await this.#o.store.tcb.liveSignedFor(fmspc, Number(now))) {
      if (signed.tee !== tee || (signed.tcbEvaluationDataNumber ?? 0) >= latest.evaluationDataNumber) continue;
      const stored = await this.#o.store.evidence.getEvidence(signed.evidenceHash);
      const workload = await this.#o.chain.workload(signed.workloadId);
      if (!stored || !workload) continue;
      const newStatus = await this.#reappraise(signed.evidenceHash, stored.evidence, stored.collateral, latest, now);
      // The same decision as check(), for reporting: only whether it downgrades, and when the grace ends.
      const decided = decideTcbGrace({
        evaluationDataNumber: signed.tcbEvaluationDataNumber ?? 0,
        status: signed.tcbStatus,
        newest: { evaluationDataNumber: latest.evaluationDataNumber, issueDate: latest.issueDate, status: newStatus },
        policy: workload.policy,
        now: Number(now),
      });
      if (decided.decision === "unaffected") continue;
      downgraded++;
      const graceEndsAt = latest.issueDate + workload.policy.tcbGracePeriod;
      await this.#o.store.tcb.recordDowngrade({
        verdictId: signed.verdictId,
        tee,
        fmspc,
        previousStatus: signed.tcbStatus,
        newStatus,
        previousEvaluationDataNumber: signed.tcbEvaluationDataNumber,
        newEvaluationDataNumber: latest.evaluationDataNumber,
        expiresAt: signed.expiresAt,
        graceEndsAt,
      });
      this.#o.log.warn("a live verdict this node signed would be downgraded by newer TCB Info", {
        verdictId: signed.verdictId,
        workloadId: signed.workloadId,
        fmspc,
        tcbStatus: signed.tcbStatus,
        code: POLICY_CODES.NODE_TCB_DOWNGRADED,
        graceEndsAt,
      });
    }
    await this.updateMetric();
    return downgraded;
  }

  async updateMetric(): Promise<void> {
    const now = Number(this.#o.chain.now());
    this.#o.metrics.tcbDowngraded.set((await this.#o.store.tcb.downgrades()).filter((d) => d.expiresAt > now).length);
  }

  /** Fetches collateral again for the platforms of live signed verdicts, so newer TCB Info is noticed. */
  async refresh(): Promise<void> {
    if (this.#o.providers.length === 0) return;
    const now = this.#o.chain.now();
    for (const platform of await this.#o.store.tcb.livePlatforms(Number(now))) {
      const stored = await this.#o.store.evidence.getEvidence(platform.evidenceHash);
      if (!stored) continue;
      let requests;
      try {
        const adapter = detectAdapter(stored.evidence, this.#o.adapters);
        requests = adapter.collateralRequests(adapter.parse(stored.evidence));
      } catch {
        continue;
      }
      for (const request of requests) {
        for (const provider of this.#o.providers) {
          try {
            const at = new Date(Number(now) * 1000);
            const set = await provider.fetch(request, at);
            const verified: VerifiedTcbInfo[] = [];
            for (const document of set.intelDocuments.filter((d) => d.type === "tcbInfo")) {
              try {
                verified.push({ stamp: this.#o.verifyTcbInfo(document, set, at), document, certificates: set.certificates });
              } catch (error) {
                this.#o.log.warn("fetched TCB Info does not verify; ignored", { err: error, provider: provider.name });
              }
            }
            await this.#o.floor?.advance(verified.map((v) => v.stamp));
            await this.observe(verified);
          } catch (error) {
            this.#o.log.warn("collateral refresh failed", { err: error, fmspc: platform.fmspc });
          }
        }
      }
    }
  }
}
