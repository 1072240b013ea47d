import type { PlatformTcbStatus } from "./intelCollateral.ts";

/**
 * Intel QVL's convergence of the platform level with the TDX module's status:
 * an OutOfDate module makes an up-to-date (or SW-hardening) platform OutOfDate
 * and a configuration-needed platform OutOfDateConfigurationNeeded; a revoked
 * module revokes the whole; otherwise the platform status stands.
 */
export function convergeWithModule(platform: PlatformTcbStatus, module: PlatformTcbStatus | undefined): PlatformTcbStatus {
  return converge(
    platform,
    module === undefined ? undefined : module === "OutOfDate" ? "OutOfDate" : module === "Revoked" ? "Revoked" : undefined,
  );
}

/**
 * Intel QVL's convergence with the QE's status: the QE is either UpToDate,
 * Revoked, or (any other status) OutOfDate, with the same rules as the module.
 */
export function convergeWithQe(platform: PlatformTcbStatus, qe: PlatformTcbStatus | undefined): PlatformTcbStatus {
  if (qe === undefined || qe === "UpToDate") return platform;
  return converge(platform, qe === "Revoked" ? "Revoked" : "OutOfDate");
}

function converge(platform: PlatformTcbStatus, other: "OutOfDate" | "Revoked" | undefined): PlatformTcbStatus {
  if (other === "Revoked") return "Revoked";
  if (other === "OutOfDate") {
    if (platform === "UpToDate" || platform === "SWHardeningNeeded") return "OutOfDate";
    if (platform === "ConfigurationNeeded" || platform === "ConfigurationAndSWHardeningNeeded") return "OutOfDateConfigurationNeeded";
  }
  return platform;
}

/** The union of advisory IDs, first-seen order (a few short lists: a loop, not a flattened array and a Set). */
export function unionAdvisories(...lists: string[][]): string[] {
  const out: string[] = [];
  for (const list of lists) for (const id of list) if (!out.includes(id)) out.push(id);
  return out;
}
