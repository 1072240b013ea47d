// A floor for cold verification from the files (docs/benchmarks.md, "Where cold DCAP verification goes"): the
// crypto bound with its key imports and the verdict's hashes, plus what any verifier starting from the same bytes
// must do besides, each at this machine's native speed — the text files decoded (UTF-8), the JSON documents
// parsed (`JSON.parse`), every PEM certificate base64-decoded (the collateral files' and, for DCAP, the quote's
// PCK chain as a canonical PEM), and every distinct certificate and CRL walked as DER: each element's header read
// once and checked against its parent's end, nothing allocated and no field read (a pinned root is not walked:
// keepledger does not parse it either). Then keepledger cold, in the same process:
//
//   node bench/coldFloor.ts [sgx|tdx|azure-cvm] [rounds=30]
//
// Operations alternate in 150 ms slices, CPU time per call; printed: each one's median and the median of the
// per-round ratios of cold keepledger to the bound and to the floor. A measurement for the docs, not a results
// file.
import "./support/withNodeFlags.ts"; // first: re-executes with the node's V8 flags before anything else loads
import { cryptoBound, hashAll, importAndCheck } from "./verify/bounds.ts";
import { keepledgerCold } from "./verify/keepledger.ts";
import { loadBenchVector, type BenchKind } from "./verify/vectors.ts";
import { staticCollateral } from "../src/collateral/staticCollateral.ts";
import { PINNED_ROOTS } from "../src/pki/roots.ts";
import { parseDcapQuote } from "../src/tee/dcap/parseDcapQuote.ts";
import { bytesEqual } from "@keepledger/sdk/internal/util/bytes";

const kind = (process.argv[2] ?? "sgx") as BenchKind;
if (kind !== "sgx" && kind !== "tdx" && kind !== "azure-cvm") throw new Error("kind: sgx, tdx or azure-cvm");
const rounds = Number(process.argv[3] ?? 30);

/** The number of elements in `d[start, end)`, walked as DER (definite, minimal lengths); throws on anything else. */
function walk(d: Uint8Array, start: number, end: number): number {
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
    if (tag & 0x20) n += walk(d, o + header, o + header + length);
    o += header + length;
  }
  return n;
}

function canonicalPem(der: Uint8Array): string {
  const base64 = Buffer.from(der).toString("base64");
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64));
  return lines.join("\n");
}

const vector = loadBenchVector(kind);
const bound = cryptoBound(vector);
const collateral = staticCollateral(vector.collateral).collateral;
const isPinned = (der: Uint8Array): boolean => PINNED_ROOTS.some((r) => bytesEqual(r.certificate.der, der));
const texts = vector.collateral.filter((f) => !f.name.endsWith(".der")).map((f) => f.bytes);
const jsons = vector.collateral.filter((f) => f.name.endsWith(".json")).map((f) => f.bytes);
const pems: string[] = [];
for (const f of vector.collateral.filter((file) => file.name.endsWith(".pem"))) {
  for (const m of Buffer.from(f.bytes)
    .toString("latin1")
    .matchAll(/-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END/g))
    pems.push(m[1]!);
}
const ders = new Map<string, Uint8Array>();
if (kind === "azure-cvm") {
  // The evidence is a JSON file too; the VCEK it carries is base64url, decoded with the rest of the file's members.
  texts.push(vector.evidence);
  jsons.push(vector.evidence);
} else {
  for (const der of parseDcapQuote(vector.evidence).signature.pckChain.certificates) {
    pems.push(canonicalPem(der));
    ders.set(Buffer.from(der).toString("hex"), der);
  }
}
for (const c of collateral.certificates) ders.set(Buffer.from(c.der).toString("hex"), c.der);
for (const c of collateral.crls) ders.set(Buffer.from(c.der).toString("hex"), c.der);
const walked = [...ders.values()].filter((der) => !isPinned(der));

let sink: unknown;
const decodeInputs = (): void => {
  for (const t of texts) sink = Buffer.from(t.buffer, t.byteOffset, t.length).toString("utf8");
  for (const j of jsons) sink = JSON.parse(Buffer.from(j.buffer, j.byteOffset, j.length).toString("utf8"));
  for (const p of pems) sink = Buffer.from(p, "base64");
  for (const der of walked) sink = walk(der, 0, der.length);
};
const crypto = (): void => {
  importAndCheck(bound);
  hashAll(bound.hashed);
};
const operations: Record<string, () => unknown> = {
  "inputs decoded": decodeInputs,
  "bound (keys, hashes)": crypto,
  floor: () => {
    crypto();
    decodeInputs();
  },
  "keepledger cold": await keepledgerCold(vector, { collateralPreloaded: false }),
};

async function cpuPerCall(op: () => unknown, ms: number): Promise<number> {
  const before = process.cpuUsage();
  const start = performance.now();
  let calls = 0;
  while (performance.now() - start < ms) {
    await op();
    calls++;
  }
  const cpu = process.cpuUsage(before);
  return (cpu.user + cpu.system) / calls;
}

console.log(
  `${kind}: ${texts.length} text files (${jsons.length} JSON), ${pems.length} PEM certificates, ${walked.length} certificates and CRLs walked`,
);
for (const op of Object.values(operations)) await cpuPerCall(op, 300);
const micros = Object.fromEntries(Object.keys(operations).map((name) => [name, [] as number[]]));
for (let r = 0; r < rounds; r++) for (const [name, op] of Object.entries(operations)) micros[name]!.push(await cpuPerCall(op, 150));
const median = (a: readonly number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1]!;
for (const [name, values] of Object.entries(micros)) console.log(`${name.padEnd(22)} ${median(values).toFixed(1)} µs of CPU`);
const cold = micros["keepledger cold"]!;
const ratio = (to: string): string => median(cold.map((c, i) => micros[to]![i]! / c)).toFixed(2);
console.log(
  `keepledger cold × the bound: ${ratio("bound (keys, hashes)")}; × the floor: ${ratio("floor")} (medians of the per-round ratios)`,
);
void sink;
