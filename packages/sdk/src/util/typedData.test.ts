import fc from "fast-check";
import * as viem from "viem";
import { describe, expect, it } from "vitest";
import { isKeepledgerError } from "../errors/index.ts";
import type { Hex } from "./hex.ts";
import { domainSeparator, encodeType, hashStruct, hashTypedData, type TypedDataDomain, type TypedDataField } from "./typedData.ts";

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isKeepledgerError(e)) return e.code;
    throw e;
  }
  return undefined;
}

const bytesArb = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => viem.bytesToHex(b));
const addressArb = bytesArb(20).map((a) => viem.getAddress(a));

const domainArb: fc.Arbitrary<TypedDataDomain> = fc.record(
  {
    name: fc.string({ maxLength: 12 }),
    version: fc.string({ minLength: 1, maxLength: 4 }),
    chainId: fc.oneof(fc.nat(), fc.bigInt({ min: 0n, max: (1n << 256n) - 1n })),
    verifyingContract: addressArb,
    salt: bytesArb(32),
  },
  { requiredKeys: [] },
);

/** EIP-712 atomic and dynamic field types with value generators. */
const fieldKinds: Array<[string, fc.Arbitrary<unknown>]> = [
  ["uint256", fc.bigInt({ min: 0n, max: (1n << 256n) - 1n })],
  ["uint64", fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })],
  ["uint32", fc.nat()],
  ["uint8", fc.integer({ min: 0, max: 255 })],
  ["int128", fc.bigInt({ min: -(1n << 127n), max: (1n << 127n) - 1n })],
  ["bool", fc.boolean()],
  ["address", addressArb],
  ["bytes32", bytesArb(32)],
  ["bytes4", bytesArb(4)],
  ["bytes", fc.uint8Array({ maxLength: 50 }).map((b) => viem.bytesToHex(b))],
  ["string", fc.string({ maxLength: 20 })],
];

/**
 * Random typed data: a primary struct whose fields are atomic, arrays of atomics, a nested struct `Inner`
 * (itself holding a `Leaf`) or arrays of it — the shapes keepledger's verdicts and key-release messages use.
 */
const typedDataArb = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: fieldKinds.length - 1 }), { minLength: 1, maxLength: 4 }),
    fc.array(fc.integer({ min: 0, max: fieldKinds.length - 1 }), { minLength: 1, maxLength: 3 }),
    fc.array(fc.integer({ min: 0, max: fieldKinds.length + 3 }), { minLength: 1, maxLength: 6 }),
    domainArb,
  )
  .chain(([leafKinds, innerKinds, mainKinds, domain]) => {
    const leaf: TypedDataField[] = leafKinds.map((k, i) => ({ name: `l${i}`, type: fieldKinds[k]![0] }));
    const inner: TypedDataField[] = [
      ...innerKinds.map((k, i) => ({ name: `i${i}`, type: fieldKinds[k]![0] })),
      { name: "leaf", type: "Leaf" },
    ];
    const leafArb = fc.tuple(...leafKinds.map((k) => fieldKinds[k]![1])).map((vs) => Object.fromEntries(vs.map((v, i) => [`l${i}`, v])));
    const innerArb = fc
      .tuple(fc.tuple(...innerKinds.map((k) => fieldKinds[k]![1])), leafArb)
      .map(([vs, l]) => ({ ...Object.fromEntries(vs.map((v, i) => [`i${i}`, v])), leaf: l }));
    const main: Array<[TypedDataField, fc.Arbitrary<unknown>]> = mainKinds.map((k, i) => {
      const name = `m${i}`;
      if (k < fieldKinds.length) return [{ name, type: fieldKinds[k]![0] }, fieldKinds[k]![1]];
      if (k === fieldKinds.length) return [{ name, type: "Inner" }, innerArb];
      if (k === fieldKinds.length + 1) return [{ name, type: "Inner[]" }, fc.array(innerArb, { maxLength: 3 })];
      if (k === fieldKinds.length + 2) return [{ name, type: "Leaf[2]" }, fc.array(leafArb, { minLength: 2, maxLength: 2 })];
      return [{ name, type: "bytes32[]" }, fc.array(bytesArb(32), { maxLength: 3 })];
    });
    const types = { Main: main.map(([f]) => f), Inner: inner, Leaf: leaf };
    return fc
      .tuple(...main.map(([, a]) => a))
      .map((vs) => ({ domain, types, primaryType: "Main", message: Object.fromEntries(vs.map((v, i) => [`m${i}`, v])) }));
  });

