import { describe, expect, it } from "vitest";
import { DCAP_SETS, loadSet, outcomeOf } from "../../../test/support/dcapOutcome.ts";
import { parseDcapQuote } from "../../evidence/dcap/parseDcapQuote.ts";

/**
 * Byte flips over the real quotes. Every byte outside the PEM chain is
 * covered — the signed header and body, the signature length, the quote
 * signature, the attestation key, the QE report and its signature, the QE auth
 * data, the certification data headers and the zero padding — and each flip
 * must be rejected. The PEM chain is sampled: a flip there must be rejected or
 * decode to the very same certificates (base64 slack bits), which is harmless
 * by design: the certificates' DER is what is verified, and it is unchanged.
 */
describe("tampering with real quotes", () => {
  for (const { kind, name, unsafe } of DCAP_SETS) {
    it(`${kind}/${name}`, () => {
      const set = loadSet(kind, name);
      const base = outcomeOf(set, unsafe, set.quote);
      const q = parseDcapQuote(set.quote);
      const pem = q.signature.pckChain.raw;
      const pemStart = pem.byteOffset - set.quote.byteOffset;
      const pemEnd = pemStart + pem.length;
      let rejected = 0;
      let harmless = 0;
      for (let i = 0; i < set.quote.length; i++) {
        const inPem = i >= pemStart && i < pemEnd;
        if (inPem && (i - pemStart) % 5 !== 0) continue;
        const bytes = new Uint8Array(set.quote);
        bytes[i]! ^= 0x01;
        const r = outcomeOf(set, unsafe, bytes);
        if (!r.ok) {
          // A flipped byte of a rejected quote must be caught as tampering, before the TCB rating.
          if (!base.ok) expect(r.code, `offset ${i}`).not.toBe(base.code);
          rejected++;
          continue;
        }
        expect(inPem, `flip at offset ${i} (outside the PEM chain) was accepted`).toBe(true);
        expect(base.ok && r.digest === base.digest && r.certificates === base.certificates, `flip at PEM offset ${i}`).toBe(true);
        harmless++;
      }
      expect(rejected).toBeGreaterThan(pemStart);
      // Base64 slack exists only in the last character before each "=" padding: at most a few per chain.
      expect(harmless).toBeLessThan(10);
    });
  }
});
