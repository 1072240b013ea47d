import { DEBUG_MAGIC } from "./debugEvidenceFormat.ts";

/** A cheap sniff: the 8-byte magic. Never throws. */
export function detectDebugEvidence(bytes: Uint8Array): boolean {
  if (bytes.length < DEBUG_MAGIC.length) return false;
  for (let i = 0; i < DEBUG_MAGIC.length; i++) if (bytes[i] !== DEBUG_MAGIC[i]) return false;
  return true;
}
