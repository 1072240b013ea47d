// KeyRegistry events → Key, KeyVersion, KeyRelease, GovernanceChange
// (docs/registry.md, docs/key-release.md; the keepledger indexer: src/indexer/handlers/keyRegistry.ts).
import { BigInt, Bytes } from "@graphprotocol/graph-ts";
import {
  DefaultAdminDelayChangeCanceled,
  DefaultAdminDelayChangeScheduled,
  DefaultAdminTransferCanceled,
  DefaultAdminTransferScheduled,
  KeyCreated,
  KeyServiceKeySet,
  KeyVersionCreated,
  KeyVersionRetired,
  ReleasePolicyScheduled,
  ReleaseReceiptsCommitted,
  RoleAdminChanged,
  RoleGranted,
  RoleRevoked,
} from "../generated/KeyRegistry/KeyRegistry";
import { Key, KeyRelease, KeyVersion, Validator } from "../generated/schema";
import {
  hex8,
  JsonObject,
  keyVersionId,
  receiptLeafOf,
  recordAdminRulesChange,
  recordGovernanceChange,
  recordRoleAdminChange,
  recordRoleChange,
  tcbStatusesOfMask,
} from "./helpers";

const ZERO32 = "0x0000000000000000000000000000000000000000000000000000000000000000";

function keyStatus(latestVersion: i32, retired: i32): string {
  if (latestVersion > 0 && retired >= latestVersion) return "RETIRED";
  return latestVersion > 1 ? "ROTATED" : "CREATED";
}

function secondWorkload(id: Bytes): Bytes | null {
  return id.toHexString() == ZERO32 ? null : id;
}

export function handleKeyCreated(event: KeyCreated): void {
  const k = new Key(event.params.keyId.toHexString());
  k.workload = event.params.workloadId.toHexString();
  k.name = event.params.name;
  k.createdBy = event.params.actor;
  k.status = "CREATED";
  k.latestVersion = 0;
  k.retiredVersionCount = 0;
  // The release policy follows in ReleasePolicyScheduled, in the same transaction.
  k.secondWorkloadId = null;
  k.acceptedTcbStatuses = new Array<string>(0);
  k.allowDebug = false;
  k.releasePolicyEffectiveAt = event.block.timestamp;
  k.pendingReleasePolicyEffectiveAt = null;
  k.pendingSecondWorkloadId = null;
  k.pendingAcceptedTcbStatuses = null;
  k.unset("pendingAllowDebug");
  k.createdAt = event.block.timestamp;
  k.txHash = event.transaction.hash;
  k.blockNumber = event.block.number;
  k.save();
}

export function handleReleasePolicyScheduled(event: ReleasePolicyScheduled): void {
  const k = Key.load(event.params.keyId.toHexString())!;
  const p = event.params.policy;
  const now = event.block.timestamp;
  const effectiveAt = event.params.effectiveAt;
  if (effectiveAt.le(now)) {
    // In force at once: it replaces anything pending.
    k.secondWorkloadId = secondWorkload(p.secondWorkloadId);
    k.acceptedTcbStatuses = tcbStatusesOfMask(p.acceptedTcbStatuses);
    k.allowDebug = p.allowDebug;
    k.releasePolicyEffectiveAt = effectiveAt;
    k.pendingReleasePolicyEffectiveAt = null;
    k.pendingSecondWorkloadId = null;
    k.pendingAcceptedTcbStatuses = null;
    k.unset("pendingAllowDebug");
  } else {
    // A pending policy already in force is promoted first (as the contract does).
    const pendingAt = k.pendingReleasePolicyEffectiveAt;
    if (pendingAt !== null && (pendingAt as BigInt).le(now)) {
      k.secondWorkloadId = k.pendingSecondWorkloadId;
      k.acceptedTcbStatuses = k.pendingAcceptedTcbStatuses!;
      k.allowDebug = k.pendingAllowDebug;
      k.releasePolicyEffectiveAt = pendingAt as BigInt;
    }
    k.pendingSecondWorkloadId = secondWorkload(p.secondWorkloadId);
    k.pendingAcceptedTcbStatuses = tcbStatusesOfMask(p.acceptedTcbStatuses);
    k.pendingAllowDebug = p.allowDebug;
    k.pendingReleasePolicyEffectiveAt = effectiveAt;
  }
  k.save();
  const policy = new JsonObject()
    .bytes("secondWorkloadId", p.secondWorkloadId)
    .integer("acceptedTcbStatuses", BigInt.fromI32(p.acceptedTcbStatuses))
    .boolean("allowDebug", p.allowDebug);
  const data = new JsonObject()
    .bytes("keyId", event.params.keyId)
    .object("policy", policy)
    .integer("effectiveAt", effectiveAt)
    .bytes("actor", event.params.actor);
  recordGovernanceChange(event, "ReleasePolicyScheduled", data, event.params.actor, effectiveAt);
}

