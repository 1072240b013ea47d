/**
 * A PostgreSQL server that cuts a connection in the middle of a transaction (a restart, an administrator's
 * pg_terminate_backend): the transaction rejects with STORE_UNAVAILABLE (retryable), the process survives (the 'error' the cut connection
 * emits while checked out is handled), and the store works on fresh connections afterwards. The chaos
 * campaign's "PostgreSQL restart" scenario found the crash this test keeps away.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import type { Database } from "../../src/store/Database.ts";
import { POSTGRES_URL, TEST_DATABASES } from "../support/databases.ts";

const postgres = TEST_DATABASES.find((d) => d.name === "postgres");

describe.skipIf(!postgres)("a PostgreSQL connection cut inside a transaction", () => {
  let db: Database;
  let url: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ db, url, drop } = await postgres!.open());
    await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY)");
  });
  afterAll(async () => drop?.());

  it("rejects the transaction, keeps the process up and serves the next statements", async () => {
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    const name = new URL(url).pathname.slice(1);
    const outcome = await db
      .transaction(async (tx) => {
        await tx.execute("INSERT INTO t (id) VALUES (1)");
        // Cut every connection to this database from outside, then give the 'error' event time to arrive.
        await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [name]);
        await new Promise((r) => setTimeout(r, 300));
        await tx.execute("INSERT INTO t (id) VALUES (2)");
      })
      .then(
        () => "committed",
        (e: unknown) => `rejected: ${isKeepledgerError(e) ? `${e.code} (retryable: ${e.retryable})` : String(e)}`,
      );
    await admin.end();
    // A typed, retryable refusal (the node answers 503 and its outbox retries), not an internal error.
    expect(outcome).toBe("rejected: STORE_UNAVAILABLE (retryable: true)");
    // Nothing of the cut transaction is left, and new work goes through fresh connections.
    expect(await db.query("SELECT id FROM t")).toEqual([]);
    await db.execute("INSERT INTO t (id) VALUES (3)");
    expect(await db.query("SELECT id FROM t")).toEqual([{ id: 3 }]);
  });
});
