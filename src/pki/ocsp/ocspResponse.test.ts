import { describe, expect, it, beforeAll } from "vitest";
import { createRoot, issue, type TestCa } from "../../../test/support/testPki.ts";
import { createOcspResponse, issueOcspResponder } from "../../../test/support/ocspTestSigner.ts";
import { checkOcspStatus, looksLikeOcspResponse, parseOcspResponse } from "./ocspResponse.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";

const AT = new Date("2026-03-01T00:00:00Z");

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

let root: TestCa;
let ca: TestCa;
let leaf: TestCa;
let other: TestCa;

beforeAll(async () => {
  root = await createRoot("OCSP Test Root", { keyKind: "p384" });
  ca = await issue(root, "OCSP Test CA", { ca: true, keyKind: "p384" });
  leaf = await issue(ca, "OCSP Test Leaf", { keyKind: "p384" });
  other = await issue(ca, "OCSP Other Leaf", { keyKind: "p384" });
});

function status(der: Uint8Array, at = AT, certificate = leaf) {
  return checkOcspStatus({ responses: [parseOcspResponse(der)], certificate: certificate.cert, issuer: ca.cert, at });
}

describe("OCSP responses (RFC 6960)", () => {
  it("accepts a good answer signed by the issuer, until its nextUpdate", async () => {
    const der = await createOcspResponse(ca, [
      { certificate: leaf.cert, thisUpdate: new Date("2026-02-01Z"), nextUpdate: new Date("2026-04-01Z") },
    ]);
    expect(looksLikeOcspResponse(der)).toBe(true);
    const s = status(der);
    expect(s.single.status).toBe("good");
    expect(s.responder).toBe(ca.cert);
    expect(s.expiresAt.toISOString()).toBe("2026-04-01T00:00:00.000Z");
  });

  it.each(["sha1", "sha256", "sha384"] as const)("matches a CertID hashed with %s", async (hash) => {
    const der = await createOcspResponse(ca, [{ certificate: leaf.cert, hash }]);
    expect(status(der).single.hash).toBe(hash);
  });

  it.each([
    { name: "revoked", entry: { status: "revoked" as const }, want: "CERT_REVOKED" },
    { name: "unknown", entry: { status: "unknown" as const }, want: "OCSP_CERT_STATUS_UNKNOWN" },
    { name: "expired", entry: { nextUpdate: new Date("2026-02-28Z") }, want: "OCSP_EXPIRED" },
    { name: "without nextUpdate", entry: { nextUpdate: null }, want: "OCSP_EXPIRED" },
    { name: "not yet valid", entry: { thisUpdate: new Date("2026-03-02Z") }, want: "OCSP_NOT_YET_VALID" },
  ])("refuses a $name answer", async ({ entry, want }) => {
    const der = await createOcspResponse(ca, [{ certificate: leaf.cert, ...entry }]);
    expect(codeOf(() => status(der))).toBe(want);
  });

  it("refuses when no response names the certificate", async () => {
    const der = await createOcspResponse(ca, [{ certificate: other.cert }]);
    expect(codeOf(() => status(der))).toBe("OCSP_CERT_NOT_COVERED");
  });

  it("refuses a response signed by a key that is not the issuer's", async () => {
    const der = await createOcspResponse(ca, [{ certificate: leaf.cert }], { signer: other });
    expect(codeOf(() => status(der))).toBe("OCSP_SIGNATURE_INVALID");
  });

  it("accepts a delegated responder with id-kp-OCSPSigning, refuses one without it", async () => {
    const good = await issueOcspResponder(ca, "OCSP Responder");
    const der = await createOcspResponse(ca, [{ certificate: leaf.cert }], { signer: good, includeSignerCertificate: true });
    expect(status(der).responder.subject).toContain("OCSP Responder");
    const bad = await issueOcspResponder(ca, "Not A Responder", false);
    const der2 = await createOcspResponse(ca, [{ certificate: leaf.cert }], { signer: bad, includeSignerCertificate: true });
    expect(codeOf(() => status(der2))).toBe("OCSP_RESPONDER_UNAUTHORIZED");
  });

  it("refuses a delegated responder that another CA issued", async () => {
    const foreign = await issueOcspResponder(root, "Foreign Responder");
    const der = await createOcspResponse(ca, [{ certificate: leaf.cert }], { signer: foreign, includeSignerCertificate: true });
    expect(codeOf(() => status(der))).toBe("OCSP_RESPONDER_UNAUTHORIZED");
  });

  it("takes the newest answer in force", async () => {
    const older = await createOcspResponse(ca, [{ certificate: leaf.cert, thisUpdate: new Date("2026-01-01Z"), status: "revoked" }]);
    const newer = await createOcspResponse(ca, [{ certificate: leaf.cert, thisUpdate: new Date("2026-02-01Z") }]);
    const s = checkOcspStatus({
      responses: [parseOcspResponse(older), parseOcspResponse(newer)],
      certificate: leaf.cert,
      issuer: ca.cert,
      at: AT,
    });
    expect(s.single.thisUpdate.toISOString()).toBe("2026-02-01T00:00:00.000Z");
  });

  it("reports an error answer as unsuccessful", async () => {
    const der = await createOcspResponse(ca, [], { responseStatus: 3 });
    expect(codeOf(() => parseOcspResponse(der))).toBe("OCSP_RESPONSE_UNSUCCESSFUL");
  });

  it("turns every truncation and every flipped byte into a typed error or a refusal, never a crash", async () => {
    const der = await createOcspResponse(ca, [{ certificate: leaf.cert }]);
    for (let n = 0; n < der.length; n++) {
      expect(() => parseOcspResponse(der.subarray(0, n))).toThrow();
      try {
        parseOcspResponse(der.subarray(0, n));
      } catch (e) {
        expect(isKeepledgerError(e), `truncated at ${n}: ${String(e)}`).toBe(true);
      }
    }
    for (let i = 0; i < der.length; i++) {
      const bad = Uint8Array.from(der);
      bad[i]! ^= 0x01;
      try {
        status(bad);
        // Every byte is signed or is framing the strict DER reader checks: no flip may leave a good answer.
        expect.fail(`flipping byte ${i} still verified`);
      } catch (e) {
        expect(isKeepledgerError(e), `byte ${i}: ${String(e)}`).toBe(true);
      }
    }
  });
});
