import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { EVIDENCE_CODES } from "./codes.ts";

/**
 * A bounded reader over untrusted bytes. Every read checks the bounds first
 * and names the field it was reading, so a truncated or lying input fails with
 * a typed error that says where, never with a RangeError or a silent short read.
 * Offsets in errors are absolute offsets in the original input.
 */
export class ByteCursor {
  readonly bytes: Uint8Array;
  /** Absolute offset of `bytes[0]` in the original input, for error messages. */
  readonly base: number;
  #pos = 0;
  #view: DataView;

  constructor(bytes: Uint8Array, base = 0) {
    this.bytes = bytes;
    this.base = base;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get position(): number {
    return this.#pos;
  }

  /** Absolute offset of the next byte to read. */
  get offset(): number {
    return this.base + this.#pos;
  }

  get remaining(): number {
    return this.bytes.length - this.#pos;
  }

  #need(n: number, field: string): void {
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new EvidenceFormatError(EVIDENCE_CODES.EVIDENCE_LENGTH_INVALID, `invalid length ${n} for ${field}`, {
        at: { field, offset: this.offset },
        details: { length: n },
      });
    }
    if (n > this.remaining) {
      throw new EvidenceFormatError(EVIDENCE_CODES.EVIDENCE_TRUNCATED, `evidence truncated while reading ${field}`, {
        at: { field, offset: this.offset },
        details: { need: n, have: this.remaining },
      });
    }
  }

  u8(field: string): number {
    this.#need(1, field);
    return this.#view.getUint8(this.#pos++);
  }

  u16le(field: string): number {
    this.#need(2, field);
    const v = this.#view.getUint16(this.#pos, true);
    this.#pos += 2;
    return v;
  }

  u16be(field: string): number {
    this.#need(2, field);
    const v = this.#view.getUint16(this.#pos, false);
    this.#pos += 2;
    return v;
  }

  u32le(field: string): number {
    this.#need(4, field);
    const v = this.#view.getUint32(this.#pos, true);
    this.#pos += 4;
    return v;
  }

  u32be(field: string): number {
    this.#need(4, field);
    const v = this.#view.getUint32(this.#pos, false);
    this.#pos += 4;
    return v;
  }

  u64le(field: string): bigint {
    this.#need(8, field);
    const v = this.#view.getBigUint64(this.#pos, true);
    this.#pos += 8;
    return v;
  }

  u64be(field: string): bigint {
    this.#need(8, field);
    const v = this.#view.getBigUint64(this.#pos, false);
    this.#pos += 8;
    return v;
  }

  /** Reads `n` bytes as a view into the input (no copy). */
  bytesOf(n: number, field: string): Uint8Array {
    this.#need(n, field);
    const out = this.bytes.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  skip(n: number, field: string): void {
    this.#need(n, field);
    this.#pos += n;
  }

  /** A cursor over the next `n` bytes, advancing this one past them. */
  sub(n: number, field: string): ByteCursor {
    const start = this.offset;
    return new ByteCursor(this.bytesOf(n, field), start);
  }

  /** Everything not yet read. */
  rest(): Uint8Array {
    const out = this.bytes.subarray(this.#pos);
    this.#pos = this.bytes.length;
    return out;
  }

  /** Fails unless every byte was read. */
  end(field: string): void {
    if (this.remaining !== 0) {
      throw new EvidenceFormatError(EVIDENCE_CODES.EVIDENCE_TRAILING_BYTES, `unexpected bytes after ${field}`, {
        at: { field, offset: this.offset },
        details: { trailing: this.remaining },
      });
    }
  }
}
