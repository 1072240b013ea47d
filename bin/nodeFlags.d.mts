export declare const NODE_V8_FLAGS: readonly string[];
export declare const FLAGGED_COMMANDS: readonly string[];
export declare function flaggedArguments(proc: {
  execArgv: readonly string[];
  argv: readonly string[];
  env: Record<string, string | undefined>;
}): string[] | undefined;
export declare function execWithNodeFlags(): void;