describe("EIP-712 against viem", () => {
  it("hashTypedData and hashStruct equal viem's on random nested typed data", () => {
    fc.assert(
      fc.property(typedDataArb, (td) => {
        expect(hashTypedData(td)).toBe(viem.hashTypedData(td as never));
        expect(hashStruct("Main", td.message, td.types)).toBe(
          viem.hashStruct({ data: td.message, primaryType: "Main", types: td.types } as never),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("domainSeparator equals viem's for every subset of domain fields", () => {
    fc.assert(
      fc.property(domainArb, (domain) => {
        expect(domainSeparator({ domain })).toBe(viem.domainSeparator({ domain: domain as viem.TypedDataDomain }));
        expect(hashTypedData({ domain, types: {}, primaryType: "EIP712Domain", message: {} })).toBe(
          viem.hashTypedData({ domain: domain as viem.TypedDataDomain, types: {}, primaryType: "EIP712Domain", message: {} } as never),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("matches the EIP-712 specification's Mail example", () => {
    // The example of EIP-712 itself (eips.ethereum.org/EIPS/eip-712, "Test cases").
    const td = {
      domain: { name: "Ether Mail", version: "1", chainId: 1, verifyingContract: "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC" as const },
      types: {
        Person: [
          { name: "name", type: "string" },
          { name: "wallet", type: "address" },
        ],
        Mail: [
          { name: "from", type: "Person" },
          { name: "to", type: "Person" },
          { name: "contents", type: "string" },
        ],
      },
      primaryType: "Mail",
      message: {
        from: { name: "Cow", wallet: "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" },
        to: { name: "Bob", wallet: "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB" },
        contents: "Hello, Bob!",
      },
    };
    expect(encodeType("Mail", td.types)).toBe("Mail(Person from,Person to,string contents)Person(string name,address wallet)");
    expect(domainSeparator({ domain: td.domain })).toBe("0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f");
    expect(hashStruct("Mail", td.message, td.types)).toBe("0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e");
    expect(hashTypedData(td)).toBe("0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");
  });

  const base = { domain: { name: "x" }, primaryType: "A" };
  const cases: Array<{ name: string; run: () => Hex; wantError: string }> = [
    { name: "unknown primary type", run: () => hashTypedData({ ...base, types: {}, message: {} }), wantError: "TYPED_DATA_INVALID" },
    {
      name: "missing field",
      run: () => hashTypedData({ ...base, types: { A: [{ name: "a", type: "uint8" }] }, message: {} }),
      wantError: "TYPED_DATA_INVALID",
    },
    {
      name: "value out of range",
      run: () => hashTypedData({ ...base, types: { A: [{ name: "a", type: "uint8" }] }, message: { a: 300 } }),
      wantError: "ABI_VALUE_INVALID",
    },
    {
      name: "bad address",
      run: () => hashTypedData({ ...base, types: { A: [{ name: "a", type: "address" }] }, message: { a: "0x12" } }),
      wantError: "ABI_VALUE_INVALID",
    },
    {
      name: "array field not an array",
      run: () => hashTypedData({ ...base, types: { A: [{ name: "a", type: "uint8[]" }] }, message: { a: 1 } }),
      wantError: "TYPED_DATA_INVALID",
    },
  ];
  it.each(cases)("$name → $wantError", ({ run, wantError }) => expect(codeOf(run)).toBe(wantError));
});
