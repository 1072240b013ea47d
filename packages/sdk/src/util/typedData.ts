/**
 * EIP-712 hashing without viem: hashTypedData, domainSeparator and hashStruct give viem's results
 * (typedData.test.ts checks them against viem), including nested structs and arrays of them.
 */
import { UsageError } from "../errors/KeepledgerError.ts";
import { encodeAbiParameters, type AbiParameter } from "./abi.ts";
import { UTIL_CODES } from "./codes.ts";
import { bytesToHex, hexToBytes, stringToBytes, type Address, type Hex } from "./hex.ts";
import { keccak256Bytes, keccak256Hex } from "./keccak256.ts";

export interface TypedDataDomain {
  name?: string | undefined;
  version?: string | undefined;
  chainId?: number | bigint | undefined;
  verifyingContract?: Address | undefined;
  salt?: Hex | undefined;
}

export interface TypedDataField {
  readonly name: string;
  readonly type: string;
}

export type TypedDataTypes = Readonly<Record<string, readonly TypedDataField[]>>;

export interface HashTypedDataParameters {
  domain?: TypedDataDomain | undefined;
  types: TypedDataTypes;
  primaryType: string;
  message: Readonly<Record<string, unknown>>;
}

/** The EIP712Domain fields a domain uses, in the standard order (the same rule as viem's). */
export function domainTypes(domain: TypedDataDomain): TypedDataField[] {
  const out: TypedDataField[] = [];
  if (typeof domain.name === "string") out.push({ name: "name", type: "string" });
  if (domain.version) out.push({ name: "version", type: "string" });
  if (typeof domain.chainId === "number" || typeof domain.chainId === "bigint") out.push({ name: "chainId", type: "uint256" });
  if (domain.verifyingContract) out.push({ name: "verifyingContract", type: "address" });
  if (domain.salt) out.push({ name: "salt", type: "bytes32" });
  return out;
}

function invalid(why: string, details: Record<string, unknown>): UsageError {
  return new UsageError(UTIL_CODES.TYPED_DATA_INVALID, `invalid typed data: ${why}`, { details });
}

/** The struct name a field type refers to (`Leaf[]` → `Leaf`). */
function baseType(type: string): string {
  return /^\w*/.exec(type)![0];
}

function dependencies(primaryType: string, types: TypedDataTypes, found = new Set<string>()): Set<string> {
  const base = baseType(primaryType);
  if (found.has(base) || types[base] === undefined) return found;
  found.add(base);
  for (const field of types[base]) dependencies(field.type, types, found);
  return found;
}

/** `Primary(type name,…)Dep(…)…`: the primary type, then the structs it uses, sorted by name. */
export function encodeType(primaryType: string, types: TypedDataTypes): string {
  if (types[primaryType] === undefined) throw invalid(`no struct type ${primaryType}`, { primaryType });
  const deps = dependencies(primaryType, types);
  deps.delete(primaryType);
  return [primaryType, ...[...deps].sort()].map((t) => `${t}(${types[t]!.map((f) => `${f.type} ${f.name}`).join(",")})`).join("");
}

/** keccak256 of the struct's encodeData (EIP-712 hashStruct). */
export function hashStruct(primaryType: string, data: Readonly<Record<string, unknown>>, types: TypedDataTypes): Hex {
  return keccak256Hex(encodeData(primaryType, data, types));
}

function encodeData(primaryType: string, data: Readonly<Record<string, unknown>>, types: TypedDataTypes): Uint8Array {
  const fields = types[primaryType];
  if (fields === undefined) throw invalid(`no struct type ${primaryType}`, { primaryType });
  if (data === null || typeof data !== "object") throw invalid(`a ${primaryType} value is not an object`, { primaryType });
  const params: AbiParameter[] = [{ type: "bytes32" }];
  const values: unknown[] = [keccak256Hex(stringToBytes(encodeType(primaryType, types)))];
  for (const field of fields) {
    const value = data[field.name];
    if (value === undefined) throw invalid(`${primaryType}.${field.name} is missing`, { primaryType, field: field.name });
    const [param, encoded] = encodeField(field, value, types);
    params.push(param);
    values.push(encoded);
  }
  return hexToBytes(encodeAbiParameters(params, values));
}

function encodeField(field: TypedDataField, value: unknown, types: TypedDataTypes): [AbiParameter, unknown] {
  const { type, name } = field;
  const bytes32 = { name, type: "bytes32" };
  if (types[type] !== undefined) return [bytes32, bytesToHex(keccak256Bytes(encodeData(type, value as Record<string, unknown>, types)))];
  if (type === "bytes") {
    if (value instanceof Uint8Array) return [bytes32, keccak256Hex(value)];
    if (typeof value !== "string") throw invalid(`${name} is not bytes`, { field: name });
    // viem hashes odd-length hex with a leading zero added; so do we.
    return [bytes32, keccak256Hex(hexToBytes((value.length % 2 ? `0x0${value.slice(2)}` : value) as Hex))];
  }
  if (type === "string") {
    if (typeof value !== "string") throw invalid(`${name} is not a string`, { field: name });
    return [bytes32, keccak256Hex(stringToBytes(value))];
  }
  if (type.endsWith("]")) {
    if (!Array.isArray(value)) throw invalid(`${name} is not an array`, { field: name });
    const inner = type.slice(0, type.lastIndexOf("["));
    const encoded = value.map((item) => encodeField({ name, type: inner }, item, types));
    const packed = encodeAbiParameters(
      encoded.map(([p]) => p),
      encoded.map(([, v]) => v),
    );
    return [bytes32, keccak256Hex(hexToBytes(packed))];
  }
  return [{ name, type }, value];
}

function hashDomain(domain: TypedDataDomain, types: TypedDataTypes): Hex {
  return hashStruct("EIP712Domain", domain as Record<string, unknown>, types);
}

/** The EIP-712 domain separator of a domain (its fields chosen by {@link domainTypes}). */
export function domainSeparator({ domain }: { domain: TypedDataDomain }): Hex {
  return hashDomain(domain, { EIP712Domain: domainTypes(domain) });
}

/** The EIP-712 digest `keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message))` that signers sign. */
export function hashTypedData({ domain = {}, types, primaryType, message }: HashTypedDataParameters): Hex {
  const all: TypedDataTypes = { EIP712Domain: domainTypes(domain), ...types };
  const parts = [0x19, 0x01, ...hexToBytes(hashDomain(domain, all))];
  if (primaryType !== "EIP712Domain") parts.push(...hexToBytes(hashStruct(primaryType, message, all)));
  return keccak256Hex(Uint8Array.from(parts));
}
