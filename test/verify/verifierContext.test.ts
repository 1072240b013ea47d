import { describe, expect, it } from "vitest";
import { directoryCollateral, staticCollateral } from "../../src/collateral/staticCollateral.ts";
import { defaultAdapters } from "../../src/tee/table.ts";
import { createVerifierContext } from "../../src/tee/verifierContext.ts";
import { verifyEvidence } from "../../src/verify/verifyEvidence.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { expectedOf, fixtureBytes, fixturePath } from "../support/fixtures.ts";

/** What a verification answers, without the time it was made. */
function answer(r: VerifiedEvidence) {
  return {
    tee: r.tee,
    tcb: r.tcb,
    claims: r.claims,
    evidenceHash: r.evidenceHash,
    collateralHash: r.collateralHash,
    expiresAt: r.expiresAt,
  };
}

describe("a shared VerifierContext changes only the speed of verification", () => {
  for (const [kind, set] of [
    ["sgx", "dcapqvl-sgx"],
    ["tdx", "dcapqvl-tdx"],
  ] as const) {
    it(`${kind}: a warm context answers as a fresh one does, and is filled by the first call`, async () => {
      const collateral = await directoryCollateral(fixturePath(kind, set));
      const at = new Date(expectedOf(kind, set).verify_at);
      const evidence = fixtureBytes(kind, set, "quote.bin");
      const fresh = await verifyEvidence(evidence, { collateral, at });
      const context = createVerifierContext();
      const first = await verifyEvidence(evidence, { collateral, at, context });
      expect(context.pki.certificateSignatures.size).toBeGreaterThan(0);
      expect(context.intelDocuments.size).toBeGreaterThan(0);
      expect(context.pckChains.size).toBe(1);
      expect(context.dcapRequests.size).toBe(1);
      const warm = await verifyEvidence(evidence, { collateral, at, context });
      expect(answer(first)).toEqual(answer(fresh));
      expect(answer(warm)).toEqual(answer(fresh));
    });
  }

  it("arm-cca: the realm key and the collateral CPAK are imported once, and a token with another realm key is still refused", async () => {
    const set = "tfm-tools-example-ffm00-tag399";
    const collateral = staticCollateral([{ name: "cpak.pub.pem", bytes: fixtureBytes("arm-cca", set, "cpak.pub.pem") }]);
    const at = new Date(expectedOf("arm-cca", set).verify_at);
    const evidence = fixtureBytes("arm-cca", set, "token.cbor");
    const fresh = await verifyEvidence(evidence, { collateral, at });
    const context = createVerifierContext();
    const first = await verifyEvidence(evidence, { collateral, at, context });
    expect(context.evidenceKeys.size).toBe(1);
    expect(context.cpaks.size).toBe(1);
    const warm = await verifyEvidence(evidence, { collateral, at, context });
    expect(answer(first)).toEqual(answer(fresh));
    expect(answer(warm)).toEqual(answer(fresh));
    // The same token with one byte of the RAK's x coordinate changed: another key, not the remembered one.
    const rak = Buffer.from(evidence).indexOf(Buffer.from((first.claims as { realmPublicKey: string }).realmPublicKey.slice(2), "hex"));
    expect(rak).toBeGreaterThan(0);
    const forged = Uint8Array.from(evidence);
    forged[rak + 10]! ^= 1;
    await expect(verifyEvidence(forged, { collateral, at, context })).rejects.toMatchObject({
      code: expect.stringMatching(/^CCA_(REALM_SIGNATURE_INVALID|REALM_KEY_INVALID|BINDING_MISMATCH)$/),
    });
  });

  it("azure-cvm: the HCL attestation key is imported once; the answer is a fresh context's", async () => {
    const set = "az-snp-vtpm-milan-2025-v1";
    const collateral = staticCollateral([
      { name: "milan_ask_ark_asvk.pem", bytes: fixtureBytes("azure-cvm", set, "milan_ask_ark_asvk.pem") },
    ]);
    const at = new Date(expectedOf("azure-cvm", set).verify_at);
    const evidence = fixtureBytes("azure-cvm", set, "evidence-v1.json");
    const adapters = defaultAdapters({ dangerouslyAllowMissingAmdCrl: true });
    const fresh = await verifyEvidence(evidence, { collateral, at, adapters });
    const context = createVerifierContext();
    await verifyEvidence(evidence, { collateral, at, adapters, context });
    expect(context.evidenceKeys.size).toBe(1);
    const warm = await verifyEvidence(evidence, { collateral, at, adapters, context });
    expect(answer(warm)).toEqual(answer(fresh));
  });

  it("a context whose entries have aged out verifies again from scratch, with the same answer", async () => {
    const collateral = await directoryCollateral(fixturePath("tdx", "dcapqvl-tdx"));
    const at = new Date(expectedOf("tdx", "dcapqvl-tdx").verify_at);
    const evidence = fixtureBytes("tdx", "dcapqvl-tdx", "quote.bin");
    const context = createVerifierContext({ maxEntries: 1, maxAgeMs: 1e-9 });
    const a = await verifyEvidence(evidence, { collateral, at, context });
    const b = await verifyEvidence(evidence, { collateral, at, context });
    expect(answer(b)).toEqual(answer(a));
    expect(context.pckChains.size).toBeLessThanOrEqual(1);
  });
});
