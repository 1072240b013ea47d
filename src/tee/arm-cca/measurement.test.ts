import { describe, expect, it } from "vitest";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { fixtureBytes } from "../../../test/support/fixtures.ts";
import { fromHex, type Hex } from "@keepledger/sdk/internal/util/bytes";
import { cpaksFromCollateralFiles } from "./cpak.ts";
import {
  ARM_CCA_MEASUREMENT_LENGTH,
  armCcaMeasurementFromFlags,
  armCcaMeasurementFromVerified,
  armCcaMeasurementMatches,
  decodeArmCcaMeasurement,
  encodeArmCcaMeasurement,
  type ArmCcaMeasurement,
} from "@keepledger/sdk/internal/tee/arm-cca/measurement";
import { parseCcaToken } from "./parseCcaToken.ts";
import { armCcaFacts } from "@keepledger/sdk/internal/tee/arm-cca/facts";
import type { FlagParsers } from "@keepledger/sdk/internal/tee/kind";
import { verifyCcaToken } from "./verifyCcaToken.ts";

const SET = "tfm-tools-example-ffm00-tag399";
const verified = verifyCcaToken(parseCcaToken(fixtureBytes("arm-cca", SET, "token.cbor")), {
  at: new Date("2026-03-01T00:00:00Z"),
  trustedCpaks: cpaksFromCollateralFiles([{ name: "cpak.pub.pem", bytes: fixtureBytes("arm-cca", SET, "cpak.pub.pem") }]),
});
const h = (n: number, b: string): Hex => `0x${b.repeat(n)}`;

/** The CLI's parsers, in miniature: errors name the flag so a test can tell which one was refused. */
const parse: FlagParsers = {
  hex(flag, value, bytes) {
    const hex = value.replace(/^0x/i, "").toLowerCase();
    if (!/^[0-9a-f]*$/.test(hex) || hex.length !== bytes * 2) throw new Error(`bad ${flag}`);
    return `0x${hex}`;
  },
  whole: () => 0n,
  bad: (flag) => new Error(`bad ${flag}`),
  usage: (_message, flag) => new Error(`usage ${flag}`),
};
const flagError = (f: () => unknown): string => {
  try {
    f();
    return "ok";
  } catch (error) {
    return (error as Error).message;
  }
};

function codeOf(f: () => unknown): string {
  try {
    f();
    return "ok";
  } catch (error) {
    if (!isKeepledgerError(error)) throw error;
    return error.code;
  }
}

