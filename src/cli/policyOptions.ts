/**
 * Workload policies on the command line: the JSON shape of `keepledger workload policy --set <file>` and
 * `--json` (PlatformPolicy's field names, seconds as numbers), the flags for common fields, and the text
 * for people. A file or flags change the policy in force; fields left out keep their current values.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import type { PlatformPolicy } from "../chain/policy.ts";
import { UsageError } from "../errors/index.ts";
import { AMD_PRODUCT_LINE_BITS } from "../ids/index.ts";
import { TCB_STATUSES, TEE_KINDS, type TcbStatus, type TeeKind } from "../verify/types.ts";
import type { AmdProductLine } from "../verify/roots.ts";
import { CLI_CODES } from "./codes.ts";
import { badOption, wholeOption } from "./governance.ts";

const seconds = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform((v) => BigInt(v));

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
    deniedFmspcs: z.array(z.string().regex(/^[0-9a-fA-F]{12}$/, "an FMSPC is 12 hex digits")).transform((l) => l.map((f) => f.toLowerCase())),
  })
  .partial()
  .strict();

export type PolicyChanges = Partial<PlatformPolicy>;

/** Parses policy JSON text; `source` names it in errors. */
export function parsePolicyJson(text: string, source: string): PolicyChanges {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new UsageError(CLI_CODES.CLI_POLICY_INVALID, `${source} is not JSON`, { cause });
  }
  // `keepledger workload policy --json` prints { policy: {...} }; accept that output as it is.
  if (typeof json === "object" && json !== null && "policy" in json && typeof (json as { policy: unknown }).policy === "object") json = (json as { policy: unknown }).policy;
  const parsed = policySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join(".") || "(root)";
    throw new UsageError(CLI_CODES.CLI_POLICY_INVALID, `${source}: ${field}: ${issue.message}`, { at: { field }, details: { issues: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) } });
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
}

function listOption<T extends string>(flag: string, value: string, allowed: readonly T[]): T[] {
  const items = value.split(",").map((s) => s.trim()).filter(Boolean);
  const bad = items.find((i) => !(allowed as readonly string[]).includes(i));
  if (items.length === 0 || bad !== undefined) throw badOption(flag, value, `a comma-separated list of ${allowed.join(", ")}`);
  return items as T[];
}

/** The changes the common-field flags ask for (none when no flag is given). */
export function policyChangesFromFlags(o: PolicyFlags): PolicyChanges {
  return {
    ...(o.tee !== undefined ? { allowedTees: listOption<TeeKind>("--tee", o.tee, TEE_KINDS) } : {}),
    ...(o.acceptTcb !== undefined ? { acceptedTcbStatuses: listOption<TcbStatus>("--accept-tcb", o.acceptTcb, TCB_STATUSES) } : {}),
    ...(o.maxEvidenceAge !== undefined ? { maxEvidenceAge: wholeOption("--max-evidence-age", o.maxEvidenceAge, 2n ** 64n - 1n) } : {}),
    ...(o.verdictLifetime !== undefined ? { verdictLifetime: wholeOption("--verdict-lifetime", o.verdictLifetime, 2n ** 64n - 1n) } : {}),
    ...(o.dev !== undefined ? { dev: o.dev } : {}),
  };
}

/** The JSON form (what --set reads back). */
export function policyJson(p: PlatformPolicy): Record<string, unknown> {
  return {
    allowedTees: p.allowedTees,
    acceptedTcbStatuses: p.acceptedTcbStatuses,
    dev: p.dev,
    allowUnboundEvidence: p.allowUnboundEvidence,
    deniedAmdProductLines: p.deniedAmdProductLines,
    maxEvidenceAge: Number(p.maxEvidenceAge),
    verdictLifetime: Number(p.verdictLifetime),
    tcbGracePeriod: Number(p.tcbGracePeriod),
    deniedAdvisories: p.deniedAdvisories,
    deniedFmspcs: p.deniedFmspcs,
  };
}

export function policyText(p: PlatformPolicy, indent = "  "): string {
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
  ]
    .map((l) => indent + l)
    .join("\n");
}
