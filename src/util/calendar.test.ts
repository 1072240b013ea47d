import { describe, expect, it } from "vitest";
import { daysInMonth } from "./calendar.ts";

describe("daysInMonth", () => {
  it("is the days Date.UTC counts in every month of 1600–2400, and 0 for months 0 and 13", () => {
    for (let year = 1600; year <= 2400; year++) {
      for (let month = 1; month <= 12; month++) {
        // Day 0 of the next month is the last day of this one.
        expect(daysInMonth(year, month), `${year}-${month}`).toBe(new Date(Date.UTC(year, month, 0)).getUTCDate());
      }
      expect(daysInMonth(year, 0)).toBe(0);
      expect(daysInMonth(year, 13)).toBe(0);
    }
  });
});
