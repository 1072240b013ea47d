/**
 * A structure-aware mutation for DCAP quotes. The PCK chain travels as PEM
 * text, so byte-level mutations there mostly break the base64 and never reach
 * the X.509 parser or the chain checks. This one decodes a certificate of the
 * chain, mutates its DER (bit flips, byte sets, DER length lies, truncation,
 * splices…), writes it back as well-formed PEM and corrects every enclosing
 * length (PCK chain size, signature data length and, in v4/v5 quotes, the
 * QE certification data size), so the quote still parses up to the
 * certificate.
 */
import { applyMutation, type LengthField, type MutationName, type StructuredMutation } from "./mutate.ts";
import { derLengthFields } from "./lengthFields.ts";
import type { Rng } from "./rng.ts";

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/g;
const DER_MUTATIONS: MutationName[] = ["bit-flip", "byte-set", "length-lie", "length-lie", "truncate", "extend", "splice", "chunk-copy"];

function readU32le(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

function writeU32le(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
}

function pem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----`;
}

/** `fields` are the quote's length fields as targets.ts finds them (pckChain.size and the sizes enclosing it). */
export function dcapPemMutation(base: Uint8Array, fields: readonly LengthField[]): StructuredMutation {
  const at = (name: string): number | undefined => fields.find((f) => f.name === name)?.offset;
  const chainSize = at("pckChain.size")!;
  const enclosing = [
    chainSize,
    at("signature.length")!,
    ...(at("certificationData.size") === undefined ? [] : [at("certificationData.size")!]),
  ];
  const start = chainSize + 4;
  const text = Buffer.from(base.subarray(start, start + readU32le(base, chainSize))).toString("latin1");
  const blocks = [...text.matchAll(PEM_BLOCK)].map((m) => {
    const der = new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ""), "base64"));
    return { index: m.index, length: m[0].length, der, fields: derLengthFields(der) };
  });
  if (blocks.length === 0) throw new Error("the valid quote carries no PEM certificate");

  return {
    name: "pem-der",
    apply(rng: Rng) {
      const k = rng.below(blocks.length);
      const block = blocks[k]!;
      const op = rng.pick(DER_MUTATIONS);
      const mutated = applyMutation(block.der, rng, op, { base: block.der, lengthFields: block.fields, headerLength: 0 });
      const chain = Buffer.from(text.slice(0, block.index) + pem(mutated.bytes) + text.slice(block.index + block.length), "latin1");
      const delta = chain.length - text.length;
      const out = new Uint8Array(base.length + delta);
      out.set(base.subarray(0, start));
      out.set(chain, start);
      out.set(base.subarray(start + text.length), start + chain.length);
      for (const f of enclosing) writeU32le(out, f, readU32le(base, f) + delta);
      return { bytes: out, op: `pem-der[${k}]:${mutated.op}` };
    },
  };
}
