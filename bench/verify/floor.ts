/**
 * A floor for cold verification from the files: what any verifier starting from a kind's evidence and collateral
 * bytes must do besides its cryptography, each at this machine's native speed. With the cold bound's signatures,
 * key imports and the verdict's hashes (bounds.ts), it is the least a cold verdict costs here; bench:verify
 * measures it in the same run as keepledger and reports keepledger's ratio to it (docs/benchmarks.md, "The crypto
 * bound": the sixth).
 *
 * What it reads, and nothing else:
 * - every text file decoded (UTF-8): the collateral's PEM and JSON files, and the evidence when it is JSON;
 * - every JSON document parsed (`JSON.parse`);
 * - every distinct PEM certificate base64-decoded once — the collateral files' and, for DCAP, the quote's PCK
 *   chain (a canonical PEM) — but a pinned root's, which a verifier can recognize by its text;
 * - every distinct certificate and CRL but the pinned roots walked as DER: each element's header read once and
 *   checked against its parent's end, nothing allocated and no field read (no names, times, OIDs, extensions).
 *
 * So it leaves out work a real verifier must also do (reading the names to build the chain, the validity times,
 * the extensions, the revoked serials, the TCB levels, the quote's fields): a floor lower than the truth, never
 * higher. Defined for the kinds whose inputs are only PEM, DER and JSON files and a DCAP quote or SNP report;
 * Nitro's and Arm CCA's are CBOR and NVIDIA's RIMs XML, which Node has no native reader for, so they have none.
 */
import { staticCollateral } from "../../src/collateral/staticCollateral.ts";
import { hashAll, importAndCheck, type CryptoBound } from "./bounds.ts";
import { PINNED_ROOTS } from "../../src/pki/roots.ts";
import { parseDcapQuote } from "../../src/tee/dcap/parseDcapQuote.ts";
import type { BenchKind, BenchVector } from "./vectors.ts";

/** The kinds a floor is defined for. */
export const FLOOR_KINDS: readonly BenchKind[] = ["sgx", "tdx", "sev-snp", "azure-cvm"];

export interface InputFloor {
  /** What the reading covers, e.g. "5 text files (2 JSON), 3 PEM certificates, 5 certificates and CRLs walked". */
  description: string;
  /** The reading alone: decode, parse and walk every input once. */
  read: () => void;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/g;

/** The number of elements in `d[start, end)`, walked as DER (definite, minimal lengths); throws on anything else. */
export function walkDer(d: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let o = start; o < end; ) {
    if (o + 2 > end) throw new Error("DER: a header past the end");
    const tag = d[o]!;
    let length = d[o + 1]!;
    let header = 2;
    if (length & 0x80) {
      const k = length & 0x7f;
      if (k === 0 || k > 4 || o + 2 + k > end || d[o + 2] === 0) throw new Error("DER: a length not in its shortest form");
      length = 0;
      for (let i = 0; i < k; i++) length = length * 256 + d[o + 2 + i]!;
      if (length < 0x80) throw new Error("DER: a long form for a short length");
      header += k;
    }
    if (o + header + length > end) throw new Error("DER: an element past its parent's end");
    n++;
    if (tag & 0x20) n += walkDer(d, o + header, o + header + length);
    o += header + length;
  }
  return n;
}

const hex = (der: Uint8Array): string => Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("hex");
const pinnedRoots = new Set(PINNED_ROOTS.map((r) => hex(r.certificate.der)));

/** The base64 body of a certificate's canonical PEM (64-character lines), as a quote's PCK chain carries it. */
function canonicalPemBody(der: Uint8Array): string {
  const base64 = Buffer.from(der).toString("base64");
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64));
  return lines.join("\n");
}

/** The floor's reading for `vector`, or undefined for a kind it is not defined for. */
export function inputFloor(vector: BenchVector): InputFloor | undefined {
  if (!FLOOR_KINDS.includes(vector.kind)) return undefined;
  const texts = vector.collateral.filter((f) => !f.name.endsWith(".der")).map((f) => f.bytes);
  const jsons = vector.collateral.filter((f) => f.name.endsWith(".json")).map((f) => f.bytes);
  if (vector.kind === "azure-cvm") {
    // The evidence is a JSON file too.
    texts.push(vector.evidence);
    jsons.push(vector.evidence);
  }
  // One PEM body per distinct certificate: the TCB Signing certificate is in two files, the PCK CA in a file and
  // the quote, and a verifier can tell a copy by its text.
  const pemsByDer = new Map<string, string>();
  const ders = new Map<string, Uint8Array>();
  for (const f of vector.collateral.filter((file) => file.name.endsWith(".pem"))) {
    for (const m of Buffer.from(f.bytes).toString("latin1").matchAll(PEM_CERTIFICATE)) {
      const der = hex(Buffer.from(m[1]!, "base64"));
      if (!pinnedRoots.has(der) && !pemsByDer.has(der)) pemsByDer.set(der, m[1]!);
    }
  }
  if (vector.kind === "sgx" || vector.kind === "tdx") {
    for (const der of parseDcapQuote(vector.evidence).signature.pckChain.certificates) {
      if (!pinnedRoots.has(hex(der)) && !pemsByDer.has(hex(der))) pemsByDer.set(hex(der), canonicalPemBody(der));
      ders.set(hex(der), der);
    }
  }
  const pems = [...pemsByDer.values()];
  const { collateral } = staticCollateral(vector.collateral);
  for (const c of [...collateral.certificates, ...collateral.crls]) ders.set(hex(c.der), c.der);
  const walked = [...ders].filter(([h]) => !pinnedRoots.has(h)).map(([, der]) => der);
  for (const der of walked) walkDer(der, 0, der.length); // throws here, not in the loop, on what is not DER

  let sink: unknown;
  const read = (): void => {
    for (const t of texts) sink = Buffer.from(t.buffer, t.byteOffset, t.length).toString("utf8");
    for (const j of jsons) sink = JSON.parse(Buffer.from(j.buffer, j.byteOffset, j.length).toString("utf8"));
    for (const p of pems) sink = Buffer.from(p, "base64");
    for (const der of walked) sink = walkDer(der, 0, der.length);
    if (sink === null) throw new Error("unreachable"); // keeps the results live
  };
  return {
    description: `${texts.length} text files (${jsons.length} JSON), ${pems.length} PEM certificates, ${walked.length} certificates and CRLs walked`,
    read,
  };
}

/** The floor as one operation: the cold verdict's cryptography (the fifth bound), then the files read. */
export function floorOperation(bound: CryptoBound, floor: InputFloor): () => void {
  return () => {
    importAndCheck(bound);
    hashAll(bound.hashed);
    floor.read();
  };
}
