/**
 * The indexer and the GraphQL API in one process (what `keepledger index --serve` and the dev network
 * run): the indexer follows the chain, the API answers from the same store and pushes subscriptions
 * from the indexer's commits. start/stop are functions so that `keepledger dev` can run it in-process.
 */
import type { Deployment } from "../chain/deployment.ts";
import { EvidenceStore } from "../evidenceStore/EvidenceStore.ts";
import type { ChainSource } from "../indexer/chainSource.ts";
import { createIndexer, type Indexer, type IndexerOptions } from "../indexer/Indexer.ts";
import type { Database } from "../store/Database.ts";
import { openDatabase } from "../store/openDatabase.ts";
import type { EvidenceAccess } from "./createRegistrySchema.ts";
import { createRegistryApi, type RegistryApi } from "./createRegistryApi.ts";
import type { QueryLimits } from "./queryLimits.ts";
import { startRegistryServer, type RegistryServer } from "./registryServer.ts";

export interface StartRegistryOptions {
  chain: ChainSource;
  deployment: Deployment;
  /** The index: a Database, or a setting for openDatabase (file path, sqlite:…, postgres://…). */
  database: Database | string;
  confirmations?: number;
  /** Serve the API on host:port (default: no API). */
  serve?: { host: string; port: number };
  /** Where the evidence store is (default: the index's database). */
  evidenceDatabase?: Database | string;
  /** What evidence the API serves (default "hashes"). */
  evidenceAccess?: EvidenceAccess;
  graphiql?: boolean;
  /** The built registry explorer to serve at /explorer/ (with serve). */
  explorerDir?: string;
  limits?: Partial<QueryLimits>;
  indexer?: Omit<IndexerOptions, "db" | "chain" | "deployment" | "confirmations">;
  log?: (line: string) => void;
}

export interface RunningRegistry {
  indexer: Indexer;
  api: RegistryApi | undefined;
  server: RegistryServer | undefined;
  /** Stops following, closes the server and the databases it opened. */
  stop(): Promise<void>;
}

export async function startRegistry(options: StartRegistryOptions): Promise<RunningRegistry> {
  const log = options.log ?? (() => undefined);
  const opened: Database[] = [];
  const open = (d: Database | string): Database => {
    if (typeof d !== "string") return d;
    const db = openDatabase(d);
    opened.push(db);
    return db;
  };
  const db = open(options.database);
  const indexer = await createIndexer({
    ...options.indexer,
    db,
    chain: options.chain,
    deployment: options.deployment,
    confirmations: options.confirmations ?? 0,
    log,
  });
  let api: RegistryApi | undefined;
  let server: RegistryServer | undefined;
  if (options.serve) {
    const evidenceDb = options.evidenceDatabase === undefined ? db : open(options.evidenceDatabase);
    api = createRegistryApi({
      db,
      indexer,
      chain: options.chain,
      evidenceAccess: options.evidenceAccess ?? "hashes",
      evidenceStore: await EvidenceStore.open(evidenceDb),
      ...(options.graphiql !== undefined ? { graphiql: options.graphiql } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
    });
    server = await startRegistryServer(api, options.serve, options.explorerDir !== undefined ? { explorerDir: options.explorerDir } : {});
    log(`GraphQL API at ${server.graphqlUrl} (subscriptions over server-sent events), explorer at ${server.explorerUrl}`);
  }
  const following = indexer.follow();
  return {
    indexer,
    api,
    server,
    async stop() {
      await indexer.stop();
      await following;
      api?.close();
      await server?.close();
      for (const d of opened) await d.close();
    },
  };
}
