// `npm test`: every check CI runs, in order, stopping at the first failure.
import { spawnSync } from "node:child_process";

const steps = [
  ["type check", "tsc", ["--noEmit", "-p", "tsconfig.json"]],
  // The registry explorer is browser code (DOM types): its own project.
  ["type check explorer", "tsc", ["--noEmit", "-p", "explorer/tsconfig.json"]],
  // The light SDK package (packages/sdk) alone, without Node's types: browser-safe, and self-contained.
  ["type check SDK package", "tsc", ["--noEmit", "-p", "packages/sdk/tsconfig.json"]],
  ["lint TypeScript", "eslint", ["--max-warnings", "0", "."]],
  // One formatter for the repository (.prettierrc.json; generated files and byte-exact vectors in .prettierignore).
  ["formatting", "prettier", ["--check", "--log-level", "warn", "."]],
  // Rooms import only the rooms below them: the table in docs/architecture.md, as .dependency-cruiser.mjs.
  ["layer rules", "depcruise", ["--config", ".dependency-cruiser.mjs", "src", "packages/sdk/src"]],
  ["lint Solidity", "solhint", ["--max-warnings", "0", "contracts/**/*.sol"]],
  ["compile contracts", "hardhat", ["build", "--quiet"]],
  // The typed bindings in packages/sdk/src/chain/generated (viem) and …/generated-ethers (ethers v6) are committed; they must be what the contracts compile to.
  ["regenerate chain bindings", "node", ["scripts/gen-bindings.ts"]],
  [
    "chain bindings up to date",
    "node",
    ["scripts/check-generated.mjs", "packages/sdk/src/chain/generated", "packages/sdk/src/chain/generated-ethers"],
  ],
  ["Solidity tests (fuzzing)", "hardhat", ["test", "solidity"]],
  // The subgraph's AssemblyScript mappings must compile against subgraph/schema.graphql and the ABIs.
  ["subgraph build", "npm", ["run", "--silent", "subgraph:build"]],
  ["unit, contract and end-to-end tests", "vitest", ["run"]],
  // The reliability campaign's smoke (docs/reliability.md): real processes, faults injected, end state checked.
  ["reliability campaign (short)", "node", ["scripts/chaos.ts", "--short"]],
];

const only = process.argv.slice(2);
for (const [name, cmd, args] of steps) {
  if (only.length > 0 && !only.some((o) => name.includes(o))) continue;
  console.log(`\n▶ ${name}: ${cmd} ${args.join(" ")}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: "inherit", shell: false });
  if (r.error) {
    console.error(`✗ ${name}: could not run ${cmd}: ${r.error.message}`);
    process.exit(1);
  }
  if (r.status !== 0) {
    console.error(`✗ ${name} failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
  console.log(`✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
