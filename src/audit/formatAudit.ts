/** The audit for people: the record, what was re-verified, a field table and the checks. */
import { short, when } from "../util/format.ts";
import type { AuditVerdictResult } from "./auditVerdict.ts";

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

function cell(value: string | null): string {
  if (value === null) return "—";
  return value.startsWith("0x") && value.length > 20 ? short(value) : value;
}

export function formatAudit(r: AuditVerdictResult): string {
  const rec = r.record;
  const lines: string[] = [];
  const where = rec.batch
    ? `leaf ${rec.batch.leafIndex} of batch ${short(rec.batch.id)}${rec.batch.materialized ? " (materialized)" : " (not materialized)"}`
    : "single";
  lines.push(`verdict ${rec.verdictId}`);
  lines.push(
    `  finalized in block ${rec.blockNumber} (tx ${short(rec.txHash)}), ${where}, signed by ${rec.signers.map((s) => short(s)).join(", ")}`,
  );
  lines.push(`  re-verified as of its issuedAt ${r.asOf.replace(".000Z", "Z")}`);
  if (r.evidence) {
    lines.push(
      `  evidence: ${r.evidence.tee}${r.evidence.debug ? " (debug: INSECURE)" : ""}, ${r.evidence.size} bytes, ${r.evidence.collateralFiles} collateral files`,
    );
  }
  if (r.policy)
    lines.push(`  policy in force since ${when(Number(r.policy.effectiveAt))}, ${r.policy.measurements} measurements approved then`);
  lines.push("");
  const rows = r.fields.map((f) => [f.field, cell(f.onChain), cell(f.derived), f.match ? "match" : "MISMATCH"]);
  const widths = [0, 1, 2].map(
    (i) => Math.max(...[["field", "on-chain", "re-derived"][i]!, ...rows.map((row) => row[i]!)].map((x) => x.length)) + 2,
  );
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i < 3 ? pad(c, widths[i]!) : c)).join("")}`.trimEnd();
  lines.push(line(["field", "on-chain", "re-derived", ""]));
  for (const row of rows) lines.push(line(row));
  lines.push("");
  for (const c of r.checks) lines.push(`  ${c.ok ? "✓" : "✗"} ${c.name}: ${c.detail}`);
  if (r.error) lines.push(`  ✗ re-verification failed: ${r.error.code}: ${r.error.message}`);
  lines.push("");
  lines.push(
    r.result === "match"
      ? "MATCH: every field of the on-chain verdict re-derives from the stored evidence."
      : r.result === "unverifiable"
        ? "UNVERIFIABLE: the evidence or its binding inputs are not in this evidence store."
        : "MISMATCH: the on-chain verdict does not re-derive from the stored evidence.",
  );
  return lines.join("\n");
}

/** The JSON form: the result as is, bigints as decimal strings. */
export function auditJson(r: AuditVerdictResult): string {
  return JSON.stringify({ ok: r.result === "match", ...r }, (_, v) => (typeof v === "bigint" ? v.toString() : v));
}
