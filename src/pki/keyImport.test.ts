import { constants, generateKeyPairSync, sign, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { importEcPoint, importSpki, p1363ToDer } from "./keyImport.ts";
import { verifyWith } from "./x509/signatureAlgorithm.ts";

const CURVES = [
  { curve: "P-256", namedCurve: "prime256v1", hash: "sha256", n: 32 },
  { curve: "P-384", namedCurve: "secp384r1", hash: "sha384", n: 48 },
] as const;

describe("importSpki", () => {
  it.each(["ec", "rsa", "ed25519"] as const)("imports a %s SubjectPublicKeyInfo as the same key", (type) => {
    const { publicKey } =
      type === "ec"
        ? generateKeyPairSync("ec", { namedCurve: "P-384" })
        : type === "rsa"
          ? generateKeyPairSync("rsa", { modulusLength: 2048 })
          : generateKeyPairSync("ed25519");
    const spki = publicKey.export({ type: "spki", format: "der" });
    // A view into a larger buffer, as the certificate parser hands it over.
    const framed = Buffer.concat([Buffer.from([1, 2, 3]), spki, Buffer.from([4])]);
    const key = importSpki(framed.subarray(3, 3 + spki.length));
    expect(key.equals(publicKey)).toBe(true);
  });

  it("refuses bytes that are not a SubjectPublicKeyInfo", () => {
    expect(() => importSpki(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01))).toThrow();
    expect(() => importSpki(new Uint8Array())).toThrow();
  });
});

describe("importEcPoint", () => {
  it.each(CURVES)("imports an uncompressed $curve point x‖y", ({ curve, namedCurve }) => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve });
    const jwk = publicKey.export({ format: "jwk" });
    const xy = Buffer.concat([Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url")]);
    expect(importEcPoint(curve, xy).equals(publicKey)).toBe(true);
  });

  it("refuses a point of the wrong length and a point off the curve", () => {
    expect(() => importEcPoint("P-256", new Uint8Array(63))).toThrow(RangeError);
    expect(() => importEcPoint("P-384", new Uint8Array(64))).toThrow(/P-384 point is 96 bytes/);
    expect(() => importEcPoint("P-256", new Uint8Array(64).fill(1))).toThrow();
  });
});

describe("p1363ToDer", () => {
  it.each(CURVES)("turns every $curve r‖s signature into the DER that verifies (300 signatures)", ({ namedCurve, hash, n }) => {
    const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve });
    for (let i = 0; i < 300; i++) {
      const data = Buffer.from(`message ${i}`);
      const raw = sign(hash, data, { key: privateKey, dsaEncoding: "ieee-p1363" });
      const der = p1363ToDer(raw, n);
      expect(der).toBeDefined();
      expect(verify(hash, data, publicKey, der!)).toBe(true);
    }
  });

  it("encodes leading zeros away and a high bit with a 0x00 before it", () => {
    const r = Buffer.alloc(32);
    r[31] = 0x05; // r = 5: 31 leading zero octets
    const s = Buffer.alloc(32, 0xff); // s with its high bit set
    const der = p1363ToDer(Buffer.concat([r, s]), 32)!;
    expect(Buffer.from(der).toString("hex")).toBe(`3026020105022100${"ff".repeat(32)}`);
    // r = 0 stays one zero octet (OpenSSL refuses the signature; the encoding is still well formed).
    expect(Buffer.from(p1363ToDer(Buffer.alloc(64), 32)!).toString("hex")).toBe("3006020100020100");
    // P-521: the sequence outgrows the short length form.
    const long = p1363ToDer(Buffer.alloc(132, 0x80), 66)!;
    expect(Buffer.from(long.subarray(0, 6)).toString("hex")).toBe("30818a024300");
    expect(long).toHaveLength(3 + 2 * 69);
  });

  it("gives no encoding for a signature that is not 2n bytes", () => {
    expect(p1363ToDer(new Uint8Array(96), 32)).toBeUndefined();
    expect(p1363ToDer(new Uint8Array(64), 48)).toBeUndefined();
    expect(p1363ToDer(new Uint8Array(63), 32)).toBeUndefined();
    expect(p1363ToDer(new Uint8Array(0), 0)).toBeUndefined();
  });
});

