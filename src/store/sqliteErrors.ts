/**
 * What a failing SQLite statement means for the caller. node:sqlite throws a plain Error carrying
 * SQLite's result code (`errcode`); a full disk (SQLITE_FULL) or a failing disk (SQLITE_IOERR) is an
 * infrastructure failure the caller may retry once space or the disk is back (the node answers 503),
 * not a bug to answer with an internal error. The database itself stays consistent: SQLite rolls the
 * statement (or the transaction) back.
 */
import { InfrastructureError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";

export const SQLITE_STORE_CODES = defineErrorCodes("store", {
  STORE_DISK_FULL: {
    stage: "infrastructure",
    description:
      "The SQLite store could not write: its disk is full. Nothing was half-written (SQLite rolled the change back); free space and retry.",
  },
  STORE_IO_ERROR: {
    stage: "infrastructure",
    description: "The SQLite store's disk failed a read or write (SQLITE_IOERR); check the disk, then retry.",
  },
});

/** SQLite's primary result codes this module translates (the low byte of an extended code). */
const SQLITE_IOERR = 10;
const SQLITE_FULL = 13;

/** `error` as a typed store error when SQLite reports a full or failing disk; otherwise `error` itself. */
export function storeErrorOf(error: unknown, path: string): unknown {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  if (typeof errcode !== "number") return error;
  if ((errcode & 0xff) === SQLITE_FULL) {
    return new InfrastructureError(SQLITE_STORE_CODES.STORE_DISK_FULL, `the SQLite store ${path} cannot write: its disk is full`, {
      cause: error,
    });
  }
  if ((errcode & 0xff) === SQLITE_IOERR) {
    return new InfrastructureError(SQLITE_STORE_CODES.STORE_IO_ERROR, `the SQLite store ${path} hit a disk I/O error`, { cause: error });
  }
  return error;
}
