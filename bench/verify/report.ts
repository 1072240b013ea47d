/** Rows of bench/results/verify.json, the printed table and the target check. */
import type { BenchKind } from "./vectors.ts";

export interface VerifyBenchRow {
  kind: BenchKind;
  /** "keepledger", a peer's package name, or "bound". */
  impl: string;
  /**
   * keepledger: warm (caches filled) or cold (every cache cleared). bound:
   * cold is the full set of signatures, warm the per-evidence set. Peers have
   * no caches: their one mode is reported as cold, with `singleMode`.
   */
  mode: "warm" | "cold";
  /** Median of the runs; null when the implementation cannot verify the vector (see `absent`). */
  perSecond: number | null;
  /** perSecond / the full crypto bound of the kind (bound, mode cold). */
  ratioToBound: number | null;
  /** perSecond / the per-evidence bound of the kind (bound, mode warm). */
  ratioToPerEvidenceBound: number | null;
  /**
   * perSecond / the per-evidence bound plus the evidence's keccak256 (bound, mode warm, variant
   * "with-evidence-hash"): the least a verdict needs — its signatures checked and its evidence hash made.
   */
  ratioToEvidenceHashBound?: number | null;
  /**
   * perSecond / the full set plus importing each of its keys (bound, mode cold, variant "with-key-import"):
   * the least a verifier with nothing remembered does.
   */
  ratioToKeyImportBound?: number | null;
  /**
   * perSecond / the full set, its key imports and the keccak256 hashes the verdict records (bound, mode cold,
   * variant "with-key-import-and-hashes"): all the cryptography of a verdict made with nothing remembered,
   * the cold counterpart of ratioToEvidenceHashBound.
   */
  ratioToColdVerdictBound?: number | null;
  /**
   * perSecond / the floor (bound, mode cold, variant "floor"; floor.ts): the cold verdict's cryptography and the
   * least reading of the files any verifier starting from them must do. Only for the kinds floor.ts defines it
   * for.
   */
  ratioToFloor?: number | null;
  /** keepledger rows: perSecond / the fastest peer's perSecond for the kind. */
  ratioToFastestPeer?: number | null;
  /** A second measurement of the same impl and mode, e.g. "collateral-preloaded". */
  variant?: string;
  /** The implementation has one mode (no caches to warm or clear). */
  singleMode?: boolean;
  /** Number of signature verifications (bound rows). */
  signatures?: number;
  /** Number of keys imported (the with-key-import bounds). */
  keys?: number;
  /** Number of keccak256 inputs (the with-key-import-and-hashes bound). */
  hashes?: number;
  /** Each run's figure, in the order they ran. */
  runs?: number[];
  note?: string;
  absent?: string;
}

const KEY_ORDER: Array<keyof VerifyBenchRow> = [
  "kind",
  "impl",
  "mode",
  "perSecond",
  "ratioToBound",
  "ratioToPerEvidenceBound",
  "ratioToEvidenceHashBound",
  "ratioToKeyImportBound",
  "ratioToColdVerdictBound",
  "ratioToFloor",
  "ratioToFastestPeer",
  "variant",
  "singleMode",
  "signatures",
  "keys",
  "hashes",
  "runs",
  "note",
  "absent",
];

