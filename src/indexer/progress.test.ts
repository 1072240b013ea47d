import { describe, expect, it } from "vitest";
import { formatDuration, ProgressMeter } from "./progress.ts";

describe("indexer progress", () => {
  it("reports blocks/s, events/s and an ETA while catching up, at most every two seconds", () => {
    let now = 0;
    const meter = new ProgressMeter({ now: () => now });
    meter.record({ cursor: 1_000, target: 10_000, start: 1, logs: 500, blocks: 1_000 });
    now = 1_000;
    const second = meter.record({ cursor: 2_000, target: 10_000, start: 1, logs: 4_000, blocks: 1_000 });
    expect(second.blocksPerSecond).toBe(1_000);
    expect(second.eventsPerSecond).toBe(4_000);
    expect(second.etaSeconds).toBe(8);
    expect(second.line).toBeUndefined();
    now = 2_500;
    const third = meter.record({ cursor: 3_500, target: 10_000, start: 1, logs: 2_000, blocks: 1_500 });
    expect(third.line).toBe("indexing: block 3,500 of 10,000 (35.0%), 1,000 blocks/s, 2,400 events/s, ETA 7s");
    expect(third.events).toBe(6_500);
  });

  it("prints no line once caught up", () => {
    let now = 0;
    const meter = new ProgressMeter({ now: () => now });
    now = 5_000;
    expect(meter.record({ cursor: 10, target: 10, start: 1, logs: 3, blocks: 10 }).line).toBeUndefined();
  });

  it("formats durations for people", () => {
    expect(formatDuration(42)).toBe("42s");
    expect(formatDuration(125)).toBe("2m05s");
    expect(formatDuration(3 * 3600 + 7 * 60)).toBe("3h07m");
  });
});
