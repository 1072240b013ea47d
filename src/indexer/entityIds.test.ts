import { describe, expect, it } from "vitest";
import { eventId, measurementEntityId, policyEntityId } from "./entityIds.ts";

describe("registry entity ids", () => {
  it("names measurements, policies and governance changes by lowercase hex ids", () => {
    const w = `0x${"AB".repeat(32)}`;
    expect(measurementEntityId(w, `0x${"CD".repeat(32)}`)).toBe(`0x${"ab".repeat(32)}${"cd".repeat(32)}`);
    expect(policyEntityId(w, 26)).toBe(`0x${"ab".repeat(32)}0000001a`);
    expect(eventId(`0x${"EF".repeat(32)}`, 3)).toBe(`0x${"ef".repeat(32)}00000003`);
  });
});
