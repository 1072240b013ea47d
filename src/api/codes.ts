import { defineErrorCodes } from "@keepledger/sdk/internal/errors/index";

/** Error codes of the registry's GraphQL API (GraphQL errors carry them in extensions.code). */
export const API_CODES = defineErrorCodes("api", {
  QUERY_TOO_DEEP: {
    stage: "usage",
    description: "The query nests fields deeper than the API's depth limit (default 8); split it or flatten it.",
  },
  QUERY_TOO_COSTLY: {
    stage: "usage",
    description:
      "The query's cost (list sizes `first` multiplied down the selection) exceeds the API's limit (default 50,000); ask for smaller pages.",
  },
  PAGE_TOO_LARGE: {
    stage: "usage",
    description:
      "`first` is above the page size limit (1,000, as on The Graph) or negative; page with `skip` or a `where` on the ordering field.",
  },
  SKIP_TOO_LARGE: {
    stage: "usage",
    description:
      "`skip` is above the limit (5,000, as on The Graph) or negative; page with a `where` on the ordering field (e.g. issuedAt_lt) instead.",
  },
  FILTER_TOO_COMPLEX: {
    stage: "usage",
    description:
      "A `where` filter nests `and`/`or` (or nested filters) deeper than the API's limit (default 6), or the query's filters hold more conditions than its limit (default 200, each `_in` value counting); simplify the filter or split the query.",
  },
  BAD_USER_INPUT: {
    stage: "usage",
    description: "An argument is not acceptable (a filter value of the wrong kind, an unknown ordering); the message says which.",
  },
  BLOCK_NOT_INDEXED: {
    stage: "usage",
    description: "The block asked for (block: {number}) is beyond the last indexed block; retry later or ask for an earlier block.",
  },
  BLOCK_NOT_FOUND: {
    stage: "usage",
    description: "No indexed block has the hash asked for (block: {hash}); it may be unknown or on an abandoned fork.",
  },
  TIMEOUT: {
    stage: "infrastructure",
    description: "The query ran longer than the API's time limit (default 5 s); narrow it.",
  },
  RATE_LIMITED: {
    stage: "infrastructure",
    description:
      "This client sent more requests a minute than the registry allows (`--requests-per-minute`, default 1200 for `keepledger serve` / `index --serve`); wait for the Retry-After seconds.",
  },
  BODY_TOO_LARGE: {
    stage: "usage",
    description: "The request body is larger than the API accepts (default 64 KiB).",
  },
  EVIDENCE_ACCESS_DENIED: {
    stage: "usage",
    description:
      'This registry\'s evidenceAccess setting does not serve what was asked (evidence at all under "none", bytes under "hashes"); see docs/evidence-store.md.',
  },
  SUBSCRIPTIONS_UNAVAILABLE: {
    stage: "usage",
    description:
      "Subscriptions need the indexer in the same process as the API (`keepledger index --serve`); this server only answers queries.",
  },
  REGISTRY_UNREACHABLE: {
    stage: "infrastructure",
    description:
      "The registry's GraphQL endpoint (keepledger query --url) could not be reached; check that `keepledger index --serve` or `keepledger serve` runs there.",
  },
  NOT_INDEXED_YET: {
    stage: "infrastructure",
    description: "The indexer has not committed any block yet; retry once it has started.",
  },
});
