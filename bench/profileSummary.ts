// Summarizes V8 CPU profiles (`node --cpu-prof`): self time by function and by source file, and the
// inclusive time of a few named functions, so docs/node.md can say where a verdict's CPU goes.
//
//   node bench/profileSummary.ts <file.cpuprofile>... [--top <n>] [--per <count>]
//
// --per divides the totals by a count (e.g. the verdicts the process handled) to print µs per verdict.
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const argv = process.argv.slice(2);
const opt = (name: string, fallback: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const top = opt("top", 25);
const per = opt("per", 0);
/** Where a sample's time goes: the first rule matching a frame, from the leaf up (the leaf-most match wins). */
const CATEGORIES: Array<[string, (f: { functionName: string; url: string }) => boolean]> = [
  ["garbage collection", (f) => f.functionName === "(garbage collector)"],
  ["module loading (start-up)", (f) => /node:internal\/modules|amaro/.test(f.url) || f.functionName === "compileSourceTextModule"],
  ["secp256k1 in JavaScript (@noble/curves)", (f) => f.url.includes("@noble/curves")],
  ["keccak256 in JavaScript", (f) => /keccak256\.ts|@noble\/hashes\/esm\/sha3/.test(f.url)],
  ["Ed25519 / ECDSA in OpenSSL (node:crypto)", (f) => /node:internal\/crypto/.test(f.url)],
  ["SQLite (node:sqlite)", (f) => /\/store\/sqliteDatabase\.ts/.test(f.url)],
  ["logging (pino)", (f) => /pino|\/logging\//.test(f.url)],
  ["validation (zod)", (f) => f.url.includes("/zod/")],
  ["ABI encoding (viem)", (f) => f.url.includes("/viem/")],
  [
    "HTTP, sockets, JSON",
    (f) =>
      /node:_http|undici|node:net|stream|httpKit|node:buffer|webstreams/.test(f.url) ||
      f.functionName === "writev" ||
      f.functionName === "writeString" ||
      f.functionName === "parse" ||
      f.functionName === "stringify",
  ],
];

const files = argv.filter((a, i) => a.endsWith(".cpuprofile") && !argv[i - 1]?.startsWith("--"));

const short = (url: string): string =>
  url
    .replace(/^file:\/\/.*?\/node_modules\//, "npm:")
    .replace(/^file:\/\/.*?\/(src|bench|bin|test)\//, "$1/")
    .replace(/^node:/, "node:") || "(native)";

for (const file of files) {
  const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  const total = (p.endTime - p.startTime) / 1000;
  let idle = 0;
  const fn = new Map<string, number>();
  const url = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const name = n.callFrame.functionName || "(anonymous)";
    if (name === "(idle)") {
      idle += us;
      continue;
    }
    const key = `${name} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const u = short(n.callFrame.url).replace(/:\d+$/, "");
    url.set(u, (url.get(u) ?? 0) + us);
    // Inclusive time per function name (each name once per stack).
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame;
      const k = `${f.functionName || "(anonymous)"} ${short(f.url)}`;
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + us);
    }
  }
  const cats = new Map<string, number>();
  for (const [id, us] of self) {
    if (byId.get(id)!.callFrame.functionName === "(idle)") continue;
    let cat = "other (node logic, promises, timers)";
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const hit = CATEGORIES.find(([, rule]) => rule(byId.get(at!)!.callFrame));
      if (hit) {
        cat = hit[0];
        break;
      }
    }
    cats.set(cat, (cats.get(cat) ?? 0) + us);
  }
  const busy = [...self.values()].reduce((a, b) => a + b, 0) / 1000 - idle / 1000;
  const fmt = (us: number) =>
    `${(us / 1000).toFixed(1).padStart(8)} ms ${((us / 1000 / busy) * 100).toFixed(1).padStart(5)} %` +
    (per > 0 ? ` ${(us / per).toFixed(1).padStart(8)} µs/verdict` : "");
  console.log(`\n== ${file}: ${total.toFixed(0)} ms wall, ${busy.toFixed(0)} ms busy, ${(idle / 1000).toFixed(0)} ms idle`);
  console.log("-- by category");
  for (const [k, v] of [...cats].sort((a, b) => b[1] - a[1])) console.log(`${fmt(v)}  ${k}`);
  console.log("-- self time by function");
  for (const [k, v] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${fmt(v)}  ${k}`);
  console.log("-- self time by file");
  for (const [k, v] of [...url].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${fmt(v)}  ${k}`);
  console.log("-- inclusive time (project functions)");
  for (const [k, v] of [...inclusive]
    .filter(([k]) => / (src|bin)\//.test(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    console.log(`${fmt(v)}  ${k}`);
}
