/** The body of POST /v1/evidence, checked field by field and turned into a Submission. */
import type { Hex } from "viem";
import { z } from "zod";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import { checkedPublicKey } from "../appraisal/appraiseSubmission.ts";
import { NODE_CODES } from "../codes.ts";
import type { Submission } from "../types.ts";

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Evidence or collateral bytes given as 0x-hex or base64 (standard or URL-safe). */
export function decodeBytesField(value: string, field: string): Uint8Array {
  if (value.startsWith("0x") || value.startsWith("0X")) {
    const body = value.slice(2);
    if (body.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(body) && body.length > 0) return new Uint8Array(Buffer.from(body, "hex"));
  } else if (BASE64.test(value) && value.replace(/=+$/, "").length % 4 !== 1) {
    const bytes = new Uint8Array(Buffer.from(value.replace(/-/g, "+").replace(/_/g, "/"), "base64"));
    if (bytes.length > 0) return bytes;
  }
  throw new UsageError(NODE_CODES.NODE_REQUEST_INVALID, `${field}: expected base64 or 0x-hex bytes`, { details: { field } });
}

export const evidenceRequestSchema = z
  .object({
    workloadId: z
      .string({ error: "expected the workload id (32 bytes of 0x-hex)" })
      .regex(/^0x[0-9a-fA-F]{64}$/, "expected the workload id (32 bytes of 0x-hex)"),
    evidence: z.string({ error: "expected the evidence as base64 or 0x-hex" }).min(1, "expected the evidence as base64 or 0x-hex"),
    publicKey: z.string({ error: "expected the subject's secp256k1 key as 0x-hex" }).optional(),
    freshnessBlock: z
      .union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/)], { error: "expected a block number" })
      .transform((n) => BigInt(n))
      .optional(),
    unbound: z.literal(true, { error: "expected true (or leave it out)" }).optional(),
    collateral: z
      .array(z.object({ name: z.string().min(1).max(200), data: z.string().min(1) }).strict(), {
        error: "expected [{ name, data: base64 }]",
      })
      .max(64, "at most 64 collateral files")
      .optional(),
    context: z.enum(["keep", "validator"], { error: 'expected "keep" or "validator"' }).optional(),
  })
  .strict();

export function parseEvidenceRequest(json: unknown): Submission {
  const parsed = evidenceRequestSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) =>
      i.code === "unrecognized_keys"
        ? `${i.keys.join(", ")}: not a field of this request`
        : `${i.path.join(".") || "(body)"}: ${i.message}`,
    );
    throw new UsageError(NODE_CODES.NODE_REQUEST_INVALID, lines.join("; "), { details: { problems: lines } });
  }
  const r = parsed.data;
  let subjectPublicKey: Hex | null = null;
  let freshnessBlock = 0n;
  if (r.unbound) {
    if (r.publicKey !== undefined || (r.freshnessBlock ?? 0n) !== 0n) {
      throw new UsageError(NODE_CODES.NODE_REQUEST_INVALID, "unbound evidence takes neither publicKey nor freshnessBlock");
    }
  } else {
    if (r.publicKey === undefined || r.freshnessBlock === undefined || r.freshnessBlock === 0n) {
      throw new UsageError(
        NODE_CODES.NODE_REQUEST_INVALID,
        "publicKey and freshnessBlock are required (or unbound: true, for dev policies that allow it)",
      );
    }
    subjectPublicKey = checkedPublicKey(r.publicKey as Hex);
    freshnessBlock = r.freshnessBlock;
  }
  return {
    workloadId: r.workloadId.toLowerCase() as Hex,
    evidence: decodeBytesField(r.evidence, "evidence"),
    subjectPublicKey,
    freshnessBlock,
    context: r.context ?? "keep",
    collateral: (r.collateral ?? []).map((c, i) => ({ name: c.name, bytes: decodeBytesField(c.data, `collateral[${i}].data`) })),
  };
}
