import { ed25519 } from "@noble/curves/ed25519";
import { toHex as viemToHex } from "viem";
import { describe, expect, it } from "vitest";
import {
  DEBUG_TEST_KEYS,
  DEBUG_TEST_TIME,
  debugTestBody,
  publicKeyOf,
  secp256k1PublicKeyOf,
  signDebugTestEvidence,
  signDebugV1TestEvidence,
  type DebugTestFields,
  type DebugV1TestFields,
} from "../../../test/support/debugKeepSigner.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { toHex } from "@keepledger/sdk/internal/util/bytes";
import { createDebugEvidence } from "./createDebugEvidence.ts";
import { DEBUG_EVIDENCE_LENGTH, DEBUG_LAYOUT, DEBUG_LAYOUT_V1, DEBUG_V1_EVIDENCE_LENGTH } from "./debugEvidenceFormat.ts";
import { detectDebugEvidence } from "./detectDebugEvidence.ts";
import { parseDebugEvidence } from "./parseDebugEvidence.ts";

function errorOf(fn: () => unknown): { code: string; message: string; field: string | undefined } | undefined {
  try {
    fn();
  } catch (e) {
    if (!isKeepledgerError(e)) throw e;
    return { code: e.code, message: e.message, field: e.at?.field };
  }
  return undefined;
}

const measurement = new Uint8Array(32).map((_, i) => i);
const reportData = new Uint8Array(64).map((_, i) => 255 - i);

describe("createDebugEvidence", () => {
  it("lays out the 212 bytes exactly as the format table says, an Ed25519 signature another implementation accepts", async () => {
    const evidence = createDebugEvidence({ privateKey: DEBUG_TEST_KEYS.keep, measurement, reportData, timestamp: DEBUG_TEST_TIME });
    expect(evidence.length).toBe(212);
    expect(DEBUG_EVIDENCE_LENGTH).toBe(212);
    // Built by hand from the table and signed by the test signer: the two must agree byte for byte (Ed25519 is deterministic).
    expect(toHex(evidence)).toBe(toHex(await signDebugTestEvidence({ measurement, reportData })));
    const body = debugTestBody({ measurement, reportData, timestamp: DEBUG_TEST_TIME.getTime() });
    expect(toHex(evidence.subarray(0, 148))).toBe(toHex(body));
    expect(toHex(evidence.subarray(0, 8))).toBe("0x7f4b454550444247"); // 7f "KEEPDBG"
    expect(toHex(evidence.subarray(8, 10))).toBe("0x0200");
    // The key is the RFC 8032 public key of the 32-byte seed, and noble's Ed25519 (not OpenSSL) accepts the signature.
    const publicKey = evidence.subarray(DEBUG_LAYOUT.publicKey.offset, DEBUG_LAYOUT.publicKey.offset + 32);
    expect(toHex(publicKey)).toBe(toHex(ed25519.getPublicKey(DEBUG_TEST_KEYS.keep.slice(2))));
    expect(ed25519.verify(evidence.subarray(148), evidence.subarray(0, 148), publicKey)).toBe(true);
  });

  it("takes hex or bytes, and defaults the timestamp to now", () => {
    const before = Date.now();
    const a = parseDebugEvidence(
      createDebugEvidence({ privateKey: DEBUG_TEST_KEYS.keep, measurement: viemToHex(measurement), reportData: viemToHex(reportData) }),
    );
    expect(a.timestamp).toBeGreaterThanOrEqual(before);
    expect(a.timestamp).toBeLessThanOrEqual(Date.now());
    const b = parseDebugEvidence(
      createDebugEvidence({ privateKey: Buffer.from(DEBUG_TEST_KEYS.keep.slice(2), "hex"), measurement, reportData, timestamp: 0 }),
    );
    expect(b.timestamp).toBe(0);
  });

  const bad: Array<{ name: string; options: Parameters<typeof createDebugEvidence>[0]; field: string; wantMessage?: string }> = [
    {
      name: "a 31-byte measurement",
      options: { privateKey: DEBUG_TEST_KEYS.keep, measurement: new Uint8Array(31), reportData },
      field: "measurement",
      wantMessage: "measurement must be 32 bytes (measurement)",
    },
    {
      name: "a 32-byte reportData",
      options: { privateKey: DEBUG_TEST_KEYS.keep, measurement, reportData: new Uint8Array(32) },
      field: "reportData",
      wantMessage: "reportData must be 64 bytes (reportData)",
    },
    { name: "a non-hex measurement", options: { privateKey: DEBUG_TEST_KEYS.keep, measurement: "0xzz", reportData }, field: "measurement" },
    {
      name: "a short private key",
      options: { privateKey: "0x01", measurement, reportData },
      field: "privateKey",
      wantMessage: "privateKey must be 32 bytes (privateKey)",
    },
    { name: "a 33-byte private key", options: { privateKey: new Uint8Array(33).fill(1), measurement, reportData }, field: "privateKey" },
    { name: "a non-hex private key", options: { privateKey: `0x${"zz".repeat(32)}`, measurement, reportData }, field: "privateKey" },
    {
      name: "a negative timestamp",
      options: { privateKey: DEBUG_TEST_KEYS.keep, measurement, reportData, timestamp: -1 },
      field: "timestamp",
    },
    {
      name: "a fractional timestamp",
      options: { privateKey: DEBUG_TEST_KEYS.keep, measurement, reportData, timestamp: 1.5 },
      field: "timestamp",
    },
    {
      name: "an invalid date",
      options: { privateKey: DEBUG_TEST_KEYS.keep, measurement, reportData, timestamp: new Date(Number.NaN) },
      field: "timestamp",
    },
  ];
  for (const row of bad) {
    it(`refuses ${row.name}: DEBUG_INPUT_INVALID`, () => {
      const e = errorOf(() => createDebugEvidence(row.options));
      expect(e?.code).toBe("DEBUG_INPUT_INVALID");
      expect(e?.field).toBe(row.field);
      if (row.wantMessage) expect(e?.message).toBe(row.wantMessage);
    });
  }
});

