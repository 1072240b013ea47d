import { describe, expect, it } from "vitest";
import { trendGrowth } from "../../scripts/soak/growth.ts";

const series = (f: (t: number) => number) => Array.from({ length: 120 }, (_, i) => ({ t: i * 10, value: f(i * 10) }));

describe("soak growth (least-squares trend after warm-up)", () => {
  it("reads a flat saw-tooth as no growth, whatever phase the ends fall in", () => {
    // 300 MiB ± 50 MiB with a 70 s period: window comparisons of the ends swing by tens of per cent.
    const g = trendGrowth(series((t) => 300 + 50 * Math.sin((2 * Math.PI * t) / 70)));
    expect(Math.abs(g)).toBeLessThan(0.02);
  });

  it("reads a steady leak as its size over the run", () => {
    // 300 → 360 over the run: +20 %, under the same saw-tooth.
    const g = trendGrowth(series((t) => 300 + (60 * t) / 1190 + 30 * Math.sin(t / 11)));
    expect(g).toBeGreaterThan(0.17);
    expect(g).toBeLessThan(0.23);
  });

  it("refuses to call a single sample a trend", () => {
    expect(trendGrowth([{ t: 0, value: 1 }])).toBeNaN();
  });
});
