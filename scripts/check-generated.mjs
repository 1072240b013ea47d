// Fails when a generated path differs from what is committed, untracked files included.
import { spawnSync } from "node:child_process";

const paths = process.argv.slice(2);
const r = spawnSync("git", ["status", "--porcelain", "--", ...paths], { encoding: "utf8" });
if (r.status !== 0) {
  console.error(r.stderr);
  process.exit(1);
}
if (r.stdout.trim() !== "") {
  console.error(`generated files are out of date; regenerate and commit them:\n${r.stdout}`);
  spawnSync("git", ["diff", "--stat", "--", ...paths], { stdio: "inherit" });
  process.exit(1);
}