describe("parseDebugEvidence: version 2 (Ed25519)", () => {
  it("reads every field at its documented offset", async () => {
    const bytes = await signDebugTestEvidence({ measurement, reportData });
    const e = parseDebugEvidence(bytes);
    const at = (f: keyof typeof DEBUG_LAYOUT): Uint8Array =>
      bytes.subarray(DEBUG_LAYOUT[f].offset, DEBUG_LAYOUT[f].offset + DEBUG_LAYOUT[f].size);
    expect(e.version).toBe(2);
    expect(toHex(e.measurement)).toBe(toHex(measurement));
    expect(toHex(e.reportData)).toBe(toHex(reportData));
    expect(toHex(e.publicKey)).toBe(toHex(publicKeyOf(DEBUG_TEST_KEYS.keep)));
    expect(toHex(e.publicKey)).toBe(toHex(at("publicKey")));
    expect(e.timestamp).toBe(DEBUG_TEST_TIME.getTime());
    expect(toHex(e.signature)).toBe(toHex(at("signature")));
    expect(toHex(e.signed)).toBe(toHex(bytes.subarray(0, 148)));
    expect(e.raw).not.toBe(bytes);
    const buffer = Buffer.from(bytes);
    const fromBuffer = parseDebugEvidence(buffer);
    buffer.fill(0);
    expect(toHex(fromBuffer.publicKey)).toBe(toHex(publicKeyOf(DEBUG_TEST_KEYS.keep))); // a private copy, not a view of the caller's Buffer
  });

  const rows: Array<{
    name: string;
    fields?: DebugTestFields;
    input?: (b: Uint8Array) => Uint8Array;
    wantError: string;
    field?: string;
    wantMessage?: string;
  }> = [
    { name: "empty input", input: () => new Uint8Array(0), wantError: "EVIDENCE_EMPTY", wantMessage: "the debug Keep evidence is empty" },
    { name: "half a magic", input: (b) => b.subarray(0, 4), wantError: "EVIDENCE_TRUNCATED", field: "magic" },
    {
      name: "another magic",
      fields: { magic: new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]) },
      wantError: "DEBUG_MAGIC_INVALID",
      field: "magic",
      wantMessage: "not debug Keep evidence: wrong magic (magic at offset 0)",
    },
    {
      name: "version 3",
      fields: { version: 3 },
      wantError: "DEBUG_VERSION_UNSUPPORTED",
      field: "version",
      wantMessage: "debug Keep evidence version 3 is not supported (version at offset 8)",
    },
    { name: "version 0", fields: { version: 0 }, wantError: "DEBUG_VERSION_UNSUPPORTED", field: "version" },
    { name: "version 512 (big-endian 2)", fields: { version: 0x200 }, wantError: "DEBUG_VERSION_UNSUPPORTED", field: "version" },
    {
      name: "a reserved flag",
      fields: { flags: 0x8000 },
      wantError: "DEBUG_FLAGS_INVALID",
      field: "flags",
      wantMessage: "the reserved flags of debug Keep evidence must be 0 (flags at offset 10)",
    },
    {
      name: "a timestamp past the Date range",
      fields: { timestamp: 2n ** 63n },
      wantError: "DEBUG_TIMESTAMP_INVALID",
      field: "timestamp",
      wantMessage: "the debug Keep timestamp is beyond the range of dates (timestamp at offset 140)",
    },
    {
      name: "a cut-off signature",
      input: (b) => b.subarray(0, 211),
      wantError: "EVIDENCE_TRUNCATED",
      field: "signature",
      wantMessage: "evidence truncated while reading signature (signature at offset 148)",
    },
    { name: "a missing signature", input: (b) => b.subarray(0, 148), wantError: "EVIDENCE_TRUNCATED", field: "signature" },
    { name: "a cut-off timestamp", input: (b) => b.subarray(0, 143), wantError: "EVIDENCE_TRUNCATED", field: "timestamp" },
    { name: "a cut-off public key", input: (b) => b.subarray(0, 120), wantError: "EVIDENCE_TRUNCATED", field: "publicKey" },
    {
      name: "a trailing byte",
      input: (b) => new Uint8Array([...b, 0]),
      wantError: "EVIDENCE_TRAILING_BYTES",
      field: "signature",
      wantMessage: "unexpected bytes after signature (signature at offset 212)",
    },
  ];
  for (const row of rows) {
    it(`rejects ${row.name}: ${row.wantError}`, async () => {
      const signed = await signDebugTestEvidence(row.fields);
      const bytes = row.input ? row.input(signed) : signed;
      const e = errorOf(() => parseDebugEvidence(bytes));
      expect(e?.code).toBe(row.wantError);
      if (row.field) expect(e?.field).toBe(row.field);
      if (row.wantMessage) expect(e?.message).toBe(row.wantMessage);
    });
  }
});

