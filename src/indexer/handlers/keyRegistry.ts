/**
 * KeyRegistry events → Key, KeyVersion, KeyRelease, GovernanceChange (docs/registry.md,
 * docs/key-release.md). Release receipts come whole in ReleaseReceiptsCommitted's data, so each one
 * becomes a KeyRelease with its Merkle leaf and its place in the committed batch.
 */
import type { Address, Hex } from "viem";
import { tcbStatusesOfMask } from "@keepledger/sdk/internal/ids/enums";
import { receiptLeaf, type ReleaseReceipt } from "@keepledger/sdk/internal/ids/keyIds";
import type { EntityData } from "../entityModel.ts";
import { keyReleaseEntityId, keyVersionEntityId } from "../entityIds.ts";
import { lower, mustLoad, recordGovernanceChange, roleHandlers, type EventHandler, type HandlerContext } from "./context.ts";

interface ChainReleasePolicy {
  secondWorkloadId: string;
  acceptedTcbStatuses: number;
  allowDebug: boolean;
}

const ZERO32 = `0x${"00".repeat(32)}`;

/** A release policy as Key fields (prefix "" for the one in force, "pending" for a scheduled one). */
function policyFields(p: ChainReleasePolicy, pending: boolean): EntityData {
  const second = lower(p.secondWorkloadId);
  const secondWorkloadId = second === ZERO32 ? null : second;
  const statuses = tcbStatusesOfMask(Number(p.acceptedTcbStatuses));
  return pending
    ? { pendingSecondWorkloadId: secondWorkloadId, pendingAcceptedTcbStatuses: statuses, pendingAllowDebug: Boolean(p.allowDebug) }
    : { secondWorkloadId, acceptedTcbStatuses: statuses, allowDebug: Boolean(p.allowDebug) };
}

const NO_PENDING: EntityData = {
  pendingReleasePolicyEffectiveAt: null,
  pendingSecondWorkloadId: null,
  pendingAcceptedTcbStatuses: null,
  pendingAllowDebug: null,
};

/** A key's status from its version counts. */
function keyStatus(latestVersion: number, retired: number): string {
  if (latestVersion > 0 && retired >= latestVersion) return "RETIRED";
  return latestVersion > 1 ? "ROTATED" : "CREATED";
}

/**
 * Validators among `holders` registered and not removed as of now: the stored value of
 * liveShareholders (The Graph's reading; the keepledger API recomputes it at read time).
 */
async function registeredCount(ctx: HandlerContext, holders: readonly string[]): Promise<number> {
  let n = 0;
  for (const h of holders) {
    const v = await ctx.batch.load("Validator", h);
    const until = v?.activeUntil as bigint | null | undefined;
    if (v && (until === null || until === undefined || until > BigInt(ctx.block.timestamp))) n++;
  }
  return n;
}

