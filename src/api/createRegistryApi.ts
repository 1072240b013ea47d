/**
 * The registry's GraphQL API as a fetch handler (graphql-yoga): the schema, a reader per request, the
 * limits (depth, cost, page size, skip, time), masked errors with codes, GraphiQL only when asked, and
 * subscriptions over server-sent events fed by an indexer in the same process.
 */
import type { ExecutionResult, GraphQLError as GraphQLErrorType } from "graphql";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import type { EvidenceStore } from "../evidenceStore/EvidenceStore.ts";
import type { ChainSource } from "../indexer/chainSource.ts";
import type { RegistryChange } from "../indexer/handlers/index.ts";
import { entityModel, type EntityModel } from "../indexer/entityModel.ts";
import type { Indexer } from "../indexer/Indexer.ts";
import type { Database } from "../store/Database.ts";
import { API_CODES } from "./codes.ts";
import { createRegistrySchema, type EvidenceAccess, type RegistryContext, type RegistryPubSub } from "./createRegistrySchema.ts";
import { createDirectQuery, type DirectQuery } from "./directQuery.ts";
import { checkQueryLimits, defaultQueryLimits, type QueryLimits } from "./queryLimits.ts";
import { BlockClock, RegistryReader } from "./RegistryReader.ts";
import { createPubSub, createYoga, graphqlRuntime, type YogaPlugin, type YogaServer } from "./yoga.ts";

const { GraphQLError } = graphqlRuntime;

export interface RegistryApiOptions {
  db: Database;
  /** Feeds subscriptions from this indexer's commits (it must run in this process). */
  indexer?: Indexer;
  /** Lets the API look up the time of blocks the index did not store (time travel to any block). */
  chain?: ChainSource;
  /** What evidence to serve (default "hashes"; "full" serves report data, which can be sensitive). */
  evidenceAccess?: EvidenceAccess;
  evidenceStore?: EvidenceStore;
  limits?: Partial<QueryLimits>;
  /** Serve GraphiQL on GET /graphql (default false; `keepledger dev` turns it on). */
  graphiql?: boolean;
  /** Path of the GraphQL endpoint (default /graphql). */
  graphqlEndpoint?: string;
}

export interface RegistryApi {
  yoga: YogaServer;
  limits: QueryLimits;
  model: EntityModel;
  db: Database;
  evidenceAccess: EvidenceAccess;
  evidenceStore: EvidenceStore | undefined;
  /** The common request (one query, POSTed as JSON) without yoga's Fetch-API round trip; null: ask yoga. */
  direct: DirectQuery;
  /** Runs one operation in-process (no HTTP), with the same limits and errors. */
  execute(query: string, variables?: Record<string, unknown>, operationName?: string): Promise<ExecutionResult>;
  /** Detaches from the indexer. */
  close(): void;
}

export function createRegistryApi(options: RegistryApiOptions): RegistryApi {
  const model = entityModel();
  const limits: QueryLimits = { ...defaultQueryLimits(), ...options.limits };
  const evidenceAccess = options.evidenceAccess ?? "hashes";
  const clock = new BlockClock(options.db, options.chain);
  let pubsub: RegistryPubSub | undefined;
  let detach: (() => void) | undefined;
  if (options.indexer) {
    const ps: RegistryPubSub = createPubSub<RegistryChange>();
    pubsub = ps;
    const remove = options.indexer.addCommitListener((commit) => {
      for (const change of commit.changes) ps.publish("registry", change);
    });
    detach = () => {
      remove();
    };
  }
  const schema = createRegistrySchema({
    model,
    evidenceAccess,
    ...(options.evidenceStore ? { evidenceStore: options.evidenceStore } : {}),
    ...(pubsub ? { pubsub } : {}),
  });

  const timeoutError = () =>
    new GraphQLError(`the query ran longer than ${limits.timeoutMs} ms`, { extensions: { code: API_CODES.TIMEOUT } });
  const limitsPlugin: YogaPlugin = {
    onExecute({ args, setResultAndStopExecution, executeFn, setExecuteFn }) {
      try {
        checkQueryLimits(args.schema, args.document, args.operationName, args.variableValues, limits);
      } catch (error) {
        setResultAndStopExecution({ errors: [error as GraphQLErrorType] });
        return;
      }
      setExecuteFn(async (a) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<ExecutionResult>((resolve) => {
          timer = setTimeout(() => resolve({ errors: [timeoutError()] }), limits.timeoutMs);
        });
        try {
          return await Promise.race([executeFn(a) as Promise<ExecutionResult>, timeout]);
        } finally {
          clearTimeout(timer);
        }
      });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      try {
        checkQueryLimits(args.schema, args.document, args.operationName, args.variableValues, limits);
      } catch (error) {
        setResultAndStopExecution({ errors: [error as GraphQLErrorType] });
      }
    },
  };

  function maskError(error: GraphQLErrorType, message = "Unexpected error."): GraphQLErrorType {
    const original = error.originalError;
    if (original instanceof GraphQLError) return original;
    if (error instanceof GraphQLError && !original) return error;
    if (isKeepledgerError(original)) return new GraphQLError(original.message, { extensions: { code: original.code } });
    return new GraphQLError(message, { extensions: { code: "INTERNAL_SERVER_ERROR" } });
  }
  const context = (): RegistryContext => {
    const deadline = performance.now() + limits.timeoutMs;
    return {
      reader: new RegistryReader({ db: options.db, model, clock, deadline }),
      newReader: () => new RegistryReader({ db: options.db, model, clock, deadline: performance.now() + limits.timeoutMs }),
    };
  };

  const yoga = createYoga<RegistryContext>({
    schema,
    graphiql: options.graphiql ?? false,
    // Browsers call the registry from other origins only if the operator puts it behind a proxy that says so.
    cors: false,
    landingPage: false,
    graphqlEndpoint: options.graphqlEndpoint ?? "/graphql",
    logging: false,
    plugins: [limitsPlugin],
    maskedErrors: { isDev: false, maskError: (error, message) => maskError(error as GraphQLErrorType, message) },
    context,
  });
  return {
    yoga,
    limits,
    model,
    db: options.db,
    evidenceAccess,
    evidenceStore: options.evidenceStore,
    direct: createDirectQuery({ schema, limits, context, maskError, timeoutError }),
    async execute(query, variables, operationName) {
      const response = await yoga.fetch(`http://registry.local${options.graphqlEndpoint ?? "/graphql"}`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ query, variables, operationName }),
      });
      return (await response.json()) as ExecutionResult;
    },
    close() {
      detach?.();
    },
  };
}
