import { describe, expect, it } from "vitest";
import { SignatureChecks } from "./signatureChecks.ts";

describe("SignatureChecks remember an answer per signed object and issuer", () => {
  it("answer only for the pair that was checked, false answers included", () => {
    const checks = new SignatureChecks({ maxEntries: 16, maxAgeMs: Infinity });
    expect(checks.get("leaf", "ca")).toBeUndefined();
    expect(checks.set("leaf", "ca", true)).toBe(true);
    expect(checks.set("leaf", "other ca", false)).toBe(false);
    expect(checks.get("leaf", "ca")).toBe(true);
    expect(checks.get("leaf", "other ca")).toBe(false);
    expect(checks.get("ca", "leaf")).toBeUndefined();
    expect(checks.get("leaf", "root")).toBeUndefined();
    expect(checks.size).toBe(1);
  });

  it("keep at most 8 issuers per signed object: the first, and the 7 latest others; a known issuer is updated in place", () => {
    const checks = new SignatureChecks({ maxEntries: 16, maxAgeMs: Infinity });
    for (let i = 0; i < 8; i++) checks.set("crl", `issuer ${i}`, i % 2 === 0);
    checks.set("crl", "issuer 3", true);
    checks.set("crl", "issuer 0", false);
    expect(checks.get("crl", "issuer 0")).toBe(false);
    expect(checks.get("crl", "issuer 3")).toBe(true);
    checks.set("crl", "issuer 8", true);
    expect(checks.get("crl", "issuer 1")).toBeUndefined();
    expect(checks.get("crl", "issuer 0")).toBe(false);
    for (let i = 2; i <= 8; i++) expect(checks.get("crl", `issuer ${i}`)).toBe(i === 8 || i === 3 || i % 2 === 0);
    expect(checks.size).toBe(1);
  });

  it("are bounded by signed objects, oldest first, and by age", () => {
    const checks = new SignatureChecks({ maxEntries: 2, maxAgeMs: Infinity });
    checks.set("a", "ca", true);
    checks.set("b", "ca", true);
    checks.set("c", "ca", true);
    expect(checks.size).toBe(2);
    expect(checks.get("a", "ca")).toBeUndefined();
    expect(checks.get("c", "ca")).toBe(true);

    let now = 0;
    const aging = new SignatureChecks({ maxEntries: 4, maxAgeMs: 100, now: () => now });
    aging.set("a", "ca", true);
    now = 101;
    expect(aging.get("a", "ca")).toBeUndefined();
  });
});
