/**
 * Workload policies on the command line: the JSON shape of `keepledger workload policy --set <file>` and
 * `--json` (WorkloadPolicy's field names, seconds as numbers), the flags for common fields, and the text
 * for people. A file or flags change the policy in force; fields left out keep their current values.
 */
import { readFile } from "node:fs/promises";
import { keccak256, type Hex } from "viem";
import { z } from "zod";
import type { WorkloadPolicy } from "../policy/types.ts";
import { formatSnpMinTcb, NO_MIN_SNP_TCB, parseSnpMinTcb } from "../policy/formatLaunchPolicy.ts";
import { AMD_PRODUCT_LINES, type LaunchPolicy, type SnpTcbComponents } from "../policy/types.ts";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import { AMD_PRODUCT_LINE_BITS } from "@keepledger/sdk/internal/ids/index";
import { TCB_STATUSES, TEE_KINDS, type TcbStatus, type TeeKind } from "@keepledger/sdk/internal/kinds/index";
import type { AmdProductLine } from "../pki/roots.ts";
import { CLI_CODES } from "./codes.ts";
import { badOption, hexOption, wholeOption } from "./governance.ts";

/** Seconds: a whole number (or decimal string) up to 2^53 - 1, the range of WorkloadPolicy durations. */
const seconds = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)])
  .transform((v) => Number(v))
  .refine((v) => Number.isSafeInteger(v), `at most ${Number.MAX_SAFE_INTEGER} seconds`);
const UINT64_MAX = 2n ** 64n - 1n;
/** A 64-bit mask: "0x…" hex or a decimal number/string. */
const mask64 = z
  .union([z.number().int().nonnegative(), z.string().regex(/^(0x[0-9a-fA-F]{1,16}|\d+)$/, "a 64-bit mask, 0x… or decimal")])
  .transform((v) => BigInt(v))
  .refine((v) => v <= UINT64_MAX, "a 64-bit mask");
const tcbComponent = z.number().int().min(0).max(255);
const snpTcb = z
  .object({ bootloader: tcbComponent, tee: tcbComponent, snp: tcbComponent, microcode: tcbComponent, fmc: tcbComponent.optional() })
  .strict();

/** The launch part: every field optional too; minSnpTcb lines replace the lines they name (null removes one). */
const launchSchema = z
  .object({
    minSnpTcb: z
      .object(
        Object.fromEntries(AMD_PRODUCT_LINES.map((l) => [l, snpTcb.nullable()])) as Record<
          (typeof AMD_PRODUCT_LINES)[number],
          z.ZodNullable<typeof snpTcb>
        >,
      )
      .partial()
      .strict(),
    snpAllowedVmpls: z.array(z.number().int().min(0).max(3)).min(1),
    snpAllowMigrateMa: z.boolean(),
    snpRequireSmtOff: z.boolean(),
    tdxAllowedTdAttributes: mask64,
    tdxAllowedXfam: mask64,
    tdxOwnerConfigDigest: z
      .string()
      .regex(/^0x[0-9a-fA-F]{64}$/, "32 bytes of hex")
      .transform((v) => v.toLowerCase() as Hex)
      .nullable(),
    sgxAllowedAttributes: mask64,
    sgxMinIsvSvn: z.number().int().min(0).max(0xffff),
  })
  .partial()
  .strict();

/** Every field optional: what is left out keeps the value in force. Unknown fields are refused. */
const policySchema = z
  .object({
    allowedTees: z.array(z.enum(TEE_KINDS)).min(1),
    acceptedTcbStatuses: z.array(z.enum(TCB_STATUSES)).min(1),
    dev: z.boolean(),
    allowUnboundEvidence: z.boolean(),
    deniedAmdProductLines: z.array(z.enum(Object.keys(AMD_PRODUCT_LINE_BITS) as [AmdProductLine, ...AmdProductLine[]])),
    maxEvidenceAge: seconds,
    verdictLifetime: seconds,
    tcbGracePeriod: seconds,
    deniedAdvisories: z.array(z.string().min(1)),
    deniedFmspcs: z
      .array(z.string().regex(/^[0-9a-fA-F]{12}$/, "an FMSPC is 12 hex digits"))
      .transform((l) => l.map((f) => f.toLowerCase())),
    launch: launchSchema,
  })
  .partial()
  .strict();