/** bench/results/verify.json: the rows in table order, one per line, keys in a fixed order (small, stable diffs). */
export function formatResults(rows: readonly VerifyBenchRow[]): string {
  const line = (r: VerifyBenchRow): string => {
    const ordered: Record<string, unknown> = {};
    for (const k of KEY_ORDER) if (r[k] !== undefined) ordered[k] = r[k];
    return `  ${JSON.stringify(ordered)}`;
  };
  return `[\n${rows.map(line).join(",\n")}\n]\n`;
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

export function perSecondFigure(x: number): number {
  return x >= 100 ? Math.round(x) : round(x, 1);
}

export function ratio(x: number | null, to: number | null | undefined): number | null {
  return x === null || to === null || to === undefined || to === 0 ? null : round(x / to, 3);
}

/** Fills the ratio fields once every figure of a kind is known. */
export function withRatios(rows: VerifyBenchRow[]): VerifyBenchRow[] {
  const of = (impl: string, mode: string): number | null =>
    rows.find((r) => r.impl === impl && r.mode === mode && !r.variant)?.perSecond ?? null;
  const bound = of("bound", "cold");
  const perEvidence = of("bound", "warm");
  const withHash = rows.find((r) => r.impl === "bound" && r.mode === "warm" && r.variant === "with-evidence-hash")?.perSecond ?? null;
  const withKeys = rows.find((r) => r.impl === "bound" && r.mode === "cold" && r.variant === "with-key-import")?.perSecond ?? null;
  const verdict =
    rows.find((r) => r.impl === "bound" && r.mode === "cold" && r.variant === "with-key-import-and-hashes")?.perSecond ?? null;
  const floor = rows.find((r) => r.impl === "bound" && r.mode === "cold" && r.variant === "floor")?.perSecond ?? null;
  const peers = rows.filter((r) => r.impl !== "bound" && r.impl !== "keepledger" && r.perSecond !== null).map((r) => r.perSecond!);
  const fastestPeer = peers.length > 0 ? Math.max(...peers) : null;
  return rows.map((r) => ({
    ...r,
    ratioToBound: ratio(r.perSecond, bound),
    ratioToPerEvidenceBound: ratio(r.perSecond, perEvidence),
    ratioToEvidenceHashBound: ratio(r.perSecond, withHash),
    ratioToKeyImportBound: ratio(r.perSecond, withKeys),
    ratioToColdVerdictBound: ratio(r.perSecond, verdict),
    ratioToFloor: ratio(r.perSecond, floor),
    ...(r.impl === "keepledger" ? { ratioToFastestPeer: ratio(r.perSecond, fastestPeer) } : {}),
  }));
}

function label(r: VerifyBenchRow): string {
  if (r.impl === "bound") {
    if (r.mode === "cold") {
      if (r.variant === "floor")
        return `floor: all ${r.signatures} signatures + ${r.keys} key imports + ${r.hashes} hashes + the files read`;
      if (r.variant === "with-key-import-and-hashes")
        return `bound: all ${r.signatures} signatures + ${r.keys} key imports + ${r.hashes} hashes`;
      return r.variant === "with-key-import"
        ? `bound: all ${r.signatures} signatures + ${r.keys} key imports`
        : `bound: all ${r.signatures} signatures`;
    }
    return r.variant === "with-evidence-hash"
      ? `bound: per evidence (${r.signatures}) + evidence hash`
      : `bound: per evidence (${r.signatures})`;
  }
  return r.variant ? `${r.impl} (${r.variant})` : r.impl;
}

function modeOf(r: VerifyBenchRow): string {
  if (r.impl === "bound") return "—";
  return r.singleMode ? "one mode" : r.mode;
}

const fmt = (x: number | null | undefined, digits = 2): string => (x === null || x === undefined ? "—" : x.toFixed(digits));
const int = (x: number | null): string => (x === null ? "absent" : x >= 100 ? Math.round(x).toLocaleString("en-US") : x.toFixed(1));

/** A Markdown table of every row (what docs/benchmarks.md shows). */
export function markdownTable(rows: readonly VerifyBenchRow[]): string {
  const lines = [
    "| kind | implementation | mode | verified / s | × bound | × bound + key imports | × bound + keys + hashes | × floor | × per-evidence bound | × per-evidence + hash bound | × fastest peer |",
    "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.kind} | ${label(r)} | ${modeOf(r)} | ${int(r.perSecond)} | ${fmt(r.ratioToBound)} | ${fmt(r.ratioToKeyImportBound)} | ${fmt(r.ratioToColdVerdictBound)} | ${fmt(r.ratioToFloor)} | ${fmt(r.ratioToPerEvidenceBound)} | ${fmt(r.ratioToEvidenceHashBound)} | ${r.impl === "keepledger" ? fmt(r.ratioToFastestPeer) : ""} |`,
    );
  }
  return lines.join("\n");
}

export interface TargetCheck {
  kind: BenchKind;
  target: string;
  value: number | null;
  met: boolean | null;
}

/**
 * Issue 14's targets (a benchmark, not a test): warm ≥ 0.7 of the per-evidence bound (or of it with the evidence
 * hash); cold ≥ 0.7 of the full bound (or of it with the key imports, or with those and the verdict's hashes, or
 * of the floor where one is defined).
 */
export function checkTargets(rows: readonly VerifyBenchRow[]): TargetCheck[] {
  const out: TargetCheck[] = [];
  const kinds = [...new Set(rows.map((r) => r.kind))];
  for (const kind of kinds) {
    const kl = (mode: string): VerifyBenchRow | undefined =>
      rows.find((r) => r.kind === kind && r.impl === "keepledger" && r.mode === mode && !r.variant);
    const warm = kl("warm");
    const cold = kl("cold");
    const check = (target: string, value: number | null | undefined, min: number): void => {
      out.push({ kind, target, value: value ?? null, met: value === null || value === undefined ? null : value >= min });
    };
    check("warm ≥ 0.7 × bound", warm?.ratioToBound, 0.7);
    check("warm ≥ 0.7 × per-evidence bound", warm?.ratioToPerEvidenceBound, 0.7);
    check("warm ≥ 0.7 × per-evidence + evidence-hash bound", warm?.ratioToEvidenceHashBound, 0.7);
    check("cold ≥ 0.7 × bound", cold?.ratioToBound, 0.7);
    check("cold ≥ 0.7 × bound + key imports", cold?.ratioToKeyImportBound, 0.7);
    check("cold ≥ 0.7 × bound + key imports + hashes", cold?.ratioToColdVerdictBound, 0.7);
    if (cold?.ratioToFloor !== null && cold?.ratioToFloor !== undefined) check("cold ≥ 0.7 × floor", cold.ratioToFloor, 0.7);
  }
  return out;
}

export function formatTargets(checks: readonly TargetCheck[]): string {
  return checks
    .map(
      (c) =>
        `${c.kind.padEnd(8)} ${c.target.padEnd(32)} ${c.value === null ? "n/a (no peer)" : `${c.value.toFixed(2)}  ${c.met ? "met" : "NOT met"}`}`,
    )
    .join("\n");
}
