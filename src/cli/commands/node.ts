/**
 * `keepledger node --config <file>`: runs a validator node (docs/node.md) until SIGTERM or SIGINT, then
 * shuts down gracefully — no new evidence, in-flight work finished or persisted, store closed.
 */
import type { Command } from "commander";
import { loadNodeConfig } from "../../node/config/loadNodeConfig.ts";
import { startValidatorNode, type ValidatorNode } from "../../node/startValidatorNode.ts";

export interface RunNodeOptions {
  config: string;
}

/** Starts the node and resolves once it has stopped after a signal. */
export async function runNode(opts: RunNodeOptions): Promise<void> {
  const config = await loadNodeConfig(opts.config);
  const node: ValidatorNode = await startValidatorNode({ config });
  process.stderr.write(`keepledger validator ${node.address} listening at ${node.url} (public ${config.publicUrl})\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stderr.write(`${signal}: shutting down\n`);
      node.stop().then(resolve, (error: unknown) => {
        process.stderr.write(`shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`);
        resolve();
      });
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
}

export function registerNodeCommand(program: Command): void {
  program
    .command("node")
    .description("run a validator node: verify Keep evidence, countersign verdicts, finalize them on-chain, attest itself")
    .requiredOption("--config <file>", "the node's JSON configuration (docs/node.md)")
    .action(async (opts: RunNodeOptions) => {
      await runNode(opts);
    });
}
