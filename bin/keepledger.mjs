#!/usr/bin/env node
// The keepledger command. keepledger runs on Node >= 22.13 (Hardhat 3 and
// node:sqlite need it); on an older Node, re-run this same command with the
// Node that `npm install` put in node_modules (the npm `node` package).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { FLAGGED_COMMANDS, execWithNodeFlags } from "./nodeFlags.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const [major, minor] = process.versions.node.split(".").map(Number);
const modern = major > 22 || (major === 22 && minor >= 13);

if (!modern) {
  let nodeBin;
  try {
    nodeBin = join(dirname(createRequire(import.meta.url).resolve("node/package.json")), "bin", "node");
  } catch {
    nodeBin = undefined;
  }
  if (!nodeBin || !existsSync(nodeBin)) {
    console.error(
      `keepledger needs Node.js >= 22.13 (this is ${process.version}). Run \`npm install\` in the keepledger ` +
        "directory (it installs a suitable Node into node_modules) or install Node 22.13+.",
    );
    process.exit(2);
  }
  const child = spawn(nodeBin, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 + 2 : 1)));
} else {
  // The commands that verify at volume restart themselves, same PID, with the V8 flags they are tuned for.
  if (FLAGGED_COMMANDS.includes(process.argv[2] ?? "")) execWithNodeFlags();
  // From a checkout the TypeScript sources run directly (Node strips types);
  // an installed package runs the compiled output.
  const built = join(here, "..", "dist", "cli", "main.js");
  const source = join(here, "..", "src", "cli", "main.ts");
  const entry = existsSync(source) ? source : built;
  const { main } = await import(pathToFileURL(entry).href);
  await main(process.argv.slice(2));
}
