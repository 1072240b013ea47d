import fc from "fast-check";
import * as viem from "viem";
import { describe, expect, it } from "vitest";
import { isKeepledgerError } from "../errors/index.ts";
import {
  decodeErrorResult,
  decodeEventLog,
  decodeFunctionResult,
  encodeFunctionData,
  toEventSelector,
  toFunctionSelector,
  type Abi,
  type AbiParameter,
} from "../util/abi.ts";
import type { Hex } from "../util/hex.ts";
import * as generated from "./generated/index.ts";

// The SDK's ABI codec (util/abi.ts) over every generated contract ABI, against viem as the oracle: what
// the SDK encodes and decodes on chain must not change when it stops using viem.

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isKeepledgerError(e)) return e.code;
    throw e;
  }
  return undefined;
}

const abis = Object.entries(generated).filter(([name]) => name.endsWith("Abi")) as Array<[string, Abi]>;

describe("the SDK's ABI codec on every generated ABI, against viem", () => {
  it("takes the generated `as const` ABIs and viem's Abi values without a cast", () => {
    const ours: Abi = generated.attestationRegistryAbi;
    const fromViem: Abi = viem.parseAbi(["function f(uint256 a) returns (bool)", "error E(address who)"]);
    expect(toFunctionSelector(fromViem[0]!)).toBe(viem.toFunctionSelector("function f(uint256 a)"));
    expect(ours.length).toBe(generated.attestationRegistryAbi.length);
  });

  it("finds the generated ABIs with their functions, errors and events", () => {
    expect(abis.length).toBeGreaterThanOrEqual(8);
    for (const kind of ["function", "error", "event"])
      expect(abis.flatMap(([, abi]) => abi).filter((i) => i.type === kind).length).toBeGreaterThan(10);
  });

  describe.each(abis)("%s", (_name, abi) => {
    const viemAbi = abi as viem.Abi;

    it("computes every selector as viem does", () => {
      for (const item of abi) {
        if (item.type === "function" || item.type === "error") {
          expect(toFunctionSelector(item), item.name).toBe(viem.toFunctionSelector(item as viem.AbiFunction));
        }
        if (item.type === "event") expect(toEventSelector(item), item.name).toBe(viem.toEventSelector(item as viem.AbiEvent));
      }
    });

    it("encodes calls and decodes results of every function as viem does", () => {
      for (const fn of abi.filter((i) => i.type === "function")) {
        const inputs = fn.inputs ?? [];
        const outputs = fn.outputs ?? [];
        const gen = (ps: readonly AbiParameter[]) => fc.sample(fc.tuple(...ps.map((p) => valueFor(p))), { numRuns: 3, seed: 7 });
        for (const args of gen(inputs)) {
          const data = encodeFunctionData({ abi, functionName: fn.name!, args });
          expect(data, fn.name).toBe(viem.encodeFunctionData({ abi: viemAbi, functionName: fn.name!, args } as never));
          for (const out of gen(outputs)) {
            const result = viem.encodeAbiParameters(outputs as viem.AbiParameter[], out);
            expect(decodeFunctionResult({ abi, functionName: fn.name!, args, data: result }), fn.name).toEqual(
              viem.decodeFunctionResult({ abi: viemAbi, functionName: fn.name!, args, data: result } as never),
            );
          }
        }
      }
    });

    it("decodes every custom error as viem does (and unknown selectors to undefined)", () => {
      for (const err of abi.filter((i) => i.type === "error")) {
        for (const args of fc.sample(fc.tuple(...(err.inputs ?? []).map((p) => valueFor(p))), { numRuns: 3, seed: 11 })) {
          const data = viem.encodeErrorResult({ abi: viemAbi, errorName: err.name!, args } as never);
          const want = viem.decodeErrorResult({ abi: viemAbi, data });
          expect(decodeErrorResult({ abi, data }), err.name).toEqual({ errorName: want.errorName, args: want.args ?? [] });
          // Without its last word the arguments are truncated (a dropped padding byte alone may still decode).
          if (data.length > 10)
            expect(codeOf(() => decodeErrorResult({ abi, data: data.slice(0, -64) as Hex }))).toBe("ABI_DATA_MALFORMED");
        }
      }
      expect(decodeErrorResult({ abi, data: "0xdeadbeef" })).toBeUndefined();
    });

    it("decodes every event as viem does, indexed and not", () => {
      for (const ev of abi.filter((i) => i.type === "event")) {
        const inputs = ev.inputs ?? [];
        for (const vals of fc.sample(fc.tuple(...inputs.map((p) => valueFor(p))), { numRuns: 3, seed: 5 })) {
          const named = Object.fromEntries(inputs.map((p, i) => [p.name!, vals[i]]));
          const topics = viem.encodeEventTopics({ abi: viemAbi, eventName: ev.name!, args: named } as never) as Hex[];
          const plain = inputs.filter((p) => !p.indexed);
          const data = viem.encodeAbiParameters(
            plain as viem.AbiParameter[],
            plain.map((p) => named[p.name!]),
          );
          const want = viem.decodeEventLog({ abi: viemAbi, topics: topics as [Hex, ...Hex[]], data });
          expect(decodeEventLog({ abi, topics, data }), ev.name).toEqual({ eventName: want.eventName, args: want.args ?? {} });
          if (topics.length > 1)
            expect(codeOf(() => decodeEventLog({ abi, topics: topics.slice(0, -1), data }))).toBe("ABI_DATA_MALFORMED");
        }
      }
    });
  });
});

/** A random value for one parameter of a real ABI (driven by its type). */
function valueFor(param: AbiParameter): fc.Arbitrary<unknown> {
  const arr = /^(.*)\[(\d*)\]$/.exec(param.type);
  if (arr) {
    const inner = valueFor({ ...param, type: arr[1]! });
    return arr[2] === "" ? fc.array(inner, { maxLength: 3 }) : fc.array(inner, { minLength: Number(arr[2]), maxLength: Number(arr[2]) });
  }
  if (param.type === "tuple") {
    const comps = param.components ?? [];
    return fc.tuple(...comps.map(valueFor)).map((vs) => Object.fromEntries(vs.map((v, i) => [comps[i]!.name!, v])));
  }
  const int = /^(u?)int(\d*)$/.exec(param.type);
  if (int) {
    const bits = BigInt(int[2] || 256);
    const big = int[1]
      ? fc.bigInt({ min: 0n, max: (1n << bits) - 1n })
      : fc.bigInt({ min: -(1n << (bits - 1n)), max: (1n << (bits - 1n)) - 1n });
    return bits <= 48n ? big.map(Number) : big;
  }
  const bytesN = /^bytes(\d+)$/.exec(param.type);
  if (bytesN) return fc.uint8Array({ minLength: Number(bytesN[1]), maxLength: Number(bytesN[1]) }).map((b) => viem.bytesToHex(b));
  if (param.type === "bytes") return fc.uint8Array({ maxLength: 70 }).map((b) => viem.bytesToHex(b));
  if (param.type === "string") return fc.string({ maxLength: 20 });
  if (param.type === "bool") return fc.boolean();
  if (param.type === "address") return fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => viem.getAddress(viem.bytesToHex(b)));
  throw new Error(`no generator for ${param.type}`);
}