describe("Arm CCA measurement layout", () => {
  it("the vector's realm measurement packs to 385 bytes and round-trips", () => {
    const m = armCcaMeasurementFromVerified(verified);
    expect(m.rim).toBe("0x311314ab73620350cf758834ae5c65d9e8c2dc7febe6e7d9654bbe864e300d49");
    const value = encodeArmCcaMeasurement(m);
    expect((value.length - 2) / 2).toBe(ARM_CCA_MEASUREMENT_LENGTH);
    expect(value.slice(0, 4)).toBe("0x01"); // sha-256
    expect(decodeArmCcaMeasurement(value)).toEqual(m);
    expect(armCcaMeasurementMatches(verified.claims, fromHex(value))).toBe(true);
  });

  it("another REM, algorithm or personalization value does not match", () => {
    const m = armCcaMeasurementFromVerified(verified);
    const variants: ArmCcaMeasurement[] = [
      { ...m, rems: [m.rems[0], m.rems[1], m.rems[2], h(32, "00")] },
      { ...m, personalizationValue: h(64, "00") },
      { ...m, rim: h(32, "11") },
      {
        ...m,
        hashAlgorithm: "sha-512",
        rim: `${m.rim}${m.rim.slice(2)}`,
        rems: m.rems.map((r) => `${r}${r.slice(2)}`) as ArmCcaMeasurement["rems"],
      },
    ];
    for (const v of variants) expect(armCcaMeasurementMatches(verified.claims, fromHex(encodeArmCcaMeasurement(v)))).toBe(false);
    expect(armCcaMeasurementMatches(verified.claims, new Uint8Array(384))).toBe(false);
  });

  const good: ArmCcaMeasurement = {
    tee: "arm-cca",
    hashAlgorithm: "sha-512",
    rim: h(64, "aa"),
    rems: [h(64, "01"), h(64, "02"), h(64, "03"), h(64, "04")],
    personalizationValue: h(64, "50"),
  };
  const table: { name: string; f: () => unknown; wantError: string }[] = [
    { name: "sha-512 measurement", f: () => decodeArmCcaMeasurement(encodeArmCcaMeasurement(good)), wantError: "ok" },
    {
      name: "RIM of 32 bytes with sha-512",
      f: () => encodeArmCcaMeasurement({ ...good, rim: h(32, "aa") }),
      wantError: "CCA_MEASUREMENT_FIELD",
    },
    {
      name: "three REMs",
      f: () => encodeArmCcaMeasurement({ ...good, rems: good.rems.slice(0, 3) as never }),
      wantError: "CCA_MEASUREMENT_FIELD",
    },
    {
      name: "sha-384",
      f: () => encodeArmCcaMeasurement({ ...good, hashAlgorithm: "sha-384" as never }),
      wantError: "CCA_MEASUREMENT_HASH_ALG",
    },
    { name: "value one byte short", f: () => decodeArmCcaMeasurement(h(384, "00")), wantError: "CCA_MEASUREMENT_VALUE_LENGTH" },
    { name: "algorithm id 3", f: () => decodeArmCcaMeasurement(`0x03${"00".repeat(384)}`), wantError: "CCA_MEASUREMENT_HASH_ALG" },
    {
      name: "non-zero padding after a sha-256 RIM",
      f: () => decodeArmCcaMeasurement(`0x01${"00".repeat(63)}01${"00".repeat(320)}`),
      wantError: "CCA_MEASUREMENT_FIELD",
    },
  ];
  for (const { name, f, wantError } of table) {
    it(`${name}: ${wantError}`, () => expect(codeOf(f)).toBe(wantError));
  }

  it("flags make a measurement, REMs and personalization value defaulting to zero", () => {
    const m = armCcaMeasurementFromFlags({ rim: "AA".repeat(32) }, parse);
    expect(m).toEqual({
      tee: "arm-cca",
      hashAlgorithm: "sha-256",
      rim: h(32, "aa"),
      rems: [h(32, "00"), h(32, "00"), h(32, "00"), h(32, "00")],
      personalizationValue: h(64, "00"),
    });
  });

  it("flags are checked: --rim required, digest sizes follow --hash-alg", () => {
    expect(flagError(() => armCcaMeasurementFromFlags({}, parse))).toBe("usage --rim");
    expect(flagError(() => armCcaMeasurementFromFlags({ rim: "aa".repeat(32), hashAlg: "sha-384" }, parse))).toBe("bad --hash-alg");
    expect(flagError(() => armCcaMeasurementFromFlags({ rim: "aa".repeat(32), hashAlg: "sha-512" }, parse))).toBe("bad --rim");
    expect(flagError(() => armCcaMeasurementFromFlags({ rim: "aa".repeat(32), rem2: "bb".repeat(31) }, parse))).toBe("bad --rem2");
    const m = armCcaFacts.flags.fromFlags({ rim: "aa".repeat(64), hashAlg: "sha-512", personalizationValue: "cc".repeat(64) }, parse);
    expect(fromHex(armCcaFacts.measurement.encode(m)).length).toBe(ARM_CCA_MEASUREMENT_LENGTH);
    expect(armCcaFacts.measurement.decode(armCcaFacts.measurement.encode(m))).toEqual(m);
  });

  it("report data: binding hash ‖ 32 zero bytes in the 64-byte realm challenge", () => {
    expect(armCcaFacts.reportData.bind(h(32, "ab"))).toBe(`0x${"ab".repeat(32)}${"00".repeat(32)}`);
    expect(armCcaFacts.reportData.of(verified.claims)).toEqual(fromHex(verified.claims.reportData));
    expect(armCcaFacts.reportData.of(verified.claims)?.length).toBe(64);
    expect(() => armCcaFacts.reportData.bind(h(31, "ab"))).toThrow();
  });
});
