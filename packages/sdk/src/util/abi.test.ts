import fc from "fast-check";
import * as viem from "viem";
import { describe, expect, it } from "vitest";
import { isKeepledgerError } from "../errors/index.ts";
import {
  decodeAbiParameters,
  decodeErrorResult,
  decodeEventLog,
  decodeFunctionResult,
  encodeAbiParameters,
  encodeFunctionData,
  encodePacked,
  functionSignature,
  toEventSelector,
  toFunctionSelector,
  type Abi,
  type AbiParameter,
} from "./abi.ts";
import type { Hex } from "./hex.ts";

// ===== Random ABI types and values =====

interface Typed {
  param: AbiParameter;
  value: fc.Arbitrary<unknown>;
}

const sizes = Array.from({ length: 32 }, (_, i) => i + 1);

function leaf(): fc.Arbitrary<Typed> {
  return fc.oneof(
    fc.constantFrom(...sizes).map((n) => {
      const bits = BigInt(n * 8);
      const big = fc.bigInt({ min: 0n, max: (1n << bits) - 1n });
      return { param: { type: `uint${n * 8}` }, value: n <= 6 ? big.map(Number) : big };
    }),
    fc.constantFrom(...sizes).map((n) => {
      const bits = BigInt(n * 8);
      const big = fc.bigInt({ min: -(1n << (bits - 1n)), max: (1n << (bits - 1n)) - 1n });
      return { param: { type: `int${n * 8}` }, value: n <= 6 ? big.map(Number) : big };
    }),
    fc.constant({
      param: { type: "address" },
      value: fc
        .tuple(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.boolean())
        .map(([b, check]) => (check ? viem.getAddress(viem.bytesToHex(b)) : viem.bytesToHex(b))),
    }),
    fc.constant({ param: { type: "bool" }, value: fc.boolean() }),
    fc.constantFrom(...sizes).map((n) => ({
      param: { type: `bytes${n}` },
      value: fc.uint8Array({ minLength: n, maxLength: n }).map((b) => viem.bytesToHex(b)),
    })),
    fc.constant({ param: { type: "bytes" }, value: fc.uint8Array({ maxLength: 70 }).map((b) => viem.bytesToHex(b)) }),
    fc.constant({ param: { type: "string" }, value: fc.string({ unit: "grapheme", maxLength: 40 }) }),
  );
}

// Fixed arrays have 1..3 elements: viem itself fails on zero-size types at the end of the data (see the T[0] test).
const typed: fc.Arbitrary<Typed> = fc.letrec<{ t: Typed }>((tie) => ({
  t: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf(),
    fc.tuple(tie("t"), fc.option(fc.integer({ min: 1, max: 3 }), { nil: null })).map(([inner, length]) => ({
      param: { type: `${inner.param.type}[${length ?? ""}]`, components: inner.param.components },
      value: fc.array(inner.value, length === null ? { maxLength: 3 } : { minLength: length, maxLength: length }),
    })),
    fc.tuple(fc.array(tie("t"), { minLength: 1, maxLength: 4 }), fc.boolean()).map(([comps, named]) => ({
      param: { type: "tuple", components: comps.map((c, i) => ({ ...c.param, name: named ? `f${i}` : "" })) },
      value: fc.tuple(...comps.map((c) => c.value)).map((vs) => (named ? Object.fromEntries(vs.map((v, i) => [`f${i}`, v])) : vs)),
    })),
  ),
})).t;

/** Several parameters with values for them. */
const paramsAndValues = fc
  .array(typed, { maxLength: 4 })
  .chain((ts) => fc.tuple(fc.constant(ts.map((t, i) => ({ ...t.param, name: `p${i}` }))), fc.tuple(...ts.map((t) => t.value))));

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isKeepledgerError(e)) return e.code;
    throw e;
  }
  return undefined;
}

