import { describe, expect, it } from "vitest";
import { codeOf, loadDcapSet } from "../../../test/support/dcapFixtures.ts";
import { DCAP_SETS, outcomeOf } from "../../../test/support/dcapOutcome.ts";
import { parseDcapQuote, V4_PADDING } from "./parseDcapQuote.ts";
import type { DcapQuote } from "./types.ts";
import { INTEL_SGX_ROOT_CA } from "../../pki/roots.ts";
import { verifyPckChain } from "./verifyPckChain.ts";

/**
 * One quote, one accepted byte string: the certification data is not signed,
 * so every tolerated variant of it (or of the padding) would be a second
 * evidence hash for the same quote. Inputs are built from the real fixtures'
 * bytes by the mutation under test, never from hand-edited files.
 */

const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const latin1 = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));

interface Layout {
  quote: DcapQuote;
  /** Offsets of the length fields that enclose the PEM chain. */
  sizes: number[];
  pemStart: number;
  pemEnd: number;
  pem: string;
}

function layoutOf(bytes: Uint8Array): Layout {
  const quote = parseDcapQuote(bytes);
  const pemStart = quote.signature.pckChain.raw.byteOffset - bytes.byteOffset;
  const sigLength = quote.signedRegion.length;
  // v4/v5: the type-6 size follows the signature length, the quote signature, the attestation key and the type.
  const sizes = [pemStart - 4, sigLength, ...(quote.header.version === 3 ? [] : [sigLength + 4 + 128 + 2])];
  return {
    quote,
    sizes,
    pemStart,
    pemEnd: pemStart + quote.signature.pckChain.raw.length,
    pem: Buffer.from(quote.signature.pckChain.raw).toString("latin1"),
  };
}

/** The quote with its certification data text replaced and every enclosing length corrected. */
function withPem(bytes: Uint8Array, pem: string): Uint8Array {
  const l = layoutOf(bytes);
  const text = latin1(pem);
  const delta = text.length - (l.pemEnd - l.pemStart);
  const out = cat(bytes.subarray(0, l.pemStart), text, bytes.subarray(l.pemEnd));
  const view = new DataView(out.buffer, out.byteOffset);
  for (const at of l.sizes) view.setUint32(at, u32(bytes, at) + delta, true);
  return out;
}

/** The PEM blocks of the chain, each with its "\n", and what follows the last one. */
function blocksOf(pem: string): { blocks: string[]; tail: string } {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----\n[^-]*-----END CERTIFICATE-----\n/g)!;
  return { blocks, tail: pem.slice(blocks.join("").length) };
}

const sgx = loadDcapSet("sgx", "dcapqvl-sgx");
const tdx = loadDcapSet("tdx", "dcapqvl-tdx");

/** Verify end to end with the set's collateral and time; the code, or "ok". */
function verdict(set: typeof sgx, bytes: Uint8Array): string {
  const r = outcomeOf(set, {}, bytes);
  return r.ok ? "ok" : r.code;
}

describe("the fuzzer's reproductions: the last certificate cut off and replaced by zeros", () => {
  // scripts/fuzz.ts --kind sgx --seed 1381810445 --index 3851: truncate@3650 → extend+2562(zeros)
  it("sgx seed 1381810445 index 3851", () => {
    const bytes = cat(sgx.quote.subarray(0, 3650), new Uint8Array(2562));
    const l = layoutOf(sgx.quote);
    expect(3650).toBeGreaterThan(l.pemStart);
    expect(3650).toBeLessThan(l.pemEnd); // the cut is inside the declared PEM area: the root is gone, zeros stand in for it
    expect(() => parseDcapQuote(bytes)).toThrow(
      "PCK certificate chain malformed: a NUL byte inside the PEM text (only its last byte may be NUL) (quote.signature.pckChain at offset 3650)",
    );
    expect(verdict(sgx, bytes)).toBe("DCAP_CERTIFICATION_DATA_MALFORMED");
  });

  // scripts/fuzz.ts --kind tdx --seed 7 --index 11688: truncate@3987 → extend+390(zeros) → extend+2623(zeros)
  it("tdx seed 7 index 11688", () => {
    const bytes = cat(tdx.quote.subarray(0, 3987), new Uint8Array(390), new Uint8Array(2623));
    expect(() => parseDcapQuote(bytes)).toThrow(
      "PCK certificate chain malformed: a NUL byte inside the PEM text (only its last byte may be NUL) (quote.signature.certificationData.pckChain at offset 3987)",
    );
    expect(verdict(tdx, bytes)).toBe("DCAP_CERTIFICATION_DATA_MALFORMED");
  });

  it("the same cut with the lengths corrected (root dropped, no zeros) is refused too", () => {
    for (const set of [sgx, tdx]) {
      const { blocks, tail } = blocksOf(layoutOf(set.quote).pem);
      const bytes = withPem(set.quote, blocks.slice(0, 2).join("") + tail);
      expect(codeOf(() => parseDcapQuote(bytes))).toBe("DCAP_PCK_CHAIN_LENGTH");
      expect(verdict(set, bytes)).toBe("DCAP_PCK_CHAIN_LENGTH");
    }
  });
});

