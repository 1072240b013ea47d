import { ed25519 } from "@noble/curves/ed25519";
import fc from "fast-check";
import { keccak256, recoverPublicKey, zeroHash } from "viem";
import { describe, expect, it } from "vitest";
import {
  DEBUG_TEST_KEYS,
  DEBUG_TEST_TIME,
  SECP256K1_N,
  publicKeyOf,
  secp256k1PublicKeyOf,
  signDebugTestEvidence,
  signDebugV1TestEvidence,
  type DebugTestFields,
  type DebugV1TestFields,
} from "../../../test/support/debugKeepSigner.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { createDebugEvidence } from "./createDebugEvidence.ts";
import { parseDebugEvidence } from "./parseDebugEvidence.ts";
import { toHex } from "@keepledger/sdk/internal/util/bytes";
import { verifyDebugEvidence, type VerifyDebugEvidenceOptions, type VerifyDebugEvidenceResult } from "./verifyDebugEvidence.ts";

const RUNS = Number(process.env.KEEPLEDGER_FUZZ_RUNS ?? 2000);
const HOUR = 3_600_000;
const T = DEBUG_TEST_TIME.getTime();
const AT = new Date(T + 60_000);
const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, "hex"));
/** The Ed25519 identity point's encoding (y = 1). */
const IDENTITY = hex("0100000000000000000000000000000000000000000000000000000000000000");

type Outcome = { ok: true; result: VerifyDebugEvidenceResult } | { ok: false; code: string; message: string };

function outcome(bytes: Uint8Array, options: VerifyDebugEvidenceOptions = { at: AT }): Outcome {
  try {
    return { ok: true, result: verifyDebugEvidence(parseDebugEvidence(bytes), options) };
  } catch (e) {
    if (!isKeepledgerError(e)) throw new Error(`untyped throw: ${String(e)}`, { cause: e });
    return { ok: false, code: e.code, message: e.message };
  }
}

const measurement = new Uint8Array(32).fill(0x5a);
const reportData = new Uint8Array(64).map((_, i) => i);

