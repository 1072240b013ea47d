import { describe, expect, it } from "vitest";
import { staticCollateral } from "../../src/collateral/staticCollateral.ts";
import type { CollateralStamp } from "../../src/pki/freshness/collateralStamp.ts";
import { verifyEvidence, type VerifyEvidenceOptions } from "../../src/verify/verifyEvidence.ts";
import { createVerifierContext } from "../../src/tee/verifierContext.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { expectedOf, fixtureBytes } from "../support/fixtures.ts";
import { parseSgxQuote } from "../../src/tee/sgx/parseSgxQuote.ts";

const SET = "dcapqvl-sgx";
const FILES = [
  "pck_crl.der",
  "pck_crl_issuer_chain.pem",
  "qe_identity.json",
  "qe_identity_issuer_chain.pem",
  "root_ca_crl.der",
  "tcb_info.json",
  "tcb_info_issuer_chain.pem",
];
const quote = fixtureBytes("sgx", SET, "quote.bin");
const at = new Date(expectedOf("sgx", SET).verify_at);

function collateral(without: string[] = []) {
  return staticCollateral(FILES.filter((f) => !without.includes(f)).map((name) => ({ name, bytes: fixtureBytes("sgx", SET, name) })));
}

/** What a verification answers, without the time it was made. */
function answer(r: VerifiedEvidence) {
  const { tee, tcb, claims, evidenceHash, collateralHash, expiresAt, platform, collateralUsed } = r;
  return { tee, tcb, claims, evidenceHash, collateralHash, expiresAt, platform, collateralUsed };
}

async function codeOf(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (e) {
    return (e as { code: string }).code;
  }
  return "verified";
}

/** The quote with one byte flipped at `offset` from the start of `part` (located by its bytes). */
function flipped(part: Uint8Array, offset: number): Uint8Array {
  const at = Buffer.from(quote).indexOf(Buffer.from(part));
  expect(at).toBeGreaterThan(0);
  const out = Uint8Array.from(quote);
  out[at + offset]! ^= 1;
  return out;
}