export function handleKeyVersionCreated(event: KeyVersionCreated): void {
  const keyId = event.params.keyId.toHexString();
  const version = event.params.version.toI32();
  const k = Key.load(keyId)!;
  const holders = event.params.shareholders;
  const shareholders = new Array<string>(0);
  let live = 0;
  for (let i = 0; i < holders.length; i++) {
    const id = holders[i].toHexString();
    shareholders.push(id);
    // Registered and not removed when the version was recorded (the keepledger API recomputes it at read time).
    const v = Validator.load(id);
    if (v !== null && (v.activeUntil === null || (v.activeUntil as BigInt).gt(event.block.timestamp))) live++;
  }
  const hashes = event.params.shareHashes;
  const shareHashes = new Array<Bytes>(0);
  for (let i = 0; i < hashes.length; i++) shareHashes.push(hashes[i]);
  const kv = new KeyVersion(keyVersionId(keyId, version));
  kv.key = keyId;
  kv.version = version;
  kv.threshold = event.params.threshold;
  kv.shareholders = shareholders;
  kv.shareHashes = shareHashes;
  kv.shareCommitment = event.params.shareCommitment;
  kv.status = "ACTIVE";
  kv.retiredAt = null;
  kv.retiredBy = null;
  kv.liveShareholders = live;
  kv.belowThreshold = live < event.params.threshold;
  kv.createdAt = event.block.timestamp;
  kv.txHash = event.transaction.hash;
  kv.blockNumber = event.block.number;
  kv.save();
  k.latestVersion = version;
  k.status = keyStatus(version, k.retiredVersionCount);
  k.save();
}

export function handleKeyVersionRetired(event: KeyVersionRetired): void {
  const keyId = event.params.keyId.toHexString();
  const kv = KeyVersion.load(keyVersionId(keyId, event.params.version.toI32()))!;
  kv.status = "RETIRED";
  kv.retiredAt = event.block.timestamp;
  kv.retiredBy = event.params.actor;
  kv.save();
  const k = Key.load(keyId)!;
  k.retiredVersionCount = k.retiredVersionCount + 1;
  k.status = keyStatus(k.latestVersion, k.retiredVersionCount);
  k.save();
  const data = new JsonObject()
    .bytes("keyId", event.params.keyId)
    .integer("version", event.params.version)
    .bytes("actor", event.params.actor);
  recordGovernanceChange(event, "KeyVersionRetired", data, event.params.actor, null);
}

export function handleKeyServiceKeySet(event: KeyServiceKeySet): void {
  const data = new JsonObject().bytes("validator", event.params.validator).bytes("publicKey", event.params.publicKey);
  recordGovernanceChange(event, "KeyServiceKeySet", data, event.params.validator, null);
}

export function handleReleaseReceiptsCommitted(event: ReleaseReceiptsCommitted): void {
  const root = event.params.root.toHexString();
  const validator = event.params.validator;
  const receipts = event.params.receipts;
  for (let i = 0; i < receipts.length; i++) {
    const r = receipts[i];
    const keyId = r.keyId.toHexString();
    const versionId = keyVersionId(keyId, r.version.toI32());
    // A receipt is the validator's claim: the contract does not check that it names a recorded key.
    const known = Key.load(keyId) !== null;
    const release = new KeyRelease(root + hex8(i));
    release.key = known ? keyId : null;
    release.keyId = r.keyId;
    release.keyVersion = known && KeyVersion.load(versionId) !== null ? versionId : null;
    release.version = r.version.toI32();
    release.subject = r.subject;
    release.validator = validator.toHexString();
    release.releasedAt = r.releasedAt;
    release.requestHash = r.requestHash;
    release.leaf = receiptLeafOf(validator, r.keyId, r.version, r.subject, r.releasedAt, r.requestHash);
    release.batchRoot = event.params.root;
    release.leafIndex = i;
    release.batchCount = receipts.length;
    release.committedAt = event.block.timestamp;
    release.txHash = event.transaction.hash;
    release.blockNumber = event.block.number;
    release.logIndex = event.logIndex.toI32();
    release.save();
  }
}

export function handleRoleGranted(event: RoleGranted): void {
  recordRoleChange(event, "RoleGranted", event.params.role, event.params.account, event.params.sender);
}

export function handleRoleRevoked(event: RoleRevoked): void {
  recordRoleChange(event, "RoleRevoked", event.params.role, event.params.account, event.params.sender);
}

export function handleRoleAdminChanged(event: RoleAdminChanged): void {
  recordRoleAdminChange(event, event.params.role, event.params.previousAdminRole, event.params.newAdminRole);
}

export function handleDefaultAdminTransferScheduled(event: DefaultAdminTransferScheduled): void {
  const data = new JsonObject().bytes("newAdmin", event.params.newAdmin).integer("acceptSchedule", event.params.acceptSchedule);
  recordAdminRulesChange(event, "DefaultAdminTransferScheduled", data, event.params.acceptSchedule);
}

export function handleDefaultAdminTransferCanceled(event: DefaultAdminTransferCanceled): void {
  recordAdminRulesChange(event, "DefaultAdminTransferCanceled", new JsonObject(), null);
}

export function handleDefaultAdminDelayChangeScheduled(event: DefaultAdminDelayChangeScheduled): void {
  const data = new JsonObject().integer("newDelay", event.params.newDelay).integer("effectSchedule", event.params.effectSchedule);
  recordAdminRulesChange(event, "DefaultAdminDelayChangeScheduled", data, event.params.effectSchedule);
}

export function handleDefaultAdminDelayChangeCanceled(event: DefaultAdminDelayChangeCanceled): void {
  recordAdminRulesChange(event, "DefaultAdminDelayChangeCanceled", new JsonObject(), null);
}
