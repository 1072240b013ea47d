/**
 * The JSON bodies of the node's key endpoints (docs/key-release.md), shared by the node that parses them
 * and the SDK that writes and reads them: POST /v1/keys/{keyId}/shares and POST /v1/keys/{keyId}/release.
 */
import { getAddress, isAddress, type Address, type Hex } from "viem";
import { z } from "zod";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import type { VerdictJson } from "@keepledger/sdk/internal/chain/verdictView";
import { KEY_CODES } from "@keepledger/sdk/internal/chain/keyRelease/codes";

const hex = (bytes?: number) =>
  z
    .string()
    .regex(
      bytes === undefined ? /^0x([0-9a-fA-F]{2})*$/ : new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`),
      bytes ? `expected ${bytes} bytes of 0x-hex` : "expected 0x-hex",
    )
    .transform((s) => s.toLowerCase() as Hex);
const address = z
  .string()
  .refine((s) => isAddress(s, { strict: false }), "not an address")
  .transform((s) => getAddress(s) as Address);
const uint = z.string().regex(/^\d{1,20}$/, "expected a decimal integer");
const sealed = z.object({ enc: hex(32), ct: hex().refine((s) => s.length <= 2 + 2 * 8192, "at most 8 KiB") }).strict();
const version = z.number().int().min(1).max(0xffffffff);

const verdictJson = z
  .object({
    workloadId: hex(32),
    measurementHash: hex(32),
    tee: z.number().int().min(0).max(255),
    tcbStatus: z.number().int().min(0).max(255),
    subject: address,
    evidenceHash: hex(32),
    collateralHash: hex(32),
    issuedAt: uint,
    expiresAt: uint,
    freshnessBlock: uint,
  })
  .strict();

export const shareDepositBodySchema = z
  .object({ version, sealed, shareHashes: z.array(hex(32)).min(2).max(64), signature: hex(65) })
  .strict();
export type ShareDepositBody = z.output<typeof shareDepositBodySchema>;

export const releaseBodySchema = z
  .object({ version, recipientPublicKey: hex(32), blockNumber: uint, blockHash: hex(32), verdict: verdictJson, signature: hex(65) })
  .strict();
export type ReleaseBody = z.output<typeof releaseBodySchema> & { verdict: VerdictJson };

export type { ReleaseResponse } from "@keepledger/sdk/internal/chain/keyRelease/releaseResponse";

/** Parses a body with `schema`; a mismatch is KEY_REQUEST_INVALID naming the field. */
export function parseKeyBody<T extends z.ZodType>(schema: T, json: unknown): z.output<T> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || "(body)";
    throw new UsageError(KEY_CODES.KEY_REQUEST_INVALID, `malformed key request: ${field}: ${issue?.message}`, { at: { field } });
  }
  return parsed.data;
}
