/**
 * `keepledger serve --database <path | postgres://…> [--listen 127.0.0.1:4000]`: the GraphQL API over an
 * index another process maintains. Queries only: subscriptions need the indexer in the same process
 * (`keepledger index --serve`).
 */
import type { Command } from "commander";
import { createRegistryApi } from "../../api/createRegistryApi.ts";
import { startRegistryServer } from "../../api/registryServer.ts";
import { explorerDir } from "../explorerDir.ts";
import { parseListen } from "../parseListen.ts";
import { EvidenceStore } from "../../evidenceStore/EvidenceStore.ts";
import { openDatabase } from "../../store/openDatabase.ts";
import { DEFAULT_REGISTRY_DATABASE, evidenceAccessOption, rpcSource } from "./registryOptions.ts";

export interface ServeCommandOptions {
  database?: string;
  listen?: string;
  rpc?: string;
  graphiql?: boolean;
  evidenceAccess?: string;
  evidenceDatabase?: string;
}

export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("serve the registry's GraphQL API over an existing index (queries; subscriptions need `keepledger index --serve`)")
    .option("--database <path|url>", "registry store: a SQLite file path or postgres://user:password@host/db", DEFAULT_REGISTRY_DATABASE)
    .option("--listen <host:port>", "where to listen", "127.0.0.1:4000")
    .option("--rpc <url>", "JSON-RPC endpoint, to know the time of blocks the index did not store (time travel)")
    .option("--graphiql", "serve GraphiQL on the GraphQL endpoint (for development)")
    .option("--evidence-access <none|hashes|full>", "what the API serves of the evidence store (default hashes)")
    .option("--evidence-database <path|url>", "where the evidence store is (default: the registry store)")
    .action(async (opts: ServeCommandOptions) => {
      const listen = parseListen(opts.listen ?? "127.0.0.1:4000");
      const evidenceAccess = evidenceAccessOption(opts.evidenceAccess);
      const db = openDatabase(opts.database ?? DEFAULT_REGISTRY_DATABASE);
      const evidenceDb = opts.evidenceDatabase !== undefined ? openDatabase(opts.evidenceDatabase) : db;
      const api = createRegistryApi({
        db,
        evidenceStore: await EvidenceStore.open(evidenceDb),
        ...(opts.rpc !== undefined ? { chain: rpcSource(opts.rpc) } : {}),
        ...(evidenceAccess ? { evidenceAccess } : {}),
        ...(opts.graphiql ? { graphiql: true } : {}),
      });
      const explorer = await explorerDir();
      const server = await startRegistryServer(api, listen, explorer !== undefined ? { explorerDir: explorer } : {});
      console.error(`GraphQL API at ${server.graphqlUrl} over ${db.description}, explorer at ${server.explorerUrl}; Ctrl-C stops`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      });
      await server.close();
      if (evidenceDb !== db) await evidenceDb.close();
      await db.close();
    });
}
