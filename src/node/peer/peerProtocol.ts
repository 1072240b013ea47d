/**
 * What validators send each other: a proposed verdict (or a batch) together with everything needed to
 * appraise it independently — the evidence, the binding inputs and every collateral file the collector
 * verified with. Files travel once per request as blobs keyed by their SHA-256, so a batch of quotes
 * sharing one TCB Info carries it once. Requests are authenticated by the sending validator (peerAuth.ts).
 */
import { createHash } from "node:crypto";
import { getAddress, type Address, type Hex } from "viem";
import { z } from "zod";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import type { VerdictGroup } from "@keepledger/sdk/internal/ids/index";
import { NODE_CODES } from "../codes.ts";
import type { CollateralFile, Submission, VerdictJson } from "../types.ts";

const hex = (bytes: number) => z.string().regex(new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`), `expected ${bytes} bytes as 0x-hex`);
const uintString = z.string().regex(/^\d{1,20}$/, "expected a decimal integer");
const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "expected an address")
  .transform((a) => getAddress(a));

export const verdictJsonSchema = z
  .object({
    workloadId: hex(32),
    measurementHash: hex(32),
    tee: z.number().int().min(0).max(255),
    tcbStatus: z.number().int().min(0).max(255),
    subject: address,
    evidenceHash: hex(32),
    collateralHash: hex(32),
    issuedAt: uintString,
    expiresAt: uintString,
    freshnessBlock: uintString,
  })
  .strict();

const submissionWireSchema = z
  .object({
    workloadId: hex(32),
    evidence: z.string().min(1),
    publicKey: hex(64).nullable(),
    freshnessBlock: uintString,
    context: z.enum(["keep", "validator"]),
    collateral: z.array(z.object({ name: z.string().min(1).max(200), blob: hex(32) }).strict()).max(256),
  })
  .strict();

const blobsSchema = z.record(z.string().regex(/^0x[0-9a-f]{64}$/), z.string());

export const peerSignRequestSchema = z
  .object({ verdict: verdictJsonSchema, submission: submissionWireSchema, blobs: blobsSchema })
  .strict();

const groupSchema = z
  .object({
    workloadId: hex(32),
    measurementHash: hex(32),
    tee: z.number().int().min(0).max(255),
    tcbStatus: z.number().int().min(0).max(255),
    collateralHash: hex(32),
    issuedAt: uintString,
    expiresAt: uintString,
    items: z.array(z.object({ subject: address, evidenceHash: hex(32), freshnessBlock: uintString }).strict()).min(1),
  })
  .strict();

export const peerBatchRequestSchema = z
  .object({
    root: hex(32),
    count: z.number().int().min(1).max(65_536),
    groups: z.array(groupSchema).min(1),
    /** One per leaf, in leaf order. */
    submissions: z.array(submissionWireSchema).min(1),
    blobs: blobsSchema,
  })
  .strict();

export type SubmissionWire = z.infer<typeof submissionWireSchema>;
export type PeerSignRequest = z.input<typeof peerSignRequestSchema>;
export type PeerBatchRequest = z.input<typeof peerBatchRequestSchema>;

/** A peer's answer: a signature, or a refusal with a code (per item for a batch). */
export interface PeerSignatureAnswer {
  signer: Address;
  signature: Hex;
}
export interface PeerRefusal {
  /** `details.superseding`: the newer collateral documents a peer shows with a superseded/stale refusal (supersedingDocuments.ts). */
  error: { code: string; message: string; stage?: string; details?: Record<string, unknown> };
  refused?: Array<{ index: number; verdictId: Hex; code: string; message: string }>;
}

const sha256 = (bytes: Uint8Array): Hex => `0x${createHash("sha256").update(bytes).digest("hex")}`;

/** Encodes submissions for the wire, collecting their collateral files into shared blobs. */
export function encodeSubmissions(submissions: readonly Submission[]): { wire: SubmissionWire[]; blobs: Record<string, string> } {
  const blobs: Record<string, string> = {};
  const wire = submissions.map((s) => ({
    workloadId: s.workloadId,
    evidence: Buffer.from(s.evidence).toString("base64"),
    publicKey: s.subjectPublicKey,
    freshnessBlock: s.freshnessBlock.toString(),
    context: s.context,
    collateral: s.collateral.map((f) => {
      const blob = sha256(f.bytes);
      blobs[blob] ??= Buffer.from(f.bytes).toString("base64");
      return { name: f.name, blob };
    }),
  }));
  return { wire, blobs };
}

/** Decodes wire submissions; every blob must be present and hash to its key. */
export function decodeSubmissions(wire: readonly SubmissionWire[], blobs: Record<string, string>): Submission[] {
  const decoded = new Map<string, Uint8Array>();
  const blob = (key: string): Uint8Array => {
    const known = decoded.get(key);
    if (known) return known;
    const text = blobs[key];
    if (text === undefined)
      throw new UsageError(NODE_CODES.NODE_REQUEST_INVALID, `collateral blob ${key} is missing`, { details: { blob: key } });
    const bytes = new Uint8Array(Buffer.from(text, "base64"));
    if (sha256(bytes) !== key)
      throw new UsageError(NODE_CODES.NODE_REQUEST_INVALID, `collateral blob ${key} does not hash to its key`, { details: { blob: key } });
    decoded.set(key, bytes);
    return bytes;
  };
  return wire.map((s) => ({
    workloadId: s.workloadId as Hex,
    evidence: new Uint8Array(Buffer.from(s.evidence, "base64")),
    subjectPublicKey: s.publicKey as Hex | null,
    freshnessBlock: BigInt(s.freshnessBlock),
    context: s.context,
    collateral: s.collateral.map((c): CollateralFile => ({ name: c.name, bytes: blob(c.blob) })),
  }));
}

export function groupsToWire(groups: readonly VerdictGroup[]): PeerBatchRequest["groups"] {
  return groups.map((g) => ({
    ...g,
    issuedAt: g.issuedAt.toString(),
    expiresAt: g.expiresAt.toString(),
    items: g.items.map((i) => ({ ...i, freshnessBlock: i.freshnessBlock.toString() })),
  }));
}

export function groupsFromWire(groups: z.output<typeof peerBatchRequestSchema>["groups"]): VerdictGroup[] {
  return groups.map((g) => ({
    ...(g as Omit<VerdictGroup, "issuedAt" | "expiresAt" | "items">),
    workloadId: g.workloadId as Hex,
    measurementHash: g.measurementHash as Hex,
    collateralHash: g.collateralHash as Hex,
    issuedAt: BigInt(g.issuedAt),
    expiresAt: BigInt(g.expiresAt),
    items: g.items.map((i) => ({ subject: i.subject, evidenceHash: i.evidenceHash as Hex, freshnessBlock: BigInt(i.freshnessBlock) })),
  }));
}

export type ParsedVerdictJson = z.output<typeof verdictJsonSchema>;
export const asVerdictJson = (v: ParsedVerdictJson): VerdictJson => v as VerdictJson;