describe("ABI parameters against viem", () => {
  it("encodes like viem and decodes viem's encoding to viem's values", () => {
    fc.assert(
      fc.property(paramsAndValues, ([params, values]) => {
        const want = viem.encodeAbiParameters(params as viem.AbiParameter[], values);
        expect(encodeAbiParameters(params, values)).toBe(want);
        expect(decodeAbiParameters(params, want)).toEqual(viem.decodeAbiParameters(params as viem.AbiParameter[], want));
        expect(decodeAbiParameters(params, viem.hexToBytes(want))).toEqual(decodeAbiParameters(params, want));
      }),
      { numRuns: 1000 },
    );
  });

  it("round-trips zero-size types (T[0], arrays of them), which viem cannot decode at the end of the data", () => {
    const params = [{ type: "uint8[0]" }, { type: "address[0][]" }, { type: "bool" }];
    const values = [[], [[], [], []], true];
    const data = encodeAbiParameters(params, values);
    expect(data).toBe(viem.encodeAbiParameters(params, values as never));
    expect(decodeAbiParameters(params, data)).toEqual(values);
    expect(decodeAbiParameters([{ type: "uint8[0]" }], "0x")).toEqual([[]]);
  });

  it("decodes small integers to numbers and wide ones to bigints, as viem does", () => {
    const params = [{ type: "uint48" }, { type: "int48" }, { type: "uint56" }, { type: "int8" }, { type: "uint256" }];
    const data = encodeAbiParameters(params, [2 ** 48 - 1, -(2 ** 47), 5n, -1, 7n]);
    expect(decodeAbiParameters(params, data)).toEqual([2 ** 48 - 1, -(2 ** 47), 5n, -1, 7n]);
  });

  it("encodes packed like viem", () => {
    const packedLeaf = leaf();
    fc.assert(
      fc.property(
        fc
          .array(
            fc.oneof(
              packedLeaf,
              packedLeaf
                .filter((t) => t.param.type !== "string" && t.param.type !== "bytes")
                .map((t) => ({ param: { type: `${t.param.type}[]` }, value: fc.array(t.value, { maxLength: 3 }) })),
            ),
            { maxLength: 5 },
          )
          .chain((ts) => fc.tuple(fc.constant(ts.map((t) => t.param.type)), fc.tuple(...ts.map((t) => t.value)))),
        ([types, values]) => {
          expect(encodePacked(types, values)).toBe(viem.encodePacked(types, values));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("ABI decoding refuses malformed data with a typed error", () => {
  const word = (n: number | bigint) => BigInt(n).toString(16).padStart(64, "0");
  const cases: Array<{ name: string; params: AbiParameter[]; data: string; wantError: string }> = [
    { name: "empty data for a uint", params: [{ type: "uint256" }], data: "0x", wantError: "ABI_DATA_MALFORMED" },
    { name: "truncated word", params: [{ type: "uint256" }], data: `0x${word(1).slice(2)}`, wantError: "ABI_DATA_MALFORMED" },
    { name: "uint8 with dirty high bits", params: [{ type: "uint8" }], data: `0x${word(256)}`, wantError: "ABI_DATA_MALFORMED" },
    { name: "int8 not sign-extended", params: [{ type: "int8" }], data: `0x${word(0x80)}`, wantError: "ABI_DATA_MALFORMED" },
    { name: "bool 2", params: [{ type: "bool" }], data: `0x${word(2)}`, wantError: "ABI_DATA_MALFORMED" },
    { name: "address with high bytes", params: [{ type: "address" }], data: `0x${word(1n << 200n)}`, wantError: "ABI_DATA_MALFORMED" },
    { name: "bytes4 with dirty padding", params: [{ type: "bytes4" }], data: `0x${word(1)}`, wantError: "ABI_DATA_MALFORMED" },
    { name: "offset past the end", params: [{ type: "bytes" }], data: `0x${word(64)}${word(0)}`, wantError: "ABI_DATA_MALFORMED" },
    { name: "huge offset", params: [{ type: "string" }], data: `0x${word(1n << 255n)}`, wantError: "ABI_DATA_MALFORMED" },
    {
      name: "length past the end",
      params: [{ type: "bytes" }],
      data: `0x${word(32)}${word(33)}${word(0)}`,
      wantError: "ABI_DATA_MALFORMED",
    },
    {
      name: "array length the data cannot hold",
      params: [{ type: "uint256[]" }],
      data: `0x${word(32)}${word(1_000_000)}${word(0)}`,
      wantError: "ABI_DATA_MALFORMED",
    },
    { name: "odd hex", params: [{ type: "uint256" }], data: "0x123", wantError: "HEX_INVALID" },
    { name: "unknown type", params: [{ type: "fixed128x18" }], data: `0x${word(0)}`, wantError: "ABI_TYPE_UNSUPPORTED" },
  ];
  it.each(cases)("$name → $wantError", ({ params, data, wantError }) => {
    expect(codeOf(() => decodeAbiParameters(params, data as Hex))).toBe(wantError);
  });

  it("bounds the work of offsets that all point at the same data", () => {
    // uint256[][][]: 2000 outer elements all pointing at one middle array whose 2000 elements all point at
    // one inner array of 2000 words — 8e9 reads if followed naively; the budget stops it quickly.
    const n = 2000;
    const outerHead = `${word(32)}${word(n)}`;
    const outerBase = 64;
    const middleAt = n * 32; // relative to the outer elements' base
    const outer = Array.from({ length: n }, () => word(middleAt)).join("");
    const middleBase = outerBase + middleAt + 32;
    const innerAt = n * 32;
    const middle = word(n) + Array.from({ length: n }, () => word(innerAt)).join("");
    const inner = word(n) + word(7).repeat(n);
    const data = `0x${outerHead}${outer}${middle}${inner}` as Hex;
    expect(middleBase + innerAt).toBe(64 + 2 * n * 32 + 32);
    const started = performance.now();
    expect(codeOf(() => decodeAbiParameters([{ type: "uint256[][][]" }], data))).toBe("ABI_DATA_MALFORMED");
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("never crashes on mutated encodings: a value or a typed error", () => {
    fc.assert(
      fc.property(
        paramsAndValues,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        ([params, values], flips, cut) => {
          const bytes = viem.hexToBytes(viem.encodeAbiParameters(params as viem.AbiParameter[], values));
          const mutated = bytes.slice(0, bytes.length === 0 ? 0 : bytes.length - (cut % 3 === 0 ? cut % bytes.length : 0));
          for (const [at, b] of flips) if (mutated.length > 0) mutated[at % mutated.length] = b;
          try {
            decodeAbiParameters(params, mutated);
          } catch (e) {
            expect(isKeepledgerError(e) && e.code).toBe("ABI_DATA_MALFORMED");
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("ABI encoding refuses wrong values with a typed error", () => {
  const cases: Array<{ name: string; params: AbiParameter[]; values: unknown[]; wantError: string }> = [
    { name: "uint8 too large", params: [{ type: "uint8" }], values: [256], wantError: "ABI_VALUE_INVALID" },
    { name: "negative uint", params: [{ type: "uint256" }], values: [-1n], wantError: "ABI_VALUE_INVALID" },
    { name: "int8 too small", params: [{ type: "int8" }], values: [-129], wantError: "ABI_VALUE_INVALID" },
    { name: "fraction", params: [{ type: "uint256" }], values: [1.5], wantError: "ABI_VALUE_INVALID" },
    {
      name: "bad checksum",
      params: [{ type: "address" }],
      values: ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"],
      wantError: "ABI_VALUE_INVALID",
    },
    { name: "bytes32 of 31 bytes", params: [{ type: "bytes32" }], values: [`0x${"00".repeat(31)}`], wantError: "ABI_VALUE_INVALID" },
    { name: "bool as number", params: [{ type: "bool" }], values: [1], wantError: "ABI_VALUE_INVALID" },
    { name: "fixed array of wrong length", params: [{ type: "uint8[2]" }], values: [[1]], wantError: "ABI_VALUE_INVALID" },
    {
      name: "tuple missing a field",
      params: [{ type: "tuple", components: [{ name: "a", type: "uint8" }] }],
      values: [{ b: 1 }],
      wantError: "ABI_VALUE_INVALID",
    },
    { name: "too few values", params: [{ type: "uint8" }, { type: "uint8" }], values: [1], wantError: "ABI_VALUE_INVALID" },
    { name: "unknown type", params: [{ type: "uint7" }], values: [1], wantError: "ABI_TYPE_UNSUPPORTED" },
  ];
  it.each(cases)("$name → $wantError", ({ params, values, wantError }) => {
    expect(codeOf(() => encodeAbiParameters(params, values))).toBe(wantError);
  });
});

describe("functions, errors and events", () => {
  const abi: Abi = [
    { type: "function", name: "f", inputs: [{ name: "a", type: "uint8" }], outputs: [{ name: "", type: "bool" }], stateMutability: "view" },
    { type: "function", name: "f", inputs: [{ type: "uint8" }, { type: "uint8" }], outputs: [], stateMutability: "nonpayable" },
    {
      type: "function",
      name: "g",
      inputs: [],
      outputs: [
        { name: "x", type: "uint64" },
        { name: "y", type: "address" },
      ],
      stateMutability: "view",
    },
    { type: "error", name: "Bad", inputs: [{ name: "got", type: "uint256" }] },
    {
      type: "event",
      name: "E",
      inputs: [
        { name: "who", type: "address", indexed: true },
        { name: "tag", type: "string", indexed: true },
        { name: "n", type: "uint16", indexed: false },
      ],
      anonymous: false,
    },
  ];

  it("signatures and selectors equal viem's", () => {
    expect(
      functionSignature({ type: "function", name: "f", inputs: [{ type: "tuple[]", components: [{ type: "uint8" }, { type: "bytes" }] }] }),
    ).toBe("f((uint8,bytes)[])");
    expect(toFunctionSelector("transfer(address,uint256)")).toBe("0xa9059cbb");
    for (const item of abi) {
      if (item.type === "event") expect(toEventSelector(item)).toBe(viem.toEventSelector(item as viem.AbiEvent));
      else expect(toFunctionSelector(item)).toBe(viem.toFunctionSelector(item as viem.AbiFunction));
    }
  });

  it("chooses overloads by argument count, decodes one output to a value and several to an array", () => {
    expect(encodeFunctionData({ abi, functionName: "f", args: [1, 2] })).toBe(
      viem.encodeFunctionData({ abi: abi as viem.Abi, functionName: "f", args: [1, 2] }),
    );
    expect(encodeFunctionData({ abi, functionName: "f", args: [1] })).toBe(
      viem.encodeFunctionData({ abi: abi as viem.Abi, functionName: "f", args: [1] }),
    );
    expect(decodeFunctionResult({ abi, functionName: "f", args: [1], data: encodeAbiParameters([{ type: "bool" }], [true]) })).toBe(true);
    const g = encodeAbiParameters([{ type: "uint64" }, { type: "address" }], [5n, "0x0000000000000000000000000000000000000001"]);
    expect(decodeFunctionResult({ abi, functionName: "g", data: g })).toEqual([5n, "0x0000000000000000000000000000000000000001"]);
    expect(codeOf(() => decodeFunctionResult({ abi, functionName: "f", data: "0x" }))).toBe("ABI_ITEM_NOT_FOUND");
    expect(codeOf(() => encodeFunctionData({ abi, functionName: "nope" }))).toBe("ABI_ITEM_NOT_FOUND");
  });

  it("decodes errors (and Error/Panic), and events with indexed dynamic values as their topic", () => {
    const bad = viem.encodeErrorResult({ abi: abi as viem.Abi, errorName: "Bad", args: [7n] });
    expect(decodeErrorResult({ abi, data: bad })).toEqual({ errorName: "Bad", args: [7n] });
    const reason = viem.encodeErrorResult({ abi: [viem.parseAbiItem("error Error(string)")], errorName: "Error", args: ["nope"] });
    expect(decodeErrorResult({ abi: [], data: reason })).toEqual({ errorName: "Error", args: ["nope"] });
    const panic = viem.encodeErrorResult({ abi: [viem.parseAbiItem("error Panic(uint256)")], errorName: "Panic", args: [0x11n] });
    expect(decodeErrorResult({ abi: [], data: panic })).toEqual({ errorName: "Panic", args: [0x11n] });
    expect(decodeErrorResult({ abi, data: "0xdeadbeef" })).toBeUndefined();
    expect(decodeErrorResult({ abi, data: "0x" })).toBeUndefined();
    expect(codeOf(() => decodeErrorResult({ abi, data: bad.slice(0, 40) as Hex }))).toBe("ABI_DATA_MALFORMED");

    const who = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    const topics = viem.encodeEventTopics({ abi: abi as viem.Abi, eventName: "E", args: { who, tag: "hi" } } as never) as Hex[];
    const data = encodeAbiParameters([{ type: "uint16" }], [9]);
    expect(decodeEventLog({ abi, topics, data })).toEqual({ eventName: "E", args: { who, tag: viem.keccak256(viem.toHex("hi")), n: 9 } });
    expect(decodeEventLog({ abi, topics, data })).toEqual(viem.decodeEventLog({ abi: abi as viem.Abi, topics: topics as [Hex], data }));
    expect(codeOf(() => decodeEventLog({ abi, topics: topics.slice(0, 2), data }))).toBe("ABI_DATA_MALFORMED");
    expect(codeOf(() => decodeEventLog({ abi, topics, data: "0x" }))).toBe("ABI_DATA_MALFORMED");
    expect(decodeEventLog({ abi, topics: [`0x${"00".repeat(32)}`], data: "0x" })).toBeUndefined();
    expect(decodeEventLog({ abi, topics: [], data: "0x" })).toBeUndefined();
  });
});
