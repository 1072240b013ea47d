/**
 * `npm start` as a user runs it: `node bin/keepledger.mjs dev` in a child process on free ports and a
 * temporary data folder. Once it says it is ready, the example auditor queries it printed find the real
 * SGX, TDX and SEV-SNP verdicts (and the debug Keep's, labelled as such), the chain answers JSON-RPC,
 * the printed `keepledger submit` of the sample evidence finalizes and gets indexed, and SIGINT stops
 * it with exit code 0. A port in use is refused before anything starts; a second start on the same
 * data folder clears the previous run's chain-derived data and comes up again.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { freeDevPorts as freePorts, listen } from "./support/devPorts.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = join(root, "bin", "keepledger.mjs");
const dirs: string[] = [];
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "kl-dev-"));
  dirs.push(d);
  return d;
}

interface Dev {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function spawnDev(args: string[]): Dev {
  const child = spawn(process.execPath, [bin, "dev", ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Resolves when `ready(text)` holds for stdout, rejects if the process exits first or time runs out. */
async function waitFor(dev: Dev, ready: (stdout: string) => boolean, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready(dev.stdout())) {
    if (dev.child.exitCode !== null) throw new Error(`keepledger dev exited with ${dev.child.exitCode}:\n${dev.stdout()}\n${dev.stderr()}`);
    if (Date.now() > deadline) throw new Error(`keepledger dev not ready in ${timeoutMs} ms:\n${dev.stdout()}\n${dev.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopWith(dev: Dev, signal: NodeJS.Signals): Promise<{ code: number | null; ms: number }> {
  const t = Date.now();
  dev.child.kill(signal);
  const code = await Promise.race([dev.exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 15_000))]);
  if (code === "timeout") throw new Error(`keepledger dev did not stop within 15 s after ${signal}:\n${dev.stdout()}`);
  return { code, ms: Date.now() - t };
}

async function graphql(url: string, query: string): Promise<Record<string, unknown>> {
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) });
  const body = (await r.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data!;
}

interface Ready {
  ready: boolean;
  startupMs: number;
  chain: { chainId: number; rpcUrl: string };
  graphqlUrl: string;
  explorerUrl: string;
  nodes: { url: string; address: string; insecure: boolean }[];
  contracts: Record<string, string>;
  workloads: Record<string, string>;
  seeded: { workload: string; tee: string; tcbStatus: string; verdictId: string; subject: string }[];
  demoKey: {
    keyId: string;
    name: string;
    workloadId: string;
    threshold: number;
    shareholders: string[];
    keep: string;
    releasedBy: string[];
  };
  sample: { requestFile: string; evidenceFile: string; subject: string; workloadId: string };
  queries: { title: string; query: string }[];
  submit: { curl: string; cli: string };
}

const jsonLine = (stdout: string) => stdout.split("\n").find((l) => l.startsWith("{"));

describe("keepledger dev (npm start)", () => {
  const data = join(tempDir(), "dev-data");
  let ports: { rpc: number; node: number; graphql: number };

  it("comes up seeded with real vectors, answers queries, JSON-RPC and a CLI submission, and stops on SIGINT", async () => {
    ports = await freePorts();
    const t0 = Date.now();
    const dev = spawnDev([
      "--json",
      "--data",
      data,
      "--rpc-port",
      `${ports.rpc}`,
      "--node-port",
      `${ports.node}`,
      "--graphql-port",
      `${ports.graphql}`,
    ]);
    await waitFor(dev, (out) => jsonLine(out) !== undefined);
    const wallMs = Date.now() - t0;
    const ready = JSON.parse(jsonLine(dev.stdout())!) as Ready;
    console.info(`keepledger dev ready ${wallMs} ms after spawn (${ready.startupMs} ms inside the command)`);
    expect(ready.ready).toBe(true);
    expect(ready.chain.rpcUrl).toBe(`http://127.0.0.1:${ports.rpc}`);
    expect(ready.graphqlUrl).toBe(`http://127.0.0.1:${ports.graphql}/graphql`);
    // The registry explorer beside GraphQL, built from explorer/ when the checkout's command starts.
    expect(ready.explorerUrl).toBe(`http://127.0.0.1:${ports.graphql}/explorer/`);
    const explorer = await fetch(ready.explorerUrl);
    expect(explorer.status).toBe(200);
    expect(await explorer.text()).toContain("keepledger explorer");
    expect(ready.nodes.map((n) => n.url)).toEqual([0, 1, 2].map((i) => `http://127.0.0.1:${ports.node + i}`));
    expect(ready.nodes.every((n) => n.insecure)).toBe(true);
    // Progress went to stderr in --json mode: the clock line, the insecure label, the ready line.
    expect(dev.stderr()).toContain(
      "the demo chain's clock starts at 2025-07-01 so the bundled real vectors verify inside their validity window; verification is never skipped",
    );
    expect(dev.stderr()).toMatch(/validators: 3 nodes, threshold 2 of 3, each a debug Keep — INSECURE, no TEE/);
    expect(dev.stderr()).toContain("evidence access full");
    expect(dev.stderr()).toMatch(/keepledger dev is ready/);

    // The chain over JSON-RPC, one call and a batch.
    const rpc = async (body: unknown) =>
      (
        await fetch(ready.chain.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
      ).json();
    expect(await rpc({ jsonrpc: "2.0", id: 1, method: "eth_chainId" })).toEqual({ jsonrpc: "2.0", id: 1, result: "0x7a69" });
    const batch = (await rpc([
      { jsonrpc: "2.0", id: 1, method: "eth_getCode", params: [ready.contracts.attestationRegistry, "latest"] },
      { jsonrpc: "2.0", id: 2, method: "eth_blockNumber" },
    ])) as { id: number; result: string }[];
    expect(batch.map((b) => b.id)).toEqual([1, 2]);
    expect(batch[0]!.result.length).toBeGreaterThan(1_000);
    expect(Number(batch[1]!.result)).toBeGreaterThan(10);
    // A refusal is a JSON-RPC error for that call, as a node would answer.
    const refused = (await rpc({ jsonrpc: "2.0", id: 7, method: "eth_noSuchMethod" })) as {
      id: number;
      error: { code: number; message: string };
    };
    expect(refused.id).toBe(7);
    expect(typeof refused.error.code).toBe("number");

    // Query 1: the real vectors' verdicts, with the verifier's TCB status, and the debug Keep's.
    const [q1, q2, q3, q4, q5] = ready.queries;
    const workloads = (await graphql(ready.graphqlUrl, q1!.query)).workloads as {
      name: string;
      verdicts: { tee: string; tcbStatus: string; status: string; evidence: { available: boolean } }[];
    }[];
    const byName = Object.fromEntries(workloads.map((w) => [w.name, w.verdicts]));
    expect(byName["demo-sgx-enclave"]).toMatchObject([
      { tee: "sgx", tcbStatus: "ConfigurationAndSWHardeningNeeded", status: "FINALIZED", evidence: { available: true } },
    ]);
    expect(byName["demo-tdx-vm"]).toMatchObject([
      { tee: "tdx", tcbStatus: "UpToDate", status: "FINALIZED", evidence: { available: true } },
    ]);
    expect(byName["demo-snp-vm"]).toMatchObject([
      { tee: "sev-snp", tcbStatus: "NotApplicable", status: "FINALIZED", evidence: { available: true } },
    ]);
    // Arm's test-key CCA token: finalized under its dev policy; the auditor sees the arm-cca verdict.
    expect(byName["demo-cca-realm"]).toMatchObject([
      { tee: "arm-cca", tcbStatus: "NotApplicable", status: "FINALIZED", evidence: { available: true } },
    ]);
    // The seeded debug Keep and the one the demo key was released to.
    expect(byName["demo-debug-keep"]).toHaveLength(2);
    for (const v of byName["demo-debug-keep"]!) expect(v).toMatchObject({ tee: "debug", tcbStatus: "NotApplicable", status: "FINALIZED" });
    // The test-signed GPU alone, and the composite Keep: the real TDX quote with that GPU bound to its REPORTDATA.
    expect(byName["demo-gpu"]).toMatchObject([
      { tee: "nvidia-gpu", tcbStatus: "NotApplicable", status: "FINALIZED", evidence: { available: true } },
    ]);
    expect(byName["demo-cpu-gpu-vm"]).toMatchObject([
      { tee: "cpu-gpu", tcbStatus: "UpToDate", status: "FINALIZED", evidence: { available: true } },
    ]);
    // Query 2: isAttested for the seeded debug Keep.
    const seededKeep = ready.seeded.find((s) => s.tee === "debug")!;
    expect((await graphql(ready.graphqlUrl, q2!.query)).attestedAt).toMatchObject({
      attested: true,
      verdict: { id: seededKeep.verdictId.toLowerCase(), tee: "debug", status: "FINALIZED" },
    });
    // Query 3: every validator with its own (debug Keep) verdict.
    const validators = (await graphql(ready.graphqlUrl, q3!.query)).validators as {
      id: string;
      verdict: { tee: string; status: string } | null;
    }[];
    expect(validators.map((v) => v.id).sort()).toEqual(ready.nodes.map((n) => n.address.toLowerCase()).sort());
    for (const v of validators) expect(v.verdict).toMatchObject({ tee: "debug", status: "FINALIZED" });
    // Query 4: the GPU and CPU + GPU verdicts with their kind and approved measurement, as an auditor sees them.
    const gpuVerdicts = (await graphql(ready.graphqlUrl, q4!.query)).verdicts as {
      tee: string;
      status: string;
      workload: { name: string };
      measurement: { tee: string; value: string; version: number };
    }[];
    expect(gpuVerdicts.map((v) => [v.workload.name, v.tee, v.status])).toEqual([
      ["demo-cpu-gpu-vm", "cpu-gpu", "FINALIZED"],
      ["demo-gpu", "nvidia-gpu", "FINALIZED"],
    ]);
    const composite = gpuVerdicts[0]!.measurement;
    expect(composite.tee).toBe("cpu-gpu");
    // 146 bytes: CPU kind 2 (TDX), the TDX measurement hash, at least one GPU, any RIMs, model GH100, minimums.
    expect(composite.value.length).toBe(2 + 2 * 146);
    expect(composite.value.slice(2, 4)).toBe("02");
    expect(composite.value.slice(68, 70)).toBe("01");
    expect(Buffer.from(composite.value.slice(2 + 2 * 66, 2 + 2 * 71), "hex").toString("latin1")).toBe("GH100");
    expect(ready.seeded.find((s) => s.tee === "cpu-gpu")).toMatchObject({ workload: "demo-cpu-gpu-vm", tcbStatus: "UpToDate" });
    // Query 5: the demo key of the debug-Keep workload, released to a freshly attested debug Keep by at
    // least t validators, each receipt committed on-chain and indexed.
    expect(ready.contracts.keyRegistry).toMatch(/^0x[0-9a-fA-F]{40}$/);
    const { demoKey } = ready;
    expect(demoKey).toMatchObject({ name: "demo data key", workloadId: ready.workloads["demo-debug-keep"], threshold: 2 });
    expect(demoKey.shareholders.map((a) => a.toLowerCase()).sort()).toEqual(ready.nodes.map((n) => n.address.toLowerCase()).sort());
    expect(demoKey.keep).not.toBe(seededKeep.subject);
    const key = (await graphql(ready.graphqlUrl, q5!.query)).key as {
      name: string;
      status: string;
      workload: { name: string };
      allowDebug: boolean;
      versions: { version: number; threshold: number; status: string; liveShareholders: number; belowThreshold: boolean }[];
      releases: { subject: string; validator: { id: string }; version: number; batchRoot: string }[];
    };
    expect(key).toMatchObject({ name: "demo data key", status: "CREATED", workload: { name: "demo-debug-keep" }, allowDebug: true });
    expect(key.versions).toEqual([
      expect.objectContaining({ version: 1, threshold: 2, status: "ACTIVE", liveShareholders: 3, belowThreshold: false }),
    ]);
    expect(key.releases.length).toBeGreaterThanOrEqual(2);
    for (const r of key.releases) expect(r).toMatchObject({ subject: demoKey.keep.toLowerCase(), version: 1 });
    expect([...new Set(key.releases.map((r) => r.validator.id))].sort()).toEqual(demoKey.releasedBy.map((a) => a.toLowerCase()).sort());
    expect(dev.stderr()).toMatch(/key release: "demo data key" \(0x[0-9a-f]{64}\) split 2 of 3, released to debug Keep 0x[0-9a-fA-F]{40}/);

    // The printed CLI submission of the sample (fresh debug Keep evidence for a new key).
    expect(ready.submit.curl).toContain(`--data @`);
    expect(JSON.parse(readFileSync(ready.sample.requestFile, "utf8"))).toMatchObject({ workloadId: ready.sample.workloadId });
    const cli = ready.submit.cli.replace(/^npx keepledger /, "").split(" ");
    const submitted = spawnSync(process.execPath, [bin, ...cli], { cwd: root, encoding: "utf8", timeout: 60_000 });
    expect(submitted.status, submitted.stderr).toBe(0);
    const verdictId = /^finalized: verdict (0x[0-9a-f]{64})$/m.exec(submitted.stdout)?.[1];
    expect(verdictId, submitted.stdout).toBeDefined();
    let indexed: { subject: string; tee: string; status: string } | null = null;
    for (let i = 0; i < 50 && !indexed; i++) {
      indexed = (await graphql(ready.graphqlUrl, `{ verdict(id: "${verdictId}") { subject tee status } }`)).verdict as typeof indexed;
      if (!indexed) await new Promise((r) => setTimeout(r, 200));
    }
    expect(indexed).toEqual({ subject: ready.sample.subject.toLowerCase(), tee: "debug", status: "FINALIZED" });

    const stopped = await stopWith(dev, "SIGINT");
    expect(stopped.code).toBe(0);
    expect(dev.stderr()).toMatch(/^stopped$/m);
  }, 90_000);

  it("refuses a port in use before starting anything (exit 2, names the port and the option)", async () => {
    const p = await freePorts();
    const blocker = (await listen(p.graphql))!;
    const fresh = join(tempDir(), "never-created");
    try {
      const dev = spawnDev(["--data", fresh, "--rpc-port", `${p.rpc}`, "--node-port", `${p.node}`, "--graphql-port", `${p.graphql}`]);
      expect(await dev.exited).toBe(2);
      expect(dev.stderr()).toContain(
        `error DEV_PORT_IN_USE: port ${p.graphql} (the GraphQL API) is already in use on 127.0.0.1; stop what uses it or choose another port with --graphql-port <port>`,
      );
      expect(existsSync(fresh)).toBe(false);
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  }, 30_000);

  it("refuses a non-empty data folder that is not one of ours, and leaves it alone", async () => {
    const p = await freePorts();
    const foreign = tempDir();
    writeFileSync(join(foreign, "notes.txt"), "mine");
    const dev = spawnDev(["--data", foreign, "--rpc-port", `${p.rpc}`, "--node-port", `${p.node}`, "--graphql-port", `${p.graphql}`]);
    expect(await dev.exited).toBe(2);
    expect(dev.stderr()).toContain("error DEV_DATA_FOLDER_FOREIGN:");
    expect(readFileSync(join(foreign, "notes.txt"), "utf8")).toBe("mine");
  }, 30_000);

  it("starts again on the same data folder: the previous run's chain data is cleared, a user's file kept; SIGTERM stops it", async () => {
    expect(existsSync(join(data, "registry.db"))).toBe(true);
    mkdirSync(join(data, "mine"));
    const dev = spawnDev([
      "--data",
      data,
      "--rpc-port",
      `${ports.rpc}`,
      "--node-port",
      `${ports.node}`,
      "--graphql-port",
      `${ports.graphql}`,
    ]);
    await waitFor(dev, (out) => /^keepledger dev is ready/m.test(out));
    const out = dev.stdout();
    expect(out).toMatch(
      /^cleared stale data in .*dev-data \(index, node stores, deployment from the run started .*\): the in-process chain starts empty on every run$/m,
    );
    expect(existsSync(join(data, "mine"))).toBe(true);
    // The human report: URLs, addresses, the demo verdicts, the five queries and the curl, in that order.
    expect(out).toMatch(/^INSECURE — development only: the 3 validators are debug Keeps \(no TEE\)/m);
    expect(out).toMatch(/^Chain JSON-RPC +http:\/\/127\.0\.0\.1:\d+/m);
    expect(out).toMatch(/^Validator node 0 +http:\/\/127\.0\.0\.1:\d+ +0x[0-9a-fA-F]{40} +debug Keep — INSECURE, no TEE/m);
    expect(out).toMatch(/^AttestationRegistry +0x[0-9a-fA-F]{40}$/m);
    expect(out).toMatch(/^# Query 3: /m);
    expect(out).toMatch(/^# Query 4: The GPU and CPU \+ GPU verdicts/m);
    expect(out).toMatch(
      /^ {2}demo-cpu-gpu-vm +cpu-gpu +UpToDate +0x[0-9a-f]{64} +INSECURE: its GPU is signed by keepledger's NVIDIA test roots$/m,
    );
    expect(out).toMatch(/^ {2}demo-gpu +nvidia-gpu +NotApplicable +0x[0-9a-f]{64} +INSECURE: /m);
    expect(out).toMatch(/^KeyRegistry +0x[0-9a-fA-F]{40}$/m);
    expect(out).toMatch(/^key "demo data key" +0x[0-9a-f]{64} +v1, 2 of 3; released to debug Keep 0x[0-9a-fA-F]{40} \(INSECURE\) by 0x/m);
    expect(out).toMatch(/^# Query 5: The demo key "demo data key"/m);
    expect(out).toMatch(
      /^curl -sS -X POST http:\/\/127\.0\.0\.1:\d+\/v1\/evidence -H 'content-type: application\/json' --data @\S+sample-request\.json$/m,
    );
    const stopped = await stopWith(dev, "SIGTERM");
    expect(stopped.code).toBe(0);
    expect(dev.stdout()).toMatch(/^stopped$/m);
  }, 60_000);
});