describe("parseDebugEvidence: version 1 (legacy secp256k1, still read)", () => {
  it("reads every field at its documented offset", async () => {
    const bytes = await signDebugV1TestEvidence({ measurement, reportData });
    const e = parseDebugEvidence(bytes);
    const at = (f: keyof typeof DEBUG_LAYOUT_V1): Uint8Array =>
      bytes.subarray(DEBUG_LAYOUT_V1[f].offset, DEBUG_LAYOUT_V1[f].offset + DEBUG_LAYOUT_V1[f].size);
    expect(bytes.length).toBe(DEBUG_V1_EVIDENCE_LENGTH);
    expect(e.version).toBe(1);
    expect(toHex(e.measurement)).toBe(toHex(measurement));
    expect(toHex(e.reportData)).toBe(toHex(reportData));
    expect(toHex(e.publicKey)).toBe(toHex(secp256k1PublicKeyOf(DEBUG_TEST_KEYS.keep)));
    expect(toHex(e.publicKey)).toBe(toHex(at("publicKey")));
    expect(e.timestamp).toBe(DEBUG_TEST_TIME.getTime());
    expect(toHex(e.signature)).toBe(toHex(at("signature")));
    expect(toHex(e.signed)).toBe(toHex(bytes.subarray(0, 180)));
    expect(e.raw).not.toBe(bytes);
    const buffer = Buffer.from(bytes);
    const fromBuffer = parseDebugEvidence(buffer);
    buffer.fill(0);
    expect(toHex(fromBuffer.publicKey)).toBe(toHex(secp256k1PublicKeyOf(DEBUG_TEST_KEYS.keep))); // a private copy, not a view of the caller's Buffer
  });

  const rows: Array<{
    name: string;
    fields?: DebugV1TestFields;
    input?: (b: Uint8Array) => Uint8Array;
    wantError: string;
    field?: string;
    wantMessage?: string;
  }> = [
    { name: "empty input", input: () => new Uint8Array(0), wantError: "EVIDENCE_EMPTY", wantMessage: "the debug Keep evidence is empty" },
    { name: "half a magic", input: (b) => b.subarray(0, 4), wantError: "EVIDENCE_TRUNCATED", field: "magic" },
    {
      name: "the magic without 0x7f",
      fields: { magic: new Uint8Array([0x4b, 0x45, 0x45, 0x50, 0x44, 0x42, 0x47, 0x00]) },
      wantError: "DEBUG_MAGIC_INVALID",
      field: "magic",
      wantMessage: "not debug Keep evidence: wrong magic (magic at offset 0)",
    },
    {
      name: "another magic",
      fields: { magic: new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]) },
      wantError: "DEBUG_MAGIC_INVALID",
      field: "magic",
    },
    {
      name: "version 3",
      fields: { version: 3 },
      wantError: "DEBUG_VERSION_UNSUPPORTED",
      field: "version",
      wantMessage: "debug Keep evidence version 3 is not supported (version at offset 8)",
    },
    { name: "version 0", fields: { version: 0 }, wantError: "DEBUG_VERSION_UNSUPPORTED", field: "version" },
    { name: "version 256 (big-endian 1)", fields: { version: 0x100 }, wantError: "DEBUG_VERSION_UNSUPPORTED", field: "version" },
    {
      name: "a reserved flag",
      fields: { flags: 1 },
      wantError: "DEBUG_FLAGS_INVALID",
      field: "flags",
      wantMessage: "the reserved flags of debug Keep evidence must be 0 (flags at offset 10)",
    },
    { name: "a timestamp past the Date range", fields: { timestamp: 2n ** 63n }, wantError: "DEBUG_TIMESTAMP_INVALID", field: "timestamp" },
    {
      name: "v = 0",
      fields: { v: 0 },
      wantError: "DEBUG_SIGNATURE_MALFORMED",
      field: "signature",
      wantMessage: "the signature's recovery byte v is 0, not 27 or 28 (signature at offset 180)",
    },
    { name: "v = 1", fields: { v: 1 }, wantError: "DEBUG_SIGNATURE_MALFORMED", field: "signature" },
    { name: "v = 29", fields: { v: 29 }, wantError: "DEBUG_SIGNATURE_MALFORMED", field: "signature" },
    { name: "v = 37 (EIP-155)", fields: { v: 37 }, wantError: "DEBUG_SIGNATURE_MALFORMED", field: "signature" },
    {
      name: "a missing v",
      input: (b) => b.subarray(0, 244),
      wantError: "EVIDENCE_TRUNCATED",
      field: "signature",
      wantMessage: "evidence truncated while reading signature (signature at offset 180)",
    },
    { name: "a missing signature", input: (b) => b.subarray(0, 180), wantError: "EVIDENCE_TRUNCATED", field: "signature" },
    { name: "a cut-off timestamp", input: (b) => b.subarray(0, 175), wantError: "EVIDENCE_TRUNCATED", field: "timestamp" },
    {
      name: "a trailing byte",
      input: (b) => new Uint8Array([...b, 0]),
      wantError: "EVIDENCE_TRAILING_BYTES",
      field: "signature",
      wantMessage: "unexpected bytes after signature (signature at offset 245)",
    },
  ];
  for (const row of rows) {
    it(`rejects ${row.name}: ${row.wantError}`, async () => {
      const signed = await signDebugV1TestEvidence(row.fields);
      const bytes = row.input ? row.input(signed) : signed;
      const e = errorOf(() => parseDebugEvidence(bytes));
      expect(e?.code).toBe(row.wantError);
      if (row.field) expect(e?.field).toBe(row.field);
      if (row.wantMessage) expect(e?.message).toBe(row.wantMessage);
    });
  }
});

describe("detectDebugEvidence", () => {
  it("sees the magic, and nothing that text could be", () => {
    const bytes = createDebugEvidence({ privateKey: DEBUG_TEST_KEYS.keep, measurement, reportData, timestamp: DEBUG_TEST_TIME });
    expect(detectDebugEvidence(bytes)).toBe(true);
    expect(detectDebugEvidence(bytes.subarray(0, 8))).toBe(true);
    expect(detectDebugEvidence(bytes.subarray(0, 7))).toBe(false);
    expect(detectDebugEvidence(new Uint8Array(0))).toBe(false);
    // The first byte is not printable, so the hex or base64 text of evidence is never taken for evidence, nor the reverse.
    const printable = (b: Uint8Array): boolean => [...b].every((c) => c >= 0x20 && c < 0x7f);
    expect(printable(bytes.subarray(0, 1))).toBe(false);
    for (const text of [toHex(bytes), toHex(bytes).slice(2), Buffer.from(bytes).toString("base64")]) {
      expect(detectDebugEvidence(new TextEncoder().encode(text))).toBe(false);
    }
  });
});
