import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fixtureText } from "../../test/support/fixtures.ts";
import { parseCertificate } from "./x509/certificate.ts";
import { keccak256 } from "viem";
import { NVIDIA_DEVICE_IDENTITY_CA, NVIDIA_RIM_ROOT_CA, PINNED_ROOTS, PINNED_ROOT_FINGERPRINTS, pinnedRootKeccak } from "./roots.ts";

describe("the pinned NVIDIA roots", () => {
  it.each([
    {
      root: NVIDIA_DEVICE_IDENTITY_CA,
      file: "verifier_device_root.pem",
      fingerprint: PINNED_ROOT_FINGERPRINTS.NVIDIA_DEVICE_IDENTITY_CA,
      cn: "NVIDIA Device Identity CA",
    },
    {
      root: NVIDIA_RIM_ROOT_CA,
      file: "verifier_RIM_root.pem",
      fingerprint: PINNED_ROOT_FINGERPRINTS.NVIDIA_RIM_ROOT_CA,
      cn: "NVIDIA CoRIM signing Root CA",
    },
  ])("$cn is the certificate nvtrust ships, by SHA-256 of its DER", ({ root, file, fingerprint, cn }) => {
    const shipped = parseCertificate(fixtureText("nvidia-gpu", "h100-nvtrust-sample-550.90.07-fullrim", file));
    expect(createHash("sha256").update(shipped.der).digest("hex")).toBe(fingerprint);
    expect(root.certificate.fingerprint).toBe(fingerprint);
    expect(root.certificate.subject).toContain(`CN=${cn}`);
    expect(root.certificate.isCa).toBe(true);
    expect(root.certificate.subject).toBe(root.certificate.issuer);
  });
});

describe("pinnedRootKeccak", () => {
  it.each(PINNED_ROOTS.map((root) => ({ root, name: root.name })))("$name: keccak256 of its DER, computed once", ({ root }) => {
    expect(pinnedRootKeccak(root.certificate)).toBe(keccak256(root.certificate.der));
  });

  it("answers only for the pinned objects themselves: a parsed copy of a root's bytes is hashed like any certificate", () => {
    const copy = parseCertificate(PINNED_ROOTS[0]!.certificate.der);
    expect(copy.fingerprint).toBe(PINNED_ROOTS[0]!.certificate.fingerprint);
    expect(pinnedRootKeccak(copy)).toBeUndefined();
    expect(pinnedRootKeccak({})).toBeUndefined();
  });
});
