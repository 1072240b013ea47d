/**
 * Tampering with the real Arm CCA tokens, byte by byte: every byte of both collections — the envelope, each
 * token's protected header and payload (the signed Sig_structure content), and each ES384 signature. The
 * only acceptable outcome of a flip is a typed refusal by the stage that owns the byte, with the platform
 * signature cache warmed by the untouched token. Order of checks
 * (verifyCcaToken.ts): realm signature with the key the realm token carries, then the platform challenge's
 * binding to that key, then the platform signature with a trusted CPAK.
 */
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { expectedOf, fixtureBytes, fixturePath } from "../../../test/support/fixtures.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { BoundedCache } from "../../util/boundedCache.ts";
import { ARM_CCA_CODES } from "./codes.ts";
import { cpaksFromCollateralFiles, type CpakEndorsement } from "./cpak.ts";
import { parseCcaToken, type CcaSignedToken } from "./parseCcaToken.ts";
import { verifyCcaToken } from "./verifyCcaToken.ts";

const KIND = "arm-cca";
const FORMAT = new Set<string>([...Object.keys(ARM_CCA_CODES), "EVIDENCE_TRUNCATED", "EVIDENCE_TRAILING_BYTES"]);
const SETS = [
  { set: "tfm-tools-example-ffm00-tag399", baseline: "accept" },
  { set: "rust-ccatoken-bug33-unbound", baseline: "CCA_BINDING_MISMATCH" },
] as const;

function folderCpaks(set: string): CpakEndorsement[] {
  const files = readdirSync(fixturePath(KIND, set))
    .filter((name) => name !== "token.cbor")
    .map((name) => ({ name, bytes: fixtureBytes(KIND, set, name) }));
  return cpaksFromCollateralFiles(files);
}