describe("verifyWith (ECDSA, r‖s)", () => {
  it.each(CURVES)("accepts a $curve signature and refuses it altered, truncated or padded", ({ namedCurve, hash, n }) => {
    const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve });
    const data = Buffer.from("signed bytes");
    const raw = sign(hash, data, { key: privateKey, dsaEncoding: "ieee-p1363" });
    const alg = { kind: "ecdsa", hash } as const;
    expect(verifyWith(alg, data, raw, publicKey, "p1363")).toBe(true);
    const flipped = Buffer.from(raw);
    flipped[n - 1]! ^= 1;
    expect(verifyWith(alg, data, flipped, publicKey, "p1363")).toBe(false);
    expect(verifyWith(alg, data, raw.subarray(1), publicKey, "p1363")).toBe(false);
    expect(verifyWith(alg, data, Buffer.concat([Buffer.alloc(1), raw]), publicKey, "p1363")).toBe(false);
    expect(verifyWith(alg, Buffer.from("other bytes"), raw, publicKey, "p1363")).toBe(false);
  });

  it("refuses r‖s whose length is not that of the curve paired with the hash, as node:crypto does for the key's", () => {
    const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const data = Buffer.from("signed bytes");
    const raw = sign("sha384", data, { key: privateKey, dsaEncoding: "ieee-p1363" }); // 64 bytes: P-256's r‖s
    expect(verify("sha384", data, { key: publicKey, dsaEncoding: "ieee-p1363" }, raw)).toBe(true);
    expect(verifyWith({ kind: "ecdsa", hash: "sha384" }, data, raw, publicKey, "p1363")).toBe(false);
    // With the curve that is paired with the hash, the r‖s of that curve's length verifies, and no other.
    const p384 = generateKeyPairSync("ec", { namedCurve: "secp384r1" });
    const good = sign("sha384", data, { key: p384.privateKey, dsaEncoding: "ieee-p1363" });
    expect(verifyWith({ kind: "ecdsa", hash: "sha384" }, data, good, p384.publicKey, "p1363")).toBe(true);
    expect(verifyWith({ kind: "ecdsa", hash: "sha384" }, data, good.subarray(0, 64), p384.publicKey, "p1363")).toBe(false);
  });
});

describe("verifyWith (RSA)", () => {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const data = Buffer.from("signed bytes");
  const pkcs1 = sign("sha256", data, privateKey);
  const pss = sign("sha384", data, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 });

  it("checks PKCS#1 v1.5 and PSS each with its own padding and salt length, and restores the stack trace limit", () => {
    const limit = Error.stackTraceLimit;
    expect(verifyWith({ kind: "rsa-pkcs1", hash: "sha256" }, data, pkcs1, publicKey)).toBe(true);
    expect(verifyWith({ kind: "rsa-pss", hash: "sha384", saltLength: 48 }, data, pss, publicKey)).toBe(true);
    expect(Error.stackTraceLimit).toBe(limit);
    expect(verifyWith({ kind: "rsa-pss", hash: "sha384", saltLength: 32 }, data, pss, publicKey)).toBe(false);
    expect(verifyWith({ kind: "rsa-pkcs1", hash: "sha384" }, data, pss, publicKey)).toBe(false);
    expect(verifyWith({ kind: "rsa-pss", hash: "sha256", saltLength: 32 }, data, pkcs1, publicKey)).toBe(false);
    expect(Error.stackTraceLimit).toBe(limit);
  });

  it("never reads a PKCS#1 v1.5 algorithm as PSS because the key is an RSASSA-PSS key, nor verifies with an EC key", () => {
    const pssKey = generateKeyPairSync("rsa-pss", { modulusLength: 2048 });
    const pssSigned = sign("sha256", data, pssKey.privateKey); // PSS: the default padding of an "rsa-pss" key
    expect(verify("sha256", data, pssKey.publicKey, pssSigned)).toBe(true);
    expect(verifyWith({ kind: "rsa-pkcs1", hash: "sha256" }, data, pssSigned, pssKey.publicKey)).toBe(false);
    const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey;
    expect(verifyWith({ kind: "rsa-pkcs1", hash: "sha256" }, data, pkcs1, ec)).toBe(false);
  });
});
