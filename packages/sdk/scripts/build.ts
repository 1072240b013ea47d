// Compiles the SDK's sources to dist/ (JavaScript and declarations) for the published package.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL("..", import.meta.url));
rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
const tsc = fileURLToPath(import.meta.resolve("typescript/bin/tsc"));
const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: here, stdio: "inherit" });
process.exit(r.status ?? 1);
