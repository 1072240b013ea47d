import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import type { CborValue } from "./cbor.ts";
import { ARM_CCA_CODES } from "./codes.ts";

// The algorithm table lives on the facts side (claims.ts) so that the measurement layout can read it.
import { CCA_HASH_LENGTHS, type CcaHashAlgorithm } from "@keepledger/sdk/internal/tee/arm-cca/claims";
export { CCA_HASH_LENGTHS, type CcaHashAlgorithm };

/** The claims of one token: integer labels to values, with what was read crossed off. */
export class ClaimSet {
  readonly #claims: Map<number | bigint | string, CborValue>;
  readonly #read = new Set<number>();
  readonly token: "platform" | "realm";

  constructor(value: CborValue, token: "platform" | "realm") {
    this.token = token;
    if (!(value instanceof Map)) {
      throw new EvidenceFormatError(ARM_CCA_CODES.CCA_CLAIM_TYPE, `the ${token} token's payload is not a claims map`, {
        at: { field: `${token}.payload` },
      });
    }
    this.#claims = value;
  }

  field(label: number, name: string): string {
    return `${this.token}.${name} (${label})`;
  }

  optional(label: number): CborValue | undefined {
    this.#read.add(label);
    return this.#claims.get(label);
  }

  required(label: number, name: string): CborValue {
    const value = this.optional(label);
    if (value === undefined) {
      throw new EvidenceFormatError(ARM_CCA_CODES.CCA_CLAIM_MISSING, `the ${this.token} token has no ${name} claim (${label})`, {
        at: { field: this.field(label, name) },
      });
    }
    return value;
  }

  /** Labels present but not defined by the profile: signed, so harmless, but reported (EAT: ignore what you do not know). */
  unknownLabels(): (number | string)[] {
    const out: (number | string)[] = [];
    for (const key of this.#claims.keys())
      if (!(typeof key === "number" && this.#read.has(key))) out.push(typeof key === "bigint" ? String(key) : key);
    return out;
  }
}

export function typeError(field: string, want: string, value: CborValue): never {
  throw new EvidenceFormatError(ARM_CCA_CODES.CCA_CLAIM_TYPE, `${field} must be ${want}`, {
    at: { field },
    details: { got: describe(value), want },
  });
}

export function sizeError(field: string, got: number, want: readonly number[]): never {
  throw new EvidenceFormatError(ARM_CCA_CODES.CCA_CLAIM_SIZE, `${field} must be ${want.join(", ")} bytes, got ${got}`, {
    at: { field },
    details: { got, want: want.length === 1 ? want[0] : [...want] },
  });
}

export function invalid(field: string, message: string, details: Record<string, unknown>): never {
  throw new EvidenceFormatError(ARM_CCA_CODES.CCA_CLAIM_INVALID, message, { at: { field }, details });
}

function describe(value: CborValue): string {
  if (value instanceof Uint8Array) return "bytes";
  if (value instanceof Map) return "map";
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  return typeof value === "bigint" ? "integer" : typeof value === "number" ? "integer" : typeof value;
}

export function bytesOfSize(value: CborValue, field: string, sizes: readonly number[]): Uint8Array {
  if (!(value instanceof Uint8Array)) typeError(field, "a byte string", value);
  if (!sizes.includes(value.length)) sizeError(field, value.length, sizes);
  return value;
}

export function boundedBytes(value: CborValue, field: string, max: number): Uint8Array {
  if (!(value instanceof Uint8Array)) typeError(field, "a byte string", value);
  if (value.length > max) sizeError(field, value.length, [max]);
  return value;
}

export function text(value: CborValue, field: string, max = 256): string {
  if (typeof value !== "string") typeError(field, "a text string", value);
  if (value.length === 0 || value.length > max) {
    throw new EvidenceFormatError(ARM_CCA_CODES.CCA_CLAIM_SIZE, `${field} must be 1 to ${max} characters`, {
      at: { field },
      details: { got: value.length, max },
    });
  }
  return value;
}

export function uint(value: CborValue, field: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) typeError(field, "an unsigned integer", value);
  return value;
}

export function hashAlgorithm(value: CborValue, field: string): CcaHashAlgorithm {
  const name = text(value, field);
  if (!Object.hasOwn(CCA_HASH_LENGTHS, name)) {
    invalid(field, `${field} names hash algorithm "${name}", not sha-256 or sha-512`, { got: name, want: Object.keys(CCA_HASH_LENGTHS) });
  }
  return name as CcaHashAlgorithm;
}
