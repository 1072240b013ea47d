/**
 * The node store's schema versions (docs/operator-guide.md, "Schema versions and upgrades").
 * 1: the node's tables, TCB recovery's and the collateral floor's as they were when versions started
 *    to be recorded.
 * 2: an index of what the node signed by evidence hash, for evidence retention (which evidence's
 *    verdicts have all expired).
 * The evidence store in the same database keeps its own versions (component "evidence").
 */
import type { SchemaDefinition } from "../../store/migrations.ts";
import { TCB_RECOVERY_SCHEMA } from "../tcb/TcbRecoveryStore.ts";
import { COLLATERAL_FLOOR_SCHEMA } from "./CollateralFloorStore.ts";
import { NODE_STORE_SCHEMA } from "./nodeStoreSchema.ts";

export const NODE_STORE_MIGRATIONS: SchemaDefinition = {
  component: "node",
  migrations: [
    {
      version: 1,
      description: "requests, verdict outbox, signatures, batches, state, TCB recovery, collateral floor",
      up: NODE_STORE_SCHEMA + TCB_RECOVERY_SCHEMA + COLLATERAL_FLOOR_SCHEMA,
    },
    {
      version: 2,
      description: "index of signed verdicts by evidence hash (evidence retention)",
      up: "CREATE INDEX IF NOT EXISTS node_signed_evidence ON node_signed (evidence_hash, expires_at);",
    },
  ],
};
