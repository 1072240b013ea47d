import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { failpointsFromEnv } from "./failpoints.ts";

describe("failpoints", () => {
  it("arms only the known names KEEPLEDGER_FAILPOINTS lists", () => {
    expect([...failpointsFromEnv({}).armed]).toEqual([]);
    const f = failpointsFromEnv({ KEEPLEDGER_FAILPOINTS: " outbox.afterMined , outbox.aftermined,nonsense" });
    expect([...f.armed]).toEqual(["outbox.afterMined"]);
  });

  it("kills the process with SIGKILL at an armed point, and does nothing at the others", () => {
    const script = (point: string) =>
      `import { failpointsFromEnv } from ${JSON.stringify(new URL("./failpoints.ts", import.meta.url).href)};` +
      `const f = failpointsFromEnv(process.env); f.hit(${JSON.stringify(point)}); console.log("survived");`;
    const env = { ...process.env, KEEPLEDGER_FAILPOINTS: "outbox.afterBroadcast" };
    const armed = spawnSync(process.execPath, ["--input-type=module", "-e", script("outbox.afterBroadcast")], { env, encoding: "utf8" });
    expect(armed.signal).toBe("SIGKILL");
    expect(armed.stdout).toBe("");
    const other = spawnSync(process.execPath, ["--input-type=module", "-e", script("outbox.afterMined")], { env, encoding: "utf8" });
    expect(other.status).toBe(0);
    expect(other.stdout).toBe("survived\n");
  });
});
