import { readFileSync, readdirSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { PLATFORM_TCB_STATUSES, ShapeError, readQeIdentity, readTcbInfo } from "./intelDocumentShape.ts";

/**
 * The reference: the zod schemas the verifier used until the shapes were checked by hand. The hand-written
 * reader must accept and refuse exactly what they did, and give the same value.
 */
const hex = (bytes: number) =>
  z
    .string()
    .regex(new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`))
    .transform((s) => s.toLowerCase());
const date = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const svn = z.number().int().min(0).max(0xffff);
const status = z.enum([
  "UpToDate",
  "SWHardeningNeeded",
  "ConfigurationNeeded",
  "ConfigurationAndSWHardeningNeeded",
  "OutOfDate",
  "OutOfDateConfigurationNeeded",
  "Revoked",
]);
const advisories = z.array(z.string()).optional();
const components = z.array(z.object({ svn: z.number().int().min(0).max(255) }).loose()).length(16);
const identityLevels = z
  .array(z.object({ tcb: z.object({ isvsvn: svn }).loose(), tcbDate: date, tcbStatus: status, advisoryIDs: advisories }).loose())
  .min(1);
const referenceTcbInfo = z
  .object({
    id: z.string(),
    version: z.number().int(),
    issueDate: date,
    nextUpdate: date,
    fmspc: hex(6),
    pceId: hex(2),
    tcbType: z.number().int(),
    tcbEvaluationDataNumber: z.number().int().min(0),
    tdxModule: z
      .object({ mrsigner: hex(48), attributes: hex(8), attributesMask: hex(8) })
      .loose()
      .optional(),
    tdxModuleIdentities: z
      .array(z.object({ id: z.string(), mrsigner: hex(48), attributes: hex(8), attributesMask: hex(8), tcbLevels: identityLevels }).loose())
      .optional(),
    tcbLevels: z
      .array(
        z
          .object({
            tcb: z.object({ sgxtcbcomponents: components, pcesvn: svn, tdxtcbcomponents: components.optional() }).loose(),
            tcbDate: date,
            tcbStatus: status,
            advisoryIDs: advisories,
          })
          .loose(),
      )
      .min(1),
  })
  .loose();
const referenceQeIdentity = z
  .object({
    id: z.string(),
    version: z.number().int(),
    issueDate: date,
    nextUpdate: date,
    tcbEvaluationDataNumber: z.number().int().min(0),
    miscselect: hex(4),
    miscselectMask: hex(4),
    attributes: hex(16),
    attributesMask: hex(16),
    mrsigner: hex(32),
    isvprodid: svn,
    tcbLevels: identityLevels,
  })
  .loose();

type Body = { type: "tcbInfo" | "enclaveIdentity"; file: string; value: unknown };

const FIXTURES = new URL("../../../test/fixtures/", import.meta.url);
const bodies: Body[] = [];
for (const kind of ["sgx", "tdx", "cpu-gpu"]) {
  for (const set of readdirSync(new URL(`${kind}/`, FIXTURES))) {
    for (const [file, type] of [
      ["tcb_info.json", "tcbInfo"],
      ["qe_identity.json", "enclaveIdentity"],
    ] as const) {
      let text: string;
      try {
        text = readFileSync(new URL(`${kind}/${set}/${file}`, FIXTURES), "utf8");
      } catch {
        continue;
      }
      bodies.push({ type, file: `${kind}/${set}/${file}`, value: (JSON.parse(text) as Record<string, unknown>)[type] });
    }
  }
}

function both(
  body: Body,
  value: unknown,
): { reference: z.ZodSafeParseResult<unknown>; ours: { ok: true; value: unknown } | { ok: false; error: ShapeError } } {
  const reference = (body.type === "tcbInfo" ? referenceTcbInfo : referenceQeIdentity).safeParse(value);
  try {
    return { reference, ours: { ok: true, value: body.type === "tcbInfo" ? readTcbInfo(value) : readQeIdentity(value) } };
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    return { reference, ours: { ok: false, error } };
  }
}

/** Every place in a JSON value: the path to it. */
function paths(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  const out = [at];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...at, i])));
  else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]));
  return out;
}

/** Replacements that sit on the edges of the rules: types, ranges, hex lengths and cases, dates, statuses. */
const REPLACEMENTS: unknown[] = [
  null,
  true,
  "",
  "x",
  0,
  -1,
  1.5,
  255,
  256,
  65535,
  65536,
  2 ** 53,
  [],
  {},
  "UpToDate",
  "Revoked",
  "upToDate",
  "00906ED50000",
  "00906ed50000",
  "00906ed5000",
  "00906ed5000g",
  "0000",
  "ABCD",
  "2024-02-29T00:00:00Z",
  "2023-02-29T00:00:00Z",
  "2100-02-29T00:00:00Z",
  "2000-02-29T00:00:00Z",
  "2024-04-31T00:00:00Z",
  "2024-13-01T00:00:00Z",
  "2024-01-01T24:00:00Z",
  "2024-01-01T23:59:59.123456Z",
  "2024-01-01T00:00:00+05:30",
  "2024-01-01T00:00:00+24:00",
  "2024-01-01T00:00Z",
  "2024-01-01 00:00:00Z",
  "2024-01-01T00:00:00",
  "2024-01-01T00:00:00z",
  "2024-01-01T00:00:60Z",
  "2024-01-01T00:60:00Z",
  "2024-00-10T00:00:00Z",
  "2024-01-00T00:00:00Z",
  "2024-1a-01T00:00:00Z",
  "1900-02-29T00:00:00Z",
  "0999-12-31T23:59:59Z",
  "0050-01-01T00:00:00Z",
  ["INTEL-SA-00001"],
  [1],
];

type Mutation = { path: Array<string | number>; op: "replace" | "delete" | "extra" | "pop" | "push"; with: unknown };

function mutate(value: unknown, m: Mutation): unknown {
  const copy = structuredClone(value);
  if (m.path.length === 0 && m.op === "replace") return m.with;
  let parent: Record<string | number, unknown> = { root: copy };
  let last: string | number = "root";
  for (const key of m.path) {
    parent = parent[last] as Record<string | number, unknown>;
    last = key;
  }
  const target = parent[last];
  if (m.op === "replace") parent[last] = m.with;
  else if (m.op === "delete" && m.path.length > 0) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (m.op === "extra" && typeof target === "object" && target !== null && !Array.isArray(target))
    (target as Record<string, unknown>).unknownMember = m.with;
  else if (m.op === "pop" && Array.isArray(target)) target.pop();
  else if (m.op === "push" && Array.isArray(target)) target.push(structuredClone(target[0]));
  return copy;
}

describe("the Intel document shapes", () => {
  it("reads every fixture body as the schema did", () => {
    expect(bodies.length).toBeGreaterThanOrEqual(10);
    for (const body of bodies) {
      const { reference, ours } = both(body, body.value);
      expect(reference.success, body.file).toBe(true);
      expect(ours.ok, body.file).toBe(true);
      if (ours.ok && reference.success) expect(ours.value, body.file).toEqual(reference.data);
    }
  });

  it("accepts and refuses what the schema did, with the same value, on 3,000 mutated bodies", () => {
    const places = bodies.map((b) => paths(b.value));
    fc.assert(
      fc.property(
        fc.nat({ max: bodies.length - 1 }),
        fc.nat(),
        fc.constantFrom<Mutation["op"]>("replace", "replace", "replace", "delete", "extra", "pop", "push"),
        fc.constantFrom(...REPLACEMENTS),
        (b, p, op, replacement) => {
          const body = bodies[b]!;
          const path = places[b]![p % places[b]!.length]!;
          const mutated = mutate(body.value, { path, op, with: replacement });
          const { reference, ours } = both(body, mutated);
          expect(ours.ok).toBe(reference.success);
          if (ours.ok && reference.success) expect(ours.value).toEqual(reference.data);
        },
      ),
      { numRuns: 3000, seed: 20261204 },
    );
  });

  it("names the path and the rule a body breaks", () => {
    const tcbInfo = bodies.find((b) => b.type === "tcbInfo")!;
    const broken = mutate(tcbInfo.value, { path: ["tcbLevels", 0, "tcb", "sgxtcbcomponents", 3, "svn"], op: "replace", with: 256 });
    expect(() => readTcbInfo(broken)).toThrow("tcbLevels.0.tcb.sgxtcbcomponents.3.svn: expected an integer in [0, 255]");
    expect(() => readTcbInfo([])).toThrow("top level: expected an object");
    const qe = bodies.find((b) => b.type === "enclaveIdentity")!;
    expect(() => readQeIdentity(mutate(qe.value, { path: ["issueDate"], op: "replace", with: "2023-02-29T00:00:00Z" }))).toThrow(
      "issueDate: expected an RFC 3339 date-time with a zone",
    );
  });

  it("takes Intel's seven statuses from the shared TCB statuses, NotApplicable left out", () => {
    expect([...PLATFORM_TCB_STATUSES]).toEqual(status.options);
  });

  it("keeps members it does not check, and returns hex in lowercase", () => {
    const tcbInfo = bodies.find((b) => b.type === "tcbInfo")!;
    const upper = mutate(mutate(tcbInfo.value, { path: ["fmspc"], op: "replace", with: "00906ED50000" }), {
      path: [],
      op: "extra",
      with: "kept",
    });
    const read = readTcbInfo(upper);
    expect(read.fmspc).toBe("00906ed50000");
    expect(read.unknownMember).toBe("kept");
    expect(read.tcbLevels[0]!.tcbDate).toBeInstanceOf(Date);
  });
});
