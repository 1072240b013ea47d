// AttestationRegistry events → Verdict, Batch, Revocation, SubjectRevocation, PlatformRevocation, GovernanceChange
// (docs/registry.md; the keepledger indexer: src/indexer/handlers/attestationRegistry.ts).
// MeasurementSerialRevoked has no handler: it is the same act as WorkloadRegistry's MeasurementRevoked.
import { Address, BigInt, Bytes, ethereum } from "@graphprotocol/graph-ts";
import {
  BatchFinalized,
  DefaultAdminDelayChangeCanceled,
  DefaultAdminDelayChangeScheduled,
  DefaultAdminTransferCanceled,
  DefaultAdminTransferScheduled,
  PlatformRevocationLifted,
  PlatformRevoked,
  SubjectRevocationLifted,
  SubjectRevoked,
  RoleAdminChanged,
  RoleGranted,
  RoleRevoked,
  VerdictFinalized,
  VerdictGroupFinalized,
  VerdictMaterialized,
  VerdictRevoked,
} from "../generated/AttestationRegistry/AttestationRegistry";
import { Batch, PlatformRevocation, Revocation, SubjectRevocation, Verdict, Workload } from "../generated/schema";
import {
  JsonObject,
  measurementId,
  recordAdminRulesChange,
  recordRoleAdminChange,
  recordRoleChange,
  tcbStatusName,
  teeName,
  verdictIdOf,
} from "./helpers";

function addresses(list: Address[]): string[] {
  const out = new Array<string>(0);
  for (let i = 0; i < list.length; i++) out.push(list[i].toHexString());
  return out;
}

/** A new verdict with the fields every verdict has; revocation can precede finalization (any id can be revoked). */
function newVerdict(
  id: string,
  workloadId: Bytes,
  measurementHash: Bytes,
  serial: i32,
  tee: i32,
  tcbStatus: i32,
  subject: Bytes,
  evidenceHash: Bytes,
  collateralHash: Bytes,
  issuedAt: BigInt,
  expiresAt: BigInt,
  freshnessBlock: BigInt,
  event: ethereum.Event,
): Verdict {
  const v = new Verdict(id);
  v.workload = workloadId.toHexString();
  v.measurement = measurementId(workloadId, measurementHash);
  v.measurementHash = measurementHash;
  v.measurementSerial = serial;
  v.tee = teeName(tee);
  v.subject = subject;
  v.tcbStatus = tcbStatusName(tcbStatus);
  v.evidenceHash = evidenceHash;
  v.collateralHash = collateralHash;
  v.issuedAt = issuedAt;
  v.expiresAt = expiresAt;
  v.freshnessBlock = freshnessBlock;
  v.unbound = freshnessBlock.isZero();
  const revoked = Revocation.load(id) !== null;
  v.revoked = revoked;
  v.revocation = revoked ? id : null;
  v.status = revoked ? "REVOKED" : "FINALIZED";
  v.finalizedAt = event.block.timestamp;
  v.txHash = event.transaction.hash;
  v.blockNumber = event.block.number;
  v.logIndex = event.logIndex.toI32();
  return v;
}

export function handleVerdictFinalized(event: VerdictFinalized): void {
  const id = event.params.verdictId.toHexString();
  let v = Verdict.load(id);
  if (v === null) {
    const t = event.params.verdict;
    v = newVerdict(
      id,
      t.workloadId,
      t.measurementHash,
      event.params.measurementSerial.toI32(),
      t.tee,
      t.tcbStatus,
      t.subject,
      t.evidenceHash,
      t.collateralHash,
      t.issuedAt,
      t.expiresAt,
      t.freshnessBlock,
      event,
    );
    v.signers = addresses(event.params.signers);
    v.batch = null;
  }
  // Seen before in a batch: it is now stored, with the rest of its record unchanged.
  v.materialized = true;
  v.materializedAt = event.block.timestamp;
  v.materializedBlock = event.block.number;
  v.materializedLogIndex = event.logIndex.toI32();
  v.save();
}

export function handleBatchFinalized(event: BatchFinalized): void {
  const b = new Batch(event.params.batchId.toHexString());
  b.count = event.params.count.toI32();
  b.groupCount = event.params.groupCount.toI32();
  b.signers = addresses(event.params.signers);
  b.materializedCount = 0;
  b.finalizedAt = event.block.timestamp;
  b.txHash = event.transaction.hash;
  b.blockNumber = event.block.number;
  b.save();
}