/** Launch changes: fields left out keep their values; a minSnpTcb line set to null loses its minimum. */
export type LaunchChanges = Omit<Partial<LaunchPolicy>, "minSnpTcb"> & {
  minSnpTcb?: Partial<Record<(typeof AMD_PRODUCT_LINES)[number], SnpTcbComponents | null>>;
};
export type PolicyChanges = Omit<Partial<WorkloadPolicy>, "launch"> & { launch?: LaunchChanges };

/** The policy `changes` make of `current`: top-level fields replace, launch fields merge, minSnpTcb per line. */
export function applyPolicyChanges(current: WorkloadPolicy, changes: PolicyChanges): WorkloadPolicy {
  const { launch, ...top } = changes;
  const next: WorkloadPolicy = { ...current, ...top, launch: { ...current.launch } };
  if (launch) {
    const { minSnpTcb, ...rest } = launch;
    next.launch = { ...next.launch, ...rest, minSnpTcb: { ...current.launch.minSnpTcb } };
    for (const line of AMD_PRODUCT_LINES) {
      if (minSnpTcb === undefined || !(line in minSnpTcb)) continue;
      const t = minSnpTcb[line];
      const zero = !t || (t.bootloader === 0 && t.tee === 0 && t.snp === 0 && t.microcode === 0 && (t.fmc ?? 0) === 0);
      if (zero) delete next.launch.minSnpTcb[line];
      else next.launch.minSnpTcb[line] = t;
    }
  }
  return next;
}

/** Parses policy JSON text; `source` names it in errors. */
export function parsePolicyJson(text: string, source: string): PolicyChanges {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new UsageError(CLI_CODES.CLI_POLICY_INVALID, `${source} is not JSON`, { cause });
  }
  // `keepledger workload policy --json` prints { policy: {...} }; accept that output as it is.
  if (typeof json === "object" && json !== null && "policy" in json && typeof (json as { policy: unknown }).policy === "object")
    json = (json as { policy: unknown }).policy;
  const parsed = policySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join(".") || "(root)";
    throw new UsageError(CLI_CODES.CLI_POLICY_INVALID, `${source}: ${field}: ${issue.message}`, {
      at: { field },
      details: { issues: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) },
    });
  }
  return parsed.data as PolicyChanges;
}

export async function readPolicyFile(path: string): Promise<PolicyChanges> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new UsageError(CLI_CODES.CLI_FILE_UNREADABLE, `cannot read policy file ${path}`, { cause });
  }
  return parsePolicyJson(text, path);
}

export interface PolicyFlags {
  tee?: string;
  acceptTcb?: string;
  maxEvidenceAge?: string;
  verdictLifetime?: string;
  dev?: boolean;
  snpMinTcb?: string[];
  snpVmpls?: string;
  snpAllowMigrateMa?: boolean;
  snpRequireSmtOff?: boolean;
  tdxAllowedTdAttributes?: string;
  tdxAllowedXfam?: string;
  tdxOwnerConfig?: string;
  sgxAllowedAttributes?: string;
  sgxMinIsvsvn?: string;
}

