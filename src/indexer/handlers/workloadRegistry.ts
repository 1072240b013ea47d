/** WorkloadRegistry events → Workload, Measurement, Policy, Revocation, GovernanceChange (docs/registry.md). */
import { teeKindFromCode } from "@keepledger/sdk/internal/ids/enums";
import { fromChainPolicy, type ChainPolicy } from "../../chain/policy.ts";
import { formatSnpMinTcb } from "../../policy/formatLaunchPolicy.ts";
import type { EntityData, FieldValue } from "../entityModel.ts";
import { measurementEntityId, policyEntityId } from "../entityIds.ts";
import { lower, mustLoad, recordGovernanceChange, roleHandlers, type EventHandler } from "./context.ts";

/** The owner in force at `now`: an accepted transfer counts from its effectiveAt on. */
function ownerInForce(w: EntityData, now: bigint): FieldValue | undefined {
  const at = w.pendingOwnerEffectiveAt as bigint | null;
  return at !== null && at <= now ? w.pendingOwner : w.owner;
}

export const workloadRegistryHandlers: Record<string, EventHandler> = {
  ...roleHandlers,

  async WorkloadRegistered(ctx) {
    const { args, txHash } = ctx.log;
    ctx.batch.create(
      "Workload",
      lower(args.workloadId),
      {
        name: String(args.name),
        owner: lower(args.owner),
        pendingOwner: null,
        pendingOwnerEffectiveAt: null,
        metadataURI: String(args.metadataURI),
        policy: null,
        policyCount: 0,
        createdAt: BigInt(ctx.block.timestamp),
        createdAtBlock: BigInt(ctx.block.number),
        txHash,
      },
      ctx.block.number,
    );
  },

  async WorkloadMetadataUpdated(ctx) {
    const id = lower(ctx.log.args.workloadId);
    const w = await mustLoad(ctx, "Workload", id);
    ctx.batch.save("Workload", id, { ...w, metadataURI: String(ctx.log.args.metadataURI) }, ctx.block.number);
  },

  async WorkloadOwnershipTransferStarted(ctx) {
    const id = lower(ctx.log.args.workloadId);
    const w = await mustLoad(ctx, "Workload", id);
    const pending = lower(ctx.log.args.pendingOwner);
    ctx.batch.save(
      "Workload",
      id,
      {
        ...w,
        owner: ownerInForce(w, BigInt(ctx.block.timestamp)),
        pendingOwner: BigInt(pending) === 0n ? null : pending,
        pendingOwnerEffectiveAt: null,
      },
      ctx.block.number,
    );
  },

  /** The pending owner accepted: it takes over at effectiveAt (the API resolves it at read time). */
  async WorkloadOwnershipTransferred(ctx) {
    const id = lower(ctx.log.args.workloadId);
    const w = await mustLoad(ctx, "Workload", id);
    const effectiveAt = ctx.log.args.effectiveAt as bigint;
    const next = lower(ctx.log.args.newOwner);
    const inForce = effectiveAt <= BigInt(ctx.block.timestamp);
    ctx.batch.save(
      "Workload",
      id,
      inForce
        ? { ...w, owner: next, pendingOwner: null, pendingOwnerEffectiveAt: null }
        : { ...w, owner: lower(ctx.log.args.previousOwner), pendingOwner: next, pendingOwnerEffectiveAt: effectiveAt },
      ctx.block.number,
    );
  },

  async MeasurementAdded(ctx) {
    const { args, txHash } = ctx.log;
    const workload = lower(args.workloadId);
    const hash = lower(args.measurementHash);
    ctx.batch.create(
      "Measurement",
      measurementEntityId(workload, hash),
      {
        workload,
        hash,
        tee: teeKindFromCode(Number(args.tee)),
        value: lower(args.value),
        version: Number(args.version),
        serial: Number(args.serial),
        revoked: false,
        revokedAt: null,
        revocation: null,
        addedAt: BigInt(ctx.block.timestamp),
        effectiveAt: args.effectiveAt as bigint,
        addedAtBlock: BigInt(ctx.block.number),
        txHash,
      },
      ctx.block.number,
    );
  },

  async MeasurementRevoked(ctx) {
    const { args, txHash } = ctx.log;
    const workload = lower(args.workloadId);
    const id = measurementEntityId(workload, lower(args.measurementHash));
    const m = await mustLoad(ctx, "Measurement", id);
    ctx.batch.save("Measurement", id, { ...m, revoked: true, revokedAt: BigInt(ctx.block.timestamp), revocation: id }, ctx.block.number);
    ctx.batch.create(
      "Revocation",
      id,
      {
        kind: "MEASUREMENT",
        verdict: null,
        verdictId: null,
        measurement: id,
        workload,
        reason: null,
        actor: lower(args.actor),
        revokedAt: BigInt(ctx.block.timestamp),
        txHash,
        blockNumber: BigInt(ctx.block.number),
      },
      ctx.block.number,
    );
  },

  async PolicyScheduled(ctx) {
    const { args, txHash } = ctx.log;
    const workloadId = lower(args.workloadId);
    const w = await mustLoad(ctx, "Workload", workloadId);
    const now = BigInt(ctx.block.timestamp);
    // A policy still pending when a newer one is scheduled never comes into force.
    if (w.policy !== null) {
      const previousId = String(w.policy);
      const previous = await mustLoad(ctx, "Policy", previousId);
      if ((previous.effectiveAt as bigint) > now) ctx.batch.save("Policy", previousId, { ...previous, replaced: true }, ctx.block.number);
    }
    const p = fromChainPolicy(args.policy as ChainPolicy);
    const launch = p.launch;
    const snpMinTcb = formatSnpMinTcb(launch.minSnpTcb);
    const sequence = Number(w.policyCount);
    const id = policyEntityId(workloadId, sequence);
    ctx.batch.create(
      "Policy",
      id,
      {
        workload: workloadId,
        allowedTees: p.allowedTees,
        acceptedTcbStatuses: p.acceptedTcbStatuses,
        deniedAdvisories: p.deniedAdvisories,
        deniedFmspcs: p.deniedFmspcs,
        deniedAmdProductLines: p.deniedAmdProductLines,
        dev: p.dev,
        allowUnboundEvidence: p.allowUnboundEvidence,
        maxEvidenceAge: BigInt(p.maxEvidenceAge),
        verdictLifetime: BigInt(p.verdictLifetime),
        tcbGracePeriod: BigInt(p.tcbGracePeriod),
        snpMinTcb,
        snpMinTcbSet: snpMinTcb.length > 0,
        snpAllowedVmpls: launch.snpAllowedVmpls,
        snpAllowMigrateMa: launch.snpAllowMigrateMa,
        snpRequireSmtOff: launch.snpRequireSmtOff,
        tdxAllowedTdAttributes: launch.tdxAllowedTdAttributes,
        tdxAllowedXfam: launch.tdxAllowedXfam,
        tdxOwnerConfigDigest: launch.tdxOwnerConfigDigest,
        sgxAllowedAttributes: launch.sgxAllowedAttributes,
        sgxMinIsvSvn: launch.sgxMinIsvSvn,
        effectiveAt: args.effectiveAt as bigint,
        replaced: false,
        scheduledAt: now,
        actor: lower(args.actor),
        txHash,
        blockNumber: BigInt(ctx.block.number),
      },
      ctx.block.number,
    );
    ctx.batch.save("Workload", workloadId, { ...w, policy: id, policyCount: sequence + 1 }, ctx.block.number);
    ctx.notify({ kind: "policyChanged", id, workload: workloadId });
  },

  async PolicyDelayScheduled(ctx) {
    recordGovernanceChange(ctx, { actor: ctx.log.args.actor, effectiveAt: ctx.log.args.effectiveAt });
  },
};
