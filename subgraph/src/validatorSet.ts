// ValidatorSet events → Validator, Quorum, GovernanceChange
// (docs/registry.md; the keepledger indexer: src/indexer/handlers/validatorSet.ts).
import { BigInt, ethereum } from "@graphprotocol/graph-ts";
import {
  AttestationRegistryWired,
  BootstrapCloseScheduled,
  DefaultAdminDelayChangeCanceled,
  DefaultAdminDelayChangeScheduled,
  DefaultAdminTransferCanceled,
  DefaultAdminTransferScheduled,
  GovernanceDelayScheduled,
  LoggingProfileScheduled,
  RoleAdminChanged,
  RoleGranted,
  RoleRevoked,
  ThresholdScheduled,
  ValidatorAdded,
  ValidatorEndpointUpdated,
  ValidatorPruned,
  ValidatorRemoved,
  ValidatorVerdictAttached,
  ValidatorVerdictInvalidated,
  ValidatorReinstated,
  ValidatorWorkloadScheduled,
} from "../generated/ValidatorSet/ValidatorSet";
import { Quorum, Validator } from "../generated/schema";
import {
  JsonObject,
  loggingProfileName,
  recordAdminRulesChange,
  recordGovernanceChange,
  recordRoleAdminChange,
  recordRoleChange,
  recordWiring,
} from "./helpers";

function quorum(event: ethereum.Event): Quorum {
  const id = event.address.toHexString();
  let q = Quorum.load(id);
  if (q === null) q = new Quorum(id);
  return q;
}

export function handleValidatorAdded(event: ValidatorAdded): void {
  // A validator added again after its removal took effect starts over (the contract resets its record).
  const v = new Validator(event.params.validator.toHexString());
  v.endpoint = event.params.endpoint;
  v.loggingProfile = loggingProfileName(event.params.loggingProfile);
  v.pendingLoggingProfile = null;
  v.loggingProfileEffectiveAt = null;
  v.bootstrap = event.params.bootstrap;
  v.activeFrom = event.params.effectiveAt;
  v.activeUntil = null;
  v.active = true;
  v.verdict = null;
  v.verdictExpiresAt = null;
  v.verdictInvalidated = false;
  v.pruned = false;
  v.addedAt = event.block.timestamp;
  v.addedBy = event.params.actor;
  v.txHash = event.transaction.hash;
  v.save();
  const data = new JsonObject()
    .bytes("validator", event.params.validator)
    .integer("effectiveAt", event.params.effectiveAt)
    .bytes("actor", event.params.actor)
    .string("endpoint", event.params.endpoint)
    .integer("loggingProfile", BigInt.fromI32(event.params.loggingProfile))
    .boolean("bootstrap", event.params.bootstrap);
  recordGovernanceChange(event, "ValidatorAdded", data, event.params.actor, event.params.effectiveAt);
}

export function handleValidatorRemoved(event: ValidatorRemoved): void {
  const v = Validator.load(event.params.validator.toHexString())!;
  v.activeUntil = event.params.effectiveAt;
  v.active = false;
  v.save();
  const data = new JsonObject()
    .bytes("validator", event.params.validator)
    .integer("effectiveAt", event.params.effectiveAt)
    .bytes("actor", event.params.actor);
  recordGovernanceChange(event, "ValidatorRemoved", data, event.params.actor, event.params.effectiveAt);
}

export function handleValidatorPruned(event: ValidatorPruned): void {
  const v = Validator.load(event.params.validator.toHexString())!;
  v.pruned = true;
  v.active = false;
  v.save();
}

export function handleValidatorEndpointUpdated(event: ValidatorEndpointUpdated): void {
  const v = Validator.load(event.params.validator.toHexString())!;
  v.endpoint = event.params.endpoint;
  v.save();
}

