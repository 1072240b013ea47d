/**
 * `keepledger query <query | @file> [--var name=value …] [--url <graphql url> | --database <store>]`:
 * runs one GraphQL query against a registry API (default http://127.0.0.1:4000/graphql) or straight
 * against a store, and prints the JSON answer. Exit 0 without errors, 1 with, 2 on usage errors.
 */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { API_CODES } from "../../api/codes.ts";
import { createRegistryApi } from "../../api/createRegistryApi.ts";
import { InfrastructureError, isKeepledgerError, UsageError } from "@keepledger/sdk/internal/errors/index";
import { openDatabase } from "../../store/openDatabase.ts";
import { CLI_CODES } from "../codes.ts";
import { failureJson } from "../formatVerification.ts";

export interface QueryCommandOptions {
  url?: string;
  database?: string;
  var?: string[];
}

export interface QueryCommandResult {
  exitCode: 0 | 1 | 2;
  stdout: string;
}

function variablesOf(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(CLI_CODES.CLI_BAD_OPTION, `--var must be name=value, got "${pair}"`, { at: { field: "--var" } });
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    // Numbers, booleans, null, lists and objects as JSON; anything else is a string.
    if (/^(-?\d+|true|false|null|\[.*\]|\{.*\})$/s.test(raw)) {
      try {
        value = JSON.parse(raw);
      } catch {
        value = raw;
      }
    }
    out[pair.slice(0, eq)] = value;
  }
  return out;
}

export async function runQuery(queryArg: string, opts: QueryCommandOptions): Promise<QueryCommandResult> {
  try {
    let query = queryArg;
    if (queryArg.startsWith("@")) {
      try {
        query = await readFile(queryArg.slice(1), "utf8");
      } catch (cause) {
        throw new UsageError(CLI_CODES.CLI_FILE_UNREADABLE, `cannot read query file ${queryArg.slice(1)}`, { cause });
      }
    }
    const variables = variablesOf(opts.var ?? []);
    let result: { data?: unknown; errors?: readonly unknown[] };
    if (opts.database !== undefined) {
      const db = openDatabase(opts.database);
      try {
        result = await createRegistryApi({ db }).execute(query, variables);
      } finally {
        await db.close();
      }
    } else {
      const url = opts.url ?? "http://127.0.0.1:4000/graphql";
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json" },
          body: JSON.stringify({ query, variables }),
        });
      } catch (cause) {
        throw new InfrastructureError(API_CODES.REGISTRY_UNREACHABLE, `cannot reach the registry API at ${url}`, { cause });
      }
      result = (await response.json()) as typeof result;
    }
    return { exitCode: result.errors && result.errors.length > 0 ? 1 : 0, stdout: JSON.stringify(result, null, 2) };
  } catch (error) {
    if (!isKeepledgerError(error)) throw error;
    return { exitCode: error.stage === "usage" ? 2 : 1, stdout: JSON.stringify(failureJson(error)) };
  }
}

export function registerQueryCommand(program: Command): void {
  program
    .command("query")
    .description("run a GraphQL query against the registry (its API, or a store directly) and print the JSON answer")
    .argument("<query>", "the query text, or @file to read it from a file")
    .option("--url <url>", "the registry's GraphQL endpoint (default http://127.0.0.1:4000/graphql)")
    .option("--database <path|url>", "query this registry store directly instead of an API")
    .option("--var <name=value...>", "a query variable (numbers, booleans and JSON are parsed)")
    .action(async (query: string, opts: QueryCommandOptions) => {
      const r = await runQuery(query, opts);
      process.stdout.write(`${r.stdout}\n`);
      process.exitCode = r.exitCode;
    });
}
