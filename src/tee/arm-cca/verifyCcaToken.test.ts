import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { readdirSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EvidenceFormatError, VerificationError, isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { encodeCbor, cborHead } from "../../../test/support/nitroCbor.ts";
import { fixtureBytes, fixturePath, fixtureText } from "../../../test/support/fixtures.ts";
import { cpakFromKey, cpakFromPem, cpaksFromCollateral, cpaksFromCollateralFiles, type CpakEndorsement } from "./cpak.ts";
import { parseCcaToken, type CcaSignedToken } from "./parseCcaToken.ts";
import { verifyCcaToken } from "./verifyCcaToken.ts";
import { toHex } from "@keepledger/sdk/internal/util/bytes";
import { emptyCollateral, type CollateralSet } from "../../collateral/types.ts";

const KIND = "arm-cca";
const SETS = readdirSync(fixturePath(KIND), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

interface CcaExpected {
  verify_at: string;
  expected_result: "accept" | "reject";
  key_claims: Record<string, unknown> & {
    collection_tag: number;
    platform_profile: string;
    platform_challenge: string;
    realm_challenge: string;
    implementation_id: string;
    instance_id: string;
    lifecycle: number;
    platform_config: string;
    platform_sw_components: { type: string; measurement: string; signer_id: string }[];
    realm_initial_measurement: string;
    realm_extensible_measurements: string[];
    personalization_value: string;
    realm_measurement_hash_alg_44236: string;
    rak_hash_alg_44240: string;
  };
}

function expectedOf(set: string): CcaExpected {
  return JSON.parse(fixtureText(KIND, set, "expected.json")) as CcaExpected;
}

/** The set's folder as collateral, as `--collateral <dir>` hands it over. */
function folderCpaks(set: string): CpakEndorsement[] {
  const files = readdirSync(fixturePath(KIND, set))
    .filter((name) => name !== "token.cbor")
    .map((name) => ({ name, bytes: fixtureBytes(KIND, set, name) }));
  return cpaksFromCollateralFiles(files);
}

const hex = (h: string) => `0x${h}`;

/** Parse + verify; the typed error code, or "accept". */
function outcome(bytes: Uint8Array, cpaks: readonly CpakEndorsement[], at: Date): string {
  try {
    verifyCcaToken(parseCcaToken(bytes), { at, trustedCpaks: cpaks });
    return "accept";
  } catch (error) {
    if (!isKeepledgerError(error)) throw error;
    return error.code;
  }
}

describe("Arm CCA vectors", () => {
  it("has both shipped sets", () => {
    expect(SETS.sort()).toEqual(["rust-ccatoken-bug33-unbound", "tfm-tools-example-ffm00-tag399"]);
  });

  for (const set of SETS) {
    const expected = expectedOf(set);
    const at = new Date(expected.verify_at);
    const bytes = fixtureBytes(KIND, set, "token.cbor");

    it(`${set}: parses every claim as the independent checker read it`, () => {
      const token = parseCcaToken(bytes);
      const k = expected.key_claims;
      expect(token.collectionTag).toBe(k.collection_tag);
      const p = token.platform.claims;
      expect(p.profile).toBe(k.platform_profile);
      expect(toHex(p.challenge)).toBe(hex(k.platform_challenge));
      expect(toHex(p.implementationId)).toBe(hex(k.implementation_id));
      expect(toHex(p.instanceId)).toBe(hex(k.instance_id));
      expect(p.lifecycle).toBe(k.lifecycle);
      expect(toHex(p.config)).toBe(hex(k.platform_config));
      expect(p.swComponents.map((c) => ({ type: c.type, measurement: toHex(c.measurement), signer_id: toHex(c.signerId) }))).toEqual(
        k.platform_sw_components.map((c) => ({ type: c.type, measurement: hex(c.measurement), signer_id: hex(c.signer_id) })),
      );
      const r = token.realm.claims;
      expect(toHex(r.challenge)).toBe(hex(k.realm_challenge));
      expect(toHex(r.initialMeasurement)).toBe(hex(k.realm_initial_measurement));
      expect(r.extensibleMeasurements.map(toHex)).toEqual(k.realm_extensible_measurements.map(hex));
      expect(toHex(r.personalizationValue)).toBe(hex(k.personalization_value));
      expect(r.hashAlgorithm).toBe(k.realm_measurement_hash_alg_44236);
      expect(r.publicKeyHashAlgorithm).toBe(k.rak_hash_alg_44240);
      expect(r.unknownLabels).toEqual([]);
      expect(p.unknownLabels).toEqual([]);
    });

    it(`${set}: gives its expected result (${expected.expected_result}) with its folder as collateral`, () => {
      const cpaks = folderCpaks(set);
      expect(cpaks.length).toBeGreaterThan(0);
      const got = outcome(bytes, cpaks, at);
      expect(got).toBe(expected.expected_result === "accept" ? "accept" : "CCA_BINDING_MISMATCH");
    });

    it(`${set}: truncated at every offset is a typed format error, never a crash`, () => {
      for (let n = 0; n < bytes.length; n++) {
        try {
          parseCcaToken(bytes.subarray(0, n));
          expect.unreachable(`a ${n}-byte prefix parsed`);
        } catch (error) {
          expect(error, `prefix ${n}`).toBeInstanceOf(EvidenceFormatError);
        }
      }
    });

    // Every byte of each signed region, each signature and the envelope, tampered: ccaTamper.test.ts.
  }

  const good = "tfm-tools-example-ffm00-tag399";
  const goodBytes = fixtureBytes(KIND, good, "token.cbor");
  const at = new Date(expectedOf(good).verify_at);

  it("the accepted test token is labelled insecure: its CPAK is a published test key", () => {
    const result = verifyCcaToken(parseCcaToken(goodBytes), { at, trustedCpaks: folderCpaks(good) });
    expect(result.debug).toBe(true);
    expect(result.platform.testKey).toBe(true);
    expect(result.platform.cpakFingerprint).toBe("0x0928f896cb02326566530a62a1e36329a12d0a4a308f4fc81e8ff5560bca6bca");
    expect(result.tee).toBe("arm-cca");
    expect(result.claims.reportData).toBe(hex(expectedOf(good).key_claims.realm_challenge));
    expect(result.verifiedAt).toEqual(at);
    expect(result.expiresAt).toEqual(new Date(at.getTime() + 24 * 3600_000));
  });

  it("the folder's collateral is read from the PEM, the JWK and the Veraison trust-anchor list", () => {
    const cpaks = folderCpaks(good);
    expect(cpaks.map((c) => c.source).sort()).toEqual(["cpak.jwk.json", "cpak.pub.pem", "ta-tfa.json"]);
    expect(new Set(cpaks.map((c) => c.fingerprint)).size).toBe(1);
    const ta = cpaks.find((c) => c.source === "ta-tfa.json")!;
    expect(ta.instanceId).toBe(hex(expectedOf(good).key_claims.instance_id));
  });

  it("is refused without a trusted CPAK, with only a test signer's CPAK, and with a CPAK narrowed to another instance", () => {
    expect(outcome(goodBytes, [], at)).toBe("CCA_PLATFORM_NOT_ENDORSED");
    const signerCpak = cpakFromKey(generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey, { source: "test signer" });
    expect(outcome(goodBytes, [signerCpak], at)).toBe("CCA_PLATFORM_NOT_ENDORSED");
    const pem = fixtureText(KIND, good, "cpak.pub.pem");
    const otherInstance = `0x01${"ab".repeat(32)}` as const;
    expect(outcome(goodBytes, [cpakFromPem(pem, { instanceId: otherInstance })], at)).toBe("CCA_PLATFORM_NOT_ENDORSED");
    expect(outcome(goodBytes, [cpakFromPem(pem, { implementationId: `0x${"00".repeat(32)}` })], at)).toBe("CCA_PLATFORM_NOT_ENDORSED");
    const k = expectedOf(good).key_claims;
    expect(outcome(goodBytes, [cpakFromPem(pem, { instanceId: hex(k.instance_id) as `0x${string}` })], at)).toBe("accept");
  });

  it("names a CPAK from collateral as OpenSSL exports its key, whichever way the collateral encoded it", () => {
    const key = createPublicKey(fixtureText(KIND, good, "cpak.pub.pem"));
    const canonical = new Uint8Array(key.export({ type: "spki", format: "der" }));
    const jwk = key.export({ format: "jwk" });
    // The same point compressed: 0x02 or 0x03 by y's parity, then x.
    const y = Buffer.from(jwk.y!, "base64url");
    const compressedSpki = Buffer.concat([
      Buffer.from("3046301006072a8648ce3d020106052b81040022033200", "hex"),
      Buffer.of(y[y.length - 1]! & 1 ? 0x03 : 0x02),
      Buffer.from(jwk.x!, "base64url"),
    ]);
    const set = (spki: Uint8Array): CollateralSet => ({ ...emptyCollateral(), endorsementKeys: [{ spki, source: "t" }] });
    const [a] = cpaksFromCollateral(set(canonical));
    const [b] = cpaksFromCollateral(set(new Uint8Array(compressedSpki)));
    // The names are those OpenSSL's export gives (it keeps a compressed point compressed), skipped or not.
    expect(a!.fingerprint).toBe(cpakFromPem(fixtureText(KIND, good, "cpak.pub.pem")).fingerprint);
    expect(b!.spki).toEqual(new Uint8Array(compressedSpki));
    expect(b!.fingerprint).toBe(cpakFromKey(createPublicKey({ key: compressedSpki, format: "der", type: "spki" })).fingerprint);
    expect(outcome(goodBytes, [b!], at)).toBe("accept");
    // A P-256 key is no CPAK, in whichever form.
    const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "der" });
    expect(() => cpaksFromCollateral(set(new Uint8Array(p256)))).toThrow(/EC P-384/);
  });

  it("the binding failure of bug 33 is found whatever CPAKs are trusted", () => {
    const bytes = fixtureBytes(KIND, "rust-ccatoken-bug33-unbound", "token.cbor");
    expect(outcome(bytes, [], at)).toBe("CCA_BINDING_MISMATCH");
    try {
      verifyCcaToken(parseCcaToken(bytes), { at, trustedCpaks: [] });
    } catch (error) {
      expect(error).toBeInstanceOf(VerificationError);
      expect((error as VerificationError).shortMessage).toBe("the platform token's challenge is not the hash of the realm public key");
      expect((error as VerificationError).details).toMatchObject({
        got: "0x07060504030201000f0e0d0c0b0a090817161514131211101f1e1d1c1b1a1918",
        want: "0xb5973cb68baa9fc55558786b7ec67f69e40df5ba5aa921cd0c27f40587a011ea",
        algorithm: "sha-256",
      });
    }
  });

  it("the same signed tokens in the tag 907 (CMW) collection verify alike", () => {
    const token = parseCcaToken(goodBytes);
    const entry = (part: CcaSignedToken<unknown>) => [263, goodBytes.subarray(part.offset, part.offset + part.cose.spans.signature.end)];
    const cmw = new Uint8Array(
      Buffer.concat([
        cborHead(6, 907),
        encodeCbor(
          new Map([
            [44234, entry(token.platform)],
            [44241, entry(token.realm)],
          ]),
        ),
      ]),
    );
    const parsed = parseCcaToken(cmw);
    expect(parsed.collectionTag).toBe(907);
    expect(parsed.platform.contentFormat).toBe(263);
    const result = verifyCcaToken(parsed, { at, trustedCpaks: folderCpaks(good) });
    expect(result.claims).toEqual(verifyCcaToken(token, { at, trustedCpaks: folderCpaks(good) }).claims);
    expect(result.platform.collectionTag).toBe(907);
  });

  it("parses and verifies a token warm within 50 ms (prints the time)", () => {
    const cpaks = folderCpaks(good);
    for (let i = 0; i < 20; i++) verifyCcaToken(parseCcaToken(goodBytes), { at, trustedCpaks: cpaks });
    const runs = 200;
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) verifyCcaToken(parseCcaToken(goodBytes), { at, trustedCpaks: cpaks });
    const perToken = (performance.now() - t0) / runs;
    console.log(`arm-cca parse+verify warm: ${perToken.toFixed(3)} ms/token`);
    expect(perToken).toBeLessThan(50);
  });
});

describe("Arm CCA tokens under random mutation", () => {
  it("a mutated token (bytes changed, inserted, deleted) is refused with a typed error, never a crash", () => {
    const bytes = fixtureBytes(KIND, "tfm-tools-example-ffm00-tag399", "token.cbor");
    const at = new Date("2026-03-01T00:00:00Z");
    const cpaks = folderCpaks("tfm-tools-example-ffm00-tag399");
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 }), fc.constantFrom("set", "insert", "delete")), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const out = [...bytes];
          for (const [i, value, op] of edits) {
            const pos = Math.min(i, out.length - 1);
            if (op === "set") out[pos] = value;
            else if (op === "insert") out.splice(pos, 0, value);
            else out.splice(pos, 1);
          }
          const mutated = Uint8Array.from(out);
          const got = outcome(mutated, cpaks, at);
          // Only a no-op edit (same value written back) may still verify.
          if (got === "accept") expect(Buffer.from(mutated).equals(Buffer.from(bytes))).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
