/** What an event handler gets: the decoded log, its block, the entity batch and a way to announce changes. */
import type { Hex } from "viem";
import { loggingProfileFromCode } from "@keepledger/sdk/internal/ids/enums";
import type { DecodedLog } from "../decodeLogs.ts";
import type { EntityBatch } from "../EntityStore.ts";
import type { EntityData } from "../entityModel.ts";
import { eventId } from "../entityIds.ts";

export type ChangeKind = "verdictFinalized" | "policyChanged" | "validatorChanged";

/** An entity change subscribers hear about once its block is committed. */
export interface RegistryChange {
  kind: ChangeKind;
  /** The entity id (Verdict, Policy or Validator). */
  id: string;
  /** The workload it belongs to (verdicts and policies). */
  workload?: string;
}

export interface HandlerContext {
  batch: EntityBatch;
  log: DecodedLog;
  block: { number: number; timestamp: number };
  notify(change: RegistryChange): void;
  /** Verdict ids revoked before the index saw them finalized (revocation can precede finalization). */
  revokedUnseen: Set<string>;
}

export type EventHandler = (ctx: HandlerContext) => Promise<void>;

/** A handler found an entity the event implies missing: the index does not start at the deployment. */
export class IndexInconsistencyError extends Error {}

export async function mustLoad(ctx: HandlerContext, entity: string, id: string): Promise<EntityData> {
  const data = await ctx.batch.load(entity, id);
  if (!data) {
    throw new IndexInconsistencyError(
      `${ctx.log.eventName} in block ${ctx.log.blockNumber} refers to ${entity} ${id}, which the index does not have`,
    );
  }
  return data;
}

export function lower(value: unknown): string {
  return String(value).toLowerCase();
}

export function loggingProfileName(code: unknown): string {
  return loggingProfileFromCode(Number(code)).toUpperCase();
}

/** An argument as it appears in GovernanceChange.data: integers as decimal strings, hex lowercase (in tuples too). */
function jsonArg(value: unknown, type: string): unknown {
  if (typeof value === "bigint" || typeof value === "number") return value.toString();
  if (typeof value === "string" && (type === "address" || type.startsWith("bytes"))) return value.toLowerCase();
  if (type === "tuple" && value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, typeof v === "string" && v.startsWith("0x") ? v.toLowerCase() : jsonArg(v, "")]),
    );
  }
  return value;
}

/** Records a GovernanceChange for the current event. */
export function recordGovernanceChange(ctx: HandlerContext, options: { actor?: unknown; effectiveAt?: unknown } = {}): void {
  const { log } = ctx;
  const data: Record<string, unknown> = {};
  log.argNames.forEach((name, i) => {
    data[name] = jsonArg(log.args[name], log.argTypes[i] ?? "");
  });
  const id = eventId(log.txHash, log.logIndex);
  ctx.batch.create(
    "GovernanceChange",
    id,
    {
      kind: log.eventName,
      contract: log.address,
      actor: options.actor === undefined ? null : lower(options.actor),
      data: JSON.stringify(data),
      effectiveAt: options.effectiveAt === undefined ? BigInt(ctx.block.timestamp) : BigInt(options.effectiveAt as bigint),
      timestamp: BigInt(ctx.block.timestamp),
      txHash: log.txHash,
      blockNumber: BigInt(ctx.block.number),
    },
    ctx.block.number,
  );
}

/** The role and admin-rules events of OpenZeppelin AccessControlDefaultAdminRules, on all four contracts. */
export const roleHandlers: Record<string, EventHandler> = {
  RoleGranted: async (ctx) => recordGovernanceChange(ctx, { actor: ctx.log.args.sender }),
  RoleRevoked: async (ctx) => recordGovernanceChange(ctx, { actor: ctx.log.args.sender }),
  RoleAdminChanged: async (ctx) => recordGovernanceChange(ctx),
  AttestationRegistryWired: async (ctx) => recordGovernanceChange(ctx),
  // AccessControlDefaultAdminRules: the two-step admin transfer and admin-delay changes, pending until effectiveAt.
  DefaultAdminTransferScheduled: async (ctx) => recordGovernanceChange(ctx, { effectiveAt: ctx.log.args.acceptSchedule }),
  DefaultAdminTransferCanceled: async (ctx) => recordGovernanceChange(ctx),
  DefaultAdminDelayChangeScheduled: async (ctx) => recordGovernanceChange(ctx, { effectiveAt: ctx.log.args.effectSchedule }),
  DefaultAdminDelayChangeCanceled: async (ctx) => recordGovernanceChange(ctx),
};

export type { Hex };
