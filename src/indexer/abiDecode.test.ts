import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeAbiParameters, encodeAbiParameters, type AbiEvent, type AbiParameter, type Hex } from "viem";
import { decodeParameters } from "./abiDecode.ts";
import { CONTRACT_ABIS } from "./decodeLogs.ts";

/** viem's answer with addresses lowercased (this decoder does not checksum). */
function lowerAddresses(value: unknown): unknown {
  if (typeof value === "string" && /^0x[0-9a-fA-F]{40}$/.test(value)) return value.toLowerCase();
  if (Array.isArray(value)) return value.map(lowerAddresses);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, lowerAddresses(v)]));
  return value;
}

function arbitrary(p: AbiParameter): fc.Arbitrary<unknown> {
  const t = p.type;
  if (t.endsWith("[]")) return fc.array(arbitrary({ ...p, type: t.slice(0, -2) } as AbiParameter), { maxLength: 4 });
  if (t === "tuple") {
    const components = (p as { components: readonly AbiParameter[] }).components;
    return fc.tuple(...components.map(arbitrary)).map((values) => Object.fromEntries(components.map((c, i) => [c.name!, values[i]])));
  }
  if (t === "address") return fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => `0x${Buffer.from(b).toString("hex")}`);
  if (t === "bool") return fc.boolean();
  if (t === "string") return fc.string({ unit: "binary", maxLength: 40 });
  if (t === "bytes") return fc.uint8Array({ maxLength: 70 }).map((b) => `0x${Buffer.from(b).toString("hex")}`);
  const fixed = /^bytes(\d+)$/.exec(t);
  if (fixed)
    return fc.uint8Array({ minLength: Number(fixed[1]), maxLength: Number(fixed[1]) }).map((b) => `0x${Buffer.from(b).toString("hex")}`);
  const bits = Number(/^uint(\d+)$/.exec(t)![1]);
  return fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }).map((v) => (bits <= 48 ? Number(v) : v));
}

const events = Object.values(CONTRACT_ABIS)
  .flatMap((abi) => abi.filter((i): i is AbiEvent => i.type === "event"))
  .filter((e) => e.inputs.some((i) => !i.indexed));

describe("the events' ABI decoder", () => {
  it.each(events.map((e) => [e.name, e] as const))("decodes %s data exactly as viem does", (_name, event) => {
    const params = event.inputs.filter((i) => !i.indexed);
    fc.assert(
      fc.property(fc.tuple(...params.map(arbitrary)), (values) => {
        const data = encodeAbiParameters(params, values as never);
        expect(decodeParameters(params, data)).toEqual(lowerAddresses(decodeAbiParameters(params, data)));
      }),
      { numRuns: 50 },
    );
  });

  it("refuses data shorter than its heads say", () => {
    const params = [{ type: "string", name: "s" }] as const;
    const data = encodeAbiParameters(params, ["hello"]);
    expect(() => decodeParameters(params, data.slice(0, 100) as Hex)).toThrow(RangeError);
  });
});
