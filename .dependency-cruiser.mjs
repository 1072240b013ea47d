// The layer rules of docs/architecture.md ("Rooms and the imports between them"), checked by
// dependency-cruiser in `npm test` (step "layer rules") and `npm run lint:layers`.
//
// ROOMS is that table, row for row and bottom first: each room may import itself and the rooms
// listed for it, nothing else under src/ (`import type` included). test/docs/layerTable.test.ts
// parses the table in docs/architecture.md and fails when it and ROOMS disagree, so change both
// together. There are no exceptions: a backward import is fixed in the code, not excused here.
//
// The rooms span two source roots: src/ (the keepledger package) and packages/sdk/src/ (the light SDK
// package, @keepledger/sdk: errors, kinds, ids, the facts side of tee, the ABIs and the SDK). A room's
// files may sit in either root (src/tee/sgx/verify.ts and packages/sdk/src/tee/sgx/facts.ts are both
// room tee) and the same table applies; on top, the SDK package imports nothing outside itself, no
// node: module and no npm package but its dependencies and peers (the "sdk-package-*" rules).

/** The floor: every room above it may import all four. */
export const FLOOR = ["errors", "util", "kinds", "pki"];

/** room → the rooms it may import, bottom first. "index.ts" is the package's entry point, src/index.ts. */
export const ROOMS = {
  errors: [],
  // util's hex, address and ABI primitives throw the typed errors (UsageError, EvidenceFormatError).
  util: ["errors"],
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
/** The two source roots: the keepledger package's and the SDK package's. */
const ROOT = "^(?:src|packages/sdk/src)/";
/** The files of a room: a folder under either root, or the entry point itself. */
const roomPath = (room) => (room.endsWith(".ts") ? `${ROOT}${escape(room)}$` : `${ROOT}${escape(room)}/`);
const anyOf = (rooms) => `${ROOT}(?:${rooms.map((r) => (r.endsWith(".ts") ? `${escape(r)}$` : `${escape(r)}/`)).join("|")})`;

/** One rule per row: from the room, anything under src/ outside the room and its row is forbidden. */
const roomRules = Object.entries(ROOMS).map(([room, allowed]) => ({
  name: `room-${room}`,
  severity: "error",
  comment:
    `src/${room} may import only ${allowed.length === 0 ? "itself" : `itself and ${allowed.join(", ")}`} ` +
    '(docs/architecture.md, "Rooms and the imports between them")',
  from: { path: roomPath(room) },
  to: { path: ROOT, pathNot: anyOf([room, ...allowed]) },
}));

/**
 * The facts side of src/tee: the pure facts of the kinds (kind.ts, kindFacts.ts, each kind's facts.ts,
 * measurement.ts and claims.ts), the claims types and their helpers. No verifier, no node: import.
 */
const TEE_FACTS =
  "^(?:src|packages/sdk/src)/tee/(?:kind|kindFacts|types|layoutHelpers)[.]ts$|^(?:src|packages/sdk/src)/tee/[^/]+/(?:facts|measurement|claims)[.]ts$";

/** The SDK package's own code (its unit tests may also use test/support/, like any unit test). */
const SDK_PACKAGE = { path: "^packages/sdk/src/", pathNot: "[.]test[.]ts$" };
/** What the SDK package may import from npm: its dependencies and its peers (packages/sdk/package.json). */
const SDK_PACKAGE_NPM = "node_modules/(?:viem|ethers|@hpke/core|@hpke/dhkem-x25519|@noble/hashes|shamir-secret-sharing)/";

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    ...roomRules,
    {
      name: "room-unknown",
      severity: "error",
      comment: "every file under src/ (and packages/sdk/src/) belongs to a room of the table in docs/architecture.md",
      from: { path: ROOT, pathNot: anyOf(Object.keys(ROOMS)) },
      to: {},
    },
    {
      name: "no-cycle-between-rooms",
      severity: "error",
      comment: "an import cycle that leaves its room: rooms only import down, so no cycle may pass through two of them",
      from: { path: "^(?:src|packages/sdk/src)/([^/.]+)/" },
      to: { circular: true, viaSomeNot: "^(?:src|packages/sdk/src)/$1/" },
    },
    {
      name: "tee-parse-not-verify",
      severity: "error",
      comment: "a TEE kind's parser (src/tee/**/parse*.ts) turns bytes into structs: it never imports a verifier (verify*.ts)",
      from: { path: "^(?:src|packages/sdk/src)/tee/.*/parse[^/]*[.]ts$", pathNot: "[.]test[.]ts$" },
      to: { path: "^(?:src|packages/sdk/src)/tee/.*/verify[^/]*[.]ts$" },
    },
    {
      name: "sdk-tee-facts-only",
      severity: "error",
      comment: "the SDK reads the kinds' facts (src/tee facts side), never a TEE parser or verifier: a light SDK bundles it",
      from: { path: "^(?:src|packages/sdk/src)/sdk/" },
      to: { path: "^(?:src|packages/sdk/src)/tee/", pathNot: TEE_FACTS },
    },
    {
      name: "tee-facts-pure",
      severity: "error",
      comment: "the facts side of src/tee imports only the facts side (and the rooms below), so whoever reads facts gets no verifier",
      from: { path: TEE_FACTS },
      to: { path: "^(?:src|packages/sdk/src)/tee/", pathNot: TEE_FACTS },
    },
    {
      name: "sdk-package-self-contained",
      severity: "error",
      comment: "the SDK package (packages/sdk) is published alone: it imports nothing of the keepledger package or the repository",
      from: SDK_PACKAGE,
      to: { path: "^(?:src|test|bench|scripts|explorer|subgraph|docs|contracts|bin)/|^packages/(?!sdk/)" },
    },
    {
      name: "sdk-package-browser-safe",
      severity: "error",
      comment: "the SDK package runs in browsers: no node: module (Node's own APIs are the keepledger package's)",
      from: SDK_PACKAGE,
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "sdk-package-light",
      severity: "error",
      comment: "the SDK package installs in <= 5 MB: from npm it imports only its dependencies and peers (packages/sdk/package.json)",
      from: SDK_PACKAGE,
      to: { path: "node_modules/", pathNot: SDK_PACKAGE_NPM },
    },
    {
      name: "sdk-package-no-viem-ethers",
      severity: "error",
      comment:
        "viem and ethers are optional peers of the SDK package: its code imports neither at runtime (an `import type` is erased; " +
        'the generated ethers factories, its "./ethers" entry, need ethers by definition)',
      from: { path: "^packages/sdk/src/", pathNot: "[.]test[.]ts$|^packages/sdk/src/chain/generated-ethers/" },
      to: { path: "node_modules/(?:viem|ethers)/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "src-not-tests",
      severity: "error",
      comment: "code under src/ does not import test/, bench/ or scripts/",
      from: { path: ROOT, pathNot: "\\.test\\.ts$" },
      to: { path: "^(?:test|bench|scripts)/" },
    },
    {
      name: "unit-tests-only-test-support",
      severity: "error",
      comment: "a unit test beside its source follows its room's row and may also import test/support/",
      from: { path: "^(?:src|packages/sdk/src)/.*\\.test\\.ts$" },
      to: { path: "^(?:test|bench|scripts)/", pathNot: "^test/support/" },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "an import the tool cannot resolve would escape the rules above",
      from: { path: ROOT },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Type-only imports count too: the table says "`import type` included".
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    // node_modules is not excluded (only not followed): the sdk-package-light rule looks at npm imports.
    exclude: { path: "^(?:dist|artifacts|cache|types|packages/sdk/dist)/" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
    skipAnalysisNotInRules: true,
  },
};
