/**
 * The dev network's registry: the indexer on SQLite (<data>/registry.db) following the in-process
 * chain directly (no HTTP hop), and the GraphQL API with GraphiQL, evidence access "full", answering
 * `evidence` from the first node's evidence store (the node the demo submits to).
 */
import { join } from "node:path";
import type { ExecutionResult } from "graphql";
import { createRegistryApi, type RegistryApi } from "../api/createRegistryApi.ts";
import { startRegistryServer, type RegistryServer } from "../api/registryServer.ts";
import type { Deployment } from "../chain/deployment.ts";
import type { EvidenceStore } from "../evidenceStore/EvidenceStore.ts";
import type { ChainSource } from "../indexer/chainSource.ts";
import { createIndexer } from "../indexer/Indexer.ts";
import { openDatabase } from "../store/openDatabase.ts";

export interface StartDevRegistryOptions {
  dataDir: string;
  host: string;
  port: number;
  chain: ChainSource;
  deployment: Deployment;
  evidenceStore: EvidenceStore;
  /** The built registry explorer to serve at /explorer/. */
  explorerDir?: string;
}

export interface DevRegistry {
  databaseFile: string;
  graphqlUrl: string;
  explorerUrl: string;
  api: RegistryApi;
  server: RegistryServer;
  /** Runs a query in-process with the API's limits. */
  query(query: string, variables?: Record<string, unknown>): Promise<ExecutionResult>;
  stop(): Promise<void>;
}

export async function startDevRegistry(o: StartDevRegistryOptions): Promise<DevRegistry> {
  const databaseFile = join(o.dataDir, "registry.db");
  const db = openDatabase(databaseFile);
  try {
    const indexer = await createIndexer({ db, chain: o.chain, deployment: o.deployment, confirmations: 0, pollIntervalMs: 200 });
    const api = createRegistryApi({ db, indexer, chain: o.chain, evidenceAccess: "full", evidenceStore: o.evidenceStore, graphiql: true });
    const server = await startRegistryServer(
      api,
      { host: o.host, port: o.port },
      o.explorerDir !== undefined ? { explorerDir: o.explorerDir } : {},
    ).catch(async (error: unknown) => {
      api.close();
      throw error;
    });
    const following = indexer.follow();
    return {
      databaseFile,
      graphqlUrl: server.graphqlUrl,
      explorerUrl: server.explorerUrl,
      api,
      server,
      query: (q, v) => api.execute(q, v),
      async stop() {
        await indexer.stop();
        await following.catch(() => undefined);
        api.close();
        await server.close();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
