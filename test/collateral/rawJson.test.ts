/**
 * rawJsonMemberSpans cuts Intel's signed bodies out of the documents as served: a span one character off is a
 * signature over other bytes. Checked against JSON.parse itself (each span parses to the member's value) on
 * generated documents with the characters that end a naive scan early — quotes, backslashes, braces and
 * brackets inside strings — and on one-character mutations of a document (the recognizer parses a document
 * before it cuts it, so what JSON.parse refuses never reaches the scanner).
 */
import { describe, expect, it } from "vitest";
import { rawJsonMemberSpans, type JsonSpan } from "../../src/collateral/rawJson.ts";

/** A deterministic generator (xorshift32), so a failure is reproducible. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const TRICKY = ['"', "\\", "{", "}", "[", "]", ",", ":", " ", "a", "\\\\", '\\"', "é", "\n"];

function randomValue(next: () => number, depth: number): unknown {
  const pick = next();
  if (depth > 3 || pick < 0.3) {
    const s = Array.from({ length: Math.floor(next() * 8) }, () => TRICKY[Math.floor(next() * TRICKY.length)]).join("");
    return next() < 0.7 ? s : next() < 0.5 ? Math.floor(next() * 1000) : next() < 0.5 ? null : true;
  }
  if (pick < 0.65) return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
  return Object.fromEntries(
    Array.from({ length: Math.floor(next() * 4) }, (_, i) => [`k${i}${TRICKY[i % TRICKY.length]}`, randomValue(next, depth + 1)]),
  );
}

/** The spans as entries, "undefined", or the message of what was thrown. */
const outcome = (f: () => Map<string, JsonSpan> | undefined): unknown => {
  try {
    const m = f();
    return m === undefined ? "undefined" : [...m];
  } catch (e) {
    return (e as Error).message;
  }
};

describe("rawJsonMemberSpans", () => {
  it("cuts each member's exact text, whatever its strings hold (2,000 generated documents)", () => {
    const next = rng(14);
    for (let n = 0; n < 2000; n++) {
      const doc: Record<string, unknown> = { body: randomValue(next, 0), signature: "ab".repeat(32), [`x"\\{`]: randomValue(next, 2) };
      const text = JSON.stringify(doc, null, n % 3 === 0 ? 2 : undefined);
      const spans = rawJsonMemberSpans(text)!;
      expect([...spans.keys()]).toEqual(Object.keys(doc));
      for (const [name, { start, end }] of spans) expect(JSON.parse(text.slice(start, end)), text).toEqual(doc[name]);
    }
  });

  it("cuts every one-character mutation that is still JSON as JSON.parse reads it (3,000 mutations)", () => {
    const text = JSON.stringify({ tcbInfo: { a: ['x"}', "\\", { b: "]\\\\" }], c: 7 }, signature: "00ff" });
    const next = rng(9);
    let parsed = 0;
    for (let n = 0; n < 3000; n++) {
      const at = Math.floor(next() * text.length);
      const mutated = text.slice(0, at) + TRICKY[Math.floor(next() * TRICKY.length)] + text.slice(at + 1);
      let json: unknown;
      try {
        json = JSON.parse(mutated);
      } catch {
        continue;
      }
      if (typeof json !== "object" || json === null || Array.isArray(json)) continue;
      parsed++;
      const names = [...mutated.matchAll(/"((?:[^"\\]|\\.)*)"\s*:/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
      const spans = outcome(() => rawJsonMemberSpans(mutated));
      if (typeof spans === "string") {
        // Refused: only for a name given twice at the top level (never for JSON it could walk).
        expect(spans, mutated).toMatch(/twice/);
        expect(new Set(names).size, mutated).toBeLessThan(names.length);
        continue;
      }
      const map = new Map(spans as Array<[string, JsonSpan]>);
      expect([...map.keys()], mutated).toEqual(Object.keys(json));
      for (const [name, { start, end }] of map)
        expect(JSON.parse(mutated.slice(start, end)), mutated).toEqual((json as Record<string, unknown>)[name]);
    }
    expect(parsed).toBeGreaterThan(300);
  });

  it("refuses a name given twice, and says undefined for text it cannot walk", () => {
    expect(() => rawJsonMemberSpans('{"tcbInfo":{},"tcbInfo":{"x":1},"signature":"00"}')).toThrow(/"tcbInfo" twice/);
    expect(rawJsonMemberSpans('{"a":"unterminated}')).toBeUndefined();
    expect(rawJsonMemberSpans('{"a":{"b":"\\"}')).toBeUndefined(); // the escaped quote does not end the string
    expect(rawJsonMemberSpans("[1]")).toBeUndefined();
    expect([...rawJsonMemberSpans('{"a":"\\\\"}')!]).toEqual([["a", { start: 5, end: 9 }]]);
  });
});
