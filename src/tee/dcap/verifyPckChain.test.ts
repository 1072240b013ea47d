import { describe, expect, it } from "vitest";
import { codeOf, loadDcapSet } from "../../../test/support/dcapFixtures.ts";
import { parseDcapQuote } from "./parseDcapQuote.ts";
import { INTEL_SGX_ROOT_CA } from "../../pki/roots.ts";
import { createVerifierContext } from "../verifierContext.ts";
import { verifyPckChain } from "./verifyPckChain.ts";

describe("verifyPckChain and the root a quote carries", () => {
  for (const kind of ["sgx", "tdx"] as const) {
    const set = loadDcapSet(kind, kind === "sgx" ? "dcapqvl-sgx" : "dcapqvl-tdx");
    const options = { collateral: set.collateral, roots: [INTEL_SGX_ROOT_CA], at: set.at, requireCrls: true };

    it(`${kind}: with a fresh context, the chain ends at the pinned root, as when warm`, () => {
      const context = createVerifierContext();
      const cold = verifyPckChain(parseDcapQuote(set.quote), { ...options, context });
      const warm = verifyPckChain(parseDcapQuote(set.quote), { ...options, context });
      expect(cold.chain.root).toBe(INTEL_SGX_ROOT_CA);
      expect(cold.chain.certificates.map((c) => c.fingerprint)).toEqual(warm.chain.certificates.map((c) => c.fingerprint));
      expect(cold.chain.expiresAt).toEqual(warm.chain.expiresAt);
    });

    it(`${kind}: a root copy one byte off the pinned root is not taken for it`, () => {
      const quote = parseDcapQuote(set.quote);
      const certs = quote.signature.pckChain.certificates;
      const root = certs[certs.length - 1]!.slice();
      root[root.length - 1]! ^= 0x01; // inside the signature: still parses, no longer the pinned bytes
      const tampered = {
        ...quote,
        signature: { ...quote.signature, pckChain: { ...quote.signature.pckChain, certificates: [...certs.slice(0, -1), root] } },
      };
      expect(codeOf(() => verifyPckChain(tampered, options))).toBe("CERT_ROOT_UNTRUSTED");
    });

    it(`${kind}: the PCK CA the quote carries is the collateral's parsed copy of the same bytes, and only of the same bytes`, () => {
      const quote = parseDcapQuote(set.quote);
      const certs = quote.signature.pckChain.certificates;
      const fromCollateral = set.collateral.certificates.find((c) => Buffer.from(c.der).equals(Buffer.from(certs[1]!)));
      expect(fromCollateral).toBeDefined();
      expect(verifyPckChain(quote, { ...options, context: createVerifierContext() }).chain.certificates[1]).toBe(fromCollateral);
      // A copy one byte off (inside the signature: it still parses) is parsed as itself, and its signature fails.
      const ca = certs[1]!.slice();
      ca[ca.length - 1]! ^= 0x01;
      const tampered = {
        ...quote,
        signature: { ...quote.signature, pckChain: { ...quote.signature.pckChain, certificates: [certs[0]!, ca, certs[2]!] } },
      };
      expect(codeOf(() => verifyPckChain(tampered, { ...options, context: createVerifierContext() }))).toBe("CERT_SIGNATURE_INVALID");
    });
  }
});