/** commander's collector for a repeatable option. */
export function collectOption(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function maskOption(flag: string, value: string): bigint {
  if (!/^(0x[0-9a-fA-F]{1,16}|\d+)$/.test(value) || BigInt(value) > UINT64_MAX)
    throw badOption(flag, value, "a 64-bit mask (0x + up to 16 hex digits, or decimal)");
  return BigInt(value);
}

/** `--tdx-owner-config <mrconfigid>:<mrowner>:<mrownerconfig>` (48 bytes each) → their digest; all zero or `none` → null. */
export function ownerConfigDigest(flag: string, value: string): Hex | null {
  if (value === "none") return null;
  const parts = value.split(":");
  if (parts.length !== 3) throw badOption(flag, value, "<mrconfigid>:<mrowner>:<mrownerconfig>, 48 bytes of hex each (or none)");
  const [a, b, c] = parts.map((x) => hexOption(flag, x, 48)) as [Hex, Hex, Hex];
  const joined = `0x${a.slice(2)}${b.slice(2)}${c.slice(2)}` as Hex;
  return /^0x0+$/.test(joined) ? null : keccak256(joined);
}

function launchChangesFromFlags(o: PolicyFlags): LaunchChanges | undefined {
  const l: LaunchChanges = {};
  for (const spec of o.snpMinTcb ?? []) {
    const r = parseSnpMinTcb(spec);
    if (!r.ok) throw badOption("--snp-min-tcb", spec, `Line:bootloader=B,tee=T,snp=S,microcode=M[,fmc=F] or Line:none (${r.message})`);
    l.minSnpTcb = { ...l.minSnpTcb, [r.line]: r.tcb };
  }
  if (o.snpVmpls !== undefined) {
    const items = o.snpVmpls.split(",").map((x) => x.trim());
    if (items.length === 0 || items.some((x) => !/^[0-3]$/.test(x)))
      throw badOption("--snp-vmpls", o.snpVmpls, "a comma-separated list of VMPLs 0..3");
    l.snpAllowedVmpls = [...new Set(items.map(Number))].sort();
  }
  if (o.snpAllowMigrateMa !== undefined) l.snpAllowMigrateMa = o.snpAllowMigrateMa;
  if (o.snpRequireSmtOff !== undefined) l.snpRequireSmtOff = o.snpRequireSmtOff;
  if (o.tdxAllowedTdAttributes !== undefined)
    l.tdxAllowedTdAttributes = maskOption("--tdx-allowed-td-attributes", o.tdxAllowedTdAttributes);
  if (o.tdxAllowedXfam !== undefined) l.tdxAllowedXfam = maskOption("--tdx-allowed-xfam", o.tdxAllowedXfam);
  if (o.tdxOwnerConfig !== undefined) l.tdxOwnerConfigDigest = ownerConfigDigest("--tdx-owner-config", o.tdxOwnerConfig);
  if (o.sgxAllowedAttributes !== undefined) l.sgxAllowedAttributes = maskOption("--sgx-allowed-attributes", o.sgxAllowedAttributes);
  if (o.sgxMinIsvsvn !== undefined) l.sgxMinIsvSvn = Number(wholeOption("--sgx-min-isvsvn", o.sgxMinIsvsvn, 0xffff));
  return Object.keys(l).length > 0 ? l : undefined;
}

function listOption<T extends string>(flag: string, value: string, allowed: readonly T[]): T[] {
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = items.find((i) => !(allowed as readonly string[]).includes(i));
  if (items.length === 0 || bad !== undefined) throw badOption(flag, value, `a comma-separated list of ${allowed.join(", ")}`);
  return items as T[];
}

/** The changes the common-field flags ask for (none when no flag is given). */
export function policyChangesFromFlags(o: PolicyFlags): PolicyChanges {
  return {
    ...(o.tee !== undefined ? { allowedTees: listOption<TeeKind>("--tee", o.tee, TEE_KINDS) } : {}),
    ...(o.acceptTcb !== undefined ? { acceptedTcbStatuses: listOption<TcbStatus>("--accept-tcb", o.acceptTcb, TCB_STATUSES) } : {}),
    ...(o.maxEvidenceAge !== undefined
      ? { maxEvidenceAge: Number(wholeOption("--max-evidence-age", o.maxEvidenceAge, BigInt(Number.MAX_SAFE_INTEGER))) }
      : {}),
    ...(o.verdictLifetime !== undefined
      ? { verdictLifetime: Number(wholeOption("--verdict-lifetime", o.verdictLifetime, BigInt(Number.MAX_SAFE_INTEGER))) }
      : {}),
    ...(o.dev !== undefined ? { dev: o.dev } : {}),
    ...(launchChangesFromFlags(o) ? { launch: launchChangesFromFlags(o)! } : {}),
  };
}

const hex64 = (v: bigint) => `0x${v.toString(16).padStart(16, "0")}`;

/** The JSON form of a launch policy (masks as 0x + 16 hex digits; minSnpTcb only has the lines with a minimum). */
export function launchPolicyJson(l: LaunchPolicy): Record<string, unknown> {
  return {
    minSnpTcb: l.minSnpTcb,
    snpAllowedVmpls: l.snpAllowedVmpls,
    snpAllowMigrateMa: l.snpAllowMigrateMa,
    snpRequireSmtOff: l.snpRequireSmtOff,
    tdxAllowedTdAttributes: hex64(l.tdxAllowedTdAttributes),
    tdxAllowedXfam: hex64(l.tdxAllowedXfam),
    tdxOwnerConfigDigest: l.tdxOwnerConfigDigest,
    sgxAllowedAttributes: hex64(l.sgxAllowedAttributes),
    sgxMinIsvSvn: l.sgxMinIsvSvn,
  };
}

/** The launch policy for people; no SEV-SNP minimum TCB is said explicitly (NO_MIN_SNP_TCB), never left blank. */
export function launchPolicyLines(l: LaunchPolicy): string[] {
  const tcb = formatSnpMinTcb(l.minSnpTcb);
  return [
    `SEV-SNP minimum TCB   ${tcb.length > 0 ? tcb.join("; ") : NO_MIN_SNP_TCB}`,
    `SEV-SNP VMPLs         ${l.snpAllowedVmpls.join(", ")}`,
    `SEV-SNP migration MA  ${l.snpAllowMigrateMa ? "allowed" : "refused"}`,
    `SEV-SNP SMT           ${l.snpRequireSmtOff ? "must be off" : "allowed"}`,
    `TDX TD attributes     ${hex64(l.tdxAllowedTdAttributes)} (bits that may be set)`,
    `TDX XFAM              ${hex64(l.tdxAllowedXfam)} (bits that may be set)`,
    `TDX owner config      ${l.tdxOwnerConfigDigest === null ? "MRCONFIGID, MROWNER, MROWNERCONFIG must be zero" : `digest ${l.tdxOwnerConfigDigest}`}`,
    `SGX attributes        ${hex64(l.sgxAllowedAttributes)} (bits that may be set)`,
    `SGX minimum ISVSVN    ${l.sgxMinIsvSvn}`,
  ];
}

/** The JSON form (what --set reads back). */
export function policyJson(p: WorkloadPolicy): Record<string, unknown> {
  return {
    allowedTees: p.allowedTees,
    acceptedTcbStatuses: p.acceptedTcbStatuses,
    dev: p.dev,
    allowUnboundEvidence: p.allowUnboundEvidence,
    deniedAmdProductLines: p.deniedAmdProductLines,
    maxEvidenceAge: p.maxEvidenceAge,
    verdictLifetime: p.verdictLifetime,
    tcbGracePeriod: p.tcbGracePeriod,
    deniedAdvisories: p.deniedAdvisories,
    deniedFmspcs: p.deniedFmspcs,
    launch: launchPolicyJson(p.launch),
  };
}

export function policyText(p: WorkloadPolicy, indent = "  "): string {
  const list = (l: readonly string[]) => (l.length > 0 ? l.join(", ") : "none");
  return [
    `allowed TEEs          ${list(p.allowedTees)}`,
    `accepted TCB statuses ${list(p.acceptedTcbStatuses)}`,
    `dev                   ${p.dev ? "yes — INSECURE: debug evidence and the debug kind are accepted" : "no"}`,
    `unbound evidence      ${p.allowUnboundEvidence ? "accepted (dev only)" : "refused"}`,
    `max evidence age      ${p.maxEvidenceAge} s`,
    `verdict lifetime      ${p.verdictLifetime} s`,
    `TCB grace period      ${p.tcbGracePeriod} s`,
    `denied AMD lines      ${list(p.deniedAmdProductLines)}`,
    `denied advisories     ${list(p.deniedAdvisories)}`,
    `denied FMSPCs         ${list(p.deniedFmspcs)}`,
    ...launchPolicyLines(p.launch),
  ]
    .map((l) => indent + l)
    .join("\n");
}
