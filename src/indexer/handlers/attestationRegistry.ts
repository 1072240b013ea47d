/**
 * AttestationRegistry events → Verdict, Batch, Revocation, SubjectRevocation, PlatformRevocation,
 * GovernanceChange (docs/registry.md).
 */
import { platformKindFromCode } from "../../chain/revocations.ts";
import { tcbStatusFromCode, teeKindFromCode } from "@keepledger/sdk/internal/ids/enums";
import { batchLeafIds, type Verdict, type VerdictGroup } from "@keepledger/sdk/internal/ids/verdictCodec";
import { evidenceKeccak } from "../../util/evidenceKeccak.ts";
import type { DecodedLog } from "../decodeLogs.ts";
import type { EntityData } from "../entityModel.ts";
import { measurementEntityId } from "../entityIds.ts";
import { lower, mustLoad, roleHandlers, type EventHandler, type HandlerContext } from "./context.ts";

/** The stored fields every verdict has, from its tuple. */
function verdictFields(v: Verdict, serial: number): EntityData {
  const workload = lower(v.workloadId);
  return {
    workload,
    measurement: measurementEntityId(workload, v.measurementHash),
    measurementHash: lower(v.measurementHash),
    measurementSerial: serial,
    tee: teeKindFromCode(Number(v.tee)),
    subject: lower(v.subject),
    tcbStatus: tcbStatusFromCode(Number(v.tcbStatus)),
    evidenceHash: lower(v.evidenceHash),
    collateralHash: lower(v.collateralHash),
    issuedAt: BigInt(v.issuedAt),
    expiresAt: BigInt(v.expiresAt),
    freshnessBlock: BigInt(v.freshnessBlock),
    unbound: BigInt(v.freshnessBlock) === 0n,
  };
}

/**
 * The verdict ids of a VerdictGroupFinalized event's items, in leaf order. Catch-up hashes one 352-byte
 * struct per verdict (hundreds of thousands): the native Keccak takes about a third of the JavaScript
 * one's time at that size (src/util/evidenceKeccak.ts).
 */
export function groupVerdictIds(args: Record<string, unknown>): string[] {
  return batchLeafIds([args.group as VerdictGroup], evidenceKeccak);
}

/** Every verdict the page's AttestationRegistry events will load, to fetch them in a few queries. */
export function verdictIdsOfPage(logs: readonly DecodedLog[]): string[] {
  const ids: string[] = [];
  for (const l of logs) {
    if (l.contract !== "attestationRegistry") continue;
    if (l.eventName === "VerdictGroupFinalized") {
      l.derived = { verdictIds: groupVerdictIds(l.args) };
      ids.push(...l.derived.verdictIds!);
    } else if (l.eventName === "VerdictFinalized" || l.eventName === "VerdictMaterialized" || l.eventName === "VerdictRevoked") {
      ids.push(lower(l.args.verdictId));
    }
  }
  return ids;
}

/** Revocation can precede finalization (any id can be revoked); a verdict found later is born revoked. */
function revocationOf(ctx: HandlerContext, id: string): EntityData {
  const revoked = ctx.revokedUnseen.has(id);
  return { revoked, revocation: revoked ? id : null, status: revoked ? "REVOKED" : "FINALIZED" };
}

