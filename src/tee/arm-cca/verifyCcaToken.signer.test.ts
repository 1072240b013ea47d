/**
 * Tokens made at test time by a test signer (its own CPAK and RAK, its own CBOR
 * encoder from test/support): the cases no published token covers.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { cborHead, encodeCbor, type CborInput } from "../../../test/support/nitroCbor.ts";
import { cpakFromKey, type CpakEndorsement } from "./cpak.ts";
import { detectCcaToken } from "./detectCcaToken.ts";
import { parseCcaToken } from "./parseCcaToken.ts";
import { verifyCcaToken } from "./verifyCcaToken.ts";

const AT = new Date("2026-03-01T00:00:00Z");
const ES384_PROTECTED = Uint8Array.of(0xa1, 0x01, 0x38, 0x22);
const OMIT = Symbol("omit");
type Overrides = Record<number, CborInput | typeof OMIT>;

function p384(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync("ec", { namedCurve: "P-384" });
}

const CPAK = p384();
const RAK = p384();
const TRUSTED: CpakEndorsement[] = [cpakFromKey(CPAK.publicKey, { source: "test signer" })];

function coordinates(key: KeyObject): { x: Uint8Array; y: Uint8Array } {
  const jwk = key.export({ format: "jwk" });
  return { x: new Uint8Array(Buffer.from(jwk.x!, "base64url")), y: new Uint8Array(Buffer.from(jwk.y!, "base64url")) };
}

function coseKey(key: KeyObject): Uint8Array {
  const { x, y } = coordinates(key);
  return encodeCbor(
    new Map<CborInput, CborInput>([
      [1, 2],
      [-1, 2],
      [-2, x],
      [-3, y],
    ]),
  );
}

function rawPoint(key: KeyObject): Uint8Array {
  const { x, y } = coordinates(key);
  return new Uint8Array(Buffer.concat([Uint8Array.of(4), x, y]));
}

function bytes(n: number, fill: number): Uint8Array {
  return new Uint8Array(n).fill(fill);
}

function claims(base: [number, CborInput][], overrides: Overrides): Map<CborInput, CborInput> {
  const map = new Map<CborInput, CborInput>(base);
  for (const [label, value] of Object.entries(overrides)) {
    if (value === OMIT) map.delete(Number(label));
    else map.set(Number(label), value);
  }
  return map;
}

/** COSE_Sign1 with tag 18; the Sig_structure written with the test encoder, not the verifier's. */
function sign1(privateKey: KeyObject, payload: Uint8Array, protectedHeader = ES384_PROTECTED): Uint8Array {
  const toBeSigned = encodeCbor(["Signature1", protectedHeader, new Uint8Array(0), payload]);
  const signature = new Uint8Array(sign("sha384", toBeSigned, { key: privateKey, dsaEncoding: "ieee-p1363" }));
  return new Uint8Array(Buffer.concat([cborHead(6, 18), encodeCbor([protectedHeader, new Map(), payload, signature])]));
}

interface TokenOptions {
  realm?: Overrides;
  platform?: Overrides;
  /** RMM 1.0 realm token: no profile, RAK as a raw point. */
  legacy?: boolean;
  tag?: 399 | 907;
  rakHash?: "sha256" | "sha512";
  cpak?: KeyObject;
  rak?: KeyObject;
}

function makeToken(options: TokenOptions = {}): Uint8Array {
  // The RAK claim always names the signer's RAK; `rak` only changes the key that signs the realm token.
  const rakBytes = options.legacy ? rawPoint(RAK.publicKey) : coseKey(RAK.publicKey);
  const rakHash = options.rakHash ?? "sha256";
  const realm = claims(
    [
      ...(options.legacy ? [] : [[265, "tag:arm.com,2023:realm#1.0.0"] as [number, CborInput]]),
      [10, bytes(64, 0xc1)],
      [44235, bytes(64, 0x50)],
      [44236, "sha-256"],
      [44237, rakBytes],
      [44238, bytes(32, 0x11)],
      [44239, [bytes(32, 0x21), bytes(32, 0x22), bytes(32, 0x23), bytes(32, 0x24)]],
      [44240, rakHash === "sha256" ? "sha-256" : "sha-512"],
    ],
    options.realm ?? {},
  );
  const component = (type: string, fill: number) =>
    new Map<CborInput, CborInput>([
      [1, type],
      [2, bytes(32, fill)],
      [5, bytes(32, 0x53)],
    ]);
  const platform = claims(
    [
      [265, "tag:arm.com,2023:cca_platform#1.0.0"],
      [10, new Uint8Array(createHash(rakHash).update(rakBytes).digest())],
      [2396, bytes(32, 0x7f)],
      [256, Uint8Array.of(1, ...bytes(32, 0x07))],
      [2401, Uint8Array.of(0xcf, 0xcf)],
      [2395, 0x3003],
      [2402, "sha-256"],
      [2399, [component("RSE_BL1_2", 0x9a), component("RMM", 0xa1)]],
    ],
    options.platform ?? {},
  );
  const realmToken = sign1(options.rak ?? RAK.privateKey, encodeCbor(realm));
  const platformToken = sign1(options.cpak ?? CPAK.privateKey, encodeCbor(platform));
  const tag = options.tag ?? 399;
  const entry = (t: Uint8Array): CborInput => (tag === 907 ? [263, t] : t);
  return new Uint8Array(
    Buffer.concat([
      cborHead(6, tag),
      encodeCbor(
        new Map<CborInput, CborInput>([
          [44234, entry(platformToken)],
          [44241, entry(realmToken)],
        ]),
      ),
    ]),
  );
}

