// WorkloadRegistry events → Workload, Measurement, Policy, Revocation, GovernanceChange
// (docs/registry.md; the keepledger indexer: src/indexer/handlers/workloadRegistry.ts).
import { Address, BigInt, Bytes, ethereum } from "@graphprotocol/graph-ts";
import {
  AttestationRegistryWired,
  DefaultAdminDelayChangeCanceled,
  DefaultAdminDelayChangeScheduled,
  DefaultAdminTransferCanceled,
  DefaultAdminTransferScheduled,
  MeasurementAdded,
  MeasurementRevoked,
  PolicyDelayScheduled,
  PolicyScheduled,
  RoleAdminChanged,
  RoleGranted,
  RoleRevoked,
  WorkloadMetadataUpdated,
  WorkloadOwnershipTransferStarted,
  WorkloadOwnershipTransferred,
  WorkloadRegistered,
} from "../generated/WorkloadRegistry/WorkloadRegistry";
import { Measurement, Policy, Revocation, Workload } from "../generated/schema";
import {
  amdProductLines,
  JsonObject,
  measurementId,
  policyId,
  recordAdminRulesChange,
  recordGovernanceChange,
  recordRoleAdminChange,
  recordRoleChange,
  recordWiring,
  tcbStatusesOfMask,
  teeKindsOfMask,
  teeName,
} from "./helpers";

export function handleWorkloadRegistered(event: WorkloadRegistered): void {
  const w = new Workload(event.params.workloadId.toHexString());
  w.name = event.params.name;
  w.owner = event.params.owner;
  w.pendingOwner = null;
  w.pendingOwnerEffectiveAt = null;
  w.metadataURI = event.params.metadataURI;
  w.policy = null;
  w.policyCount = 0;
  w.createdAt = event.block.timestamp;
  w.createdAtBlock = event.block.number;
  w.txHash = event.transaction.hash;
  w.save();
}

export function handleWorkloadMetadataUpdated(event: WorkloadMetadataUpdated): void {
  const w = Workload.load(event.params.workloadId.toHexString())!;
  w.metadataURI = event.params.metadataURI;
  w.save();
}

export function handleWorkloadOwnershipTransferStarted(event: WorkloadOwnershipTransferStarted): void {
  const w = Workload.load(event.params.workloadId.toHexString())!;
  // An accepted transfer already in force is written down before the pending fields are reused.
  const at = w.pendingOwnerEffectiveAt;
  if (at !== null && at.le(event.block.timestamp) && w.pendingOwner !== null) w.owner = w.pendingOwner!;
  w.pendingOwner = event.params.pendingOwner.equals(Address.zero()) ? null : changetype<Bytes>(event.params.pendingOwner);
  w.pendingOwnerEffectiveAt = null;
  w.save();
}

// The pending owner accepted: it takes over at effectiveAt (The Graph cannot act on time alone: until a
// later event, owner stays the previous owner and pendingOwnerEffectiveAt says when the change applies).
export function handleWorkloadOwnershipTransferred(event: WorkloadOwnershipTransferred): void {
  const w = Workload.load(event.params.workloadId.toHexString())!;
  if (event.params.effectiveAt.le(event.block.timestamp)) {
    w.owner = event.params.newOwner;
    w.pendingOwner = null;
    w.pendingOwnerEffectiveAt = null;
  } else {
    w.owner = event.params.previousOwner;
    w.pendingOwner = event.params.newOwner;
    w.pendingOwnerEffectiveAt = event.params.effectiveAt;
  }
  w.save();
}

export function handleMeasurementAdded(event: MeasurementAdded): void {
  const m = new Measurement(measurementId(event.params.workloadId, event.params.measurementHash));
  m.workload = event.params.workloadId.toHexString();
  m.hash = event.params.measurementHash;
  m.tee = teeName(event.params.tee);
  m.value = event.params.value;
  m.version = event.params.version.toI32();
  m.serial = event.params.serial.toI32();
  m.revoked = false;
  m.revokedAt = null;
  m.revocation = null;
  m.addedAt = event.block.timestamp;
  m.effectiveAt = event.params.effectiveAt;
  m.addedAtBlock = event.block.number;
  m.txHash = event.transaction.hash;
  m.save();
}

export function handleMeasurementRevoked(event: MeasurementRevoked): void {
  const id = measurementId(event.params.workloadId, event.params.measurementHash);
  const m = Measurement.load(id)!;
  m.revoked = true;
  m.revokedAt = event.block.timestamp;
  m.revocation = id;
  m.save();
  const r = new Revocation(id);
  r.kind = "MEASUREMENT";
  r.verdict = null;
  r.verdictId = null;
  r.measurement = id;
  r.workload = event.params.workloadId.toHexString();
  r.reason = null;
  r.actor = event.params.actor;
  r.revokedAt = event.block.timestamp;
  r.txHash = event.transaction.hash;
  r.blockNumber = event.block.number;
  r.save();
}

