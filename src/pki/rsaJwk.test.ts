import { describe, expect, it } from "vitest";
import { generateKeyPairSync, sign, verify, constants } from "node:crypto";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { rsaPublicKeyFromJwk } from "./rsaJwk.ts";

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (!isKeepledgerError(e)) throw e;
    return e.code;
  }
  return "accepted";
}

describe("rsaPublicKeyFromJwk", () => {
  const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = pair.publicKey.export({ format: "jwk" });
  const b64 = (b: Uint8Array): string => Buffer.from(b).toString("base64url");
  const n = Buffer.from(jwk.n!, "base64url");

  it("imports a 2048-bit key that verifies what its private key signed", () => {
    const { key, modulusBytes } = rsaPublicKeyFromJwk(jwk.n!, jwk.e!);
    expect(modulusBytes).toBe(256);
    const sig = sign("sha256", Buffer.from("m"), pair.privateKey);
    expect(verify("sha256", Buffer.from("m"), { key, padding: constants.RSA_PKCS1_PADDING }, sig)).toBe(true);
  });

  it.each([
    [2048, 65537],
    [3072, 3],
    [4096, 65537],
    [2056, 0x01000001],
  ])("encodes the SubjectPublicKeyInfo of a %i-bit key with e = %i exactly as OpenSSL exports it", (bits, e) => {
    const pub = generateKeyPairSync("rsa", { modulusLength: bits, publicExponent: e }).publicKey;
    const k = pub.export({ format: "jwk" });
    const { key, spki } = rsaPublicKeyFromJwk(k.n!, k.e!);
    expect(Buffer.from(spki).equals(pub.export({ type: "spki", format: "der" }))).toBe(true);
    expect(key.equals(pub)).toBe(true);
  });

  it("refuses what is not a minimal, odd, 2048..4096-bit key, with RSA_JWK_INVALID", () => {
    expect(codeOf(() => rsaPublicKeyFromJwk(jwk.n! + "=", jwk.e!))).toBe("RSA_JWK_INVALID");
    expect(codeOf(() => rsaPublicKeyFromJwk(b64(new Uint8Array([0, ...n])), jwk.e!))).toBe("RSA_JWK_INVALID");
    expect(codeOf(() => rsaPublicKeyFromJwk(b64(n.subarray(0, 128)), jwk.e!))).toBe("RSA_JWK_INVALID");
    expect(codeOf(() => rsaPublicKeyFromJwk(b64(new Uint8Array(513).fill(0xff)), jwk.e!))).toBe("RSA_JWK_INVALID");
    expect(codeOf(() => rsaPublicKeyFromJwk(jwk.n!, b64(new Uint8Array([2]))))).toBe("RSA_JWK_INVALID");
    expect(codeOf(() => rsaPublicKeyFromJwk(jwk.n!, b64(new Uint8Array([1]))))).toBe("RSA_JWK_INVALID");
    expect(codeOf(() => rsaPublicKeyFromJwk(jwk.n!, b64(new Uint8Array([0, 1, 0, 1]))))).toBe("RSA_JWK_INVALID");
    expect(codeOf(() => rsaPublicKeyFromJwk(jwk.n!, b64(new Uint8Array([1, 0, 0, 0, 1]))))).toBe("RSA_JWK_INVALID");
  });
});
