/**
 * The Solidity ABI codec the SDK needs, without viem: parameters (uint<N>, int<N>, address, bool,
 * bytes<N>, bytes, string, tuples, T[] and T[k], nested), packed encoding, selectors, function data and
 * results, custom errors and event logs. Values have viem's shapes so callers can switch without
 * changes: integers of up to 48 bits decode to numbers and wider ones to bigints, addresses are
 * checksummed, named tuples decode to objects and unnamed ones to arrays. abi.test.ts checks it against
 * viem on random values.
 *
 * This module is the codec's one entry: functions, errors and events here; parameters in abiEncode.ts
 * and abiDecode.ts (strict and bounded: untrusted bytes), type strings in abiTypes.ts.
 */
import { UsageError } from "../errors/KeepledgerError.ts";
import { decodeAbiParameters, malformed } from "./abiDecode.ts";
import { encodeAbiParameters } from "./abiEncode.ts";
import { canonicalType, isArrayType, type Abi, type AbiItem, type AbiParameter } from "./abiTypes.ts";
import { UTIL_CODES } from "./codes.ts";
import { bytesToHex, hexToBytes, stringToBytes, type Hex } from "./hex.ts";
import { keccak256Bytes } from "./keccak256.ts";

export { decodeAbiParameters } from "./abiDecode.ts";
export { encodeAbiParameters, encodePacked } from "./abiEncode.ts";
export { canonicalType, type Abi, type AbiItem, type AbiParameter } from "./abiTypes.ts";

function signatureOf(item: AbiItem): string {
  return `${item.name ?? ""}(${(item.inputs ?? []).map(canonicalType).join(",")})`;
}

/** `name(type,…)` of a function, error or event, tuples expanded (the text its selector hashes). */
export function functionSignature(item: AbiItem | string): string {
  return typeof item === "string" ? item.replace(/\s+/g, "") : signatureOf(item);
}

/** The 4-byte selector of a function or error (or of a signature string). */
export function toFunctionSelector(item: AbiItem | string): Hex {
  return bytesToHex(keccak256Bytes(stringToBytes(functionSignature(item))).subarray(0, 4));
}

/** The 32-byte topic 0 of an event (or of a signature string). */
export function toEventSelector(item: AbiItem | string): Hex {
  return bytesToHex(keccak256Bytes(stringToBytes(functionSignature(item))));
}

function findFunction(abi: Abi, functionName: string, args: readonly unknown[] | undefined): AbiItem {
  const candidates = abi.filter((i) => i.type === "function" && i.name === functionName);
  const matching =
    args === undefined || candidates.length <= 1 ? candidates : candidates.filter((c) => (c.inputs ?? []).length === args.length);
  if (matching.length === 1) return matching[0]!;
  throw new UsageError(
    UTIL_CODES.ABI_ITEM_NOT_FOUND,
    matching.length === 0 ? `no function ${functionName} in the ABI` : `function ${functionName} is overloaded: pass args to choose`,
    { details: { functionName, candidates: candidates.map(signatureOf) } },
  );
}

export interface EncodeFunctionDataParameters {
  abi: Abi;
  functionName: string;
  args?: readonly unknown[] | undefined;
}

/** Call data: the function's selector and its ABI-encoded arguments (overloads chosen by argument count). */
export function encodeFunctionData({ abi, functionName, args = [] }: EncodeFunctionDataParameters): Hex {
  const fn = findFunction(abi, functionName, args);
  return `${toFunctionSelector(fn)}${encodeAbiParameters(fn.inputs ?? [], args).slice(2)}`;
}

export interface DecodeFunctionResultParameters {
  abi: Abi;
  functionName: string;
  data: Hex | Uint8Array;
  /** Picks among overloads, as in {@link encodeFunctionData}. */
  args?: readonly unknown[] | undefined;
}

/** A call's return data: the value for a single output, an array for several, undefined for none (like viem). */
export function decodeFunctionResult({ abi, functionName, data, args }: DecodeFunctionResultParameters): unknown {
  const outputs = findFunction(abi, functionName, args).outputs ?? [];
  const values = decodeAbiParameters(outputs, data);
  if (outputs.length === 0) return undefined;
  return outputs.length === 1 ? values[0] : values;
}

/** Solidity's built-in revert reasons, known to every decode (viem's solidityError and solidityPanic). */
const BUILTIN_ERRORS: Abi = [
  { type: "error", name: "Error", inputs: [{ name: "message", type: "string" }] },
  { type: "error", name: "Panic", inputs: [{ name: "reason", type: "uint256" }] },
];

export interface DecodeErrorResultParameters {
  abi: Abi;
  data: Hex | Uint8Array;
}

export interface DecodedError {
  errorName: string;
  /** The error's arguments in order ([] for none; viem gives undefined then). */
  args: readonly unknown[];
}

/**
 * Revert data as one of the ABI's custom errors (or Error(string)/Panic(uint256)); undefined when no
 * error of the ABI has its selector. Arguments that do not decode are an ABI_DATA_MALFORMED error.
 */
export function decodeErrorResult({ abi, data }: DecodeErrorResultParameters): DecodedError | undefined {
  const bytes = typeof data === "string" ? hexToBytes(data) : data;
  if (bytes.length < 4) return undefined;
  const selector = bytesToHex(bytes.subarray(0, 4));
  const item = [...abi, ...BUILTIN_ERRORS].find((i) => i.type === "error" && toFunctionSelector(i) === selector);
  if (!item) return undefined;
  return { errorName: item.name!, args: decodeAbiParameters(item.inputs ?? [], bytes.subarray(4)) };
}

export interface DecodeEventLogParameters {
  abi: Abi;
  topics: readonly Hex[];
  data: Hex | Uint8Array;
}

export interface DecodedEventLog {
  eventName: string;
  /** By parameter name (by position, as "0", "1", …, for unnamed ones). Indexed dynamic values are their topic (a hash). */
  args: Record<string, unknown>;
}

function indexedAsTopic(param: AbiParameter): boolean {
  return param.type === "string" || param.type === "bytes" || param.type === "tuple" || isArrayType(param.type);
}

/**
 * A log as one of the ABI's (non-anonymous) events; undefined when its topic 0 is none of them. A log
 * whose topics or data do not fit the event is an ABI_DATA_MALFORMED error.
 */
export function decodeEventLog({ abi, topics, data }: DecodeEventLogParameters): DecodedEventLog | undefined {
  const topic0 = topics[0]?.toLowerCase();
  if (topic0 === undefined) return undefined;
  const event = abi.find((i) => i.type === "event" && !i.anonymous && toEventSelector(i) === topic0);
  if (!event) return undefined;
  const inputs = event.inputs ?? [];
  const indexed = inputs.filter((p) => p.indexed);
  if (topics.length !== indexed.length + 1) {
    throw malformed(`event ${event.name} has ${indexed.length} indexed parameters but the log ${topics.length - 1} topics`, undefined, 0);
  }
  const plain = inputs.filter((p) => !p.indexed);
  const plainValues = decodeAbiParameters(plain, data);
  const args: Record<string, unknown> = {};
  let t = 1;
  let v = 0;
  inputs.forEach((p, i) => {
    const key = p.name || String(i);
    if (p.indexed) {
      const topic = topics[t++]!;
      args[key] = indexedAsTopic(p) ? topic : decodeAbiParameters([p], topic)[0];
    } else args[key] = plainValues[v++];
  });
  return { eventName: event.name!, args };
}