export function handleLoggingProfileScheduled(event: LoggingProfileScheduled): void {
  const v = Validator.load(event.params.validator.toHexString())!;
  const now = event.block.timestamp;
  const effectiveAt = event.params.effectiveAt;
  const profile = loggingProfileName(event.params.loggingProfile);
  if (effectiveAt.le(now)) {
    v.loggingProfile = profile;
    v.pendingLoggingProfile = null;
    v.loggingProfileEffectiveAt = null;
  } else {
    // The contract first promotes a pending profile already in force, then schedules the new one.
    const pendingAt = v.loggingProfileEffectiveAt;
    if (pendingAt !== null && (pendingAt as BigInt).le(now)) v.loggingProfile = v.pendingLoggingProfile!;
    v.pendingLoggingProfile = profile;
    v.loggingProfileEffectiveAt = effectiveAt;
  }
  v.save();
  const data = new JsonObject()
    .bytes("validator", event.params.validator)
    .integer("effectiveAt", effectiveAt)
    .bytes("actor", event.params.actor)
    .integer("loggingProfile", BigInt.fromI32(event.params.loggingProfile));
  recordGovernanceChange(event, "LoggingProfileScheduled", data, event.params.actor, effectiveAt);
}

export function handleThresholdScheduled(event: ThresholdScheduled): void {
  const q = quorum(event);
  q.threshold = event.params.threshold;
  q.thresholdEffectiveAt = event.params.effectiveAt;
  q.save();
  const data = new JsonObject()
    .integer("threshold", BigInt.fromI32(event.params.threshold))
    .integer("effectiveAt", event.params.effectiveAt)
    .bytes("actor", event.params.actor);
  recordGovernanceChange(event, "ThresholdScheduled", data, event.params.actor, event.params.effectiveAt);
}

export function handleValidatorWorkloadScheduled(event: ValidatorWorkloadScheduled): void {
  const q = quorum(event);
  q.validatorWorkload = event.params.workloadId.toHexString();
  q.validatorWorkloadEffectiveAt = event.params.effectiveAt;
  q.save();
  const data = new JsonObject()
    .bytes("workloadId", event.params.workloadId)
    .integer("effectiveAt", event.params.effectiveAt)
    .bytes("actor", event.params.actor);
  recordGovernanceChange(event, "ValidatorWorkloadScheduled", data, event.params.actor, event.params.effectiveAt);
}

export function handleGovernanceDelayScheduled(event: GovernanceDelayScheduled): void {
  const q = quorum(event);
  q.governanceDelay = event.params.delay;
  q.governanceDelayEffectiveAt = event.params.effectiveAt;
  q.save();
  const data = new JsonObject()
    .integer("delay", event.params.delay)
    .integer("effectiveAt", event.params.effectiveAt)
    .bytes("actor", event.params.actor);
  recordGovernanceChange(event, "GovernanceDelayScheduled", data, event.params.actor, event.params.effectiveAt);
}

export function handleBootstrapCloseScheduled(event: BootstrapCloseScheduled): void {
  const q = quorum(event);
  q.bootstrapClosesAt = event.params.closesAt;
  q.save();
  const data = new JsonObject().integer("closesAt", event.params.closesAt).bytes("actor", event.params.actor);
  recordGovernanceChange(event, "BootstrapCloseScheduled", data, event.params.actor, event.params.closesAt);
}

export function handleValidatorVerdictAttached(event: ValidatorVerdictAttached): void {
  const v = Validator.load(event.params.validator.toHexString())!;
  v.verdict = event.params.verdictId.toHexString();
  v.verdictExpiresAt = event.params.expiresAt;
  v.verdictInvalidated = false;
  v.save();
}

export function handleValidatorVerdictInvalidated(event: ValidatorVerdictInvalidated): void {
  const v = Validator.load(event.params.validator.toHexString())!;
  v.verdictInvalidated = true;
  v.save();
}

export function handleValidatorReinstated(event: ValidatorReinstated): void {
  const v = Validator.load(event.params.validator.toHexString())!;
  v.verdictInvalidated = false;
  v.verdictExpiresAt = null;
  v.save();
  const data = new JsonObject().bytes("validator", event.params.validator).bytes("actor", event.params.actor);
  recordGovernanceChange(event, "ValidatorReinstated", data, event.params.actor, null);
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