describe.each(SETS)("Arm CCA tamper: $set", ({ set, baseline }) => {
  const bytes = fixtureBytes(KIND, set, "token.cbor");
  const at = new Date(expectedOf(KIND, set).verify_at);
  const cpaks = folderCpaks(set);
  const token = parseCcaToken(bytes);
  const span = (part: CcaSignedToken<unknown>, which: "protected" | "payload" | "signature"): [number, number] => [
    part.offset + part.cose.spans[which].start,
    part.offset + part.cose.spans[which].end,
  ];

  // One signature cache for the whole describe, warmed by the untouched token first: a remembered platform
  // signature must never vouch for other bytes.
  const signatureCache = new BoundedCache<string, boolean>({ maxEntries: 100_000, maxAgeMs: 3_600_000 });

  function outcome(input: Uint8Array): string {
    try {
      verifyCcaToken(parseCcaToken(input), { at, trustedCpaks: cpaks, signatureCache });
      return "accept";
    } catch (e) {
      if (!isKeepledgerError(e)) throw new Error(`untyped failure: ${String(e)}`, { cause: e });
      return e.code;
    }
  }
  const flip = (i: number, mask = 0x01): string => {
    const b = bytes.slice();
    b[i]! ^= mask;
    return outcome(b);
  };

  it(`the untouched token gives ${baseline}`, () => {
    expect(outcome(bytes)).toBe(baseline);
    if (baseline === "accept") expect(signatureCache.size).toBe(1);
  });

  it("every byte of the realm token's signed content (protected header, payload), flipped, is refused by the parser or the realm signature", () => {
    const codes = new Map<string, number>();
    const [start] = span(token.realm, "protected");
    const [, end] = span(token.realm, "payload");
    for (let i = start; i < end; i++) {
      const code = flip(i);
      // The realm key is itself in the payload: a flip there gives another key, under which the signature fails.
      expect(code === "CCA_REALM_SIGNATURE_INVALID" || FORMAT.has(code), `byte ${i}: ${code}`).toBe(true);
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    expect(codes.get("CCA_REALM_SIGNATURE_INVALID")).toBeGreaterThan((end - start) / 2);
  });

  it("every byte of the realm signature (r ‖ s), flipped in its low and high bit, is refused with CCA_REALM_SIGNATURE_INVALID", () => {
    const [start, end] = span(token.realm, "signature");
    for (let i = start + 2; i < end; i++) {
      for (const mask of [0x01, 0x80]) expect(flip(i, mask), `byte ${i}`).toBe("CCA_REALM_SIGNATURE_INVALID");
    }
  });

  if (baseline === "accept") {
    it("every byte of the platform token's signed content, flipped, is refused by the parser, the binding or the CPAK signature", () => {
      const codes = new Map<string, number>();
      const [start] = span(token.platform, "protected");
      const [, end] = span(token.platform, "payload");
      for (let i = start; i < end; i++) {
        const code = flip(i);
        expect(["CCA_PLATFORM_NOT_ENDORSED", "CCA_BINDING_MISMATCH"].includes(code) || FORMAT.has(code), `byte ${i}: ${code}`).toBe(true);
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
      expect(codes.get("CCA_PLATFORM_NOT_ENDORSED")).toBeGreaterThan((end - start) / 2);
      // The challenge (32 bytes here: SHA-256, claim 44240) is what binds the platform token to the realm key.
      expect(codes.get("CCA_BINDING_MISMATCH")).toBeGreaterThanOrEqual(32);
    });

    it("every byte of the platform signature, flipped in its low and high bit, is refused with CCA_PLATFORM_NOT_ENDORSED", () => {
      const [start, end] = span(token.platform, "signature");
      for (let i = start + 2; i < end; i++) {
        for (const mask of [0x01, 0x80]) expect(flip(i, mask), `byte ${i}`).toBe("CCA_PLATFORM_NOT_ENDORSED");
      }
    });
  } else {
    it("every byte of the platform token, flipped, is refused (the binding fails before the platform signature is looked at)", () => {
      const [start, end] = [token.platform.offset, token.platform.offset + token.platform.cose.spans.signature.end];
      for (let i = start; i < end; i++) {
        const code = flip(i);
        expect(code === "CCA_BINDING_MISMATCH" || FORMAT.has(code), `byte ${i}: ${code}`).toBe(true);
      }
    });
  }

  it("every other byte of the collection (tags, map, unprotected headers, CBOR heads), flipped, is refused as malformed", () => {
    const covered = [token.realm, token.platform].flatMap((part) => [
      [span(part, "protected")[0], span(part, "payload")[1]],
      [span(part, "signature")[0] + 2, span(part, "signature")[1]],
    ]);
    let flips = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (covered.some(([a, b]) => i >= a! && i < b!)) continue;
      const code = flip(i);
      expect(code, `byte ${i}`).not.toBe("accept");
      if (baseline === "accept") expect(FORMAT.has(code), `byte ${i}: ${code}`).toBe(true);
      flips++;
    }
    expect(flips).toBeGreaterThan(10);
  });
});

describe("Arm CCA results and time", () => {
  const set = "tfm-tools-example-ffm00-tag399";
  const bytes = fixtureBytes(KIND, set, "token.cbor");
  const cpaks = folderCpaks(set);

  it("a token carries no time and no certificate: its verification holds for validityMs from `at` (24 h by default)", () => {
    const at = new Date(expectedOf(KIND, set).verify_at);
    expect(verifyCcaToken(parseCcaToken(bytes), { at, trustedCpaks: cpaks }).expiresAt.getTime()).toBe(at.getTime() + 24 * 3600_000);
    expect(verifyCcaToken(parseCcaToken(bytes), { at, trustedCpaks: cpaks, validityMs: 60_000 }).expiresAt.getTime()).toBe(
      at.getTime() + 60_000,
    );
  });

  it("an invalid `as of` time is refused with CCA_VERIFY_TIME_INVALID", () => {
    let code = "accept";
    try {
      verifyCcaToken(parseCcaToken(bytes), { at: new Date(Number.NaN), trustedCpaks: cpaks });
    } catch (e) {
      if (!isKeepledgerError(e)) throw e;
      code = e.code;
    }
    expect(code).toBe("CCA_VERIFY_TIME_INVALID");
  });
});
