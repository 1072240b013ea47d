import { defineErrorCodes } from "@keepledger/sdk/internal/errors/index";

/** Error codes of the registry indexer. */
export const INDEXER_CODES = defineErrorCodes("indexer", {
  INDEXER_DEPLOYMENT_MISMATCH: {
    stage: "usage",
    description:
      "The database already indexes another deployment (chain id or contract addresses differ); use another database or the matching deployment file.",
  },
  INDEXER_BAD_OPTION: {
    stage: "usage",
    description: "An indexer option is out of range (confirmations, page size, reorg window); the message names it.",
  },
  INDEXER_RPC: {
    stage: "infrastructure",
    description: "The JSON-RPC endpoint failed while indexing (logs or block headers); the indexer retries with back-off.",
  },
  INDEXER_REORG_TOO_DEEP: {
    stage: "infrastructure",
    description:
      "The chain reorganized deeper than the indexer's reorg window; raise --confirmations or the window, or reindex into a fresh database.",
  },
  INDEXER_INCONSISTENT: {
    stage: "usage",
    description:
      "An event refers to an entity the index never saw (the deployment block is wrong, or the database was indexed from another block); indexing stops and _meta.hasIndexingErrors turns true.",
  },
});
