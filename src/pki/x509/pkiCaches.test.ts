import { describe, expect, it } from "vitest";
import { fixtureBytes } from "../../../test/support/fixtures.ts";
import { AMD_ARK_MILAN, PINNED_ROOTS, PINNED_ROOT_FINGERPRINTS } from "../roots.ts";
import { parseCertificate, parsePemCertificates } from "./certificate.ts";
import { createPkiCaches } from "./pkiCaches.ts";

describe("PKI caches start with the pinned roots", () => {
  it("know every pinned root, and give its exact bytes the pinned object without storing anything", () => {
    const caches = createPkiCaches({ maxEntries: 64, maxAgeMs: 60_000 });
    expect(PINNED_ROOTS.map((r) => r.certificate.fingerprint).sort()).toEqual(Object.values(PINNED_ROOT_FINGERPRINTS).sort());
    expect(caches.pinnedRoots).toEqual(PINNED_ROOTS.map((r) => r.certificate));
    for (const root of PINNED_ROOTS) expect(parseCertificate(Uint8Array.from(root.certificate.der), "copy", caches)).toBe(root.certificate);
    expect(caches.certificates.size).toBe(0);
  });

  it("give a collateral copy of a pinned root the pinned object; a copy differing in one byte is parsed as its own certificate", () => {
    const chain = Buffer.from(fixtureBytes("sev-snp", "dstack-milan", "cert_chain.pem")).toString("latin1");
    const certificates = parsePemCertificates(chain, "cert_chain.pem", createPkiCaches({ maxEntries: 64, maxAgeMs: 60_000 }));
    expect(certificates).toHaveLength(2);
    expect(certificates[1]).toBe(AMD_ARK_MILAN.certificate);
    // Without caches (a caller that remembers nothing) the copy is parsed: equal, not the same object.
    expect(parsePemCertificates(chain)[1]).not.toBe(AMD_ARK_MILAN.certificate);

    // The last byte of the ARK's DER is in its signature: the structure still parses, the bytes are another certificate's.
    const der = Uint8Array.from(AMD_ARK_MILAN.certificate.der);
    der[der.length - 1]! ^= 1;
    const caches = createPkiCaches({ maxEntries: 64, maxAgeMs: 60_000 });
    const copy = parseCertificate(der, "altered ARK", caches);
    expect(copy).not.toBe(AMD_ARK_MILAN.certificate);
    expect(copy.fingerprint).not.toBe(AMD_ARK_MILAN.certificate.fingerprint);
    expect(copy.subject).toBe(AMD_ARK_MILAN.certificate.subject);
  });
});

describe("PKI caches keep lenient parses apart", () => {
  /** NVIDIA's RIM CA, shared by the driver's and the VBIOS's RIM: a GeneralizedTime validity before 2050. */
  const rimCa = (): Uint8Array => {
    const text = Buffer.from(
      fixtureBytes("nvidia-gpu", "h100-nvtrust-sample-550.90.07-fullrim", "NV_GPU_DRIVER_GH100_550.90.07.swidtag"),
    ).toString("utf8");
    const blocks = [...text.matchAll(/<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/g)].map((m) =>
      Buffer.from(m[1]!.replace(/\s/g, ""), "base64"),
    );
    return new Uint8Array(blocks[2]!);
  };
  const lenient = { allowGeneralizedTimeBefore2050: true } as const;

  it("give a certificate parsed leniently again the same object (its key is imported once)", () => {
    const caches = createPkiCaches({ maxEntries: 64, maxAgeMs: 60_000 });
    const first = parseCertificate(rimCa(), "RIM CA", caches, lenient);
    expect(first.subject).toContain("NVIDIA Reference Value GH100 CA");
    expect(parseCertificate(rimCa(), "RIM CA again", caches, lenient)).toBe(first);
  });

  it("never give a strict parse what a lenient one remembered: the same bytes are still refused", () => {
    const caches = createPkiCaches({ maxEntries: 64, maxAgeMs: 60_000 });
    parseCertificate(rimCa(), "RIM CA", caches, lenient);
    expect(() => parseCertificate(rimCa(), "RIM CA, strictly", caches)).toThrow(/GeneralizedTime|UTCTime/);
    expect(() => parseCertificate(rimCa(), "RIM CA, strictly")).toThrow(/GeneralizedTime|UTCTime/);
  });
});
