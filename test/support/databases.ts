import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { openDatabase, type Database } from "../../src/store/openDatabase.ts";

/**
 * The stores every storage test runs against: SQLite always, PostgreSQL when
 * KEEPLEDGER_TEST_POSTGRES_URL points at a server (.ci/run starts one from
 * Debian's packages). On CI a missing PostgreSQL is an error, not a skip.
 */
export const POSTGRES_URL = process.env.KEEPLEDGER_TEST_POSTGRES_URL;

if (process.env.CI && !POSTGRES_URL) {
  throw new Error("CI must provide KEEPLEDGER_TEST_POSTGRES_URL so storage tests run against PostgreSQL too");
}

export interface TestDatabase {
  name: "sqlite" | "postgres";
  open(): Promise<{ db: Database; url: string; drop(): Promise<void> }>;
}

export const TEST_DATABASES: TestDatabase[] = [
  {
    name: "sqlite",
    // A file, as the registry and the node run it: reads beside a transaction and page commits take
    // other connections (and the writer thread) than an in-memory database has.
    async open() {
      const dir = mkdtempSync(join(tmpdir(), "keepledger-db-"));
      const url = join(dir, "store.db");
      const db = openDatabase(url);
      return {
        db,
        url,
        async drop() {
          await db.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  ...(POSTGRES_URL
    ? [
        {
          name: "postgres" as const,
          async open() {
            // A fresh database per suite keeps suites independent and parallel-safe.
            const name = `kl_test_${randomBytes(6).toString("hex")}`;
            const admin = new pg.Client({ connectionString: POSTGRES_URL });
            await admin.connect();
            await admin.query(`CREATE DATABASE ${name}`);
            await admin.end();
            const u = new URL(POSTGRES_URL);
            u.pathname = `/${name}`;
            const db = openDatabase(u.toString());
            return {
              db,
              url: u.toString(),
              async drop() {
                await db.close();
                await dropDatabase(POSTGRES_URL, name);
              },
            };
          },
        },
      ]
    : []),
];

/**
 * DROP DATABASE … WITH (FORCE), retried while PostgreSQL refuses it for a moment. FORCE terminates
 * the other sessions on the database, but an autovacuum worker that happens to be vacuuming it runs
 * under no role the test user belongs to, so the drop fails with 42501 ("must be a member of the role
 * whose process is being terminated") — seen on a loaded CI machine. The worker is gone within a
 * second or so; 55006 (object in use) is the same race without FORCE's check.
 */
export async function dropDatabase(adminUrl: string, name: string, attempts = 20): Promise<void> {
  const a = new pg.Client({ connectionString: adminUrl });
  await a.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        return;
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (attempt >= attempts || (code !== "42501" && code !== "55006")) throw e;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  } finally {
    await a.end();
  }
}
