import { describe, expect, it } from "vitest";
import { DCAP_SETS, loadSet, outcomeOf } from "../../../test/support/dcapOutcome.ts";
import { parseDcapQuote } from "./parseDcapQuote.ts";

/**
 * Byte flips over the real quotes. Every byte outside the PEM chain is
 * covered — the signed header and body, the signature length, the quote
 * signature, the attestation key, the QE report and its signature, the QE auth
 * data, the certification data headers and the zero padding — and each flip
 * must be rejected. The PEM chain is sampled, and a flip there must be
 * rejected too, even one in base64 slack bits that decodes to the same DER:
 * the PEM text is not signed, so an accepted variant would be a second
 * evidence hash for the same quote (docs/evidence/dcap.md).
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
        expect.fail(`flip at offset ${i}${inPem ? " (inside the PEM chain)" : ""} was accepted`);
      }
      expect(rejected).toBeGreaterThan(pemStart);
      // The base64 slack bits: the character before each "=" of the chain, flipped in its lowest bit.
      const text = Buffer.from(pem).toString("latin1");
      for (let k = text.indexOf("="); k >= 0; k = text.indexOf("=", k + 1)) {
        if (text[k - 1] === "=") continue;
        const bytes = new Uint8Array(set.quote);
        bytes[pemStart + k - 1]! ^= 0x01;
        expect(outcomeOf(set, unsafe, bytes), `slack bits before PEM offset ${k}`).toEqual({
          ok: false,
          code: "DCAP_CERTIFICATION_DATA_MALFORMED",
        });
      }
    });
  }
});
