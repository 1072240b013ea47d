/**
 * A structure-aware mutation for Azure CVM evidence files. The binary pieces travel as base64url or hex
 * strings inside JSON, so byte-level mutations of the file mostly break the JSON and never reach the HCL
 * report, SEV-SNP report, runtime data, TPM quote or VCEK parsers. This one decodes one piece, mutates its
 * bytes (bit flips, byte sets, truncation, extension, splices, chunk copies) and writes the file back as
 * well-formed JSON in the piece's own encoding, so the input always reaches that piece's parser.
 */
import { applyMutation, type MutationName, type StructuredMutation } from "./mutate.ts";
import type { Rng } from "./rng.ts";

const BYTE_MUTATIONS: MutationName[] = ["bit-flip", "bit-flip", "byte-set", "truncate", "extend", "splice", "chunk-copy"];

/** The v1 evidence file as JSON: only the members mutated here are typed. */
type EvidenceJson = Record<string, unknown> & { tpm_quote: Record<string, string> & { pcrs: string[] } };

interface Piece {
  name: string;
  get(doc: EvidenceJson): string;
  set(doc: EvidenceJson, value: string): void;
  encoding: "base64url" | "hex";
}

/** The v1 layout's binary members (docs/evidence/azure-cvm.md): hcl_report, vcek (base64url), the TPM quote's members (hex). */
function piecesOf(doc: EvidenceJson): Piece[] {
  const pieces: Piece[] = [];
  for (const key of ["hcl_report", "vcek", "td_quote"]) {
    if (typeof doc[key] === "string")
      pieces.push({ name: key, get: (d) => d[key] as string, set: (d, v) => (d[key] = v), encoding: "base64url" });
  }
  for (const key of ["message", "signature"]) {
    pieces.push({ name: `tpm_quote.${key}`, get: (d) => d.tpm_quote[key]!, set: (d, v) => (d.tpm_quote[key] = v), encoding: "hex" });
  }
  doc.tpm_quote.pcrs.forEach((_, i) =>
    pieces.push({
      name: `tpm_quote.pcrs[${i}]`,
      get: (d) => d.tpm_quote.pcrs[i]!,
      set: (d, v) => (d.tpm_quote.pcrs[i] = v),
      encoding: "hex",
    }),
  );
  return pieces;
}

export function azureJsonMutation(base: Uint8Array): StructuredMutation {
  const text = Buffer.from(base).toString("utf8");
  const pieces = piecesOf(JSON.parse(text) as EvidenceJson);
  // The HCL report (hardware report, runtime data) and the TPM quote message carry the most structure.
  const weighted = [...pieces.filter((p) => p.name === "hcl_report" || p.name === "tpm_quote.message"), ...pieces];
  return {
    name: "json-piece",
    apply(rng: Rng) {
      const doc = JSON.parse(text) as EvidenceJson;
      const piece = rng.pick(weighted);
      const bytes = new Uint8Array(Buffer.from(piece.get(doc), piece.encoding === "hex" ? "hex" : "base64url"));
      const op = rng.pick(BYTE_MUTATIONS);
      const mutated = applyMutation(bytes, rng, op, { base: bytes, lengthFields: [], headerLength: 0 });
      const encoded = Buffer.from(mutated.bytes).toString(piece.encoding === "hex" ? "hex" : "base64url");
      piece.set(doc, piece.encoding === "base64url" ? encoded.padEnd(Math.ceil(encoded.length / 4) * 4, "=") : encoded);
      return { bytes: new Uint8Array(Buffer.from(JSON.stringify(doc, null, 2))), op: `json-piece[${piece.name}]:${mutated.op}` };
    },
  };
}
