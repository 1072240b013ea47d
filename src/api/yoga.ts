/**
 * graphql-yoga and the graphql runtime it executes with, loaded by computed specifiers:
 * - yoga's typings import @whatwg-node/fetch, whose `/// <reference lib="dom" />` pulls the DOM library
 *   into the whole program and breaks the types of unrelated modules (Uint8Array vs BufferSource in
 *   src/pki/x509), so yoga is typed here with the little the registry uses;
 * - graphql must be the very instance yoga uses (its classes are checked with instanceof). Under vitest an
 *   `import "graphql"` in our sources goes through Vite's resolve conditions (graphql's development build)
 *   while yoga, loaded by Node, gets the production build: two instances. Node's own require (which Vite
 *   does not intercept) resolves graphql exactly as yoga's imports do, so there is one.
 * Every runtime use of graphql in src/api goes through `graphqlRuntime`; type imports are free.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type * as GraphQLModule from "graphql";
import type { DocumentNode, ExecutionResult, GraphQLError, GraphQLSchema } from "graphql";

export interface YogaExecutionArgs {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null;
  variableValues?: Record<string, unknown> | null;
  contextValue?: unknown;
}

export interface YogaPlugin {
  onExecute?(payload: {
    args: YogaExecutionArgs;
    executeFn: (args: YogaExecutionArgs) => unknown;
    setExecuteFn(fn: (args: YogaExecutionArgs) => unknown): void;
    setResultAndStopExecution(result: ExecutionResult): void;
  }): void;
  onSubscribe?(payload: { args: YogaExecutionArgs; setResultAndStopExecution(result: ExecutionResult): void }): void;
}

export interface YogaOptions<C> {
  schema: GraphQLSchema;
  cors: boolean;
  graphiql: boolean;
  landingPage: boolean;
  graphqlEndpoint: string;
  logging: boolean;
  plugins: YogaPlugin[];
  maskedErrors: { isDev: boolean; maskError(error: unknown, message: string): GraphQLError };
  context: () => C;
}

export interface YogaServer {
  fetch(input: string | Request, init?: RequestInit): Promise<Response>;
  /** Serves a node:http request straight (yoga's Node adapter, no Request/Response copies). */
  requestListener(req: IncomingMessage, res: ServerResponse): Promise<void> | void;
  graphqlEndpoint: string;
}

export interface YogaPubSub<T> {
  publish(topic: "registry", payload: T): void;
  subscribe(topic: "registry"): AsyncIterable<T>;
}

interface YogaModule {
  createYoga<C>(options: YogaOptions<C>): YogaServer;
  createSchema(options: { typeDefs: string; resolvers: unknown }): GraphQLSchema;
  createPubSub<T>(): YogaPubSub<T>;
  pipe<A, B>(source: A, transform: (a: A) => B): B;
  filter<T>(predicate: (value: T) => boolean): (source: AsyncIterable<T>) => AsyncIterable<T>;
}

const yogaSpecifier: string = "graphql-yoga";
const yoga = (await import(yogaSpecifier)) as YogaModule;

/** The graphql module yoga executes with. */
export const graphqlRuntime = createRequire(import.meta.url)("graphql") as typeof GraphQLModule;

export const { createYoga, createSchema, createPubSub, pipe, filter } = yoga;
