import { bufferView } from "../../util/bufferView.ts";
import { hash } from "node:crypto";
import type { VerifierContext } from "../verifierContext.ts";
import { ShapeError, readQeIdentity, readTcbInfo, type QeIdentity, type TcbInfo } from "./intelDocumentShape.ts";
import type { SignedIntelJson } from "../../collateral/types.ts";
import { takeParsedBody } from "../../collateral/parsedIntelBody.ts";
import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { DCAP_CODES } from "./codes.ts";

/**
 * Intel TCB Info (v3) and Enclave Identity (v2) as served by PCS v4, validated.
 * Everything is read from the exact signed bytes (`body`), never from the
 * document's `value`: what is evaluated is what Intel signed. The parse of
 * those bytes may be the recognizer's, handed over once (parsedIntelBody.ts).
 */

export {
  PLATFORM_TCB_STATUSES,
  type PlatformTcbStatus,
  type QeIdentity,
  type TcbInfo,
  type TcbLevel,
  type TdxModuleIdentity,
} from "./intelDocumentShape.ts";

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
  // The recognizer's parse of these very bytes, when it made the document and no verification has taken it yet.
  let json = takeParsedBody(doc.body);
  if (json === undefined) {
    try {
      json = JSON.parse(bufferView(doc.body).toString("utf8"));
    } catch (cause) {
      return { ok: false, error: malformed(`${name} is not JSON`, { cause }) };
    }
  }
  try {
    return { ok: true, value: doc.type === "tcbInfo" ? readTcbInfo(json) : readQeIdentity(json) };
  } catch (e) {
    if (!(e instanceof ShapeError)) throw e;
    return {
      ok: false,
      error: malformed(`${name} is malformed at ${e.message}`, { details: { path: e.path.join("."), reason: e.reason } }),
    };
  }
}

function malformed(message: string, options: { cause?: unknown; details?: Record<string, unknown> }): VerificationError {
  return new VerificationError(DCAP_CODES.DCAP_COLLATERAL_MALFORMED, message, { at: { field: "collateral" }, ...options });
}
