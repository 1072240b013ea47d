import { bufferView } from "../../util/bufferView.ts";
import { hash } from "node:crypto";
import type { VerifierContext } from "../verifierContext.ts";
import { z } from "zod";
import type { SignedIntelJson } from "../../collateral/types.ts";
import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { DCAP_CODES } from "./codes.ts";

/**
 * Intel TCB Info (v3) and Enclave Identity (v2) as served by PCS v4, validated.
 * Everything is read from the exact signed bytes (`body`), never from a
 * pre-parsed `value`: what is evaluated is what Intel signed.
 */

export const PLATFORM_TCB_STATUSES = [
  "UpToDate",
  "SWHardeningNeeded",
  "ConfigurationNeeded",
  "ConfigurationAndSWHardeningNeeded",
  "OutOfDate",
  "OutOfDateConfigurationNeeded",
  "Revoked",
] as const;
export type PlatformTcbStatus = (typeof PLATFORM_TCB_STATUSES)[number];

const hex = (bytes: number) =>
  z
    .string()
    .regex(new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`))
    .transform((s) => s.toLowerCase());
const date = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const svn = z.number().int().min(0).max(0xffff);
const status = z.enum(PLATFORM_TCB_STATUSES);
const advisories = z.array(z.string()).optional();
const components = z.array(z.object({ svn: z.number().int().min(0).max(255) }).loose()).length(16);

const tcbLevel = z
  .object({
    tcb: z.object({ sgxtcbcomponents: components, pcesvn: svn, tdxtcbcomponents: components.optional() }).loose(),
    tcbDate: date,
    tcbStatus: status,
    advisoryIDs: advisories,
  })
  .loose();

const moduleIdentity = z
  .object({
    id: z.string(),
    mrsigner: hex(48),
    attributes: hex(8),
    attributesMask: hex(8),
    tcbLevels: z
      .array(z.object({ tcb: z.object({ isvsvn: svn }).loose(), tcbDate: date, tcbStatus: status, advisoryIDs: advisories }).loose())
      .min(1),
  })
  .loose();

const tcbInfoSchema = z
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
    tdxModuleIdentities: z.array(moduleIdentity).optional(),
    tcbLevels: z.array(tcbLevel).min(1),
  })
  .loose();

const qeIdentitySchema = z
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
    tcbLevels: z
      .array(z.object({ tcb: z.object({ isvsvn: svn }).loose(), tcbDate: date, tcbStatus: status, advisoryIDs: advisories }).loose())
      .min(1),
  })
  .loose();

export type TcbInfo = z.infer<typeof tcbInfoSchema>;
export type TcbLevel = z.infer<typeof tcbLevel>;
export type TdxModuleIdentity = z.infer<typeof moduleIdentity>;
export type QeIdentity = z.infer<typeof qeIdentitySchema>;

/** A validated Intel document with its identity: the SHA-256 of the exact signed bytes. */
export interface IntelDocument<T> {
  source: SignedIntelJson;
  /** Lowercase hex SHA-256 of `source.body`. */
  bodyHash: string;
  value: T;
}

/** A TCB Info / QE Identity body parsed and validated, or why it is not valid. */
export type ParsedIntelDocument = { ok: true; value: TcbInfo | QeIdentity } | { ok: false; error: VerificationError };

export function sha256Hex(bytes: Uint8Array): string {
  return hash("sha256", bytes, "hex");
}

/**
 * Validates one signed document, remembered in `context` by the SHA-256 of its body
 * (and type) so a warm verifier never re-parses JSON collateral. Returns the
 * validation error instead of throwing so callers can skip unrelated documents.
 */
export function readIntelDocument(
  doc: SignedIntelJson,
  context?: VerifierContext,
): IntelDocument<TcbInfo | QeIdentity> | VerificationError {
  const bodyHash = sha256Hex(doc.body);
  const key = `${doc.type}:${bodyHash}`;
  const parsed = context ? context.intelDocuments.getOrSet(key, () => parse(doc)) : parse(doc);
  return parsed.ok ? { source: doc, bodyHash, value: parsed.value } : parsed.error;
}

function parse(doc: SignedIntelJson): ParsedIntelDocument {
  const name = doc.type === "tcbInfo" ? "TCB Info" : "QE Identity";
  let json: unknown;
  try {
    json = JSON.parse(bufferView(doc.body).toString("utf8"));
  } catch (cause) {
    return { ok: false, error: malformed(`${name} is not JSON`, { cause }) };
  }
  const r = (doc.type === "tcbInfo" ? tcbInfoSchema : qeIdentitySchema).safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    return {
      ok: false,
      error: malformed(`${name} is malformed at ${issue.path.join(".") || "top level"}: ${issue.message}`, {
        details: { issues: r.error.issues.slice(0, 5).map((i) => ({ path: i.path.join("."), message: i.message })) },
      }),
    };
  }
  return { ok: true, value: r.data };
}

function malformed(message: string, options: { cause?: unknown; details?: Record<string, unknown> }): VerificationError {
  return new VerificationError(DCAP_CODES.DCAP_COLLATERAL_MALFORMED, message, { at: { field: "collateral" }, ...options });
}