describe("the remembered DCAP appraisal (a verifier context's)", () => {
  const parsed = parseSgxQuote(quote);

  it("answers as a fresh verification does, for the same instant only", async () => {
    const context = createVerifierContext();
    const options: VerifyEvidenceOptions = { collateral: collateral(), at, context };
    const fresh = await verifyEvidence(quote, { collateral: collateral(), at });
    const first = await verifyEvidence(quote, options);
    const second = await verifyEvidence(quote, options);
    expect(context.dcapAppraisals.size).toBe(1);
    expect(answer(first)).toEqual(answer(fresh));
    expect(answer(second)).toEqual(answer(fresh));
    // One millisecond later is another instant: appraised afresh, remembered beside.
    const later = new Date(at.getTime() + 1);
    const next = await verifyEvidence(quote, { ...options, at: later });
    expect(context.dcapAppraisals.size).toBe(2);
    expect(answer(next)).toEqual(answer(await verifyEvidence(quote, { collateral: collateral(), at: later })));
  });

  it("is not made in a context for one verification, which still shares what that verification meets twice", async () => {
    const single = createVerifierContext({ reusable: false });
    const options: VerifyEvidenceOptions = { collateral: collateral(), at, context: single };
    const fresh = await verifyEvidence(quote, { collateral: collateral(), at, context: createVerifierContext() });
    expect(answer(await verifyEvidence(quote, options))).toEqual(answer(fresh));
    expect(single.dcapAppraisals.size).toBe(0);
    expect(single.dcapCollateralIds.size).toBe(0);
    // Its per-verification caches are filled as usual (the TCB signer's chain serves both Intel documents).
    expect(single.pki.certificateSignatures.size).toBeGreaterThan(0);
    expect(single.intelDocuments.size).toBe(2);
    // What only a later verification could read again is neither stored nor keyed (acrossVerifications).
    expect([single.qeReports.size, single.intelSignatures.size, single.attestationKeys.size, single.keccak.size]).toEqual([0, 0, 0, 0]);
    expect([single.pckChains.size, single.dcapRequests.size]).toEqual([0, 0]);
    const reusable = createVerifierContext();
    await verifyEvidence(quote, { collateral: collateral(), at, context: reusable });
    expect([reusable.qeReports.size, reusable.intelSignatures.size, reusable.attestationKeys.size]).toEqual([1, 2, 1]);
    expect([reusable.pckChains.size, reusable.dcapRequests.size]).toEqual([1, 1]);
    expect(reusable.keccak.size).toBeGreaterThan(0);
  });

  it("does not let a caller change what it remembers", async () => {
    const context = createVerifierContext();
    const options: VerifyEvidenceOptions = { collateral: collateral(), at, context };
    const first = await verifyEvidence(quote, options);
    const want = structuredClone(answer(first));
    first.tcb.advisoryIds.push("INTEL-SA-99999");
    (first.platform as { fmspc: string }).fmspc = "ffffffffffff";
    first.expiresAt.setTime(0);
    first.collateralUsed!.length = 0;
    expect(answer(await verifyEvidence(quote, options))).toEqual(want);
  });

  it("still checks each quote's own signature: a forged one, or a changed body, is refused", async () => {
    const context = createVerifierContext();
    const options: VerifyEvidenceOptions = { collateral: collateral(), at, context };
    await verifyEvidence(quote, options);
    expect(await codeOf(verifyEvidence(flipped(parsed.signature.quoteSignature, 5), options))).toBe("DCAP_QUOTE_SIGNATURE_INVALID");
    expect(await codeOf(verifyEvidence(flipped(parsed.body.reportData, 0), options))).toBe("DCAP_QUOTE_SIGNATURE_INVALID");
  });

  it("takes another QE report for another platform: it is appraised, and refused, in full", async () => {
    const context = createVerifierContext();
    const options: VerifyEvidenceOptions = { collateral: collateral(), at, context };
    await verifyEvidence(quote, options);
    const forged = flipped(parsed.signature.qeReport.raw, 100);
    expect(await codeOf(verifyEvidence(forged, options))).toBe(await codeOf(verifyEvidence(forged, { collateral: collateral(), at })));
    expect(await codeOf(verifyEvidence(forged, options))).toMatch(/^DCAP_QE_REPORT_/);
  });

  it("takes other collateral for another appraisal: without the PCK CRL the quote is refused as a fresh verifier refuses it", async () => {
    const context = createVerifierContext();
    await verifyEvidence(quote, { collateral: collateral(), at, context });
    const without = { collateral: collateral(["pck_crl.der"]), at };
    const fresh = await codeOf(verifyEvidence(quote, without));
    expect(fresh).not.toBe("verified");
    expect(await codeOf(verifyEvidence(quote, { ...without, context }))).toBe(fresh);
  });

  it("reads a provider's set afresh when it is changed in place: a CRL taken out is missed as a fresh verifier misses it", async () => {
    const context = createVerifierContext();
    const provider = collateral();
    expect(await codeOf(verifyEvidence(quote, { collateral: provider, at, context }))).toBe("verified");
    // The same set object, its CRLs changed in place: the appraisal key's collateral ids must follow.
    const crls = provider.collateral.crls;
    const pckCrl = crls.findIndex((c) => c.issuer.includes("PCK"));
    expect(pckCrl).toBeGreaterThanOrEqual(0);
    crls.splice(pckCrl, 1);
    const fresh = await codeOf(verifyEvidence(quote, { collateral: collateral(["pck_crl.der"]), at }));
    expect(fresh).toBe("CRL_MISSING");
    expect(await codeOf(verifyEvidence(quote, { collateral: provider, at, context }))).toBe(fresh);
    expect(context.dcapAppraisals.size).toBe(1);
  });

  it("is not used once the validator's floor is newer than a document it used: refused with the stale code", async () => {
    const context = createVerifierContext();
    const first = await verifyEvidence(quote, { collateral: collateral(), at, context });
    const tcbInfo = first.collateralUsed!.find((s) => s.document === "tcbInfo")!;
    const newer: CollateralStamp = { ...tcbInfo, number: tcbInfo.number + 1, digest: "0".repeat(64) };
    const freshness = { floor: new Map([[tcbInfo.key, newer]]) };
    expect(await codeOf(verifyEvidence(quote, { collateral: collateral(), at, freshness }))).toBe("DCAP_TCB_INFO_STALE");
    expect(await codeOf(verifyEvidence(quote, { collateral: collateral(), at, freshness, context }))).toBe("DCAP_TCB_INFO_STALE");
    // A floor no newer than what it used changes nothing.
    const same = { floor: new Map([[tcbInfo.key, tcbInfo]]) };
    expect(answer(await verifyEvidence(quote, { collateral: collateral(), at, freshness: same, context }))).toEqual(answer(first));
  });
});
