/** Loads a DCAP fixture set: the quote, every file as collateral (recognized by content), and expected.json. */
import { readdirSync } from "node:fs";
import { staticCollateral } from "../../src/collateral/staticCollateral.ts";
import type { CollateralSet } from "../../src/collateral/types.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { expectedOf, fixtureBytes, fixturePath, type ExpectedJson } from "./fixtures.ts";

export interface DcapSet {
  kind: "sgx" | "tdx";
  name: string;
  quote: Uint8Array;
  collateral: CollateralSet;
  expected: ExpectedJson & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  at: Date;
}

export function loadDcapSet(kind: "sgx" | "tdx", name: string): DcapSet {
  const files = readdirSync(fixturePath(kind, name))
    .filter((f) => f !== "quote.bin")
    .sort()
    .map((f) => ({ name: f, bytes: fixtureBytes(kind, name, f) }));
  const expected = expectedOf(kind, name);
  return {
    kind,
    name,
    quote: fixtureBytes(kind, name, "quote.bin"),
    collateral: staticCollateral(files).collateral,
    expected,
    at: new Date(expected.verify_at),
  };
}

/** The code of the KeepledgerError `fn` throws; fails the test on an untyped throw or on success. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (!isKeepledgerError(e)) throw new Error(`untyped throw: ${String(e)}`, { cause: e });
    return e.code;
  }
  return "ok";
}
