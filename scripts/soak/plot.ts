/** The soak run's plot (docs/img/soak.svg): one panel per series, one line per node, time on x. Plain SVG, no library. */

export interface SoakNodeSample {
  rssBytes: number;
  heapUsedBytes: number;
  openFds: number;
  eventLoopLagP99Ms: number;
  storeBytes: number;
  finalized: number;
  /** Cumulative seconds spent collecting quorums and waiting for finalization receipts (histogram sums), and
   *  how many of each: the mean per interval says which stage a growing queue waits on. */
  quorumSeconds: number;
  quorums: number;
  finalizeSeconds: number;
  finalizations: number;
}

export interface SoakSample {
  /** Seconds since the load started. */
  t: number;
  posted: number;
  accepted: number;
  refused: number;
  /** Accepted and not yet finalized, over all nodes. */
  queue: number;
  nodes: SoakNodeSample[];
}

interface Panel {
  title: string;
  unit: string;
  series: Array<{ name: string; values: number[] }>;
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
const W = 460;
const H = 190;
const PAD = { left: 56, right: 12, top: 28, bottom: 30 };

function panelSvg(panel: Panel, times: number[], x0: number, y0: number): string {
  const all = panel.series.flatMap((s) => s.values).filter(Number.isFinite);
  const max = Math.max(1e-9, ...all) * 1.1;
  const tMax = Math.max(1, ...times);
  const px = (t: number) => x0 + PAD.left + (t / tMax) * (W - PAD.left - PAD.right);
  const py = (v: number) => y0 + H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);
  const lines = panel.series.map((s, i) => {
    const points = s.values.map((v, j) => (Number.isFinite(v) ? `${px(times[j]!).toFixed(1)},${py(v).toFixed(1)}` : "")).filter(Boolean);
    return `<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.5" points="${points.join(" ")}"/>`;
  });
  const legend = panel.series.map(
    (s, i) =>
      `<text x="${x0 + W - PAD.right - 70 * (panel.series.length - i)}" y="${y0 + 18}" fill="${COLORS[i % COLORS.length]}">${s.name}</text>`,
  );
  const ticks = [0, 0.5, 1].map(
    (f) =>
      `<text x="${x0 + PAD.left - 6}" y="${py(max * f) + 4}" text-anchor="end">${(max * f).toFixed(max * f >= 100 ? 0 : 1)}</text>` +
      `<line x1="${x0 + PAD.left}" x2="${x0 + W - PAD.right}" y1="${py(max * f)}" y2="${py(max * f)}" stroke="#ddd"/>`,
  );
  return [
    `<text x="${x0 + PAD.left}" y="${y0 + 18}" font-weight="bold">${panel.title} (${panel.unit})</text>`,
    ...ticks,
    `<text x="${x0 + W - PAD.right}" y="${y0 + H - 8}" text-anchor="end">${(tMax / 60).toFixed(0)} min</text>`,
    `<text x="${x0 + PAD.left}" y="${y0 + H - 8}">0</text>`,
    ...lines,
    ...legend,
  ].join("\n");
}

export function renderSoakSvg(samples: readonly SoakSample[], meta: { rate: number; minutes: number }): string {
  const times = samples.map((s) => s.t);
  const perNode = (f: (n: SoakNodeSample) => number) =>
    (samples[0]?.nodes ?? []).map((_, i) => ({ name: `node ${i}`, values: samples.map((s) => f(s.nodes[i]!)) }));
  const panels: Panel[] = [
    { title: "resident memory", unit: "MiB", series: perNode((n) => n.rssBytes / 2 ** 20) },
    { title: "heap used", unit: "MiB", series: perNode((n) => n.heapUsedBytes / 2 ** 20) },
    { title: "open file descriptors", unit: "count", series: perNode((n) => n.openFds) },
    { title: "event-loop delay p99", unit: "ms", series: perNode((n) => n.eventLoopLagP99Ms) },
    { title: "store + WAL", unit: "MiB", series: perNode((n) => n.storeBytes / 2 ** 20) },
    { title: "queue (accepted, not finalized)", unit: "verdicts", series: [{ name: "all", values: samples.map((s) => s.queue) }] },
  ];
  const cols = 2;
  const width = cols * W;
  const height = Math.ceil(panels.length / cols) * H + 30;
  const body = panels.map((p, i) => panelSvg(p, times, (i % cols) * W, 30 + Math.floor(i / cols) * H)).join("\n");
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="8" y="18" font-size="13" font-weight="bold">keepledger soak: 3 validators, ${meta.rate} submissions/s for ${meta.minutes} min (npm run soak)</text>`,
    body,
    `</svg>`,
    "",
  ].join("\n");
}
