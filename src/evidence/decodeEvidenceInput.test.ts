import { describe, expect, it } from "vitest";
import { fixtureBytes, fixtureText } from "../../test/support/fixtures.ts";
import { decodeEvidenceInput } from "./decodeEvidenceInput.ts";

const quote = fixtureBytes("sgx", "dcapqvl-sgx", "quote.bin");

describe("decodeEvidenceInput", () => {
  it("passes binary evidence through unchanged", () => {
    expect(decodeEvidenceInput(quote)).toEqual({ bytes: quote, encoding: "binary" });
  });

  it.each([
    ["hex", Buffer.from(quote).toString("hex")],
    [
      "0x hex with line breaks",
      "0x" +
        Buffer.from(quote)
          .toString("hex")
          .replace(/(.{64})/g, "$1\n"),
    ],
    ["base64", Buffer.from(quote).toString("base64")],
    ["base64url without padding", Buffer.from(quote).toString("base64url")],
  ])("decodes %s", (_name, text) => {
    const r = decodeEvidenceInput(new Uint8Array(Buffer.from(text)));
    expect(Buffer.from(r.bytes).equals(Buffer.from(quote))).toBe(true);
  });

  it("decodes the base64 Nitro document shipped by the eternis set", () => {
    const r = decodeEvidenceInput(new Uint8Array(Buffer.from(fixtureText("nitro", "eternis-debug-with-nonce", "example_attestation.b64"))));
    expect(r.encoding).toBe("base64");
    expect(r.bytes[0]).toBeGreaterThanOrEqual(0x80);
  });

  it.each([
    ["empty", "", "EVIDENCE_EMPTY"],
    ["prose", "this is not evidence!", "EVIDENCE_ENCODING_INVALID"],
    ["odd hex", "0xabc", "EVIDENCE_ENCODING_INVALID"],
  ])("rejects %s", (_name, text, code) => {
    expect(() => decodeEvidenceInput(new Uint8Array(Buffer.from(text)))).toThrow(expect.objectContaining({ code }));
  });

  it("passes text that a kind's detect claims (Azure CVM JSON evidence) through as it is, and decodes other text", () => {
    const json = new Uint8Array(Buffer.from(fixtureText("azure-cvm", "az-snp-vtpm-milan-2025-v1", "evidence-v1.json")));
    // A stand-in for the adapters' detect (src/evidence sits below src/tee): "a JSON object".
    const isEvidence = (b: Uint8Array) => Buffer.from(b).toString("utf8").trimStart().startsWith("{");
    expect(decodeEvidenceInput(json, { isEvidence })).toEqual({ bytes: json, encoding: "binary" });
    expect(() => decodeEvidenceInput(json)).toThrow(expect.objectContaining({ code: "EVIDENCE_ENCODING_INVALID" }));
    const hex = new Uint8Array(Buffer.from("0a0b"));
    expect(decodeEvidenceInput(hex, { isEvidence })).toEqual({ bytes: new Uint8Array([10, 11]), encoding: "hex" });
  });
});
