import type { KeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { KIND_FACTS } from "@keepledger/sdk/internal/tee/kindFacts";

/**
 * What an unsafe switch let through: `platform.revocationChecked: false` (the NVIDIA GPU kind without OCSP), or
 * the same of a part (`platform.gpus`, a composite's GPUs).
 */
export function unsafeWarnings(r: VerifiedEvidence): string[] {
  const parts = Array.isArray(r.platform.gpus) ? (r.platform.gpus as { revocationChecked?: unknown }[]) : [];
  return r.platform.revocationChecked === false || parts.some((p) => p.revocationChecked === false)
    ? ["UNSAFE: certificate revocation was not checked (no OCSP response; accepted only because an unsafe switch allowed it)"]
    : [];
}

/** The `--json` shape of `keepledger verify` (docs/cli.md): one object, stable keys (`warnings` only when an unsafe switch was used). */
export function verificationJson(r: VerifiedEvidence): Record<string, unknown> {
  const warnings = unsafeWarnings(r);
  return {
    ok: true,
    tee: r.tee,
    claims: r.claims,
    tcb: { status: r.tcb.status, advisoryIds: r.tcb.advisoryIds },
    debug: r.debug,
    evidenceHash: r.evidenceHash,
    collateralHash: r.collateralHash,
    expiresAt: r.expiresAt.toISOString(),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

export function failureJson(e: KeepledgerError): Record<string, unknown> {
  return { ok: false, error: { code: e.code, message: e.message } };
}

/** The same facts for a person. */
export function verificationText(r: VerifiedEvidence): string {
  const lines = [
    `✔ verified: ${Object.hasOwn(KIND_FACTS, r.tee) ? KIND_FACTS[r.tee].instance : r.tee}, as of ${r.verifiedAt.toISOString()}`,
  ];
  if (r.debug) lines.push("  ⚠ INSECURE: debug mode or no TEE at all — accept only under a dev policy");
  for (const w of unsafeWarnings(r)) lines.push(`  ⚠ ${w}`);
  const advisories = r.tcb.advisoryIds.length > 0 ? ` (${r.tcb.advisoryIds.join(", ")})` : "";
  lines.push(`  TCB status      ${r.tcb.status}${advisories}`);
  for (const [k, v] of Object.entries(r.claims))
    lines.push(`  ${k.padEnd(15)} ${v === null ? "—" : typeof v === "object" ? JSON.stringify(v) : String(v)}`);
  lines.push(`  evidence hash   ${r.evidenceHash}`);
  lines.push(`  collateral hash ${r.collateralHash}`);
  lines.push(`  valid until     ${r.expiresAt.toISOString()} (earliest certificate, CRL or collateral expiry)`);
  return lines.join("\n");
}

export function failureText(e: KeepledgerError): string {
  const hint: Record<string, string> = {
    format: "the bytes are not well-formed evidence",
    verification: "the evidence does not verify",
    policy: "the policy refuses the evidence",
    infrastructure: "a collateral service failed; try again",
    usage: "check the command line",
  };
  return `✘ ${hint[e.stage] ?? "rejected"}: ${e.message}\n  code ${e.code}`;
}