describe("the certification data and the padding have one accepted form", () => {
  const { blocks, tail } = blocksOf(layoutOf(sgx.quote).pem);
  const [leaf, ca, root] = blocks as [string, string, string];
  const body = (block: string) => block.slice("-----BEGIN CERTIFICATE-----\n".length, -"-----END CERTIFICATE-----\n".length);
  const table: Array<{ name: string; input: () => Uint8Array; wantError: string; wantOffset?: number }> = [
    {
      name: "zeros inside the PEM area, lengths kept",
      input: () => withPem(sgx.quote, leaf + ca + "\0".repeat(root.length) + tail),
      wantError: "DCAP_CERTIFICATION_DATA_MALFORMED",
      wantOffset: 1052 + leaf.length + ca.length,
    },
    {
      name: "a NUL inside a base64 line",
      input: () => withPem(sgx.quote, leaf.replace("\n", "\0\n") + ca + root + tail),
      wantError: "DCAP_CERTIFICATION_DATA_MALFORMED",
      wantOffset: 1052 + 27,
    },
    {
      name: "two NULs at the end",
      input: () => withPem(sgx.quote, leaf + ca + root + "\0\0"),
      wantError: "DCAP_CERTIFICATION_DATA_MALFORMED",
    },
    { name: "the root missing", input: () => withPem(sgx.quote, leaf + ca + tail), wantError: "DCAP_PCK_CHAIN_LENGTH", wantOffset: 1052 },
    {
      name: "an extra certificate (the root twice)",
      input: () => withPem(sgx.quote, leaf + ca + root + root + tail),
      wantError: "DCAP_PCK_CHAIN_LENGTH",
    },
    {
      name: "an extra certificate (the CA twice)",
      input: () => withPem(sgx.quote, leaf + ca + ca + root + tail),
      wantError: "DCAP_PCK_CHAIN_LENGTH",
    },
    { name: "the leaf alone", input: () => withPem(sgx.quote, leaf + tail), wantError: "DCAP_PCK_CHAIN_LENGTH" },
    {
      name: "garbage between PEM blocks",
      input: () => withPem(sgx.quote, leaf + "x" + ca + root + tail),
      wantError: "DCAP_CERTIFICATION_DATA_MALFORMED",
      wantOffset: 1052 + leaf.length,
    },
    {
      name: "a blank line between PEM blocks",
      input: () => withPem(sgx.quote, leaf + "\n" + ca + root + tail),
      wantError: "DCAP_CERTIFICATION_DATA_MALFORMED",
      wantOffset: 1052 + leaf.length,
    },
    {
      name: "text after the last PEM block",
      input: () => withPem(sgx.quote, leaf + ca + root + "x\0"),
      wantError: "DCAP_CERTIFICATION_DATA_MALFORMED",
    },
    {
      name: "CRLF line ends",
      input: () => withPem(sgx.quote, leaf.replaceAll("\n", "\r\n") + ca + root + tail),
      wantError: "DCAP_CERTIFICATION_DATA_MALFORMED",
      wantOffset: 1052 + 27,
    },
    {
      name: "base64 in 76-character lines",
      input: () =>
        withPem(
          sgx.quote,
          `-----BEGIN CERTIFICATE-----\n${body(leaf)
            .replaceAll("\n", "")
            .replace(/.{1,76}/g, "$&\n")}-----END CERTIFICATE-----\n` +
            ca +
            root +
            tail,
        ),
      wantError: "DCAP_CERTIFICATION_DATA_MALFORMED",
    },
    {
      name: "base64 slack bits set (same DER)",
      input: () => {
        // The leaf's base64 ends in "=": the character before it carries 2 unused bits.
        const b = body(leaf);
        const i = b.lastIndexOf("=") - (b.endsWith("==\n") ? 1 : 0) - 1;
        const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const slack = alphabet[alphabet.indexOf(b[i]!) ^ 1]!;
        expect(Buffer.from(b.slice(0, i) + slack + b.slice(i + 1), "base64")).toEqual(Buffer.from(b, "base64"));
        return withPem(sgx.quote, leaf.replace(b, b.slice(0, i) + slack + b.slice(i + 1)) + ca + root + tail);
      },
      wantError: "DCAP_CERTIFICATION_DATA_MALFORMED",
    },
    {
      name: "the END line without its line feed",
      input: () => withPem(sgx.quote, leaf + ca + root.slice(0, -1) + tail),
      wantError: "DCAP_CERTIFICATION_DATA_MALFORMED",
    },
    {
      name: "an empty PEM block",
      input: () => withPem(sgx.quote, leaf + ca + root + "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n" + tail),
      wantError: "DCAP_CERTIFICATION_DATA_MALFORMED",
    },
    {
      name: "trailing non-zero byte after an SGX quote",
      input: () => cat(sgx.quote, latin1("\x01")),
      wantError: "DCAP_TRAILING_DATA",
      wantOffset: sgx.quote.length,
    },
    {
      name: "trailing zero byte after an SGX quote",
      input: () => cat(sgx.quote, new Uint8Array(1)),
      wantError: "DCAP_TRAILING_DATA",
      wantOffset: sgx.quote.length,
    },
    { name: "70 zero bytes after an SGX quote", input: () => cat(sgx.quote, new Uint8Array(V4_PADDING)), wantError: "DCAP_TRAILING_DATA" },
    {
      name: "a v4 quote's padding with a non-zero last byte",
      input: () => cat(tdx.quote.subarray(0, -1), latin1("\x07")),
      wantError: "DCAP_TRAILING_DATA",
      wantOffset: tdx.quote.length - 1,
    },
    { name: "a v4 quote's padding one zero longer", input: () => cat(tdx.quote, new Uint8Array(1)), wantError: "DCAP_TRAILING_DATA" },
    { name: "a v4 quote's padding one zero shorter", input: () => tdx.quote.subarray(0, -1), wantError: "DCAP_TRAILING_DATA" },
    { name: "a v4 quote's padding doubled", input: () => cat(tdx.quote, new Uint8Array(V4_PADDING)), wantError: "DCAP_TRAILING_DATA" },
    {
      name: "70 zero bytes after a v5 quote",
      input: () => cat(loadDcapSet("tdx", "dcapqvl-tdx-v5-no-tcb-match").quote, new Uint8Array(V4_PADDING)),
      wantError: "DCAP_TRAILING_DATA",
    },
  ];
  for (const row of table) {
    it(row.name, () => {
      const input = row.input();
      let offset: number | undefined;
      expect(
        codeOf(() => {
          try {
            parseDcapQuote(input);
          } catch (e) {
            offset = (e as { at?: { offset?: number } }).at?.offset;
            throw e;
          }
        }),
      ).toBe(row.wantError);
      if (row.wantOffset !== undefined) expect(offset).toBe(row.wantOffset);
      // The whole verification refuses it with the same code, whatever the quote's own TCB outcome.
      expect(verdict(input.length > 0 && input[0] === 3 ? sgx : tdx, input)).toBe(row.wantError);
    });
  }

  it("pins the messages", () => {
    expect(() => parseDcapQuote(withPem(sgx.quote, leaf + ca + tail))).toThrow(
      "the PCK certificate chain holds 2 certificate(s), not 3 (PCK certificate, PCK CA, Intel SGX Root CA) (quote.signature.pckChain at offset 1052)",
    );
    expect(() => parseDcapQuote(cat(tdx.quote, new Uint8Array(1)))).toThrow(
      `71 zero bytes after the quote signature data (a v4 quote allows 0 or 70) (quote.trailing at offset ${tdx.quote.length - V4_PADDING})`,
    );
    expect(() => parseDcapQuote(withPem(sgx.quote, leaf + "x" + ca + root + tail))).toThrow(
      `PCK certificate chain malformed: expected "-----BEGIN CERTIFICATE-----\\n" (nothing may come between or after the PEM blocks) (quote.signature.pckChain at offset ${1052 + leaf.length})`,
    );
  });
});

