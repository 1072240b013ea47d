import { PolicyError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { fromHex, toHex, type Hex } from "@keepledger/sdk/internal/util/bytes";
import { factsOf, type KindFacts } from "@keepledger/sdk/internal/tee/kindFacts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { checkCpakAllowed } from "./checkCpakAllowed.ts";
import { checkLaunchPolicy } from "./checkLaunchPolicy.ts";
import { POLICY_CODES } from "./codes.ts";
import { matchMeasurement } from "./matchMeasurement.ts";
import type { ApprovedMeasurement, VerdictFields, WorkloadPolicy } from "./types.ts";

/** How the evidence is tied to a key and a moment (docs/ids.md, "binding"). */
export type EvidenceBinding =
  | {
      kind: "bound";
      /** The subject address derived from the bound public key. */
      subject: Hex;
      /** The binding hash the report data must carry, computed for this key, chain, registry, block and context. */
      bindingHash: Hex;
      /** The canonical block whose hash was bound. */
      freshnessBlock: { number: number; timestamp: number };
    }
  | {
      kind: "unbound";
      /** The key-less pseudo-subject derived from the evidence hash. */
      subject: Hex;
    };

export interface AppraiseVerdictOptions {
  workloadId: Hex;
  evidence: VerifiedEvidence;
  policy: WorkloadPolicy;
  measurements: readonly ApprovedMeasurement[];
  /**
   * The CPAK identities (src/ids cpakId) the workload's on-chain allow-list has in force: Arm CCA evidence
   * endorsed by any other CPAK is refused. Default: none (no Arm CCA evidence is accepted).
   */
  allowedCpaks?: readonly Hex[];
  binding: EvidenceBinding;
  /** The issuing time, unix seconds (the validators use the chain's time). */
  now: number;
}

export interface AppraiseVerdictResult {
  verdict: VerdictFields;
  measurement: ApprovedMeasurement;
  /** Debug TEE or debug Keep: never secure, whatever the policy accepted. */
  insecure: boolean;
}

function deny(code: string, message: string, details: Record<string, unknown>): never {
  throw new PolicyError(code, message, { details });
}

/** The bytes of the evidence that carry the binding: REPORTDATA, or Nitro's user_data (the kind's facts say which). */
export function boundReportData(evidence: VerifiedEvidence): Uint8Array | null {
  return (factsOf(evidence.tee) as KindFacts).reportData.of(evidence.claims);
}

function checkBinding(evidence: VerifiedEvidence, binding: Extract<EvidenceBinding, { kind: "bound" }>): void {
  const data = boundReportData(evidence);
  const want = fromHex((factsOf(evidence.tee) as KindFacts).reportData.bind(binding.bindingHash));
  const ok = data !== null && data.length === want.length && toHex(data) === toHex(want);
  if (!ok) {
    deny(POLICY_CODES.POLICY_BINDING_MISMATCH, "the evidence does not bind this key, chain, registry and block", {
      want: binding.bindingHash,
      got: data === null ? null : toHex(data),
    });
  }
}

/**
 * Verified evidence + the workload's on-chain policy and measurements → the
 * verdict the validators will sign, or a PolicyError saying why not. Pure:
 * every input, including the time, is a parameter.
 */
export function appraiseVerdict(options: AppraiseVerdictOptions): AppraiseVerdictResult {
  const { evidence, policy, binding, now } = options;
  if (!policy.allowedTees.includes(evidence.tee)) {
    deny(POLICY_CODES.POLICY_TEE_NOT_ALLOWED, `the policy does not allow ${evidence.tee} evidence`, {
      tee: evidence.tee,
      allowed: policy.allowedTees,
    });
  }
  if (evidence.debug && !policy.dev) {
    deny(
      POLICY_CODES.POLICY_DEBUG_NOT_ALLOWED,
      `the evidence comes from a debug ${factsOf(evidence.tee).vendor === "none" ? "Keep (no TEE)" : "TEE"}`,
      {
        tee: evidence.tee,
      },
    );
  }
  checkCpakAllowed(evidence, options.allowedCpaks ?? []);
  const measurement = matchMeasurement(evidence, options.measurements);
  if (!policy.acceptedTcbStatuses.includes(evidence.tcb.status)) {
    deny(POLICY_CODES.POLICY_TCB_STATUS_NOT_ACCEPTED, `TCB status ${evidence.tcb.status} is not accepted`, {
      got: evidence.tcb.status,
      accepted: policy.acceptedTcbStatuses,
      advisoryIds: evidence.tcb.advisoryIds,
    });
  }
  const denied = evidence.tcb.advisoryIds.filter((a) => policy.deniedAdvisories.includes(a));
  if (denied.length > 0)
    deny(POLICY_CODES.POLICY_ADVISORY_DENIED, `the platform is affected by denied advisories ${denied.join(", ")}`, { denied });
  const fmspc = evidence.platform.fmspc?.toLowerCase();
  if (fmspc !== undefined && policy.deniedFmspcs.includes(fmspc))
    deny(POLICY_CODES.POLICY_FMSPC_DENIED, `platform FMSPC ${fmspc} is denied`, { fmspc });
  const product = evidence.platform.amdProductLine;
  if (product !== undefined && (policy.deniedAmdProductLines as string[]).includes(product)) {
    deny(POLICY_CODES.POLICY_AMD_PRODUCT_DENIED, `AMD ${product} platforms are denied`, { product });
  }
  checkLaunchPolicy(evidence, policy.launch);

  let freshnessBlock = 0;
  if (binding.kind === "bound") {
    checkBinding(evidence, binding);
    const age = now - binding.freshnessBlock.timestamp;
    if (age > policy.maxEvidenceAge) {
      deny(POLICY_CODES.POLICY_EVIDENCE_TOO_OLD, `the evidence is bound to a block ${age} s old (limit ${policy.maxEvidenceAge} s)`, {
        age,
        maxEvidenceAge: policy.maxEvidenceAge,
        block: binding.freshnessBlock.number,
      });
    }
    freshnessBlock = binding.freshnessBlock.number;
  } else if (!policy.allowUnboundEvidence) {
    deny(POLICY_CODES.POLICY_BINDING_REQUIRED, "the evidence must bind the Keep's key and a recent block", {});
  }

  const engineExpiry = Math.floor(evidence.expiresAt.getTime() / 1000);
  const expiresAt = Math.min(engineExpiry, now + policy.verdictLifetime);
  if (expiresAt <= now) {
    deny(POLICY_CODES.POLICY_VERDICT_WOULD_EXPIRE, "the evidence or its collateral has already expired", { expiresAt, now });
  }
  return {
    measurement,
    insecure: evidence.debug,
    verdict: {
      workloadId: options.workloadId,
      measurementHash: measurement.hash,
      tee: evidence.tee,
      tcbStatus: evidence.tcb.status,
      subject: binding.subject,
      evidenceHash: evidence.evidenceHash,
      collateralHash: evidence.collateralHash,
      issuedAt: now,
      expiresAt,
      freshnessBlock,
    },
  };
}
