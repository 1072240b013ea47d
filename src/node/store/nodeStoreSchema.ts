/**
 * The node's own tables, beside the evidence store's in the same database: requests and their outcome,
 * the verdict outbox (pending → finalized | rejected), collected signatures, batches and small state.
 * TCB recovery's tables (what the node signed, TCB Info per platform, downgrade reports) are created
 * right after these, by src/node/tcb/TcbRecoveryStore.ts.
 */
export const NODE_STORE_SCHEMA = `
CREATE TABLE IF NOT EXISTS node_request (
  request_id TEXT PRIMARY KEY,
  workload_id TEXT NOT NULL,
  evidence_hash TEXT NOT NULL,
  source TEXT NOT NULL,
  status TEXT NOT NULL,
  verdict_id TEXT,
  error_json TEXT,
  created_at {bigint} NOT NULL,
  updated_at {bigint} NOT NULL
);
CREATE INDEX IF NOT EXISTS node_request_verdict ON node_request (verdict_id);
CREATE TABLE IF NOT EXISTS node_verdict (
  verdict_id TEXT PRIMARY KEY,
  request_id TEXT NOT NULL,
  verdict_json TEXT NOT NULL,
  mode TEXT NOT NULL,
  status TEXT NOT NULL,
  batch_id TEXT,
  leaf_index INTEGER,
  tx_hash TEXT,
  error_json TEXT,
  attempts INTEGER NOT NULL,
  seq {bigint} NOT NULL,
  created_at {bigint} NOT NULL,
  updated_at {bigint} NOT NULL
);
CREATE INDEX IF NOT EXISTS node_verdict_open ON node_verdict (status, mode, seq);
CREATE INDEX IF NOT EXISTS node_verdict_batch ON node_verdict (batch_id);
CREATE TABLE IF NOT EXISTS node_signature (
  subject_id TEXT NOT NULL,
  signer TEXT NOT NULL,
  signature TEXT NOT NULL,
  PRIMARY KEY (subject_id, signer)
);
CREATE TABLE IF NOT EXISTS node_batch (
  batch_id TEXT PRIMARY KEY,
  groups_json TEXT NOT NULL,
  item_count INTEGER NOT NULL,
  status TEXT NOT NULL,
  tx_hash TEXT,
  error_json TEXT,
  attempts INTEGER NOT NULL,
  created_at {bigint} NOT NULL,
  updated_at {bigint} NOT NULL
);
CREATE INDEX IF NOT EXISTS node_batch_open ON node_batch (status);
CREATE TABLE IF NOT EXISTS node_state (
  state_key TEXT PRIMARY KEY,
  state_value TEXT NOT NULL
);
`;
