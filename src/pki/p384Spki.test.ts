import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isUncompressedP384Spki } from "./p384Spki.ts";

describe("isUncompressedP384Spki", () => {
  const spkiOf = (curve: string) =>
    new Uint8Array(generateKeyPairSync("ec", { namedCurve: curve }).publicKey.export({ type: "spki", format: "der" }));

  it("is true for OpenSSL's export of a P-384 key and false for other curves, other forms and other lengths", () => {
    const p384 = spkiOf("P-384");
    expect(isUncompressedP384Spki(p384)).toBe(true);
    expect(isUncompressedP384Spki(spkiOf("P-256"))).toBe(false);
    expect(isUncompressedP384Spki(spkiOf("P-521"))).toBe(false);
    expect(isUncompressedP384Spki(p384.subarray(0, 119))).toBe(false);
    expect(isUncompressedP384Spki(Uint8Array.of(...p384, 0))).toBe(false);
    const hybrid = p384.slice();
    hybrid[23] = 0x06; // a hybrid point's first octet
    expect(isUncompressedP384Spki(hybrid)).toBe(false);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "der" });
    expect(isUncompressedP384Spki(new Uint8Array(rsa))).toBe(false);
  });
});
