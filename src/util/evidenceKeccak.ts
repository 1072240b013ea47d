/**
 * keccak256 of evidence-sized inputs (kilobytes: quotes, reports, documents) with the native Keccak of the
 * `keccak` package (N-API, a prebuilt binary for linux-x64), falling back to the JavaScript one when the
 * binary does not load (another platform, a bundler). Measured side by side on a 5 KB quote (bench/verify,
 * docs/benchmarks.md): native 19 µs, hash-wasm 30 µs, ours in JavaScript 59 µs, @noble/hashes 250 µs — the
 * evidence hash is on every verification's path, where the JavaScript one took a third of a warm SGX
 * verification. Small inputs stay in JavaScript: below 256 bytes the two take the same time (~2 µs for one
 * 136-byte block, ~3.5 µs for two), the native call's fixed cost (mostly the Buffer its squeeze allocates)
 * being most of it. At 352 bytes (a verdict's struct, hashed per verdict by the indexer) native takes 4 µs,
 * ours 7.5 µs; at 1 KB 5.4 µs against 13 µs.
 * Only the full package uses this; the SDK stays pure JavaScript (browsers).
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type { Hex } from "@keepledger/sdk/internal/util/bytes";
import { keccak256Hex } from "@keepledger/sdk/internal/util/keccak256";

interface NativeKeccakState {
  initialize(rate: number, capacity: number): void;
  absorb(data: Buffer): void;
  squeeze(length: number): Buffer;
}

/** Inputs at least this long go to the native Keccak. */
export const NATIVE_KECCAK_MIN_BYTES = 256;

function loadNative(): NativeKeccakState | undefined {
  if (process.env.KEEPLEDGER_JS_KECCAK === "1") return undefined;
  try {
    const require = createRequire(import.meta.url);
    const load = require("node-gyp-build") as (dir: string) => unknown;
    const State = load(dirname(require.resolve("keccak/package.json")));
    if (typeof State !== "function") return undefined;
    const state = new (State as new () => NativeKeccakState)();
    // Known answer before trusting it: keccak256("") (a broken binary must not hash evidence).
    state.initialize(1088, 512);
    state.absorb(Buffer.alloc(0));
    if (state.squeeze(32).toString("hex") !== "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470") return undefined;
    return state;
  } catch {
    return undefined;
  }
}

// One state, reused: every call initializes it and runs to the end synchronously.
const native = loadNative();

/** Whether the native Keccak loaded (bench/verify prints which one ran). */
export const nativeKeccakLoaded: boolean = native !== undefined;

/** keccak256 of `data` as 0x-hex, the same value as keccak256Hex, natively for large inputs. */
export function evidenceKeccak(data: Uint8Array): Hex {
  if (native === undefined || data.length < NATIVE_KECCAK_MIN_BYTES) return keccak256Hex(data);
  native.initialize(1088, 512);
  native.absorb(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  return `0x${native.squeeze(32).toString("hex")}`;
}
