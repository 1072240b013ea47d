import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import type { Hex } from "@keepledger/sdk/internal/util/bytes";
import type { TeeKind } from "@keepledger/sdk/internal/kinds/index";
import {
  decodeMeasurementValue,
  encodeMeasurementValue,
  measurementHash,
  MEASUREMENT_VALUE_LENGTHS,
  type Measurement,
} from "@keepledger/sdk/internal/tee/kindFacts";

const z = (n: number): Hex => `0x${"00".repeat(n)}`;
const b = (n: number, byte = "ab"): Hex => `0x${byte.repeat(n)}`;

function codeOf(f: () => unknown): { code: string; message: string } | undefined {
  try {
    f();
  } catch (e) {
    if (isKeepledgerError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  return undefined;
}

describe("encodeMeasurementValue", () => {
  const cases: { name: string; input: Measurement; wantError?: string; wantMessage?: string; wantLength?: number }[] = [
    { name: "sgx exact enclave", input: { tee: "sgx", mrenclave: b(32), mrsigner: z(32), isvProdId: 0, minIsvSvn: 0 }, wantLength: 68 },
    { name: "sgx signer mode", input: { tee: "sgx", mrenclave: z(32), mrsigner: b(32), isvProdId: 65535, minIsvSvn: 3 }, wantLength: 68 },
    {
      name: "sgx both set",
      input: { tee: "sgx", mrenclave: b(32), mrsigner: b(32), isvProdId: 0, minIsvSvn: 0 },
      wantError: "IDS_SGX_MEASUREMENT_MODE",
      wantMessage: "an SGX measurement is either an exact mrenclave (signer fields zero) or a zero mrenclave with a mrsigner",
    },
    {
      name: "sgx neither set",
      input: { tee: "sgx", mrenclave: z(32), mrsigner: z(32), isvProdId: 0, minIsvSvn: 0 },
      wantError: "IDS_SGX_MEASUREMENT_MODE",
    },
    {
      name: "sgx exact enclave with a product id",
      input: { tee: "sgx", mrenclave: b(32), mrsigner: z(32), isvProdId: 1, minIsvSvn: 0 },
      wantError: "IDS_SGX_MEASUREMENT_MODE",
    },
    {
      name: "sgx short mrenclave",
      input: { tee: "sgx", mrenclave: b(31), mrsigner: z(32), isvProdId: 0, minIsvSvn: 0 },
      wantError: "IDS_FIELD_LENGTH",
      wantMessage: "mrenclave must be 32 bytes, got 31 (mrenclave)",
    },
    {
      name: "sgx product id out of range",
      input: { tee: "sgx", mrenclave: z(32), mrsigner: b(32), isvProdId: 65536, minIsvSvn: 0 },
      wantError: "IDS_FIELD_RANGE",
      wantMessage: "isvProdId must be an integer in 0..2^16-1 (isvProdId)",
    },
    { name: "tdx", input: { tee: "tdx", mrtd: b(48), rtmr0: z(48), rtmr1: z(48), rtmr2: z(48), rtmr3: z(48) }, wantLength: 240 },
    {
      name: "tdx rtmr2 of 32 bytes",
      input: { tee: "tdx", mrtd: b(48), rtmr0: z(48), rtmr1: z(48), rtmr2: z(32), rtmr3: z(48) },
      wantError: "IDS_FIELD_LENGTH",
    },
    { name: "sev-snp without host data", input: { tee: "sev-snp", measurement: b(48), hostData: null }, wantLength: 81 },
    { name: "sev-snp with host data", input: { tee: "sev-snp", measurement: b(48), hostData: b(32, "cd") }, wantLength: 81 },
    {
      name: "sev-snp host data of 48 bytes",
      input: { tee: "sev-snp", measurement: b(48), hostData: b(48) },
      wantError: "IDS_FIELD_LENGTH",
    },
    { name: "nitro", input: { tee: "nitro", pcr0: b(48), pcr1: b(48), pcr2: b(48) }, wantLength: 144 },
    {
      name: "nitro pcr0 not hex",
      input: { tee: "nitro", pcr0: "0xzz" as Hex, pcr1: b(48), pcr2: b(48) },
      wantError: "IDS_NOT_HEX",
      wantMessage: "pcr0 is not 0x-prefixed hex of whole bytes (pcr0)",
    },
    { name: "debug", input: { tee: "debug", measurement: b(32) }, wantLength: 32 },
    {
      name: "unknown kind",
      input: { tee: "tpm" } as unknown as Measurement,
      wantError: "IDS_UNKNOWN_TEE_KIND",
      wantMessage: 'unknown TEE kind "tpm"',
    },
  ];
  it.each(cases)("$name", ({ input, wantError, wantMessage, wantLength }) => {
    const failure = codeOf(() => encodeMeasurementValue(input));
    if (wantError) {
      expect(failure?.code).toBe(wantError);
      if (wantMessage) expect(failure?.message).toBe(wantMessage);
    } else {
      expect(failure).toBeUndefined();
      expect((encodeMeasurementValue(input).length - 2) / 2).toBe(wantLength);
    }
  });
});

describe("decodeMeasurementValue", () => {
  const cases: { name: string; tee: TeeKind; value: Hex; wantError: string; wantMessage?: string }[] = [
    {
      name: "tdx value one byte short",
      tee: "tdx",
      value: b(239),
      wantError: "IDS_MEASUREMENT_VALUE_LENGTH",
      wantMessage: "a tdx measurement value is 240 bytes, got 239 (value)",
    },
    { name: "sev-snp flag 2", tee: "sev-snp", value: `0x${"aa".repeat(48)}02${"00".repeat(32)}`, wantError: "IDS_SNP_HOST_DATA_FLAG" },
    {
      name: "sev-snp flag 0 with host data",
      tee: "sev-snp",
      value: `0x${"aa".repeat(48)}00${"01".repeat(32)}`,
      wantError: "IDS_SNP_HOST_DATA_FLAG",
    },
    { name: "sgx with both modes", tee: "sgx", value: `0x${"aa".repeat(64)}00000000`, wantError: "IDS_SGX_MEASUREMENT_MODE" },
    { name: "not hex", tee: "debug", value: "0x123" as Hex, wantError: "IDS_NOT_HEX" },
    { name: "unknown kind", tee: "cca" as TeeKind, value: b(32), wantError: "IDS_UNKNOWN_TEE_KIND" },
  ];
  it.each(cases)("$name", ({ tee, value, wantError, wantMessage }) => {
    const failure = codeOf(() => decodeMeasurementValue(tee, value));
    expect(failure?.code).toBe(wantError);
    if (wantMessage) expect(failure?.message).toBe(wantMessage);
  });

  it("round-trips every kind (property)", () => {
    const hex = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((u) => `0x${Buffer.from(u).toString("hex")}` as Hex);
    const measurement: fc.Arbitrary<Measurement> = fc.oneof(
      fc.record({
        tee: fc.constant("sgx" as const),
        mrenclave: hex(32),
        mrsigner: fc.constant(z(32)),
        isvProdId: fc.constant(0),
        minIsvSvn: fc.constant(0),
      }),
      fc.record({
        tee: fc.constant("sgx" as const),
        mrenclave: fc.constant(z(32)),
        mrsigner: hex(32),
        isvProdId: fc.nat(65535),
        minIsvSvn: fc.nat(65535),
      }),
      fc.record({ tee: fc.constant("tdx" as const), mrtd: hex(48), rtmr0: hex(48), rtmr1: hex(48), rtmr2: hex(48), rtmr3: hex(48) }),
      fc.record({ tee: fc.constant("sev-snp" as const), measurement: hex(48), hostData: fc.option(hex(32), { nil: null }) }),
      fc.record({ tee: fc.constant("nitro" as const), pcr0: hex(48), pcr1: hex(48), pcr2: hex(48) }),
      fc.record({ tee: fc.constant("debug" as const), measurement: hex(32) }),
    );
    fc.assert(
      fc.property(measurement, (m) => {
        // The only values the generators can make that no mode accepts: an SGX value of all zeros.
        fc.pre(!(m.tee === "sgx" && m.mrenclave === z(32) && m.mrsigner === z(32)));
        const value = encodeMeasurementValue(m);
        expect((value.length - 2) / 2).toBe(MEASUREMENT_VALUE_LENGTHS[m.tee]);
        const back = decodeMeasurementValue(m.tee, value);
        expect(measurementHash(back)).toBe(measurementHash(m));
        expect(encodeMeasurementValue(back)).toBe(value);
      }),
    );
  });

  it("puts the kind into the hash: the same bytes under two kinds differ", () => {
    expect(measurementHash({ tee: "debug", measurement: b(32) })).not.toBe(
      measurementHash({ tee: "sgx", mrenclave: b(32), mrsigner: z(32), isvProdId: 0, minIsvSvn: 0 }),
    );
  });
});
