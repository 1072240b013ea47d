/** ValidatorSet events → Validator, Quorum, GovernanceChange (docs/registry.md). */
import type { EntityData } from "../entityModel.ts";
import {
  lower,
  loggingProfileName,
  mustLoad,
  recordGovernanceChange,
  roleHandlers,
  type EventHandler,
  type HandlerContext,
} from "./context.ts";

async function quorum(ctx: HandlerContext): Promise<{ id: string; data: EntityData }> {
  const id = ctx.log.address;
  const data = (await ctx.batch.load("Quorum", id)) ?? {
    threshold: null,
    thresholdEffectiveAt: null,
    validatorWorkload: null,
    validatorWorkloadEffectiveAt: null,
    governanceDelay: null,
    governanceDelayEffectiveAt: null,
    bootstrapClosesAt: null,
  };
  return { id, data };
}

async function updateValidator(ctx: HandlerContext, change: (v: EntityData) => EntityData): Promise<void> {
  const id = lower(ctx.log.args.validator);
  const v = await mustLoad(ctx, "Validator", id);
  ctx.batch.save("Validator", id, change(v), ctx.block.number);
  ctx.notify({ kind: "validatorChanged", id });
}

function governed(ctx: HandlerContext): void {
  recordGovernanceChange(ctx, { actor: ctx.log.args.actor, effectiveAt: ctx.log.args.effectiveAt });
}

export const validatorSetHandlers: Record<string, EventHandler> = {
  ...roleHandlers,

  async ValidatorAdded(ctx) {
    const { args, txHash } = ctx.log;
    const id = lower(args.validator);
    // A validator added again after its removal took effect starts over (the contract resets its record).
    ctx.batch.save(
      "Validator",
      id,
      {
        endpoint: String(args.endpoint),
        loggingProfile: loggingProfileName(args.loggingProfile),
        pendingLoggingProfile: null,
        loggingProfileEffectiveAt: null,
        bootstrap: Boolean(args.bootstrap),
        activeFrom: args.effectiveAt as bigint,
        activeUntil: null,
        active: true,
        verdict: null,
        verdictExpiresAt: null,
        verdictInvalidated: false,
        pruned: false,
        addedAt: BigInt(ctx.block.timestamp),
        addedBy: lower(args.actor),
        txHash,
      },
      ctx.block.number,
    );
    ctx.notify({ kind: "validatorChanged", id });
    governed(ctx);
  },

  async ValidatorRemoved(ctx) {
    await updateValidator(ctx, (v) => ({ ...v, activeUntil: ctx.log.args.effectiveAt as bigint, active: false }));
    governed(ctx);
  },

  async ValidatorPruned(ctx) {
    await updateValidator(ctx, (v) => ({ ...v, pruned: true, active: false }));
  },

  async ValidatorEndpointUpdated(ctx) {
    await updateValidator(ctx, (v) => ({ ...v, endpoint: String(ctx.log.args.endpoint) }));
  },

  async LoggingProfileScheduled(ctx) {
    const effectiveAt = ctx.log.args.effectiveAt as bigint;
    const profile = loggingProfileName(ctx.log.args.loggingProfile);
    const now = BigInt(ctx.block.timestamp);
    await updateValidator(ctx, (v) => {
      // The contract first promotes a pending profile already in force, then schedules the new one.
      const pendingAt = v.loggingProfileEffectiveAt as bigint | null;
      const current = pendingAt !== null && pendingAt <= now ? v.pendingLoggingProfile : v.loggingProfile;
      return effectiveAt <= now
        ? { ...v, loggingProfile: profile, pendingLoggingProfile: null, loggingProfileEffectiveAt: null }
        : { ...v, loggingProfile: current, pendingLoggingProfile: profile, loggingProfileEffectiveAt: effectiveAt };
    });
    governed(ctx);
  },

  async ThresholdScheduled(ctx) {
    const q = await quorum(ctx);
    ctx.batch.save(
      "Quorum",
      q.id,
      { ...q.data, threshold: Number(ctx.log.args.threshold), thresholdEffectiveAt: ctx.log.args.effectiveAt as bigint },
      ctx.block.number,
    );
    governed(ctx);
  },

  async ValidatorWorkloadScheduled(ctx) {
    const q = await quorum(ctx);
    ctx.batch.save(
      "Quorum",
      q.id,
      { ...q.data, validatorWorkload: lower(ctx.log.args.workloadId), validatorWorkloadEffectiveAt: ctx.log.args.effectiveAt as bigint },
      ctx.block.number,
    );
    governed(ctx);
  },

  async GovernanceDelayScheduled(ctx) {
    const q = await quorum(ctx);
    ctx.batch.save(
      "Quorum",
      q.id,
      { ...q.data, governanceDelay: ctx.log.args.delay as bigint, governanceDelayEffectiveAt: ctx.log.args.effectiveAt as bigint },
      ctx.block.number,
    );
    governed(ctx);
  },

  async BootstrapCloseScheduled(ctx) {
    const q = await quorum(ctx);
    ctx.batch.save("Quorum", q.id, { ...q.data, bootstrapClosesAt: ctx.log.args.closesAt as bigint }, ctx.block.number);
    recordGovernanceChange(ctx, { actor: ctx.log.args.actor, effectiveAt: ctx.log.args.closesAt });
  },

  async ValidatorVerdictAttached(ctx) {
    const { args } = ctx.log;
    await updateValidator(ctx, (v) => ({
      ...v,
      verdict: lower(args.verdictId),
      verdictExpiresAt: args.expiresAt as bigint,
      verdictInvalidated: false,
    }));
  },

  async ValidatorVerdictInvalidated(ctx) {
    await updateValidator(ctx, (v) => ({ ...v, verdictInvalidated: true }));
  },

  /** Governance lifted the revocation; the revoked verdict no longer counts, so it counts again only once a live one is attached. */
  async ValidatorReinstated(ctx) {
    await updateValidator(ctx, (v) => ({ ...v, verdictInvalidated: false, verdictExpiresAt: null }));
    recordGovernanceChange(ctx, { actor: ctx.log.args.actor });
  },
};
