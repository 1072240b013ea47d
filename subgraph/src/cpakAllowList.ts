// CpakAllowList events → AllowedCpak (docs/registry.md; the keepledger indexer:
// src/indexer/handlers/cpakAllowList.ts).
import { CpakAllowed, CpakDisallowed } from "../generated/CpakAllowList/CpakAllowList";
import { AllowedCpak } from "../generated/schema";
import { measurementId } from "./helpers";

// workloadId ‖ cpakId, the same shape as a Measurement's id.
export function handleCpakAllowed(event: CpakAllowed): void {
  const c = new AllowedCpak(measurementId(event.params.workloadId, event.params.cpakId));
  c.workload = event.params.workloadId.toHexString();
  c.cpakId = event.params.cpakId;
  c.effectiveAt = event.params.effectiveAt;
  c.allowedAt = event.block.timestamp;
  c.disallowed = false;
  c.disallowedAt = null;
  c.actor = event.params.actor;
  c.txHash = event.transaction.hash;
  c.save();
}

export function handleCpakDisallowed(event: CpakDisallowed): void {
  const c = AllowedCpak.load(measurementId(event.params.workloadId, event.params.cpakId))!;
  c.disallowed = true;
  c.disallowedAt = event.block.timestamp;
  c.actor = event.params.actor;
  c.save();
}
