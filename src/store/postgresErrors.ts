/**
 * What a failing PostgreSQL statement means for the caller. A server that is restarting, shutting down or
 * unreachable (SQLSTATE class 08 "connection exception", 57P01–57P03, a refused or reset socket, a
 * connection the server ended) is an infrastructure failure the caller may retry — the node answers 503
 * and its outbox retries — not a bug to answer with an internal error.
 */
import { InfrastructureError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";

export const POSTGRES_STORE_CODES = defineErrorCodes("store", {
  STORE_UNAVAILABLE: {
    stage: "infrastructure",
    description:
      "The PostgreSQL server could not be reached or ended the connection (restart, shutdown, network); nothing was half-written (the transaction rolled back). Retry.",
  },
});

const CONNECTION_SQLSTATE = /^(08...|57P0[123])$/;
const CONNECTION_ERRNO: ReadonlySet<string> = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN"]);
const CONNECTION_MESSAGE = /connection terminated|terminating connection|Client has encountered a connection error|not queryable/i;

/** `error` as STORE_UNAVAILABLE when it says the server or the connection is gone; otherwise `error` itself. */
export function postgresErrorOf(error: unknown, where: string): unknown {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : "";
  const message = typeof e?.message === "string" ? e.message : "";
  if (CONNECTION_SQLSTATE.test(code) || CONNECTION_ERRNO.has(code) || CONNECTION_MESSAGE.test(message)) {
    return new InfrastructureError(
      POSTGRES_STORE_CODES.STORE_UNAVAILABLE,
      `the PostgreSQL store ${where} is unavailable: ${message || code}`,
      {
        cause: error,
      },
    );
  }
  return error;
}