function outcome(token: Uint8Array, trusted: CpakEndorsement[] = TRUSTED): string {
  try {
    verifyCcaToken(parseCcaToken(token), { at: AT, trustedCpaks: trusted });
    return "accept";
  } catch (error) {
    if (!isKeepledgerError(error)) throw error;
    return error.code;
  }
}

describe("Arm CCA tokens from a test signer", () => {
  it("a token endorsed by a CPAK that is not a published test key verifies and is not insecure", () => {
    for (const form of [{}, { legacy: true }, { tag: 907 as const }, { rakHash: "sha512" as const }]) {
      const result = verifyCcaToken(parseCcaToken(makeToken(form)), { at: AT, trustedCpaks: TRUSTED });
      expect(result.debug, JSON.stringify(form)).toBe(false);
      expect(result.platform.testKey).toBe(false);
      expect(result.claims.platformSwComponents.map((c) => c.type)).toEqual(["RSE_BL1_2", "RMM"]);
    }
  });

  it("the binding uses claim 44240, not 44236", () => {
    // 44236 says sha-512 for the measurements; the challenge is SHA-256(RAK) as 44240 says: bound.
    const realm = {
      44236: "sha-512",
      44238: bytes(64, 0x11),
      44239: [bytes(64, 1), bytes(64, 2), bytes(64, 3), bytes(64, 4)],
    };
    expect(outcome(makeToken({ realm }))).toBe("accept");
    // The challenge hashed with 44236's algorithm (the confusion of bug 33's class) is not bound.
    expect(
      outcome(makeToken({ realm, platform: { 10: new Uint8Array(createHash("sha512").update(coseKey(RAK.publicKey)).digest()) } })),
    ).toBe("CCA_BINDING_MISMATCH");
  });

  it("a lifecycle that is not secured makes the token insecure", () => {
    const result = verifyCcaToken(parseCcaToken(makeToken({ platform: { 2395: 0x5000 } })), { at: AT, trustedCpaks: TRUSTED });
    expect(result.debug).toBe(true);
    expect(result.platform.securedLifecycle).toBe(false);
    expect(verifyCcaToken(parseCcaToken(makeToken({ platform: { 2395: 0x4001 } })), { at: AT, trustedCpaks: TRUSTED }).debug).toBe(false);
  });

  it("refuses tokens signed by the wrong keys", () => {
    const other = p384();
    expect(outcome(makeToken({ cpak: other.privateKey }))).toBe("CCA_PLATFORM_NOT_ENDORSED");
    expect(outcome(makeToken(), [cpakFromKey(other.publicKey)])).toBe("CCA_PLATFORM_NOT_ENDORSED");
    expect(outcome(makeToken(), [cpakFromKey(other.publicKey), ...TRUSTED])).toBe("accept");
    expect(outcome(makeToken({ rak: other.privateKey }))).toBe("CCA_REALM_SIGNATURE_INVALID");
  });

  const cases: { name: string; options: TokenOptions; wantError: string }[] = [
    { name: "realm challenge of 32 bytes", options: { realm: { 10: bytes(32, 1) } }, wantError: "CCA_CLAIM_SIZE" },
    { name: "realm challenge missing", options: { realm: { 10: OMIT } }, wantError: "CCA_CLAIM_MISSING" },
    { name: "realm challenge as text", options: { realm: { 10: "x".repeat(64) } }, wantError: "CCA_CLAIM_TYPE" },
    { name: "personalization value of 63 bytes", options: { realm: { 44235: bytes(63, 1) } }, wantError: "CCA_CLAIM_SIZE" },
    { name: "RIM of 48 bytes with sha-256", options: { realm: { 44238: bytes(48, 1) } }, wantError: "CCA_CLAIM_SIZE" },
    { name: "three REMs", options: { realm: { 44239: [bytes(32, 1), bytes(32, 2), bytes(32, 3)] } }, wantError: "CCA_CLAIM_SIZE" },
    {
      name: "a REM of 64 bytes with sha-256",
      options: { realm: { 44239: [bytes(32, 1), bytes(64, 2), bytes(32, 3), bytes(32, 4)] } },
      wantError: "CCA_CLAIM_SIZE",
    },
    { name: "measurement hash sha-1", options: { realm: { 44236: "sha-1" } }, wantError: "CCA_CLAIM_INVALID" },
    { name: "RAK hash algorithm missing", options: { realm: { 44240: OMIT } }, wantError: "CCA_CLAIM_MISSING" },
    { name: "RAK hash algorithm as integer", options: { realm: { 44240: 1 } }, wantError: "CCA_CLAIM_TYPE" },
    { name: "unknown realm profile", options: { realm: { 265: "tag:arm.com,2099:realm#9" } }, wantError: "CCA_CLAIM_INVALID" },
    { name: "legacy RAK of 96 bytes", options: { legacy: true, realm: { 44237: bytes(96, 4) } }, wantError: "CCA_REALM_KEY_INVALID" },
    {
      name: "legacy RAK not on the curve",
      options: { legacy: true, realm: { 44237: Uint8Array.of(4, ...bytes(96, 1)) } },
      wantError: "CCA_REALM_KEY_INVALID",
    },
    {
      name: "COSE_Key RAK on P-256",
      options: {
        realm: {
          44237: encodeCbor(
            new Map<CborInput, CborInput>([
              [1, 2],
              [-1, 1],
              [-2, bytes(32, 1)],
              [-3, bytes(32, 2)],
            ]),
          ),
        },
      },
      wantError: "CCA_REALM_KEY_INVALID",
    },
    { name: "COSE_Key RAK that is not CBOR", options: { realm: { 44237: bytes(10, 0xff) } }, wantError: "CCA_CBOR_MALFORMED" },
    { name: "RAK missing", options: { realm: { 44237: OMIT } }, wantError: "CCA_CLAIM_MISSING" },
    { name: "platform challenge of 20 bytes", options: { platform: { 10: bytes(20, 1) } }, wantError: "CCA_CLAIM_SIZE" },
    { name: "implementation id of 31 bytes", options: { platform: { 2396: bytes(31, 1) } }, wantError: "CCA_CLAIM_SIZE" },
    { name: "instance id of 32 bytes", options: { platform: { 256: bytes(32, 1) } }, wantError: "CCA_CLAIM_SIZE" },
    {
      name: "instance id not a RAND UEID",
      options: { platform: { 256: Uint8Array.of(2, ...bytes(32, 1)) } },
      wantError: "CCA_CLAIM_INVALID",
    },
    { name: "lifecycle 0x7000", options: { platform: { 2395: 0x7000 } }, wantError: "CCA_CLAIM_INVALID" },
    { name: "lifecycle negative", options: { platform: { 2395: -1 } }, wantError: "CCA_CLAIM_TYPE" },
    { name: "no software components", options: { platform: { 2399: [] } }, wantError: "CCA_CLAIM_INVALID" },
    {
      name: "a component without signer id",
      options: { platform: { 2399: [new Map<CborInput, CborInput>([[2, bytes(32, 1)]])] } },
      wantError: "CCA_CLAIM_INVALID",
    },
    {
      name: "a component measurement of 16 bytes",
      options: {
        platform: {
          2399: [
            new Map<CborInput, CborInput>([
              [2, bytes(16, 1)],
              [5, bytes(32, 1)],
            ]),
          ],
        },
      },
      wantError: "CCA_CLAIM_SIZE",
    },
    {
      name: "a component with an unknown field",
      options: {
        platform: {
          2399: [
            new Map<CborInput, CborInput>([
              [2, bytes(32, 1)],
              [5, bytes(32, 1)],
              [9, 1],
            ]),
          ],
        },
      },
      wantError: "CCA_CLAIM_INVALID",
    },
    { name: "platform profile unknown", options: { platform: { 265: "http://arm.com/psa/2.0.0" } }, wantError: "CCA_CLAIM_INVALID" },
    { name: "platform hash algorithm missing", options: { platform: { 2402: OMIT } }, wantError: "CCA_CLAIM_MISSING" },
    { name: "platform config missing", options: { platform: { 2401: OMIT } }, wantError: "CCA_CLAIM_MISSING" },
    {
      name: "a float in the platform claims",
      options: { platform: { 2400: { cborRaw: Uint8Array.of(0xfb, 0, 0, 0, 0, 0, 0, 0, 0) } } },
      wantError: "CCA_CBOR_UNSUPPORTED",
    },
    {
      name: "a tag inside the realm claims",
      options: { realm: { 44237: { cborRaw: Uint8Array.of(0xc2, 0x41, 0x01) } } },
      wantError: "CCA_CBOR_UNSUPPORTED",
    },
  ];
  for (const { name, options, wantError } of cases) {
    it(`refuses ${name}: ${wantError}`, () => {
      expect(outcome(makeToken(options))).toBe(wantError);
    });
  }

  const envelopes: { name: string; token: () => Uint8Array; wantError: string }[] = [
    { name: "the map without the collection tag", token: () => makeToken().subarray(3), wantError: "CCA_COLLECTION_MALFORMED" },
    {
      name: "a lone platform COSE_Sign1",
      token: () => {
        const t = parseCcaToken(makeToken());
        return makeToken().subarray(t.platform.offset, t.platform.offset + t.platform.cose.spans.signature.end);
      },
      wantError: "CCA_COLLECTION_MALFORMED",
    },
    { name: "tag 400", token: () => Uint8Array.of(0xd9, 0x01, 0x90, ...makeToken().subarray(3)), wantError: "CCA_COLLECTION_MALFORMED" },
    { name: "a trailing byte", token: () => Uint8Array.of(...makeToken(), 0), wantError: "EVIDENCE_TRAILING_BYTES" },
    { name: "empty", token: () => new Uint8Array(0), wantError: "EVIDENCE_EMPTY" },
    { name: "17 KiB", token: () => new Uint8Array(17 * 1024), wantError: "CCA_TOKEN_TOO_LARGE" },
    {
      name: "the platform token twice",
      token: () => Uint8Array.of(0xd9, 0x01, 0x8f, 0xa2, 0x19, 0xac, 0xca, 0x41, 0x00, 0x19, 0xac, 0xca, 0x41, 0x00),
      wantError: "CCA_COLLECTION_MALFORMED",
    },
    {
      name: "an untagged platform COSE_Sign1",
      token: () => {
        const t = parseCcaToken(makeToken());
        const untagged = makeToken().subarray(t.platform.offset + 1, t.platform.offset + t.platform.cose.spans.signature.end);
        const realm = makeToken().subarray(t.realm.offset, t.realm.offset + t.realm.cose.spans.signature.end);
        return new Uint8Array(
          Buffer.concat([
            cborHead(6, 399),
            encodeCbor(
              new Map<CborInput, CborInput>([
                [44234, untagged],
                [44241, realm],
              ]),
            ),
          ]),
        );
      },
      wantError: "CCA_COSE_MALFORMED",
    },
    {
      name: "a 907 entry without content format",
      token: () => Uint8Array.of(0xd9, 0x03, 0x8b, 0xa2, 0x19, 0xac, 0xca, 0x81, 0x41, 0x00, 0x19, 0xac, 0xd1, 0x81, 0x41, 0x00),
      wantError: "CCA_COLLECTION_MALFORMED",
    },
  ];
  for (const { name, token, wantError } of envelopes) {
    it(`refuses ${name}: ${wantError}`, () => {
      expect(outcome(token())).toBe(wantError);
    });
  }

  it("detect recognizes both collection forms from their first bytes, and nothing shorter or else", () => {
    expect(detectCcaToken(makeToken())).toBe(true);
    expect(detectCcaToken(makeToken({ tag: 907 }))).toBe(true);
    expect(detectCcaToken(makeToken().subarray(0, 6))).toBe(false);
    expect(detectCcaToken(makeToken().subarray(3))).toBe(false);
    expect(detectCcaToken(Uint8Array.of(0xd2, 0x84, 0x44, 0xa1, 0x01, 0x38, 0x22))).toBe(false); // a Nitro document
    expect(detectCcaToken(new Uint8Array(0))).toBe(false);
  });

  it("refuses a realm token whose protected header is not ES384", () => {
    const es256 = Uint8Array.of(0xa1, 0x01, 0x26);
    const payload = encodeCbor(new Map<CborInput, CborInput>([[10, bytes(64, 1)]]));
    const realm = sign1(RAK.privateKey, payload, es256);
    const t = parseCcaToken(makeToken());
    const platform = makeToken().subarray(t.platform.offset, t.platform.offset + t.platform.cose.spans.signature.end);
    const token = new Uint8Array(
      Buffer.concat([
        cborHead(6, 399),
        encodeCbor(
          new Map<CborInput, CborInput>([
            [44234, platform],
            [44241, realm],
          ]),
        ),
      ]),
    );
    expect(outcome(token)).toBe("CCA_COSE_ALG_UNSUPPORTED");
  });
});