export function handleVerdictGroupFinalized(event: VerdictGroupFinalized): void {
  const batchId = event.params.batchId.toHexString();
  const batch = Batch.load(batchId)!;
  const g = event.params.group;
  const items = g.items;
  const firstLeaf = event.params.firstLeaf.toI32();
  const serial = event.params.measurementSerial.toI32();
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const id = verdictIdOf(
      g.workloadId,
      g.measurementHash,
      g.tee,
      g.tcbStatus,
      item.subject,
      item.evidenceHash,
      g.collateralHash,
      g.issuedAt,
      g.expiresAt,
      item.freshnessBlock,
    );
    // The same verdict in a second batch (or already finalized alone) keeps its first record.
    if (Verdict.load(id) !== null) continue;
    const v = newVerdict(
      id,
      g.workloadId,
      g.measurementHash,
      serial,
      g.tee,
      g.tcbStatus,
      item.subject,
      item.evidenceHash,
      g.collateralHash,
      g.issuedAt,
      g.expiresAt,
      item.freshnessBlock,
      event,
    );
    v.signers = batch.signers;
    v.batch = batchId;
    v.leafIndex = firstLeaf + i;
    v.materialized = false;
    v.save();
  }
}

export function handleVerdictMaterialized(event: VerdictMaterialized): void {
  const v = Verdict.load(event.params.verdictId.toHexString())!;
  v.materialized = true;
  v.materializedAt = event.block.timestamp;
  v.materializedBlock = event.block.number;
  v.materializedLogIndex = event.logIndex.toI32();
  v.save();
  const batch = Batch.load(event.params.batchId.toHexString())!;
  batch.materializedCount = batch.materializedCount + 1;
  batch.save();
}

export function handleVerdictRevoked(event: VerdictRevoked): void {
  const id = event.params.verdictId.toHexString();
  const v = Verdict.load(id);
  if (v !== null) {
    v.revoked = true;
    v.revocation = id;
    v.status = "REVOKED";
    v.save();
  }
  const r = new Revocation(id);
  r.kind = "VERDICT";
  r.verdict = id;
  r.verdictId = event.params.verdictId;
  r.measurement = null;
  r.workload = v !== null ? v.workload : null;
  r.reason = event.params.reason;
  r.actor = event.params.actor;
  r.revokedAt = event.block.timestamp;
  r.txHash = event.transaction.hash;
  r.blockNumber = event.block.number;
  r.save();
}

/** subject ‖ workloadId: 0x followed by 104 hex digits (as src/indexer/handlers/attestationRegistry.ts). */
function subjectRevocationId(subject: Bytes, workloadId: Bytes): string {
  return subject.toHexString() + workloadId.toHexString().slice(2);
}

const PLATFORM_KINDS: string[] = ["", "fmspc", "amdChipId", "amdProductLine", "tee"];

/** The kind's code as 2 hex digits ‖ the bytes32 value. */
function platformRevocationId(kind: i32, value: Bytes): string {
  return "0x0" + kind.toString() + value.toHexString().slice(2);
}

export function handleSubjectRevoked(event: SubjectRevoked): void {
  const workloadId = event.params.workloadId;
  const everywhere = workloadId.toHexString() == "0x" + "0".repeat(64);
  const r = new SubjectRevocation(subjectRevocationId(event.params.subject, workloadId));
  r.subject = event.params.subject;
  r.workloadId = workloadId;
  r.workload = everywhere || Workload.load(workloadId.toHexString()) === null ? null : workloadId.toHexString();
  r.everywhere = everywhere;
  r.active = true;
  r.reason = event.params.reason;
  r.actor = event.params.actor;
  r.revokedAt = event.block.timestamp;
  r.liftedAt = null;
  r.liftedBy = null;
  r.txHash = event.transaction.hash;
  r.blockNumber = event.block.number;
  r.save();
}

export function handleSubjectRevocationLifted(event: SubjectRevocationLifted): void {
  const r = SubjectRevocation.load(subjectRevocationId(event.params.subject, event.params.workloadId))!;
  r.active = false;
  r.liftedAt = event.params.liftedAt;
  r.liftedBy = event.params.actor;
  r.save();
}

export function handlePlatformRevoked(event: PlatformRevoked): void {
  const kind = event.params.kind;
  const r = new PlatformRevocation(platformRevocationId(kind, event.params.value));
  r.kind = kind >= 1 && kind <= 4 ? PLATFORM_KINDS[kind] : "unknown";
  r.value = event.params.value;
  const hex = event.params.value.toHexString();
  if (kind == 1) r.name = hex.slice(2, 14);
  else if (kind == 4) r.name = teeName(i32(event.params.value[31]));
  else r.name = null;
  r.active = true;
  r.reason = event.params.reason;
  r.actor = event.params.actor;
  r.revokedAt = event.block.timestamp;
  r.liftedAt = null;
  r.liftedBy = null;
  r.txHash = event.transaction.hash;
  r.blockNumber = event.block.number;
  r.save();
}

export function handlePlatformRevocationLifted(event: PlatformRevocationLifted): void {
  const r = PlatformRevocation.load(platformRevocationId(event.params.kind, event.params.value))!;
  r.active = false;
  r.liftedAt = event.block.timestamp;
  r.liftedBy = event.params.actor;
  r.save();
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