describe("verifyDebugEvidence", () => {
  it("round-trips what createDebugEvidence made: the claims, always debug, never secure", async () => {
    const bytes = createDebugEvidence({ privateKey: DEBUG_TEST_KEYS.keep, measurement, reportData, timestamp: DEBUG_TEST_TIME });
    const r = verifyDebugEvidence(parseDebugEvidence(bytes), { at: AT });
    expect(r).toStrictEqual({
      ok: true,
      tee: "debug",
      claims: { measurement: toHex(measurement), reportData: toHex(reportData), publicKey: toHex(publicKeyOf(DEBUG_TEST_KEYS.keep)) },
      tcb: { status: "NotApplicable", advisoryIds: [] },
      debug: true,
      evidenceHash: keccak256(bytes),
      collateralHash: zeroHash,
      expiresAt: new Date(T + 24 * HOUR),
      verifiedAt: AT,
      platform: { insecure: true, note: "no TEE: debug Keep" },
    });
    expect(r.claims.publicKey).toMatch(/^0x[0-9a-f]{64}$/);
    // noble's Ed25519 accepts the same signature under the same key.
    expect(ed25519.verify(bytes.subarray(148), bytes.subarray(0, 148), Buffer.from(r.claims.publicKey.slice(2), "hex"))).toBe(true);
  });

  it("still verifies legacy version 1 (secp256k1) evidence, so verdicts made with it can be re-verified", async () => {
    const bytes = await signDebugV1TestEvidence({ measurement, reportData });
    const r = verifyDebugEvidence(parseDebugEvidence(bytes), { at: AT });
    expect(r.claims).toStrictEqual({
      measurement: toHex(measurement),
      reportData: toHex(reportData),
      publicKey: toHex(secp256k1PublicKeyOf(DEBUG_TEST_KEYS.keep)),
    });
    expect(r.evidenceHash).toBe(keccak256(bytes));
    expect(r.debug).toBe(true);
    // viem recovers the same key from the same bytes.
    const recovered = await recoverPublicKey({ hash: keccak256(bytes.subarray(0, 180)), signature: bytes.subarray(180) });
    expect(recovered).toBe(`0x04${r.claims.publicKey.slice(2)}`);
  });

  it("holds from the timestamp for the maximum age: 24 h by default, or as configured", async () => {
    const bytes = await signDebugTestEvidence();
    expect(outcome(bytes, { at: new Date(T) }).ok).toBe(true);
    expect(outcome(bytes, { at: new Date(T + 24 * HOUR) }).ok).toBe(true);
    expect(outcome(bytes, { at: new Date(T + 24 * HOUR + 1) })).toMatchObject({
      code: "DEBUG_EVIDENCE_TOO_OLD",
      message: "the debug Keep evidence is older than the maximum age (timestamp at offset 140)",
    });
    const r = outcome(bytes, { at: new Date(T + 30 * 60_000), maxAgeMs: HOUR });
    expect(r.ok && r.result.expiresAt).toEqual(new Date(T + HOUR));
    expect(outcome(bytes, { at: new Date(T + 2 * HOUR), maxAgeMs: HOUR })).toMatchObject({ code: "DEBUG_EVIDENCE_TOO_OLD" });
  });

  it("refuses evidence from the future, beyond 5 s of clock skew by default", async () => {
    const bytes = await signDebugTestEvidence();
    expect(outcome(bytes, { at: new Date(T - 5_000) }).ok).toBe(true);
    expect(outcome(bytes, { at: new Date(T - 5_001) })).toMatchObject({
      code: "DEBUG_EVIDENCE_FROM_FUTURE",
      message: "the debug Keep evidence is dated after the verification time (timestamp at offset 140)",
    });
    expect(outcome(bytes, { at: new Date(T - 1), clockToleranceMs: 0 })).toMatchObject({ code: "DEBUG_EVIDENCE_FROM_FUTURE" });
  });

  const rows: Array<{
    name: string;
    fields: DebugTestFields;
    options?: VerifyDebugEvidenceOptions;
    wantError: string;
    wantMessage?: string;
  }> = [
    {
      name: "a signature by another key",
      fields: { signer: DEBUG_TEST_KEYS.other, publicKey: publicKeyOf(DEBUG_TEST_KEYS.keep) },
      wantError: "DEBUG_SIGNATURE_INVALID",
      wantMessage: "the debug Keep signature is not by the embedded public key (signature at offset 148)",
    },
    {
      name: "another key's public key under a valid signature",
      fields: { publicKey: publicKeyOf(DEBUG_TEST_KEYS.other) },
      wantError: "DEBUG_SIGNATURE_INVALID",
    },
    { name: "S + L (the same signature, S not reduced)", fields: { sPlusL: true }, wantError: "DEBUG_SIGNATURE_INVALID" },
    { name: "an all-zero signature", fields: { signature: new Uint8Array(64) }, wantError: "DEBUG_SIGNATURE_INVALID" },
    { name: "an all-ff signature", fields: { signature: new Uint8Array(64).fill(0xff) }, wantError: "DEBUG_SIGNATURE_INVALID" },
    {
      // The identity "signs" every message with R = identity, S = 0: OpenSSL alone would accept this.
      name: "the identity as the key, with the signature that verifies under it",
      fields: { publicKey: IDENTITY, signature: new Uint8Array([...IDENTITY, ...new Uint8Array(32)]) },
      wantError: "DEBUG_PUBLIC_KEY_INVALID",
      wantMessage: "the debug Keep's public key is a small-order Ed25519 point (publicKey at offset 108)",
    },
    { name: "an all-zero public key (order 4)", fields: { publicKey: new Uint8Array(32) }, wantError: "DEBUG_PUBLIC_KEY_INVALID" },
    {
      name: "an order-8 public key with the sign bit set",
      fields: { publicKey: hex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85") },
      wantError: "DEBUG_PUBLIC_KEY_INVALID",
    },
    {
      name: "p + 1, a non-canonical identity",
      fields: { publicKey: hex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f") },
      wantError: "DEBUG_PUBLIC_KEY_INVALID",
    },
    { name: "a public key that is no point", fields: { publicKey: new Uint8Array(32).fill(0xff) }, wantError: "DEBUG_SIGNATURE_INVALID" },
    { name: "evidence from the future", fields: { timestamp: AT.getTime() + HOUR }, wantError: "DEBUG_EVIDENCE_FROM_FUTURE" },
    { name: "evidence from 1970", fields: { timestamp: 0 }, wantError: "DEBUG_EVIDENCE_TOO_OLD" },
    {
      name: "an invalid verification time",
      fields: {},
      options: { at: new Date(Number.NaN) },
      wantError: "DEBUG_VERIFY_TIME_INVALID",
      wantMessage: "the verification time, maximum age or clock tolerance is invalid",
    },
    { name: "a negative maximum age", fields: {}, options: { at: AT, maxAgeMs: -1 }, wantError: "DEBUG_VERIFY_TIME_INVALID" },
    {
      name: "a NaN clock tolerance",
      fields: {},
      options: { at: AT, clockToleranceMs: Number.NaN },
      wantError: "DEBUG_VERIFY_TIME_INVALID",
    },
  ];
  for (const row of rows) {
    it(`rejects ${row.name}: ${row.wantError}`, async () => {
      const o = outcome(await signDebugTestEvidence(row.fields), row.options);
      expect(o.ok ? "ok" : o.code).toBe(row.wantError);
      if (row.wantMessage && !o.ok) expect(o.message).toBe(row.wantMessage);
    });
  }

  it("refuses all eight small-order keys, as noble computes them (the multiples of an order-8 point)", async () => {
    const P = ed25519.ExtendedPoint;
    const order8 = P.fromHex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");
    const seen = new Set<string>();
    for (let i = 0n; i < 8n; i++) {
      const point = i === 0n ? P.ZERO : order8.multiplyUnsafe(i);
      expect(point.isSmallOrder()).toBe(true);
      seen.add(point.toHex());
      const o = outcome(await signDebugTestEvidence({ publicKey: point.toRawBytes() }));
      expect(o.ok ? "ok" : o.code).toBe("DEBUG_PUBLIC_KEY_INVALID");
    }
    expect(seen.size).toBe(8);
  });

  const v1Rows: Array<{
    name: string;
    fields: DebugV1TestFields;
    options?: VerifyDebugEvidenceOptions;
    wantError: string;
    wantMessage?: string;
  }> = [
    {
      name: "a signature by another key",
      fields: { signer: DEBUG_TEST_KEYS.other, publicKey: secp256k1PublicKeyOf(DEBUG_TEST_KEYS.keep) },
      wantError: "DEBUG_SIGNATURE_INVALID",
      wantMessage: "the debug Keep signature is not by the embedded public key (signature at offset 180)",
    },
    {
      name: "another key's public key under a valid signature",
      fields: { publicKey: secp256k1PublicKeyOf(DEBUG_TEST_KEYS.other) },
      wantError: "DEBUG_SIGNATURE_INVALID",
    },
    { name: "the other recovery bit", fields: { otherRecoveryBit: true }, wantError: "DEBUG_SIGNATURE_INVALID" },
    {
      name: "the high-s twin of a valid signature",
      fields: { highS: true },
      wantError: "DEBUG_SIGNATURE_HIGH_S",
      wantMessage: "the debug Keep signature has a high s (use low-s signatures) (signature at offset 212)",
    },
    {
      name: "r = 0",
      fields: { signature: new Uint8Array([...new Uint8Array(32), ...new Uint8Array(31), 1, 27]) },
      wantError: "DEBUG_SIGNATURE_INVALID",
      wantMessage: "the debug Keep signature's r or s is out of range (signature at offset 180)",
    },
    {
      name: "s = 0",
      fields: { signature: new Uint8Array([...new Uint8Array(31), 1, ...new Uint8Array(32), 27]) },
      wantError: "DEBUG_SIGNATURE_INVALID",
    },
    {
      name: "r = n",
      fields: { signature: new Uint8Array([...Buffer.from(SECP256K1_N.toString(16), "hex"), ...new Uint8Array(31), 1, 27]) },
      wantError: "DEBUG_SIGNATURE_INVALID",
    },
    {
      name: "an r that is no x-coordinate",
      fields: { signature: new Uint8Array([...new Uint8Array(31), 5, ...new Uint8Array(31), 1, 27]) },
      wantError: "DEBUG_SIGNATURE_INVALID",
    },
    {
      name: "a public key off the curve",
      fields: { publicKey: new Uint8Array(64).fill(1) },
      wantError: "DEBUG_PUBLIC_KEY_INVALID",
      wantMessage: "the debug Keep's public key is not a secp256k1 point (publicKey at offset 108)",
    },
    { name: "an all-zero public key", fields: { publicKey: new Uint8Array(64) }, wantError: "DEBUG_PUBLIC_KEY_INVALID" },
    { name: "coordinates ≥ p", fields: { publicKey: new Uint8Array(64).fill(0xff) }, wantError: "DEBUG_PUBLIC_KEY_INVALID" },
  ];
  for (const row of v1Rows) {
    it(`rejects legacy v1 with ${row.name}: ${row.wantError}`, async () => {
      const o = outcome(await signDebugV1TestEvidence(row.fields), row.options);
      expect(o.ok ? "ok" : o.code).toBe(row.wantError);
      if (row.wantMessage && !o.ok) expect(o.message).toBe(row.wantMessage);
    });
  }

  it("would accept the high-s twin but for the low-s rule: both recover the embedded key", async () => {
    const twin = await signDebugV1TestEvidence({ highS: true });
    const recovered = await recoverPublicKey({ hash: keccak256(twin.subarray(0, 180)), signature: twin.subarray(180) });
    expect(recovered.slice(4)).toBe(toHex(secp256k1PublicKeyOf(DEBUG_TEST_KEYS.keep)).slice(2));
    expect(BigInt(toHex(twin.subarray(212, 244))) > SECP256K1_N / 2n).toBe(true);
  });
});

describe("tampering with debug Keep evidence", () => {
  it("every byte flipped, with each of 9 masks, in either version: never accepted, always a typed error", async () => {
    const v2 = createDebugEvidence({ privateKey: DEBUG_TEST_KEYS.keep, measurement, reportData, timestamp: DEBUG_TEST_TIME });
    const v1 = await signDebugV1TestEvidence({ measurement, reportData });
    for (const original of [v2, v1]) {
      const codes = new Map<string, number>();
      for (const mask of [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff]) {
        for (let i = 0; i < original.length; i++) {
          const bytes = original.slice();
          bytes[i]! ^= mask;
          const o = outcome(bytes);
          // Every byte is signed or is the signature; canonical S (v2), low s and a fixed v (v1) leave one encoding per evidence.
          expect(o.ok, `v${original[8]} offset ${i} mask ${mask}`).toBe(false);
          if (!o.ok) codes.set(o.code, (codes.get(o.code) ?? 0) + 1);
        }
      }
      expect([...codes.values()].reduce((a, b) => a + b, 0)).toBe(9 * original.length);
      expect(codes.get("DEBUG_SIGNATURE_INVALID")).toBeGreaterThan(0);
    }
    expect([v2.length, v1.length]).toEqual([212, 245]);
  });

  it("fast-check: random mutations give a typed error, or ok only for the same bytes", () => {
    const original = createDebugEvidence({ privateKey: DEBUG_TEST_KEYS.keep, measurement, reportData, timestamp: DEBUG_TEST_TIME });
    const edit = fc.oneof(
      fc
        .record({ at: fc.nat(300), value: fc.integer({ min: 0, max: 255 }) })
        .map((m) => (b: number[]) => void (b[m.at % b.length] = m.value)),
      fc
        .record({ at: fc.nat(300), value: fc.uint8Array({ minLength: 1, maxLength: 4 }) })
        .map((m) => (b: number[]) => void b.splice(m.at % (b.length + 1), 0, ...m.value)),
      fc
        .record({ at: fc.nat(300), n: fc.integer({ min: 1, max: 8 }) })
        .map((m) => (b: number[]) => void b.splice(m.at % (b.length + 1), m.n)),
    );
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        const b = [...original];
        for (const e of edits) if (b.length > 0) e(b);
        const bytes = new Uint8Array(b);
        const o = outcome(bytes);
        if (o.ok) expect(Buffer.from(bytes).equals(original)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it("fast-check: arbitrary bytes behind a valid header never verify and never throw untyped", () => {
    const header = (version: number) => new Uint8Array([0x7f, ...Buffer.from("KEEPDBG"), version, 0, 0, 0]);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.uint8Array({ minLength: 200, maxLength: 200 }).map((b) => new Uint8Array([...header(2), ...b])),
          fc.uint8Array({ minLength: 233, maxLength: 233 }).map((b) => new Uint8Array([...header(1), ...b])),
        ),
        (bytes) => {
          expect(outcome(bytes).ok).toBe(false);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("fast-check: any key, fields and time round-trip through create → parse → verify", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }), // any 32 bytes are an Ed25519 seed
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        (privateKey, m, rd, timestamp) => {
          const bytes = createDebugEvidence({ privateKey, measurement: m, reportData: rd, timestamp });
          const o = outcome(bytes, { at: new Date(timestamp + 1) });
          expect(o.ok).toBe(true);
          if (o.ok) {
            expect(o.result.claims.measurement).toBe(toHex(m));
            expect(o.result.claims.reportData).toBe(toHex(rd));
            expect(o.result.debug).toBe(true);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
