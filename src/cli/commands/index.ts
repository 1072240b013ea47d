/**
 * `keepledger index --rpc <url> --deployment <file> [--database <path | postgres://…>] [--confirmations N]
 * [--serve 127.0.0.1:4000] [--once]`: indexes the deployment's events into the registry store and, with
 * --serve, serves the GraphQL API (subscriptions included) from the same process.
 */
import type { Command } from "commander";
import { readDeployment } from "../../chain/deployment.ts";
import { startRegistry } from "../../api/startRegistry.ts";
import { parseListen } from "../parseListen.ts";
import { createIndexer } from "../../indexer/Indexer.ts";
import { openDatabase } from "../../store/openDatabase.ts";
import { explorerDir } from "../explorerDir.ts";
import {
  DEFAULT_DEPLOYMENT,
  DEFAULT_REGISTRY_DATABASE,
  DEFAULT_RPC,
  evidenceAccessOption,
  rpcSource,
  wholeNumberOption,
} from "./registryOptions.ts";

export interface IndexCommandOptions {
  rpc?: string;
  deployment?: string;
  database?: string;
  confirmations?: string;
  serve?: string;
  once?: boolean;
  graphiql?: boolean;
  evidenceAccess?: string;
  evidenceDatabase?: string;
}

export async function runIndex(opts: IndexCommandOptions, log: (line: string) => void = (l) => console.error(l)): Promise<void> {
  const deployment = await readDeployment(opts.deployment ?? DEFAULT_DEPLOYMENT);
  const chain = rpcSource(opts.rpc ?? DEFAULT_RPC);
  const confirmations = wholeNumberOption("--confirmations", opts.confirmations) ?? 0;
  const database = opts.database ?? DEFAULT_REGISTRY_DATABASE;
  if (opts.once) {
    const db = openDatabase(database);
    try {
      const indexer = await createIndexer({ db, chain, deployment, confirmations, log });
      const last = await indexer.catchUp();
      log(`indexed up to block ${last} into ${db.description}`);
    } finally {
      await db.close();
    }
    return;
  }
  const evidenceAccess = evidenceAccessOption(opts.evidenceAccess);
  const explorer = opts.serve !== undefined ? await explorerDir() : undefined;
  const running = await startRegistry({
    ...(explorer !== undefined ? { explorerDir: explorer } : {}),
    chain,
    deployment,
    database,
    confirmations,
    log,
    ...(opts.serve !== undefined ? { serve: parseListen(opts.serve, "--serve") } : {}),
    ...(opts.graphiql ? { graphiql: true } : {}),
    ...(evidenceAccess ? { evidenceAccess } : {}),
    ...(opts.evidenceDatabase !== undefined ? { evidenceDatabase: opts.evidenceDatabase } : {}),
  });
  log(
    `indexing ${deployment.contracts.attestationRegistry} on chain ${deployment.chainId} from block ${deployment.deployBlock} (${confirmations} confirmations); Ctrl-C stops`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await running.stop();
}

export function registerIndexCommand(program: Command): void {
  program
    .command("index")
    .description(
      "index the keepledger contracts' events into the registry store (SQLite file or PostgreSQL); --serve also serves the GraphQL API",
    )
    .option("--rpc <url>", "JSON-RPC endpoint", DEFAULT_RPC)
    .option("--deployment <file>", "deployment JSON (from keepledger deploy --out)", DEFAULT_DEPLOYMENT)
    .option("--database <path|url>", "registry store: a SQLite file path or postgres://user:password@host/db", DEFAULT_REGISTRY_DATABASE)
    .option("--confirmations <n>", "blocks to stay behind the head (0 on a dev chain; see docs/registry.md for others)", "0")
    .option("--serve <host:port>", "also serve the GraphQL API here, e.g. 127.0.0.1:4000")
    .option("--graphiql", "serve GraphiQL on the GraphQL endpoint (for development)")
    .option("--evidence-access <none|hashes|full>", "what the API serves of the evidence store (default hashes)")
    .option("--evidence-database <path|url>", "where the evidence store is (default: the registry store)")
    .option("--once", "catch up with the chain and exit")
    .action(async (opts: IndexCommandOptions) => {
      await runIndex(opts);
    });
}