export const attestationRegistryHandlers: Record<string, EventHandler> = {
  ...roleHandlers,

  async VerdictFinalized(ctx) {
    const { args, txHash, logIndex } = ctx.log;
    const id = lower(args.verdictId);
    const stored = {
      materialized: true,
      materializedAt: BigInt(ctx.block.timestamp),
      materializedBlock: BigInt(ctx.block.number),
      materializedLogIndex: logIndex,
    };
    const existing = await ctx.batch.load("Verdict", id);
    if (existing) {
      // Seen before in a batch (batched verdicts are not "stored" on-chain, so the same verdict may
      // still be finalized on its own): it is now stored, with the rest of its record unchanged.
      ctx.batch.save("Verdict", id, { ...existing, ...stored }, ctx.block.number);
      return;
    }
    ctx.batch.create(
      "Verdict",
      id,
      {
        ...verdictFields(args.verdict as Verdict, Number(args.measurementSerial)),
        ...revocationOf(ctx, id),
        signers: (args.signers as readonly string[]).map(lower),
        batch: null,
        leafIndex: null,
        ...stored,
        finalizedAt: BigInt(ctx.block.timestamp),
        txHash,
        blockNumber: BigInt(ctx.block.number),
        logIndex,
      },
      ctx.block.number,
    );
    ctx.notify({ kind: "verdictFinalized", id, workload: lower((args.verdict as Verdict).workloadId) });
  },

  async BatchFinalized(ctx) {
    const { args, txHash } = ctx.log;
    ctx.batch.create(
      "Batch",
      lower(args.batchId),
      {
        count: Number(args.count),
        groupCount: Number(args.groupCount),
        signers: (args.signers as readonly string[]).map(lower),
        materializedCount: 0,
        finalizedAt: BigInt(ctx.block.timestamp),
        txHash,
        blockNumber: BigInt(ctx.block.number),
      },
      ctx.block.number,
    );
  },

  async VerdictGroupFinalized(ctx) {
    const { args, txHash, logIndex } = ctx.log;
    const batchId = lower(args.batchId);
    const batch = await mustLoad(ctx, "Batch", batchId);
    const g = args.group as VerdictGroup;
    const serial = Number(args.measurementSerial);
    const firstLeaf = Number(args.firstLeaf);
    const ids = ctx.log.derived?.verdictIds ?? groupVerdictIds(args);
    const verdicts = g.items.map((item, i) => ({
      v: { ...g, subject: item.subject, evidenceHash: item.evidenceHash, freshnessBlock: item.freshnessBlock } as Verdict,
      id: ids[i]!,
    }));
    await ctx.batch.prefetch("Verdict", ids);
    for (const [i, { v, id }] of verdicts.entries()) {
      // The same verdict in a second batch (or already finalized alone) keeps its first record.
      if (await ctx.batch.exists("Verdict", id)) continue;
      ctx.batch.create(
        "Verdict",
        id,
        {
          ...verdictFields(v, serial),
          ...revocationOf(ctx, id),
          signers: batch.signers,
          batch: batchId,
          leafIndex: firstLeaf + i,
          materialized: false,
          materializedAt: null,
          materializedBlock: null,
          materializedLogIndex: null,
          finalizedAt: BigInt(ctx.block.timestamp),
          txHash,
          blockNumber: BigInt(ctx.block.number),
          logIndex,
        },
        ctx.block.number,
      );
      ctx.notify({ kind: "verdictFinalized", id, workload: lower(g.workloadId) });
    }
  },

  async VerdictMaterialized(ctx) {
    const { args, logIndex } = ctx.log;
    const id = lower(args.verdictId);
    const v = await mustLoad(ctx, "Verdict", id);
    ctx.batch.save(
      "Verdict",
      id,
      {
        ...v,
        materialized: true,
        materializedAt: BigInt(ctx.block.timestamp),
        materializedBlock: BigInt(ctx.block.number),
        materializedLogIndex: logIndex,
      },
      ctx.block.number,
    );
    const batchId = lower(args.batchId);
    const batch = await mustLoad(ctx, "Batch", batchId);
    ctx.batch.save("Batch", batchId, { ...batch, materializedCount: Number(batch.materializedCount) + 1 }, ctx.block.number);
  },

  async VerdictRevoked(ctx) {
    const { args, txHash } = ctx.log;
    const id = lower(args.verdictId);
    const v = await ctx.batch.load("Verdict", id);
    if (v) ctx.batch.save("Verdict", id, { ...v, revoked: true, revocation: id, status: "REVOKED" }, ctx.block.number);
    else ctx.revokedUnseen.add(id);
    ctx.batch.create(
      "Revocation",
      id,
      {
        kind: "VERDICT",
        verdict: id,
        verdictId: id,
        measurement: null,
        workload: v ? v.workload : null,
        reason: String(args.reason),
        actor: lower(args.actor),
        revokedAt: BigInt(ctx.block.timestamp),
        txHash,
        blockNumber: BigInt(ctx.block.number),
      },
      ctx.block.number,
    );
  },

  /** The same revocation as WorkloadRegistry's MeasurementRevoked in the same transaction: no entity of its own. */
  async MeasurementSerialRevoked() {},

  async SubjectRevoked(ctx) {
    const { args, txHash } = ctx.log;
    const workloadId = lower(args.workloadId);
    const everywhere = BigInt(workloadId) === 0n;
    ctx.batch.save(
      "SubjectRevocation",
      subjectRevocationId(args.subject, workloadId),
      {
        subject: lower(args.subject),
        workloadId,
        workload: everywhere || !(await ctx.batch.exists("Workload", workloadId)) ? null : workloadId,
        everywhere,
        active: true,
        reason: String(args.reason),
        actor: lower(args.actor),
        revokedAt: BigInt(ctx.block.timestamp),
        liftedAt: null,
        liftedBy: null,
        txHash,
        blockNumber: BigInt(ctx.block.number),
      },
      ctx.block.number,
    );
  },

  async SubjectRevocationLifted(ctx) {
    const { args } = ctx.log;
    const id = subjectRevocationId(args.subject, args.workloadId);
    const r = await mustLoad(ctx, "SubjectRevocation", id);
    ctx.batch.save(
      "SubjectRevocation",
      id,
      { ...r, active: false, liftedAt: BigInt(args.liftedAt as bigint), liftedBy: lower(args.actor) },
      ctx.block.number,
    );
  },

  async PlatformRevoked(ctx) {
    const { args, txHash } = ctx.log;
    const code = Number(args.kind);
    const kind = platformKindFromCode(code);
    const value = lower(args.value);
    ctx.batch.save(
      "PlatformRevocation",
      platformRevocationId(code, value),
      {
        kind,
        value,
        name: platformName(kind, value),
        active: true,
        reason: String(args.reason),
        actor: lower(args.actor),
        revokedAt: BigInt(ctx.block.timestamp),
        liftedAt: null,
        liftedBy: null,
        txHash,
        blockNumber: BigInt(ctx.block.number),
      },
      ctx.block.number,
    );
  },

  async PlatformRevocationLifted(ctx) {
    const { args } = ctx.log;
    const id = platformRevocationId(Number(args.kind), lower(args.value));
    const r = await mustLoad(ctx, "PlatformRevocation", id);
    ctx.batch.save(
      "PlatformRevocation",
      id,
      { ...r, active: false, liftedAt: BigInt(ctx.block.timestamp), liftedBy: lower(args.actor) },
      ctx.block.number,
    );
  },
};

/** subject ‖ workloadId: 0x followed by 104 hex digits. */
export function subjectRevocationId(subject: unknown, workloadId: unknown): string {
  return `${lower(subject)}${lower(workloadId).slice(2)}`;
}

/** The kind's code as 2 hex digits ‖ the bytes32 value. */
export function platformRevocationId(code: number, value: string): string {
  return `0x${code.toString(16).padStart(2, "0")}${value.slice(2)}`;
}

/** The value in clear when the bytes32 holds it: an FMSPC's 6 bytes, or a TEE kind's code. */
function platformName(kind: string, value: string): string | null {
  if (kind === "fmspc") return value.slice(2, 14);
  if (kind === "tee") {
    try {
      return teeKindFromCode(Number(BigInt(value)));
    } catch {
      return null;
    }
  }
  return null;
}
