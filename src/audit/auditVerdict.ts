/**
 * Re-verifies a finalized verdict from scratch: its on-chain record (events), the evidence and
 * collateral the node stored (content-addressed by the evidence hash), the verification engine as of
 * the verdict's issuedAt, and the policy and measurements in force then — then re-derives every verdict
 * field and compares it with the chain, field by field. Nothing the node or the index says is trusted
 * beyond being the bytes to check.
 */
import { decodeFunctionData, keccak256, size, sliceHex, type Address, type Hex } from "viem";
import { staticCollateral } from "../collateral/staticCollateral.ts";
import type { Deployment } from "../chain/deployment.ts";
import { attestationRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { recoverBatchSigner, recoverVerdictSigner } from "../chain/signVerdict.ts";
import { isKeepledgerError, UsageError } from "@keepledger/sdk/internal/errors/index";
import type { EvidenceStore, StoredCollateralFile, StoredEvidence, VerdictEvidenceLink } from "../evidenceStore/EvidenceStore.ts";
import {
  bindingHash,
  keepledgerDomain,
  LOGGING_PROFILES,
  subjectOfPublicKey,
  tcbStatusFromCode,
  teeKindFromCode,
  unboundSubject,
  validatorContext,
  verdictId,
  TCB_STATUS_CODES,
  TEE_KIND_CODES,
  type LoggingProfile,
  type Verdict,
} from "@keepledger/sdk/internal/ids/index";
import { getHeader, type ChainSource } from "../indexer/chainSource.ts";
import { appraiseVerdict, type EvidenceBinding } from "../policy/appraiseVerdict.ts";
import type { VerdictFields } from "../policy/types.ts";
import type { TeeAdapter } from "../tee/adapter.ts";
import { verifyEvidence } from "../verify/verifyEvidence.ts";
import type { TrustedRoot } from "../pki/x509/verifyCertificateChain.ts";
import { AUDIT_CODES } from "./codes.ts";
import { batchRootMatches, findVerdictRecord, type VerdictRecord } from "./findVerdictRecord.ts";
import { replayTcbGrace } from "./replayTcbGrace.ts";
import { workloadStateAt } from "./workloadStateAt.ts";

export interface AuditVerdictOptions {
  verdictId: string;
  chain: ChainSource;
  deployment: Deployment;
  evidenceStore: EvidenceStore;
  /** The adapters to verify with (default: every supported kind). */
  adapters?: readonly TeeAdapter[];
  /** Replace the pinned vendor roots. Tests only. */
  trustedRoots?: readonly TrustedRoot[];
  /**
   * TCB Info (with its signing chain) possibly newer than the stored collateral's: the audit then replays
   * the TCB grace-period decision (replayTcbGrace.ts). Without it, that decision is not checked.
   */
  tcbInfo?: readonly StoredCollateralFile[];
}

export interface AuditField {
  field: keyof VerdictFields | "verdictId";
  onChain: string;
  /** Null when it could not be re-derived (the evidence did not verify, or was not found). */
  derived: string | null;
  match: boolean;
}

export interface AuditCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface AuditVerdictResult {
  verdictId: Hex;
  /** match: every field re-derives; mismatch: one does not (or re-verification fails); unverifiable: the evidence is not at hand. */
  result: "match" | "mismatch" | "unverifiable";
  record: VerdictRecord;
  /** The time the verdict was re-verified as of (its issuedAt). */
  asOf: string;
  fields: AuditField[];
  checks: AuditCheck[];
  /** Why re-derivation stopped: the verification or policy error. */
  error?: { code: string; message: string };
  evidence?: { tee: string; size: number; collateralFiles: number; debug: boolean };
  policy?: { effectiveAt: string; measurements: number };
}

const FIELDS: (keyof VerdictFields)[] = [
  "workloadId",
  "measurementHash",
  "tee",
  "tcbStatus",
  "subject",
  "evidenceHash",
  "collateralHash",
  "issuedAt",
  "expiresAt",
  "freshnessBlock",
];

/** The verdict's fields in the names the policy module uses (tee and TCB status by name). */
function namedFields(v: Verdict): VerdictFields {
  return {
    workloadId: v.workloadId,
    measurementHash: v.measurementHash,
    tee: teeKindFromCode(v.tee),
    tcbStatus: tcbStatusFromCode(v.tcbStatus),
    subject: v.subject,
    evidenceHash: v.evidenceHash,
    collateralHash: v.collateralHash,
    issuedAt: Number(v.issuedAt),
    expiresAt: Number(v.expiresAt),
    freshnessBlock: Number(v.freshnessBlock),
  };
}

const show = (value: unknown): string => (typeof value === "string" && value.startsWith("0x") ? value.toLowerCase() : String(value));

function contextOf(bindingContext: string): Hex | undefined {
  if (bindingContext === "keep") return undefined;
  const profile = bindingContext.replace(/^validator:/, "") as LoggingProfile;
  if (!bindingContext.startsWith("validator:") || !LOGGING_PROFILES.includes(profile)) {
    throw new UsageError(AUDIT_CODES.AUDIT_EVIDENCE_LINK, `unknown binding context "${bindingContext}" in the evidence store`, {
      details: { got: bindingContext },
    });
  }
  return validatorContext(profile);
}

async function bindingFor(
  options: AuditVerdictOptions,
  record: VerdictRecord,
  link: VerdictEvidenceLink | undefined,
): Promise<EvidenceBinding | string> {
  const v = record.verdict;
  if (v.freshnessBlock === 0n) return { kind: "unbound", subject: unboundSubject(v.evidenceHash) };
  if (!link || link.subjectPublicKey === null) return "the evidence store has no binding inputs (the Keep's public key) for this verdict";
  const block = await getHeader(options.chain, link.freshnessBlock);
  if (!block) return `the chain has no block ${link.freshnessBlock} (the bound freshness block)`;
  const context = contextOf(link.bindingContext);
  return {
    kind: "bound",
    subject: subjectOfPublicKey(link.subjectPublicKey),
    bindingHash: bindingHash({
      chainId: options.deployment.chainId,
      attestationRegistry: options.deployment.contracts.attestationRegistry,
      subjectPublicKey: link.subjectPublicKey,
      blockHash: block.hash,
      ...(context ? { context } : {}),
    }),
    freshnessBlock: { number: block.number, timestamp: block.timestamp },
  };
}

/** Whether the finalizing transaction's signatures recover to the signers the event names. */
async function signatureCheck(options: AuditVerdictOptions, record: VerdictRecord): Promise<AuditCheck> {
  const name = "signatures recover to the signers";
  const tx = (await options.chain.request({ method: "eth_getTransactionByHash", params: [record.txHash] })) as {
    to: string | null;
    input: Hex;
  } | null;
  if (!tx || tx.to?.toLowerCase() !== options.deployment.contracts.attestationRegistry.toLowerCase()) {
    return {
      name,
      ok: true,
      detail: "not checked: the transaction did not call the AttestationRegistry directly (a relayer contract); the registry checked them",
    };
  }
  const call = decodeFunctionData({ abi: attestationRegistryAbi, data: tx.input });
  const signatures = call.args?.[3] as Hex | undefined;
  if (!signatures || size(signatures) % 65 !== 0) return { name, ok: false, detail: "the transaction carries no well-formed signatures" };
  const domain = keepledgerDomain(options.deployment.chainId, options.deployment.contracts.attestationRegistry);
  const recovered: Address[] = [];
  for (let i = 0; i < size(signatures); i += 65) {
    const sig = sliceHex(signatures, i, i + 65);
    recovered.push(
      call.functionName === "finalizeBatch" && record.batch
        ? await recoverBatchSigner(record.batch.id, record.batch.count, domain, sig)
        : await recoverVerdictSigner(record.verdict, domain, sig),
    );
  }
  const ok = recovered.length === record.signers.length && recovered.every((a, i) => a === record.signers[i]);
  return {
    name,
    ok,
    detail: ok
      ? `${recovered.length} of ${recovered.length} (${call.functionName})`
      : `recovered ${recovered.join(", ")}; the event names ${record.signers.join(", ")}`,
  };
}

export async function auditVerdict(options: AuditVerdictOptions): Promise<AuditVerdictResult> {
  if (!/^0x[0-9a-fA-F]{64}$/.test(options.verdictId)) {
    throw new UsageError(AUDIT_CODES.AUDIT_VERDICT_ID, `a verdict id is 0x followed by 64 hex digits, got "${options.verdictId}"`, {
      details: { got: options.verdictId },
    });
  }
  const id = options.verdictId.toLowerCase() as Hex;
  const link = await options.evidenceStore.verdictLink(id);
  const record = await findVerdictRecord(options.chain, options.deployment, id, link ? { workloadId: link.workloadId } : {});
  if (!record) {
    throw new UsageError(AUDIT_CODES.AUDIT_VERDICT_NOT_FOUND, `no verdict ${id} was finalized by this deployment`, {
      details: { verdictId: id },
    });
  }
  const onChain = namedFields(record.verdict);
  const issuedAt = record.verdict.issuedAt;
  const asOf = new Date(Number(issuedAt) * 1000);
  const checks: AuditCheck[] = [];
  const fieldsFrom = (derived: VerdictFields | undefined): AuditField[] => [
    ...FIELDS.map((f) => {
      const a = show(onChain[f]);
      const b = derived ? show(derived[f]) : null;
      return { field: f, onChain: a, derived: b, match: b !== null && a === b };
    }),
    (() => {
      const b = derived
        ? verdictId({
            ...derived,
            tee: TEE_KIND_CODES[derived.tee],
            tcbStatus: TCB_STATUS_CODES[derived.tcbStatus],
            subject: derived.subject as Address,
            issuedAt: BigInt(derived.issuedAt),
            expiresAt: BigInt(derived.expiresAt),
            freshnessBlock: BigInt(derived.freshnessBlock),
          })
        : null;
      return { field: "verdictId" as const, onChain: id, derived: b, match: b === id };
    })(),
  ];

  checks.push(await signatureCheck(options, record));
  if (record.batch) {
    const ok = batchRootMatches(record);
    checks.push({
      name: "batch root",
      ok,
      detail: ok
        ? `leaf ${record.batch.leafIndex} of ${record.batch.leaves.length} under ${record.batch.id}`
        : "the batch's groups do not hash to its id",
    });
  }

  const stored: StoredEvidence | undefined = await options.evidenceStore.getEvidence(record.verdict.evidenceHash);
  const base = { verdictId: id, record, asOf: asOf.toISOString() };
  if (!stored) {
    const pruned = await options.evidenceStore.pruned(record.verdict.evidenceHash);
    checks.push({
      name: "evidence in the evidence store",
      ok: false,
      detail: pruned
        ? `evidence ${record.verdict.evidenceHash} was pruned by the store's retention at ${new Date(pruned.prunedAt * 1000).toISOString()} (its verdicts expired at ${new Date(pruned.expiredAt * 1000).toISOString()})`
        : `no evidence ${record.verdict.evidenceHash} in this evidence store`,
    });
    return { ...base, result: "unverifiable", fields: fieldsFrom(undefined), checks };
  }
  const hashOk = keccak256(stored.evidence) === record.verdict.evidenceHash;
  checks.push({
    name: "stored evidence hashes to the evidenceHash",
    ok: hashOk,
    detail: hashOk
      ? `${stored.evidence.length} bytes, ${stored.collateral.length} collateral files`
      : `the stored bytes hash to ${keccak256(stored.evidence)}`,
  });

  const state = await workloadStateAt(options.chain, options.deployment, record.verdict.workloadId, issuedAt);
  if (!state.policy) {
    checks.push({ name: "policy in force", ok: false, detail: "the workload had no policy at issuedAt" });
    return { ...base, result: "mismatch", fields: fieldsFrom(undefined), checks };
  }
  const policyInfo = { effectiveAt: state.policy.effectiveAt.toString(), measurements: state.measurements.length };
  const binding = await bindingFor(options, record, link);
  if (typeof binding === "string") {
    checks.push({ name: "binding inputs", ok: false, detail: binding });
    return { ...base, result: "unverifiable", fields: fieldsFrom(undefined), checks, policy: policyInfo };
  }

  try {
    const verified = await verifyEvidence(stored.evidence, {
      at: asOf,
      collateral: staticCollateral(stored.collateral, "evidence store"),
      ...(options.adapters ? { adapters: options.adapters } : {}),
      ...(options.trustedRoots ? { trustedRoots: options.trustedRoots } : {}),
    });
    const { verdict } = appraiseVerdict({
      workloadId: record.verdict.workloadId,
      evidence: verified,
      policy: state.policy.policy,
      measurements: state.measurements,
      allowedCpaks: state.allowedCpaks,
      binding,
      now: Number(issuedAt),
    });
    if (options.tcbInfo && options.tcbInfo.length > 0) {
      const grace = await replayTcbGrace({
        evidence: stored.evidence,
        collateral: stored.collateral,
        verified,
        tcbInfo: options.tcbInfo,
        policy: state.policy.policy,
        issuedAt: Number(issuedAt),
        ...(options.adapters ? { adapters: options.adapters } : {}),
        ...(options.trustedRoots ? { trustedRoots: options.trustedRoots } : {}),
      });
      checks.push({ name: "TCB grace period (newer TCB Info)", ok: grace.decision !== "refused", detail: grace.detail });
    }
    const fields = fieldsFrom(verdict);
    const result = fields.every((f) => f.match) && checks.every((c) => c.ok) ? "match" : "mismatch";
    return {
      ...base,
      result,
      fields,
      checks,
      policy: policyInfo,
      evidence: { tee: verified.tee, size: stored.evidence.length, collateralFiles: stored.collateral.length, debug: verified.debug },
    };
  } catch (error) {
    if (!isKeepledgerError(error) || error.stage === "usage" || error.stage === "infrastructure") throw error;
    return {
      ...base,
      result: "mismatch",
      fields: fieldsFrom(undefined),
      checks,
      policy: policyInfo,
      error: { code: error.code, message: error.message },
    };
  }
}
