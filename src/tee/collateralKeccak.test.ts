import { describe, expect, it } from "vitest";
import { keccak256 } from "viem";
import { AMD_ARK_MILAN } from "../pki/roots.ts";
import { parseCertificate } from "../pki/x509/certificate.ts";
import { bodyKeccak, derKeccak } from "./collateralKeccak.ts";
import { createVerifierContext } from "./verifierContext.ts";

describe("collateral item hashes", () => {
  const copy = parseCertificate(AMD_ARK_MILAN.certificate.der); // the same bytes, not the pinned object

  it("a pinned root's is the process's own: right, and nothing cached for it", () => {
    const context = createVerifierContext();
    expect(derKeccak(AMD_ARK_MILAN.certificate, context)).toBe(keccak256(AMD_ARK_MILAN.certificate.der));
    expect(context.keccak.get(`der:${AMD_ARK_MILAN.certificate.fingerprint}`)).toBeUndefined();
  });

  it("any other DER item's is remembered under der:<fingerprint>, the key every kind shares", () => {
    const context = createVerifierContext();
    expect(derKeccak(copy, context)).toBe(keccak256(copy.der));
    expect(context.keccak.get(`der:${copy.fingerprint}`)).toBe(keccak256(copy.der));
    expect(derKeccak(copy)).toBe(keccak256(copy.der)); // without a context: computed, the same value
  });

  it("a document's is remembered under body:<sha256>", () => {
    const context = createVerifierContext();
    const body = new TextEncoder().encode('{"tcbInfo":{}}');
    expect(bodyKeccak("abc", body, context)).toBe(keccak256(body));
    expect(context.keccak.get("body:abc")).toBe(keccak256(body));
  });
});
