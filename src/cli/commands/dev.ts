/**
 * `keepledger dev` (= `npm start`): the whole system in one process on an in-process chain — chain
 * JSON-RPC, contracts, three validator nodes (debug Keeps: INSECURE), indexer and GraphQL — seeded with
 * the real SGX, TDX and SEV-SNP vectors and a debug Keep. Ctrl-C stops it in order. See docs/dev.md.
 */
import type { Command } from "commander";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import { checkPortsFree } from "../../dev/checkPorts.ts";
import { prepareDataFolder } from "../../dev/dataFolder.ts";
import { devReportJson, devReportLines } from "../../dev/devReport.ts";
import { DEV_VALIDATORS, startDevNetwork, type DevNetwork } from "../../dev/startDevNetwork.ts";
import { CLI_CODES } from "../codes.ts";
import { explorerDir } from "../explorerDir.ts";

export interface DevCommandOptions {
  rpcPort: string;
  nodePort: string;
  graphqlPort: string;
  data: string;
  reset?: boolean;
  json?: boolean;
}

function portOption(flag: string, value: string, span = 1): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 1 && port + span - 1 <= 65_535)) {
    throw new UsageError(CLI_CODES.CLI_BAD_OPTION, `${flag} must be a port number (1-${65_536 - span}), got "${value}"`, {
      at: { field: flag },
      details: { got: value },
    });
  }
  return port;
}

export async function runDev(opts: DevCommandOptions): Promise<void> {
  const started = Date.now();
  const host = "127.0.0.1";
  const rpcPort = portOption("--rpc-port", opts.rpcPort);
  const nodePort = portOption("--node-port", opts.nodePort, DEV_VALIDATORS);
  const graphqlPort = portOption("--graphql-port", opts.graphqlPort);
  // Human lines go to stdout; with --json only the JSON object does (progress goes to stderr).
  const say = (line: string) => (opts.json ? process.stderr : process.stdout).write(`${line}\n`);
  await checkPortsFree(host, [
    { port: rpcPort, what: "the chain's JSON-RPC", option: "--rpc-port" },
    ...Array.from({ length: DEV_VALIDATORS }, (_, i) => ({ port: nodePort + i, what: `validator node ${i}`, option: "--node-port" })),
    { port: graphqlPort, what: "the GraphQL API", option: "--graphql-port" },
  ]);
  const data = prepareDataFolder(opts.data, { ...(opts.reset ? { reset: true } : {}), now: new Date(started) });
  if (data.note) say(data.note);

  // Signals: the first stops in order (after start-up, if it is still running); a second forces exit.
  // One Ctrl-C can arrive twice (from the terminal and forwarded by bin/keepledger.mjs when it re-runs
  // itself on a newer Node): a repeat within half a second is the same Ctrl-C.
  let signalled = false;
  const stopSignal = new Promise<string>((resolve) => {
    let first = 0;
    const on = (signal: string) => {
      if (first > 0) {
        if (Date.now() - first < 500) return;
        say("second signal: exiting now without a clean stop");
        process.exit(130);
      }
      first = Date.now();
      signalled = true;
      say(`${signal}: stopping (nodes, indexer, servers, chain)… press Ctrl-C again to force`);
      resolve(signal);
    };
    process.on("SIGINT", () => on("SIGINT"));
    process.on("SIGTERM", () => on("SIGTERM"));
  });

  const explorer = await explorerDir();
  const net: DevNetwork = await startDevNetwork({
    ...(explorer !== undefined ? { explorerDir: explorer } : {}),
    dataDir: data.dir,
    host,
    rpcPort,
    nodePort,
    graphqlPort,
    progress: say,
    startedAt: new Date(started),
  });
  try {
    // Interrupted while starting: stop without announcing a readiness that is already over.
    if (!signalled) {
      const startupMs = Date.now() - started;
      if (opts.json)
        process.stdout.write(
          `${JSON.stringify(devReportJson(net, startupMs), (_, v: unknown) => (typeof v === "bigint" ? Number(v) : v))}\n`,
        );
      else for (const line of devReportLines(net)) say(line);
      say(`keepledger dev is ready (${(startupMs / 1000).toFixed(1)} s); Ctrl-C stops`);
      await stopSignal;
    }
  } finally {
    await net.stop();
  }
  say("stopped");
  process.exitCode = 0;
  // Anything still holding the event loop (a socket closing late) must not keep a stopped dev running.
  setTimeout(() => process.exit(0), 2_000).unref();
}

export function registerDevCommand(program: Command): void {
  program
    .command("dev")
    .description(
      "run keepledger on an in-process chain, all in one process: chain JSON-RPC, contracts, 3 validator nodes (debug Keeps, INSECURE), indexer and GraphQL, seeded with real SGX/TDX/SEV-SNP vectors",
    )
    .option("--rpc-port <port>", "port of the chain's JSON-RPC endpoint", "8545")
    .option("--node-port <port>", "port of the first validator node (the others take the next ones)", "7001")
    .option("--graphql-port <port>", "port of the GraphQL API and GraphiQL", "4000")
    .option("--data <dir>", "data folder (index, node stores, sample request)", ".keepledger/dev")
    .option("--reset", "wipe the whole data folder first", false)
    .option("--json", "print one JSON object with the URLs and addresses when ready (progress goes to stderr)", false)
    .action(async (opts: DevCommandOptions) => {
      await runDev(opts);
    });
}
