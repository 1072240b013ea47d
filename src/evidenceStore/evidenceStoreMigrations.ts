/**
 * The evidence store's schema versions (docs/evidence-store.md, "Schema versions").
 * 1: the three tables as they were when versions started to be recorded.
 * 2: `evidence_pruned`, what retention removed and when, so that an audit of a pruned verdict says so
 *    instead of "not in the evidence store" (docs/auditor-guide.md).
 */
import type { SchemaDefinition } from "../store/migrations.ts";

export const EVIDENCE_STORE_SCHEMA_V1 = `
CREATE TABLE IF NOT EXISTS evidence_blob (
  evidence_hash TEXT PRIMARY KEY,
  evidence {bytes} NOT NULL,
  stored_at {bigint} NOT NULL
);
CREATE TABLE IF NOT EXISTS evidence_collateral (
  evidence_hash TEXT NOT NULL,
  name TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  bytes {bytes} NOT NULL,
  PRIMARY KEY (evidence_hash, name)
);
CREATE TABLE IF NOT EXISTS verdict_evidence (
  verdict_id TEXT PRIMARY KEY,
  evidence_hash TEXT NOT NULL,
  workload_id TEXT NOT NULL,
  subject_public_key TEXT,
  binding_context TEXT NOT NULL,
  freshness_block {bigint} NOT NULL
);
CREATE INDEX IF NOT EXISTS verdict_evidence_by_hash ON verdict_evidence (evidence_hash);
`;

export const EVIDENCE_STORE_MIGRATIONS: SchemaDefinition = {
  component: "evidence",
  migrations: [
    { version: 1, description: "evidence, collateral and verdict links", up: EVIDENCE_STORE_SCHEMA_V1 },
    {
      version: 2,
      description: "record of pruned evidence",
      up: `
CREATE TABLE IF NOT EXISTS evidence_pruned (
  evidence_hash TEXT PRIMARY KEY,
  size {bigint} NOT NULL,
  expired_at {bigint} NOT NULL,
  pruned_at {bigint} NOT NULL
);`,
    },
  ],
};