describe("verifyPckChain refuses a chain that is not leaf, PCK CA and the pinned root", () => {
  const quote = parseDcapQuote(sgx.quote);
  const certs = quote.signature.pckChain.certificates;
  const withCerts = (certificates: Uint8Array[]): DcapQuote => ({
    ...quote,
    signature: { ...quote.signature, pckChain: { ...quote.signature.pckChain, certificates } },
  });
  const options = { collateral: sgx.collateral, roots: [INTEL_SGX_ROOT_CA], at: sgx.at, requireCrls: true };

  it("the root left out (a parsed quote built by a caller)", () => {
    expect(codeOf(() => verifyPckChain(withCerts(certs.slice(0, 2)), options))).toBe("DCAP_PCK_CHAIN_LENGTH");
  });

  it("the CA in the root's place", () => {
    expect(codeOf(() => verifyPckChain(withCerts([certs[0]!, certs[1]!, certs[1]!]), options))).toBe("CERT_ROOT_UNTRUSTED");
  });

  it("the real chain ends at the pinned root", () => {
    expect(verifyPckChain(quote, options).chain.root).toBe(INTEL_SGX_ROOT_CA);
  });
});

describe("every real SGX/TDX quote is accepted as it is, and in no other form", () => {
  for (const { kind, name, unsafe } of DCAP_SETS) {
    it(`${kind}/${name}`, () => {
      const set = loadDcapSet(kind, name);
      const l = layoutOf(set.quote);
      // Verification outcome as in expected.json (accept, or the TCB rejection of the no-match sets).
      const r = outcomeOf(set, unsafe, set.quote);
      expect(r.ok ? "accept" : (r as { code: string }).code).toBe(
        set.expected.expected_result === "accept" ? "accept" : "DCAP_TCB_NOT_SUPPORTED",
      );
      // The text is exactly the canonical PEM of the three certificates, plus the C string's NUL where the source had one.
      const canonical = l.quote.signature.pckChain.certificates
        .map(
          (der) =>
            `-----BEGIN CERTIFICATE-----\n${Buffer.from(der)
              .toString("base64")
              .replace(/.{1,64}/g, "$&\n")}-----END CERTIFICATE-----\n`,
        )
        .join("");
      expect([canonical, `${canonical}\0`]).toContain(l.pem);
      expect(l.quote.trailingZeroBytes).toBe(l.quote.header.version === 4 && set.quote.length - l.pemEnd === V4_PADDING ? V4_PADDING : 0);
      // Padding is specified exactly: adding one zero is refused.
      expect(codeOf(() => parseDcapQuote(cat(set.quote, new Uint8Array(1))))).toBe("DCAP_TRAILING_DATA");
    });
  }

  it("the two forms left by the real quotes themselves: the NUL terminator and the v4 padding (see docs/evidence/dcap.md)", () => {
    // Real quotes come with and without the NUL, and v4 ones with and without the 70-byte padding: both are accepted, nothing else.
    const pem = layoutOf(sgx.quote).pem;
    expect(pem.endsWith("\0")).toBe(true);
    expect(verdict(sgx, withPem(sgx.quote, pem.slice(0, -1)))).toBe("ok");
    expect(verdict(tdx, tdx.quote.subarray(0, tdx.quote.length - V4_PADDING))).toBe("ok");
  });
});