export const keyRegistryHandlers: Record<string, EventHandler> = {
  ...roleHandlers,

  async KeyCreated(ctx) {
    const { args, txHash } = ctx.log;
    ctx.batch.create(
      "Key",
      lower(args.keyId),
      {
        workload: lower(args.workloadId),
        name: String(args.name),
        createdBy: lower(args.actor),
        status: "CREATED",
        latestVersion: 0,
        retiredVersionCount: 0,
        // The release policy follows in ReleasePolicyScheduled, in the same transaction.
        secondWorkloadId: null,
        acceptedTcbStatuses: [],
        allowDebug: false,
        releasePolicyEffectiveAt: BigInt(ctx.block.timestamp),
        ...NO_PENDING,
        createdAt: BigInt(ctx.block.timestamp),
        txHash,
        blockNumber: BigInt(ctx.block.number),
      },
      ctx.block.number,
    );
  },

  /** As the contract: in force at once replaces anything pending; a delayed one first promotes a pending policy already in force. */
  async ReleasePolicyScheduled(ctx) {
    const { args } = ctx.log;
    const id = lower(args.keyId);
    const k = await mustLoad(ctx, "Key", id);
    const policy = args.policy as ChainReleasePolicy;
    const effectiveAt = args.effectiveAt as bigint;
    const now = BigInt(ctx.block.timestamp);
    let next: EntityData;
    if (effectiveAt <= now) {
      next = { ...k, ...policyFields(policy, false), releasePolicyEffectiveAt: effectiveAt, ...NO_PENDING };
    } else {
      const pendingAt = k.pendingReleasePolicyEffectiveAt as bigint | null;
      const promoted: EntityData =
        pendingAt !== null && pendingAt <= now
          ? {
              secondWorkloadId: k.pendingSecondWorkloadId,
              acceptedTcbStatuses: k.pendingAcceptedTcbStatuses,
              allowDebug: k.pendingAllowDebug,
              releasePolicyEffectiveAt: pendingAt,
            }
          : {};
      next = { ...k, ...promoted, ...policyFields(policy, true), pendingReleasePolicyEffectiveAt: effectiveAt };
    }
    ctx.batch.save("Key", id, next, ctx.block.number);
    recordGovernanceChange(ctx, { actor: args.actor, effectiveAt });
  },

  async KeyVersionCreated(ctx) {
    const { args, txHash } = ctx.log;
    const keyId = lower(args.keyId);
    const version = Number(args.version);
    const k = await mustLoad(ctx, "Key", keyId);
    const shareholders = (args.shareholders as string[]).map(lower);
    const threshold = Number(args.threshold);
    const live = await registeredCount(ctx, shareholders);
    ctx.batch.create(
      "KeyVersion",
      keyVersionEntityId(keyId, version),
      {
        key: keyId,
        version,
        threshold,
        shareholders,
        shareHashes: (args.shareHashes as string[]).map(lower),
        shareCommitment: lower(args.shareCommitment),
        status: "ACTIVE",
        retiredAt: null,
        retiredBy: null,
        liveShareholders: live,
        belowThreshold: live < threshold,
        createdAt: BigInt(ctx.block.timestamp),
        txHash,
        blockNumber: BigInt(ctx.block.number),
      },
      ctx.block.number,
    );
    const retired = Number(k.retiredVersionCount);
    ctx.batch.save("Key", keyId, { ...k, latestVersion: version, status: keyStatus(version, retired) }, ctx.block.number);
  },

  async KeyVersionRetired(ctx) {
    const { args } = ctx.log;
    const keyId = lower(args.keyId);
    const id = keyVersionEntityId(keyId, Number(args.version));
    const v = await mustLoad(ctx, "KeyVersion", id);
    ctx.batch.save(
      "KeyVersion",
      id,
      { ...v, status: "RETIRED", retiredAt: BigInt(ctx.block.timestamp), retiredBy: lower(args.actor) },
      ctx.block.number,
    );
    const k = await mustLoad(ctx, "Key", keyId);
    const retired = Number(k.retiredVersionCount) + 1;
    ctx.batch.save(
      "Key",
      keyId,
      { ...k, retiredVersionCount: retired, status: keyStatus(Number(k.latestVersion), retired) },
      ctx.block.number,
    );
    recordGovernanceChange(ctx, { actor: args.actor });
  },

  /** The key itself is in the KeyRegistry (keyServiceKeyOf); the act is a governance-relevant change of the validator. */
  async KeyServiceKeySet(ctx) {
    recordGovernanceChange(ctx, { actor: ctx.log.args.validator });
  },

  async ReleaseReceiptsCommitted(ctx) {
    const { args, txHash, logIndex } = ctx.log;
    const root = lower(args.root);
    const validator = lower(args.validator);
    const receipts = args.receipts as ReleaseReceipt[];
    const count = receipts.length;
    for (const [i, r] of receipts.entries()) {
      const keyId = lower(r.keyId);
      const version = Number(r.version);
      const versionId = keyVersionEntityId(keyId, version);
      // A receipt is the validator's claim: the contract does not check that it names a recorded key.
      const key = await ctx.batch.load("Key", keyId);
      const keyVersion = key ? await ctx.batch.load("KeyVersion", versionId) : null;
      ctx.batch.create(
        "KeyRelease",
        keyReleaseEntityId(root, i),
        {
          key: key ? keyId : null,
          keyId,
          keyVersion: keyVersion ? versionId : null,
          version,
          subject: lower(r.subject),
          validator,
          releasedAt: BigInt(r.releasedAt),
          requestHash: lower(r.requestHash),
          leaf: receiptLeaf(validator as Address, { ...r, keyId: r.keyId as Hex }).toLowerCase(),
          batchRoot: root,
          leafIndex: i,
          batchCount: count,
          committedAt: BigInt(ctx.block.timestamp),
          txHash,
          blockNumber: BigInt(ctx.block.number),
          logIndex,
        },
        ctx.block.number,
      );
    }
  },
};
