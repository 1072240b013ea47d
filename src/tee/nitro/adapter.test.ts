import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { expectedOf, fixtureBytes, fixtureText, setsOf } from "../../../test/support/fixtures.ts";
import { createNitroTestPki, signNitroDocument, type NitroTestPki } from "../../../test/support/nitroTestSigner.ts";
import { emptyCollateral } from "../../collateral/types.ts";
import { parsePemCertificates } from "../../pki/x509/certificate.ts";
import { nitroAdapter } from "./adapter.ts";
import { verifyNitroDocument } from "./verifyNitroDocument.ts";

const RUNS = Number(process.env.KEEPLEDGER_FUZZ_RUNS ?? 2000);

describe("nitroAdapter", () => {
  let pki: NitroTestPki;
  beforeAll(async () => {
    pki = await createNitroTestPki();
  });

  it("is the nitro kind and never asks for collateral", () => {
    expect(nitroAdapter.kind).toBe("nitro");
    const doc = nitroAdapter.parse(fixtureBytes("nitro", "dstack-nitro-doc-a", "attestation_doc.cose"));
    expect(nitroAdapter.collateralRequests(doc)).toEqual([]);
  });

  it("detects every real document and the tagged form", () => {
    for (const set of setsOf("nitro")) {
      const bytes = fixtureBytes("nitro", set, "attestation_doc.cose");
      expect(nitroAdapter.detect(bytes), set).toBe(true);
      expect(nitroAdapter.detect(new Uint8Array([0xd2, ...bytes])), set).toBe(true);
    }
  });

  it("does not detect what is not a COSE_Sign1 with a map in its protected header", () => {
    const container = fixtureBytes("nitro", "dstack-nitro-doc-a", "dstack_nitro_attestation.bin");
    const not = [
      new Uint8Array(0),
      Uint8Array.of(0x84),
      Uint8Array.of(0xd2),
      Uint8Array.of(0x84, 0x40, 0xa0), // empty protected header
      Uint8Array.of(0x84, 0x44, 0x01, 0x02, 0x03, 0x04), // protected header is not a map
      Uint8Array.of(0x83, 0x44, 0xa1, 0x01, 0x38, 0x22),
      Uint8Array.of(0xd1, 0x84, 0x44, 0xa1, 0x01, 0x38, 0x22), // COSE_Mac0 tag
      Uint8Array.of(0x7f, 0x4b, 0x45, 0x45, 0x50, 0x44, 0x42, 0x47), // debug Keep magic
      new TextEncoder().encode("hEShATgioFkRQ79pbW9kdWxlX2lk"), // base64 text of a document
      container, // dstack framing in front
    ];
    for (const bytes of not) expect(nitroAdapter.detect(bytes), Buffer.from(bytes.subarray(0, 8)).toString("hex")).toBe(false);
  });

  it("never throws from detect", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(typeof nitroAdapter.detect(bytes)).toBe("boolean");
      }),
      { numRuns: RUNS },
    );
  });

  it("verifies through the adapter as verifyNitroDocument does, with the context's time and roots", async () => {
    const set = "dstack-nitro-doc-a";
    const bytes = fixtureBytes("nitro", set, "attestation_doc.cose");
    const at = new Date(expectedOf("nitro", set).verify_at);
    const doc = nitroAdapter.parse(bytes);
    // Collateral is irrelevant to Nitro: even unrelated certificates change nothing.
    const collateral = { ...emptyCollateral(), certificates: parsePemCertificates(fixtureText("nitro", set, "cabundle.pem")) };
    expect(collateral.certificates).toHaveLength(4);
    expect(nitroAdapter.verify(doc, { evidence: bytes, collateral, at })).toStrictEqual(verifyNitroDocument(doc, { at }));

    const signed = nitroAdapter.parse(await signNitroDocument(pki));
    const testAt = new Date(signed.timestamp);
    expect(() => nitroAdapter.verify(signed, { evidence: signed.raw, collateral: emptyCollateral(), at: testAt })).toThrow(
      /does not chain to a pinned root|ends at a root that is not pinned/,
    );
    const r = nitroAdapter.verify(signed, {
      evidence: signed.raw,
      collateral: emptyCollateral(),
      at: testAt,
      trustedRoots: pki.trustedRoots,
    });
    expect(r.tee).toBe("nitro");
  });
});
