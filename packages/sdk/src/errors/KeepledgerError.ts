/**
 * One error hierarchy for the whole code base. Every failure a user can cause
 * (bad evidence, failed verification, failed policy, bad configuration) ends
 * in a subclass of {@link KeepledgerError} with a stable `code`; only
 * {@link InfrastructureError}s (RPC, PCCS, KDS) are worth retrying.
 */

export type ErrorStage = "format" | "verification" | "policy" | "infrastructure" | "usage";

/** Where in the input an error was found: a field name and a byte offset. */
export interface ErrorLocation {
  field?: string;
  offset?: number;
}

export interface KeepledgerErrorOptions {
  /** Expected/actual values and other facts that explain the failure. */
  details?: Record<string, unknown>;
  at?: ErrorLocation;
  cause?: unknown;
}

export abstract class KeepledgerError extends Error {
  abstract readonly stage: ErrorStage;
  /** Whether repeating the same operation later may succeed. */
  readonly retryable: boolean = false;
  readonly code: string;
  /** The message without details, stable enough to pin in tests. */
  readonly shortMessage: string;
  readonly details: Record<string, unknown>;
  readonly at: ErrorLocation | undefined;

  constructor(code: string, shortMessage: string, options: KeepledgerErrorOptions = {}) {
    super(formatMessage(shortMessage, options), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = options.details ?? {};
    this.at = options.at;
  }

  override get name(): string {
    return this.constructor.name;
  }

  /** The JSON shape used on the CLI, in HTTP error bodies and in GraphQL extensions. */
  toJSON(): { code: string; message: string; stage: ErrorStage; at?: ErrorLocation; details?: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      stage: this.stage,
      ...(this.at ? { at: this.at } : {}),
      ...(Object.keys(this.details).length > 0 ? { details: jsonSafe(this.details) as Record<string, unknown> } : {}),
    };
  }
}

/** The evidence bytes are malformed: truncated, lying lengths, unknown versions. */
export class EvidenceFormatError extends KeepledgerError {
  readonly stage = "format" as const;
}

/** The evidence is well formed but does not verify: signatures, chains, CRLs, collateral, time. */
export class VerificationError extends KeepledgerError {
  readonly stage = "verification" as const;
}

/** The evidence verifies but the workload's policy refuses it. */
export class PolicyError extends KeepledgerError {
  readonly stage = "policy" as const;
}

/** A dependency failed (RPC, PCCS, KDS, database); the same request may succeed later. */
export class InfrastructureError extends KeepledgerError {
  readonly stage = "infrastructure" as const;
  override readonly retryable = true;
}

/** The caller used keepledger wrongly: bad flags, bad configuration, missing files. */
export class UsageError extends KeepledgerError {
  readonly stage = "usage" as const;
}

export function isKeepledgerError(e: unknown): e is KeepledgerError {
  return e instanceof KeepledgerError;
}

function formatMessage(shortMessage: string, options: KeepledgerErrorOptions): string {
  const parts: string[] = [shortMessage];
  if (options.at?.field !== undefined || options.at?.offset !== undefined) {
    const where = [options.at.field, options.at.offset !== undefined ? `offset ${options.at.offset}` : undefined]
      .filter(Boolean)
      .join(" at ");
    parts.push(`(${where})`);
  }
  return parts.join(" ");
}

function jsonSafe(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return "0x" + Array.from(value, (b) => b.toString(16).padStart(2, "0")).join("");
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  }
  return value;
}
