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
