/**
 * The node's own tables, beside the evidence store's in the same database: requests and their outcome,
 * the verdict outbox (pending → finalized | rejected), collected signatures, batches, what the node
 * signed (for TCB recovery), TCB Info seen per platform, downgrade reports and small state.
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
CREATE TABLE IF NOT EXISTS node_signed (
  verdict_id TEXT PRIMARY KEY,
  evidence_hash TEXT NOT NULL,
  workload_id TEXT NOT NULL,
  tee TEXT NOT NULL,
  tcb_status TEXT NOT NULL,
  fmspc TEXT,
  tcb_evaluation_data_number INTEGER,
  expires_at {bigint} NOT NULL,
  signed_at {bigint} NOT NULL
);
CREATE INDEX IF NOT EXISTS node_signed_platform ON node_signed (fmspc, expires_at);
CREATE TABLE IF NOT EXISTS node_tcb_info (
  tee TEXT NOT NULL,
  fmspc TEXT NOT NULL,
  evaluation_data_number INTEGER NOT NULL,
  issue_date {bigint} NOT NULL,
  files_json TEXT NOT NULL,
  seen_at {bigint} NOT NULL,
  PRIMARY KEY (tee, fmspc)
);
CREATE TABLE IF NOT EXISTS node_tcb_downgrade (
  verdict_id TEXT PRIMARY KEY,
  tee TEXT NOT NULL,
  fmspc TEXT NOT NULL,
  previous_status TEXT NOT NULL,
  new_status TEXT NOT NULL,
  previous_evaluation_data_number INTEGER,
  new_evaluation_data_number INTEGER NOT NULL,
  expires_at {bigint} NOT NULL,
  grace_ends_at {bigint} NOT NULL,
  detected_at {bigint} NOT NULL
);
CREATE TABLE IF NOT EXISTS node_state (
  state_key TEXT PRIMARY KEY,
  state_value TEXT NOT NULL
);
`;
