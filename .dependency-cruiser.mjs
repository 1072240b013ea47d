// The layer rules of docs/architecture.md ("Rooms and the imports between them"), checked by
// dependency-cruiser in `npm test` (step "layer rules") and `npm run lint:layers`.
//
// ROOMS is that table, row for row and bottom first: each room may import itself and the rooms
// listed for it, nothing else under src/ (`import type` included). test/docs/layerTable.test.ts
// parses the table in docs/architecture.md and fails when it and ROOMS disagree, so change both
// together. There are no exceptions: a backward import is fixed in the code, not excused here.

/** The floor: every room above it may import all four. */
export const FLOOR = ["errors", "util", "kinds", "pki"];

/** room → the rooms it may import, bottom first. "index.ts" is the package's entry point, src/index.ts. */
export const ROOMS = {
  errors: [],
  util: [],
  kinds: [],
  pki: ["errors", "util"],
  store: [...FLOOR],
  evidence: [...FLOOR],
  collateral: [...FLOOR],
  ids: [...FLOOR],
  evidenceStore: [...FLOOR, "store"],
  tee: [...FLOOR, "collateral", "evidence", "ids"],
  verify: [...FLOOR, "collateral", "evidence", "tee"],
  policy: [...FLOOR, "collateral", "evidence", "tee", "verify"],
  chain: [...FLOOR, "collateral", "evidence", "ids", "policy", "tee", "verify"],
  cert: [...FLOOR, "chain", "collateral", "evidence", "ids", "policy", "tee", "verify"],
  indexer: [...FLOOR, "chain", "collateral", "evidence", "ids", "policy", "store", "tee", "verify"],
  node: [...FLOOR, "chain", "collateral", "evidence", "evidenceStore", "ids", "policy", "store", "tee", "verify"],
  sdk: [...FLOOR, "chain", "collateral", "evidence", "ids", "policy", "tee", "verify"],
  api: [...FLOOR, "chain", "collateral", "evidence", "evidenceStore", "ids", "indexer", "policy", "store", "tee", "verify"],
  audit: [...FLOOR, "chain", "collateral", "evidence", "evidenceStore", "ids", "indexer", "policy", "store", "tee", "verify"],
  // The dev network creates and releases its demo key as an owner and a Keep would: through the SDK.
  dev: [
    ...FLOOR,
    "api",
    "chain",
    "collateral",
    "evidence",
    "evidenceStore",
    "ids",
    "indexer",
    "node",
    "policy",
    "sdk",
    "store",
    "tee",
    "verify",
  ],
  // "every room": all the rooms below it (not the entry point, which no room imports).
  cli: [
    ...FLOOR,
    "store",
    "evidence",
    "collateral",
    "ids",
    "evidenceStore",
    "tee",
    "verify",
    "policy",
    "chain",
    "cert",
    "indexer",
    "node",
    "sdk",
    "api",
    "audit",
    "dev",
  ],
  "index.ts": ["chain", "errors", "sdk", "tee", "verify"],
};

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** The files of a room: a folder under src/, or the entry point itself. */
const roomPath = (room) => (room.endsWith(".ts") ? `^src/${escape(room)}$` : `^src/${escape(room)}/`);
const anyOf = (rooms) => `^src/(?:${rooms.map((r) => (r.endsWith(".ts") ? `${escape(r)}$` : `${escape(r)}/`)).join("|")})`;

/** One rule per row: from the room, anything under src/ outside the room and its row is forbidden. */
const roomRules = Object.entries(ROOMS).map(([room, allowed]) => ({
  name: `room-${room}`,
  severity: "error",
  comment:
    `src/${room} may import only ${allowed.length === 0 ? "itself" : `itself and ${allowed.join(", ")}`} ` +
    '(docs/architecture.md, "Rooms and the imports between them")',
  from: { path: roomPath(room) },
  to: { path: "^src/", pathNot: anyOf([room, ...allowed]) },
}));

/**
 * The facts side of src/tee: the pure facts of the kinds (kind.ts, kindFacts.ts, each kind's facts.ts,
 * measurement.ts and claims.ts), the claims types and their helpers. No verifier, no node: import.
 */
const TEE_FACTS = "^src/tee/(?:kind|kindFacts|types|layoutHelpers)[.]ts$|^src/tee/[^/]+/(?:facts|measurement|claims)[.]ts$";

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    ...roomRules,
    {
      name: "room-unknown",
      severity: "error",
      comment: "every file under src/ belongs to a room of the table in docs/architecture.md",
      from: { path: "^src/", pathNot: anyOf(Object.keys(ROOMS)) },
      to: {},
    },
    {
      name: "no-cycle-between-rooms",
      severity: "error",
      comment: "an import cycle that leaves its room: rooms only import down, so no cycle may pass through two of them",
      from: { path: "^src/([^/.]+)/" },
      to: { circular: true, viaSomeNot: "^src/$1/" },
    },
    {
      name: "tee-parse-not-verify",
      severity: "error",
      comment: "a TEE kind's parser (src/tee/**/parse*.ts) turns bytes into structs: it never imports a verifier (verify*.ts)",
      from: { path: "^src/tee/.*/parse[^/]*[.]ts$", pathNot: "[.]test[.]ts$" },
      to: { path: "^src/tee/.*/verify[^/]*[.]ts$" },
    },
    {
      name: "sdk-tee-facts-only",
      severity: "error",
      comment: "the SDK reads the kinds' facts (src/tee facts side), never a TEE parser or verifier: a light SDK bundles it",
      from: { path: "^src/sdk/" },
      to: { path: "^src/tee/", pathNot: TEE_FACTS },
    },
    {
      name: "tee-facts-pure",
      severity: "error",
      comment: "the facts side of src/tee imports only the facts side (and the rooms below), so whoever reads facts gets no verifier",
      from: { path: TEE_FACTS },
      to: { path: "^src/tee/", pathNot: TEE_FACTS },
    },
    {
      name: "src-not-tests",
      severity: "error",
      comment: "code under src/ does not import test/, bench/ or scripts/",
      from: { path: "^src/", pathNot: "\\.test\\.ts$" },
      to: { path: "^(?:test|bench|scripts)/" },
    },
    {
      name: "unit-tests-only-test-support",
      severity: "error",
      comment: "a unit test beside its source follows its room's row and may also import test/support/",
      from: { path: "^src/.*\\.test\\.ts$" },
      to: { path: "^(?:test|bench|scripts)/", pathNot: "^test/support/" },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "an import the tool cannot resolve would escape the rules above",
      from: { path: "^src/" },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Type-only imports count too: the table says "`import type` included".
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(?:node_modules|dist|artifacts|cache|types)/" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
    skipAnalysisNotInRules: true,
  },
};