export function handlePolicyScheduled(event: PolicyScheduled): void {
  const workloadId = event.params.workloadId.toHexString();
  const w = Workload.load(workloadId)!;
  // A policy still pending when a newer one is scheduled never comes into force.
  if (w.policy !== null) {
    const previous = Policy.load(w.policy!)!;
    if (previous.effectiveAt.gt(event.block.timestamp)) {
      previous.replaced = true;
      previous.save();
    }
  }
  const p = event.params.policy;
  const sequence = w.policyCount;
  const id = policyId(workloadId, sequence);
  const policy = new Policy(id);
  policy.workload = workloadId;
  policy.allowedTees = teeKindsOfMask(p.allowedTees);
  policy.acceptedTcbStatuses = tcbStatusesOfMask(p.acceptedTcbStatuses);
  policy.deniedAdvisories = p.deniedAdvisories;
  const fmspcs = new Array<string>(0);
  const denied = p.deniedFmspcs;
  for (let i = 0; i < denied.length; i++) fmspcs.push(denied[i].toHexString().slice(2));
  policy.deniedFmspcs = fmspcs;
  policy.deniedAmdProductLines = amdProductLines(p.deniedAmdProductLines);
  policy.dev = p.dev;
  policy.allowUnboundEvidence = p.allowUnboundEvidence;
  policy.maxEvidenceAge = p.maxEvidenceAge;
  policy.verdictLifetime = p.verdictLifetime;
  policy.tcbGracePeriod = p.tcbGracePeriod;
  const launch = p.launch;
  const tcb = new Array<string>(0);
  const milan = snpMinTcbText("Milan", changetype<ethereum.Tuple>(launch.snpMinTcbMilan), false);
  if (milan.length > 0) tcb.push(milan);
  const genoa = snpMinTcbText("Genoa", changetype<ethereum.Tuple>(launch.snpMinTcbGenoa), false);
  if (genoa.length > 0) tcb.push(genoa);
  const turin = snpMinTcbText("Turin", changetype<ethereum.Tuple>(launch.snpMinTcbTurin), true);
  if (turin.length > 0) tcb.push(turin);
  policy.snpMinTcb = tcb;
  policy.snpMinTcbSet = tcb.length > 0;
  const vmpls = new Array<i32>(0);
  for (let v = 0; v < 4; v++) if ((launch.snpAllowedVmpls & (1 << v)) != 0) vmpls.push(v);
  policy.snpAllowedVmpls = vmpls;
  policy.snpAllowMigrateMa = launch.snpAllowMigrateMa;
  policy.snpRequireSmtOff = launch.snpRequireSmtOff;
  policy.tdxAllowedTdAttributes = launch.tdxAllowedTdAttributes;
  policy.tdxAllowedXfam = launch.tdxAllowedXfam;
  const digest = launch.tdxOwnerConfigDigest;
  let zero = true;
  for (let i = 0; i < digest.length; i++) if (digest[i] != 0) zero = false;
  policy.tdxOwnerConfigDigest = zero ? null : changetype<Bytes>(digest);
  policy.sgxAllowedAttributes = launch.sgxAllowedAttributes;
  policy.sgxMinIsvSvn = launch.sgxMinIsvSvn;
  policy.effectiveAt = event.params.effectiveAt;
  policy.replaced = false;
  policy.scheduledAt = event.block.timestamp;
  policy.actor = event.params.actor;
  policy.txHash = event.transaction.hash;
  policy.blockNumber = event.block.number;
  policy.save();
  w.policy = id;
  w.policyCount = sequence + 1;
  w.save();
}

/** `Line:bootloader=B,tee=T,snp=S,microcode=M[,fmc=F]` (src/policy/formatLaunchPolicy.ts), "" when all zero. */
function snpMinTcbText(line: string, t: ethereum.Tuple, turin: boolean): string {
  const b = t[0].toI32();
  const tee = t[1].toI32();
  const snp = t[2].toI32();
  const mc = t[3].toI32();
  const fmc = t[4].toI32();
  if (b == 0 && tee == 0 && snp == 0 && mc == 0 && fmc == 0) return "";
  let s = line + ":bootloader=" + b.toString() + ",tee=" + tee.toString() + ",snp=" + snp.toString() + ",microcode=" + mc.toString();
  if (turin) s += ",fmc=" + fmc.toString();
  return s;
}

export function handlePolicyDelayScheduled(event: PolicyDelayScheduled): void {
  const data = new JsonObject()
    .integer("delay", event.params.delay)
    .integer("effectiveAt", event.params.effectiveAt)
    .bytes("actor", event.params.actor);
  recordGovernanceChange(event, "PolicyDelayScheduled", data, event.params.actor, event.params.effectiveAt);
}

export function handleAttestationRegistryWired(event: AttestationRegistryWired): void {
  recordWiring(event, event.params.attestationRegistry);
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

export { BigInt };

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
