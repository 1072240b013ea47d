/** CpakAllowList events → AllowedCpak (docs/registry.md): a workload's allowed Arm CCA platform keys. */
import { measurementEntityId } from "../entityIds.ts";
import { lower, mustLoad, type EventHandler } from "./context.ts";

// workloadId ‖ cpakId, the same shape as a Measurement's id.
const allowedCpakId = measurementEntityId;

export const cpakAllowListHandlers: Record<string, EventHandler> = {
  /** Allowed (again): in force from effectiveAt; a re-allow after a disallow replaces the entry. */
  async CpakAllowed(ctx) {
    const { args, txHash } = ctx.log;
    const workload = lower(args.workloadId);
    await mustLoad(ctx, "Workload", workload);
    const cpakId = lower(args.cpakId);
    ctx.batch.save(
      "AllowedCpak",
      allowedCpakId(workload, cpakId),
      {
        workload,
        cpakId,
        effectiveAt: args.effectiveAt as bigint,
        allowedAt: BigInt(ctx.block.timestamp),
        disallowed: false,
        disallowedAt: null,
        actor: lower(args.actor),
        txHash,
      },
      ctx.block.number,
    );
  },

  /** Disallowed: at once. */
  async CpakDisallowed(ctx) {
    const { args } = ctx.log;
    const id = allowedCpakId(lower(args.workloadId), lower(args.cpakId));
    const c = await mustLoad(ctx, "AllowedCpak", id);
    ctx.batch.save(
      "AllowedCpak",
      id,
      { ...c, disallowed: true, disallowedAt: BigInt(ctx.block.timestamp), actor: lower(args.actor) },
      ctx.block.number,
    );
  },
};
