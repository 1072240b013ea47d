import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fixtureText } from "../support/fixtures.ts";
import { recognizeEndorsementKeys } from "../../src/collateral/recognizeEndorsementKeys.ts";

const CPAK_PEM = fixtureText("arm-cca", "tfm-tools-example-ffm00-tag399", "cpak.pub.pem");

const exported = (pem: string): Uint8Array => new Uint8Array(createPublicKey(pem).export({ type: "spki", format: "der" }));
const pemOf = (der: Uint8Array, eol = "\n"): string =>
  `-----BEGIN PUBLIC KEY-----${eol}${(
    Buffer.from(der)
      .toString("base64")
      .match(/.{1,64}/g) ?? []
  ).join(eol)}${eol}-----END PUBLIC KEY-----${eol}`;

describe("CPAKs in PEM collateral", () => {
  it("names a P-384 key as OpenSSL exports it, whether it was read from the PEM body or exported", () => {
    const [key] = recognizeEndorsementKeys(CPAK_PEM, "cpak.pub.pem");
    expect(key!.spki).toEqual(exported(CPAK_PEM));
    expect(key!.source).toBe("cpak.pub.pem");
    // CRLF line ends, and a compressed point (OpenSSL exports it compressed): both as OpenSSL names them.
    expect(recognizeEndorsementKeys(pemOf(exported(CPAK_PEM), "\r\n"))[0]!.spki).toEqual(exported(CPAK_PEM));
    const { x, y } = createPublicKey(CPAK_PEM).export({ format: "jwk" });
    const compressed = Buffer.concat([
      Buffer.from("3046301006072a8648ce3d020106052b81040022033200", "hex"),
      Buffer.of(Buffer.from(y!, "base64url").at(-1)! & 1 ? 0x03 : 0x02),
      Buffer.from(x!, "base64url"),
    ]);
    expect(recognizeEndorsementKeys(pemOf(compressed))[0]!.spki).toEqual(exported(pemOf(compressed)));
  });

  it("skips keys on other curves and throws for a P-384 encoding whose point is off the curve", () => {
    const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }) as string;
    expect(recognizeEndorsementKeys(p256)).toEqual([]);
    const offCurve = exported(CPAK_PEM);
    offCurve[offCurve.length - 1]! ^= 0x01; // y changed: the 120-byte form of a P-384 key, but no point of the curve
    expect(() => recognizeEndorsementKeys(pemOf(offCurve))).toThrow();
  });
});
