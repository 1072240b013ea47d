import { describe, expect, it } from "vitest";
import { recognizeCollateral } from "../../src/collateral/recognizeCollateral.ts";
import { takeParsedBody } from "../../src/collateral/parsedIntelBody.ts";
import type { SignedIntelJson } from "../../src/collateral/types.ts";
import { readIntelDocument } from "../../src/tee/dcap/intelCollateral.ts";
import { fixtureBytes } from "../support/fixtures.ts";

/** Every Intel document of the DCAP fixtures, in both layouts: one document per file and dcap-qvl's combined file. */
const SOURCES = [
  ["sgx", "dcapqvl-sgx", "tcb_info.json"],
  ["sgx", "dcapqvl-sgx", "qe_identity.json"],
  ["sgx", "dcapqvl-sgx", "collateral.json"],
  ["tdx", "dcapqvl-tdx", "tcb_info.json"],
  ["tdx", "dcapqvl-tdx", "qe_identity.json"],
  ["tdx", "dcapqvl-tdx", "collateral.json"],
] as const;

function documents(): SignedIntelJson[] {
  return SOURCES.flatMap(([kind, set, file]) => recognizeCollateral(fixtureBytes(kind, set, file)).collateral.intelDocuments);
}

describe("the recognizer's parse of a signed Intel body, handed to the verifier", () => {
  it("reads as the verifier's own parse of the body does, on every fixture document in both layouts", () => {
    const docs = documents();
    expect(docs).toHaveLength(8);
    for (const doc of docs) {
      const handedOver = readIntelDocument(doc);
      expect(takeParsedBody(doc.body)).toBeUndefined(); // taken by that read
      expect(readIntelDocument(doc)).toEqual(handedOver); // this one parsed the bytes itself
      expect(doc.value).toEqual(JSON.parse(Buffer.from(doc.body).toString("utf8")));
    }
  });

  it("is out of reach of whoever holds the document: changing its value changes nothing the verifier reads", () => {
    const read = (doc: SignedIntelJson) => {
      const r = readIntelDocument(doc);
      if (!("bodyHash" in r)) throw r;
      return { bodyHash: r.bodyHash, value: r.value };
    };
    const [tcbInfo] = recognizeCollateral(fixtureBytes("sgx", "dcapqvl-sgx", "tcb_info.json")).collateral.intelDocuments;
    const untouched = read(recognizeCollateral(fixtureBytes("sgx", "dcapqvl-sgx", "tcb_info.json")).collateral.intelDocuments[0]!);
    const value = tcbInfo!.value as { fmspc: string; tcbLevels: Array<{ tcbStatus: string }> };
    value.fmspc = "ffffffffffff";
    value.tcbLevels[0]!.tcbStatus = "Revoked";
    expect(read(tcbInfo!)).toEqual(untouched);
    expect((read(tcbInfo!).value as { fmspc: string }).fmspc).not.toBe("ffffffffffff");
  });

  it("is parsed from the body when nothing was handed over (a document built by someone else)", () => {
    const [doc] = documents();
    const copy: SignedIntelJson = {
      type: doc!.type,
      body: Uint8Array.from(doc!.body),
      value: undefined,
      signature: doc!.signature,
      issuerChain: [],
    };
    expect(readIntelDocument(copy)).toEqual({ ...readIntelDocument(doc!), source: copy });
  });
});
