import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES, type TestDatabase } from "../../test/support/databases.ts";
import type { Database } from "./Database.ts";
import { openDatabase } from "./openDatabase.ts";

/** SQLite in memory, besides the shared file: one connection, so reads and page commits take other paths. */
const sqliteMemory = {
  name: "sqlite in memory",
  async open() {
    const db = openDatabase(":memory:");
    return { db, url: ":memory:", drop: () => db.close() };
  },
} as unknown as TestDatabase;

describe.each([...TEST_DATABASES, sqliteMemory])("Database on $name", (store) => {
  let db: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ db, drop } = await store.open());
    await db.exec("CREATE TABLE item (id TEXT PRIMARY KEY, n {bigint} NOT NULL, body {bytes}); CREATE INDEX item_n ON item (n);");
  });
  afterAll(() => drop());

  it("writes and reads with $n placeholders, bytes and big integers", async () => {
    await db.execute("INSERT INTO item (id, n, body) VALUES ($1, $2, $3)", ["a", 2 ** 40, new Uint8Array([1, 2, 3])]);
    const rows = await db.query<{ id: string; n: number; body: Uint8Array }>("SELECT id, n, body FROM item WHERE n = $1", [2 ** 40]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.n).toBe(2 ** 40);
    expect([...rows[0]!.body]).toEqual([1, 2, 3]);
  });

  it("reads rows as arrays in the SELECT list's order with queryArrays, the same statement also as objects", async () => {
    await db.execute("INSERT INTO item (id, n, body) VALUES ($1, $2, $3)", ["arrays", 7, new Uint8Array([9, 8])]);
    const sql = "SELECT n, id, body, NULL AS absent FROM item WHERE id = $1";
    const rows = await db.queryArrays(sql, ["arrays"]);
    expect(rows).toHaveLength(1);
    const [n, id, body, absent] = rows[0]!;
    expect([n, id, absent]).toEqual([7, "arrays", null]);
    expect(body).toBeInstanceOf(Uint8Array);
    expect(body).not.toBeInstanceOf(Buffer);
    expect([...(body as Uint8Array)]).toEqual([9, 8]);
    // The same text through query still answers objects (SQLite prepares the two modes apart).
    expect(await db.query<{ n: number; id: string }>(sql, ["arrays"])).toEqual([
      { n: 7, id: "arrays", body: expect.anything(), absent: null },
    ]);
    expect(await db.queryArrays("SELECT id FROM item WHERE id = $1", ["none"])).toEqual([]);
  });

  it("runs one statement per parameter row with executeMany, inside a transaction", async () => {
    const rows = Array.from({ length: 50 }, (_, i) => [`many-${i}`, i]);
    const r = await db.transaction((tx) => tx.executeMany("INSERT INTO item (id, n) VALUES ($1, $2)", rows));
    expect(r.changes).toBe(50);
    const back = await db.query<{ id: string; n: number }>("SELECT id, n FROM item WHERE id LIKE 'many-%' ORDER BY n");
    expect(back.map((x) => [x.id, x.n])).toEqual(rows);
    // A failing row rolls the whole transaction back.
    await expect(
      db.transaction((tx) =>
        tx.executeMany("INSERT INTO item (id, n) VALUES ($1, $2)", [
          ["many-x", 1],
          ["many-0", 2],
        ]),
      ),
    ).rejects.toThrow();
    expect(await db.query("SELECT id FROM item WHERE id = $1", ["many-x"])).toEqual([]);
  });

  it("commits planned writes in order in one transaction, and none of them when one fails", async () => {
    const insert = "INSERT INTO item (id, n) VALUES ($1, $2)";
    await db.commitWrites([
      {
        sql: insert,
        rows: [
          ["planned-1", 1],
          ["planned-2", 2],
        ],
      },
      { sql: "UPDATE item SET n = $1 WHERE id = $2", rows: [[20, "planned-2"]] },
    ]);
    const planned = () => db.query("SELECT id, n FROM item WHERE id LIKE 'planned-%' ORDER BY id");
    expect(await planned()).toEqual([
      { id: "planned-1", n: 1 },
      { id: "planned-2", n: 20 },
    ]);
    // The second statement breaks the primary key: the first one's row is not kept either.
    const failure = await db
      .commitWrites([
        { sql: insert, rows: [["planned-3", 3]] },
        { sql: insert, rows: [["planned-1", 4]] },
      ])
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(await planned()).toHaveLength(2);
    await db.commitWrites([{ sql: insert, rows: [["planned-3", 3]] }]);
    expect(await planned()).toHaveLength(3);
    await db.commitWrites([]);
  });

  it("upserts the same way on both dialects", async () => {
    const sql = "INSERT INTO item (id, n) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET n = excluded.n";
    await db.execute(sql, ["b", 1]);
    await db.execute(sql, ["b", 5]);
    expect(await db.query("SELECT n FROM item WHERE id = $1", ["b"])).toEqual([{ n: 5 }]);
  });

  it("rolls a failed transaction back and commits a good one", async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.execute("INSERT INTO item (id, n) VALUES ($1, $2)", ["c", 1]);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await db.query("SELECT id FROM item WHERE id = $1", ["c"])).toEqual([]);
    await db.transaction(async (tx) => {
      await tx.execute("INSERT INTO item (id, n) VALUES ($1, $2)", ["d", 1]);
      await tx.transaction(async (inner) => inner.execute("INSERT INTO item (id, n) VALUES ($1, $2)", ["e", 1]));
    });
    expect(await db.query("SELECT id FROM item WHERE id IN ($1, $2) ORDER BY id", ["d", "e"])).toEqual([{ id: "d" }, { id: "e" }]);
  });

  it("serializes concurrent transactions", async () => {
    await db.execute("INSERT INTO item (id, n) VALUES ($1, $2)", ["counter", 0]);
    await Promise.all(
      Array.from({ length: 20 }, () =>
        db.transaction(async (tx) => {
          // SQLite transactions are serialized whole; PostgreSQL needs the row lock.
          const lock = db.dialect === "postgres" ? " FOR UPDATE" : "";
          const [row] = await tx.query<{ n: number }>(`SELECT n FROM item WHERE id = $1${lock}`, ["counter"]);
          await new Promise((r) => setTimeout(r, 1));
          await tx.execute("UPDATE item SET n = $1 WHERE id = $2", [row!.n + 1, "counter"]);
        }),
      ),
    );
    expect(await db.query("SELECT n FROM item WHERE id = $1", ["counter"])).toEqual([{ n: 20 }]);
  });

  it("keeps statements of other async work out of an open transaction", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const failed = db
      .transaction(async (tx) => {
        await tx.execute("INSERT INTO item (id, n) VALUES ($1, $2)", ["uncommitted", 1]);
        // Code inside the transaction that reaches the store through the outer handle belongs to it.
        expect(await db.query("SELECT id FROM item WHERE id = $1", ["uncommitted"])).toEqual([{ id: "uncommitted" }]);
        expect(await db.queryArrays("SELECT id FROM item WHERE id = $1", ["uncommitted"])).toEqual([["uncommitted"]]);
        entered();
        await gate;
        throw new Error("roll back");
      })
      .catch((e: Error) => e.message);
    await inside;
    const read = db.query("SELECT id FROM item WHERE id = $1", ["uncommitted"]);
    const readArrays = db.queryArrays("SELECT id FROM item WHERE id = $1", ["uncommitted"]);
    const write = db.execute("INSERT INTO item (id, n) VALUES ($1, $2)", ["outside", 2]);
    release();
    // Another flow never sees the uncommitted row, and its write does not roll back with the transaction.
    expect(await read).toEqual([]);
    expect(await readArrays).toEqual([]);
    await write;
    expect(await failed).toBe("roll back");
    expect(await db.query("SELECT id FROM item WHERE id IN ($1, $2) ORDER BY id", ["outside", "uncommitted"])).toEqual([{ id: "outside" }]);
  });
});

