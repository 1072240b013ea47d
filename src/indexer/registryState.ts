/** The indexer's own records: the cursor, the indexed blocks (hash and time) and the deployment indexed. */
import { getAddress } from "viem";
import type { Deployment } from "../chain/deployment.ts";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import type { Database, WriteStatement } from "../store/Database.ts";
import type { BlockHeader } from "./chainSource.ts";
import { INDEXER_CODES } from "./codes.ts";

export interface Cursor {
  /** The last block whose events are all in the index. */
  number: number;
  /** Its hash (null before the first block is indexed). */
  hash: string | null;
}

export interface StoredBlock {
  number: number;
  hash: string;
  timestamp: number;
}

/** The `_meta.deployment` string: which chain and registry this index follows. */
export function deploymentKey(d: Deployment): string {
  return `keepledger/${d.chainId}/${getAddress(d.contracts.attestationRegistry).toLowerCase()}`;
}

async function getState(db: Database, key: string): Promise<string | undefined> {
  const [row] = await db.query<{ value: string }>("SELECT value FROM reg_state WHERE key = $1", [key]);
  return row?.value;
}

const SET_STATE = "INSERT INTO reg_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value";

async function setState(db: Database, key: string, value: string): Promise<void> {
  await db.execute(SET_STATE, [key, value]);
}

/** Records the deployment on first use; refuses a database that indexes another one. */
export async function claimDeployment(db: Database, d: Deployment): Promise<void> {
  const want = JSON.stringify({
    chainId: d.chainId,
    workloadRegistry: d.contracts.workloadRegistry.toLowerCase(),
    validatorSet: d.contracts.validatorSet.toLowerCase(),
    attestationRegistry: d.contracts.attestationRegistry.toLowerCase(),
    // Only when present, so that an index of a deployment without one keeps matching its file.
    ...(d.contracts.keyRegistry ? { keyRegistry: d.contracts.keyRegistry.toLowerCase() } : {}),
    deployBlock: Number(d.deployBlock),
  });
  const got = await getState(db, "deployment");
  if (got === undefined) {
    await setState(db, "deployment", want);
    await setState(db, "deploymentKey", deploymentKey(d));
    return;
  }
  if (got !== want) {
    throw new UsageError(INDEXER_CODES.INDEXER_DEPLOYMENT_MISMATCH, "this database already indexes another keepledger deployment", {
      details: { got: JSON.parse(got), want: JSON.parse(want) },
    });
  }
}

export async function readDeploymentKey(db: Database): Promise<string | undefined> {
  return getState(db, "deploymentKey");
}

export async function readCursor(db: Database): Promise<Cursor | undefined> {
  const raw = await getState(db, "cursor");
  return raw === undefined ? undefined : (JSON.parse(raw) as Cursor);
}

export async function writeCursor(db: Database, cursor: Cursor): Promise<void> {
  await setState(db, "cursor", JSON.stringify(cursor));
}

/** `writeCursor` as a statement, to commit with a page's other writes. */
export function cursorWrite(cursor: Cursor): WriteStatement {
  return { sql: SET_STATE, rows: [["cursor", JSON.stringify(cursor)]] };
}

export async function readIndexingError(db: Database): Promise<string | undefined> {
  return getState(db, "indexingError");
}

export async function writeIndexingError(db: Database, message: string): Promise<void> {
  await setState(db, "indexingError", message);
}

/** Stores block headers (number, hash, parent and time; a block seen again is replaced): a statement to commit with a page's other writes. */
export function blocksWrite(headers: Iterable<BlockHeader>): WriteStatement {
  return {
    sql: "INSERT INTO reg_block (number, hash, parent_hash, timestamp) VALUES ($1, $2, $3, $4) ON CONFLICT (number) DO UPDATE SET hash = excluded.hash, parent_hash = excluded.parent_hash, timestamp = excluded.timestamp",
    rows: [...headers].map((h) => [h.number, h.hash, h.parentHash, h.timestamp]),
  };
}

/** Stored blocks at or below `number`, newest first. */
export async function storedBlocksDown(db: Database, number: number, limit: number): Promise<StoredBlock[]> {
  return db.query<StoredBlock>("SELECT number, hash, timestamp FROM reg_block WHERE number <= $1 ORDER BY number DESC LIMIT $2", [
    number,
    limit,
  ]);
}

export async function storedBlock(db: Database, number: number): Promise<StoredBlock | undefined> {
  const [row] = await db.query<StoredBlock>("SELECT number, hash, timestamp FROM reg_block WHERE number = $1", [number]);
  return row;
}

export async function storedBlockByHash(db: Database, hash: string): Promise<StoredBlock | undefined> {
  const [row] = await db.query<StoredBlock>("SELECT number, hash, timestamp FROM reg_block WHERE hash = $1", [hash.toLowerCase()]);
  return row;
}

/** The latest stored block at or below `number` (the time at `number` is at least its timestamp). */
export async function storedBlockAtOrBelow(db: Database, number: number): Promise<StoredBlock | undefined> {
  const [row] = await storedBlocksDown(db, number, 1);
  return row;
}
