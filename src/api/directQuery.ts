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
import { checkQueryLimits, type QueryLimits } from "./queryLimits.ts";
import { graphqlRuntime } from "./yoga.ts";

export interface DirectQueryOptions {
  schema: GraphQLSchema;
  limits: QueryLimits;
  context: () => RegistryContext;
  /** The same masking yoga applies: codes kept, internals replaced by INTERNAL_SERVER_ERROR. */
  maskError: (error: GraphQLError) => GraphQLError;
  timeoutError: () => GraphQLError;
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
  const documents = new Map<string, DocumentNode>();

  const documentOf = (query: string): DocumentNode | null => {
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
    documents.set(query, document);
    return document;
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
    const document = documentOf(query);
    if (!document) return null;
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
      const run = graphqlRuntime.execute({
        schema,
        document,
        variableValues,
        operationName: operationName as string | undefined,
        contextValue: options.context(),
      });
      result = await Promise.race([run as Promise<ExecutionResult>, timeout]);
    } finally {
      clearTimeout(timer);
    }
    // Variables that do not coerce are a request error (no data): yoga words those.
    if (!("data" in result) && result.errors?.[0] !== undefined && result.errors[0].extensions?.code === undefined) return null;
    return JSON.stringify(result.errors ? { ...result, errors: result.errors.map(options.maskError) } : result);
  };
}
