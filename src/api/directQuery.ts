/**
 * The registry's common request — one query POSTed as application/json — executed without yoga's
 * Fetch-API round trip (a Request, a Response and their streams per request: about half the server's
 * time on a 100-row page). Everything else declines and goes to yoga, which answers it (GET, GraphiQL,
 * subscriptions, mutations, batched or malformed requests, documents that do not validate, variables
 * that do not coerce), so error shapes stay yoga's. Both paths share the schema, the reader per request,
 * the limits, the timeout and the error masking.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { DocumentNode, ExecutionResult, GraphQLError, GraphQLSchema, OperationDefinitionNode } from "graphql";
import type { RegistryContext } from "./createRegistrySchema.ts";
import { planFastQuery, type FastQuery } from "./fastExecute.ts";
import { checkQueryLimits, type QueryLimits } from "./queryLimits.ts";
import { graphqlRuntime } from "./yoga.ts";

export interface DirectQueryOptions {
  schema: GraphQLSchema;
  limits: QueryLimits;
  context: () => RegistryContext;
  /** The same masking yoga applies: codes kept, internals replaced by INTERNAL_SERVER_ERROR. */
  maskError: (error: GraphQLError) => GraphQLError;
  timeoutError: () => GraphQLError;
  /** Plain queries through fastExecute.ts (default true; false: graphql-js for every request). */
  fastExecution?: boolean;
}

interface CachedDocument {
  document: DocumentNode;
  /** Fast plans by operation name ("" for an anonymous operation). */
  plans: Map<string, FastQuery | null>;
}

/** A JSON body to send with status 200, or null: let yoga answer. */
export type DirectQuery = (body: Uint8Array, headers: IncomingHttpHeaders) => Promise<string | null>;

/** Parsed and validated documents by query text (auditors send the same few queries again and again). */
const MAX_CACHED_DOCUMENTS = 1_000;

function acceptsJson(headers: IncomingHttpHeaders): boolean {
  const accept = headers.accept;
  if (accept === undefined || accept === "") return true;
  if (/text\/event-stream|multipart\/mixed/i.test(accept)) return false;
  return /application\/json|\*\/\*/i.test(accept);
}

export function createDirectQuery(options: DirectQueryOptions): DirectQuery {
  const { schema, limits } = options;
  const documents = new Map<string, CachedDocument>();

  const documentOf = (query: string): CachedDocument | null => {
    const cached = documents.get(query);
    if (cached) return cached;
    let document: DocumentNode;
    try {
      document = graphqlRuntime.parse(query);
    } catch {
      return null;
    }
    if (graphqlRuntime.validate(schema, document).length > 0) return null;
    if (documents.size >= MAX_CACHED_DOCUMENTS) documents.clear();
    const entry: CachedDocument = { document, plans: new Map() };
    documents.set(query, entry);
    return entry;
  };
  /** The fast plan of one operation of a cached document (planned on first use; null: none). */
  const planOf = (entry: CachedDocument, operation: OperationDefinitionNode): FastQuery | null => {
    if (options.fastExecution === false) return null;
    const key = operation.name?.value ?? "";
    let plan = entry.plans.get(key);
    if (plan === undefined) {
      plan = planFastQuery(schema, entry.document, operation);
      entry.plans.set(key, plan);
    }
    return plan;
  };

  return async (body, headers) => {
    if (!/^application\/json/i.test(headers["content-type"] ?? "") || !acceptsJson(headers)) return null;
    let request: unknown;
    try {
      request = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8"));
    } catch {
      return null;
    }
    if (typeof request !== "object" || request === null || Array.isArray(request)) return null;
    const { query, variables, operationName, extensions } = request as Record<string, unknown>;
    if (typeof query !== "string" || extensions !== undefined) return null;
    if (variables != null && (typeof variables !== "object" || Array.isArray(variables))) return null;
    if (operationName != null && typeof operationName !== "string") return null;
    const entry = documentOf(query);
    if (!entry) return null;
    const { document } = entry;
    const operations = document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === graphqlRuntime.Kind.OPERATION_DEFINITION,
    );
    const operation = operationName
      ? operations.find((o) => o.name?.value === operationName)
      : operations.length === 1
        ? operations[0]
        : undefined;
    if (!operation || operation.operation !== "query") return null;

    const variableValues = (variables ?? {}) as Record<string, unknown>;
    try {
      checkQueryLimits(schema, document, operationName as string | undefined, variableValues, limits);
    } catch (error) {
      return JSON.stringify({ errors: [error] });
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<ExecutionResult>((resolve) => {
      timer = setTimeout(() => resolve({ errors: [options.timeoutError()] }), limits.timeoutMs);
    });
    let result: ExecutionResult;
    try {
      const contextValue = options.context();
      const execute = () =>
        graphqlRuntime.execute({ schema, document, variableValues, operationName: operationName as string | undefined, contextValue });
      // The fast path answers only when nothing went wrong; otherwise graphql-js runs the request (same reader and block) and words the answer.
      const fast = planOf(entry, operation);
      const run = fast ? fast.run(variableValues, contextValue).catch(() => execute()) : execute();
      result = await Promise.race([run as Promise<ExecutionResult>, timeout]);
    } finally {
      clearTimeout(timer);
    }
    // Variables that do not coerce are a request error (no data): yoga words those.
    if (!("data" in result) && result.errors?.[0] !== undefined && result.errors[0].extensions?.code === undefined) return null;
    return JSON.stringify(result.errors ? { ...result, errors: result.errors.map(options.maskError) } : result);
  };
}