/** The SQLite file store commits planned writes on its writer thread (sqliteWriter.ts). */
describe("SQLite page commits on the writer thread", () => {
  let dir: string;
  let db: Database;
  const upsert = "INSERT INTO item (id, n) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET n = excluded.n";
  const many = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => [`${prefix}-${i}`, i]);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "keepledger-writer-"));
    db = openDatabase(join(dir, "store.db"));
    await db.exec("CREATE TABLE item (id TEXT PRIMARY KEY, n {bigint} NOT NULL)");
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("leaves the calling thread free while it commits, and reads meanwhile see all of the commit or none", async () => {
    let ticks = 0;
    let done = false;
    const tick = () => {
      ticks++;
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    const commit = db.commitWrites([{ sql: upsert, rows: many("big", 100_000) }]).finally(() => (done = true));
    const during = await db.query<{ c: number }>("SELECT count(*) AS c FROM item WHERE id LIKE 'big-%'");
    await commit;
    // Run on this thread, the commit would have stopped the event loop until it finished.
    expect(ticks).toBeGreaterThan(10);
    expect([0, 100_000]).toContain(during[0]!.c);
    expect(await db.query("SELECT count(*) AS c FROM item WHERE id LIKE 'big-%'")).toEqual([{ c: 100_000 }]);
  });

  it("runs commits, transactions and other writes one at a time, in the order they were asked for", async () => {
    const a = db.commitWrites([{ sql: upsert, rows: [...many("order", 20_000), ["order-last", 1]] }]);
    const b = db.transaction((tx) => tx.execute(upsert, ["order-last", 2]));
    const c = db.execute(upsert, ["order-last", 3]);
    const d = db.commitWrites([{ sql: upsert, rows: [["order-last", 4]] }]);
    await Promise.all([a, b, c, d]);
    expect(await db.query("SELECT n FROM item WHERE id = 'order-last'")).toEqual([{ n: 4 }]);
  });

  it("reports SQLite's result code of a failed commit and stays usable", async () => {
    const error = await db
      .commitWrites([
        {
          sql: "INSERT INTO item (id, n) VALUES ($1, $2)",
          rows: [
            ["dup", 1],
            ["dup", 2],
          ],
        },
      ])
      .catch((e: unknown) => e as { errcode?: number; message: string });
    expect(error).toMatchObject({ message: expect.stringContaining("UNIQUE") });
    expect((error as { errcode: number }).errcode & 0xff).toBe(19); // SQLITE_CONSTRAINT
    await db.commitWrites([{ sql: upsert, rows: [["dup", 3]] }]);
    expect(await db.query("SELECT n FROM item WHERE id = 'dup'")).toEqual([{ n: 3 }]);
  });

  it("writes through a transaction opened in the same flow when asked inside it (no second writer)", async () => {
    await db.transaction(async () => {
      await db.commitWrites([{ sql: upsert, rows: [["nested", 1]] }]);
      expect(await db.query("SELECT n FROM item WHERE id = 'nested'")).toEqual([{ n: 1 }]);
    });
  });
});

describe("openDatabase", () => {
  it("rejects URLs of other databases with a clear error", () => {
    expect(() => openDatabase("mysql://u:secret@h/db")).toThrow(expect.objectContaining({ code: "DATABASE_URL_INVALID" }));
    try {
      openDatabase("mysql://u:secret@h/db");
    } catch (e) {
      expect(String((e as Error).message)).not.toContain("secret");
    }
  });
});
