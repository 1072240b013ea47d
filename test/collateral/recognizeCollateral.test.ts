import { describe, expect, it } from "vitest";
import { fixtureBytes } from "../support/fixtures.ts";
import { recognizeCollateral } from "../../src/collateral/recognizeCollateral.ts";
import { staticCollateral } from "../../src/collateral/staticCollateral.ts";
import { AMD_ARK_MILAN } from "../../src/pki/roots.ts";

const SET = ["sgx", "dcapqvl-sgx"] as const;
const file = (name: string) => ({ name, bytes: fixtureBytes(...SET, name) });

describe("collateral recognized by content", () => {
  it("reads DER certificates and CRLs as what they are, whichever reading it tries first", () => {
    const crl = recognizeCollateral(fixtureBytes(...SET, "pck_crl.der")).collateral;
    expect([crl.crls.length, crl.certificates.length]).toEqual([1, 0]);
    expect(crl.crls[0]!.issuer).toContain("CN=Intel SGX PCK Processor CA");
    const cert = recognizeCollateral(fixtureBytes(...SET, "intel_sgx_root_ca.der")).collateral;
    expect([cert.crls.length, cert.certificates.length]).toEqual([0, 1]);
    expect(cert.certificates[0]!.subject).toContain("CN=Intel SGX Root CA");
  });

  it("reports a DER file that is neither with the parser's message, not a crash", () => {
    const crl = fixtureBytes(...SET, "pck_crl.der").slice();
    crl[1] = 0x90; // the outer length: a 16-octet long form, which no DER reader takes
    const r = recognizeCollateral(crl);
    expect(r.collateral.crls).toEqual([]);
    expect(r.problem).toMatch(/malformed DER/);
  });

  it("parses a certificate repeated across a directory's chain files once", () => {
    const provider = staticCollateral(
      ["pck_crl_issuer_chain.pem", "tcb_info_issuer_chain.pem", "qe_identity_issuer_chain.pem", "tcb_info.json"].map(file),
    );
    expect(provider.problems).toEqual([]);
    const roots = provider.collateral.certificates.filter((c) => c.subject.includes("CN=Intel SGX Root CA"));
    expect(roots.length).toBeGreaterThan(0);
    expect(new Set(roots).size).toBe(1);
    // Each file still yields its own chain.
    for (const name of ["pck_crl_issuer_chain.pem", "tcb_info_issuer_chain.pem"]) {
      const alone = recognizeCollateral(fixtureBytes(...SET, name)).collateral.certificates;
      expect(alone.map((c) => c.fingerprint)).toHaveLength(2);
    }
  });

  it("keeps an Intel document's signed body as served and its value as that body parses", () => {
    const text = Buffer.from(fixtureBytes(...SET, "tcb_info.json")).toString("utf8");
    const [doc] = recognizeCollateral(fixtureBytes(...SET, "tcb_info.json")).collateral.intelDocuments;
    const body = Buffer.from(doc!.body).toString("utf8");
    expect(text).toContain(body);
    expect(body.startsWith("{")).toBe(true);
    expect(doc!.value).toEqual(JSON.parse(body));
    expect(doc!.value).toBe(doc!.value); // parsed once, when first read
    expect(doc!.signature).toHaveLength(64);
    // Its lazy value is a getter on the prototype, not one per document (docs/benchmarks.md, "Getters on the prototype").
    expect(Object.getOwnPropertyDescriptor(doc!, "value")).toBeUndefined();
    expect(Object.keys(doc!)).toEqual(["type", "body", "signature", "issuerChain"]);
  });

  it("cuts the signed body at its bytes, also when characters before it take more than one byte", () => {
    const bytes = fixtureBytes(...SET, "tcb_info.json");
    const [served] = recognizeCollateral(bytes).collateral.intelDocuments;
    // All ASCII, as PCS serves it: the body is the file's own bytes, not the text encoded again.
    expect(served!.body.buffer).toBe(bytes.buffer);
    // A member before it with characters of 2 and 3 bytes: a character's index is no longer its byte's.
    const text = Buffer.from(bytes).toString("utf8");
    const shifted = new Uint8Array(Buffer.from(text.replace(/^\s*\{/, '{"note":"é ☃",')));
    const [doc] = recognizeCollateral(shifted).collateral.intelDocuments;
    expect(Buffer.from(doc!.body).equals(Buffer.from(served!.body))).toBe(true);
    expect(doc!.value).toEqual(served!.value);
  });
  it("refuses a document that names its signed member twice: a parser keeps one, the signature may cover the other", () => {
    const text = Buffer.from(fixtureBytes(...SET, "tcb_info.json")).toString("utf8");
    const forged = text.replace(/^\s*\{/, '{"tcbInfo":{"id":"forged"},');
    expect(forged).not.toBe(text);
    const r = recognizeCollateral(new Uint8Array(Buffer.from(forged)));
    expect(r.collateral.intelDocuments).toEqual([]);
    expect(r.problem).toMatch(/member "tcbInfo" twice/);
  });

  it("gives a collateral copy of a pinned root the pinned object (AMD's cert_chain.pem ends with the ARK)", () => {
    const chain = fixtureBytes("sev-snp", "dstack-milan", "cert_chain.pem");
    const certificates = staticCollateral([{ name: "cert_chain.pem", bytes: chain }]).collateral.certificates;
    expect(certificates).toHaveLength(2);
    expect(certificates).toContain(AMD_ARK_MILAN.certificate);
  });
});
