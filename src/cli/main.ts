/**
 * The keepledger command line. bin/keepledger.mjs calls main(argv). Each command lives in
 * src/cli/commands/<name>.ts and exports a register function; adding one is one line in COMMANDS.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import { registerDeployCommand } from "./commands/deploy.ts";
import { registerDevCommand } from "./commands/dev.ts";
import { registerVerifyCommand } from "./commands/verify.ts";
import { registerCertCommand } from "./commands/cert.ts";
import { registerNodeCommand } from "./commands/node.ts";
import { registerSubmitCommand } from "./commands/submit.ts";
import { registerAuditCommand } from "./commands/audit.ts";
import { registerIndexCommand } from "./commands/index.ts";
import { registerQueryCommand } from "./commands/query.ts";
import { registerServeCommand } from "./commands/serve.ts";
import { registerValidatorCommand } from "./commands/validator.ts";
import { registerWorkloadCommand } from "./commands/workload.ts";
import { registerRevokeCommand } from "./commands/revoke.ts";
import { registerStoreCommand } from "./commands/store.ts";
import { registerKeyCommand } from "./commands/key.ts";

function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
}

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: readonly RegisterCommand[] = [
  registerDevCommand,
  registerNodeCommand,
  registerVerifyCommand,
  registerSubmitCommand,
  registerAuditCommand,
  registerQueryCommand,
  registerIndexCommand,
  registerServeCommand,
  registerDeployCommand,
  registerWorkloadCommand,
  registerValidatorCommand,
  registerRevokeCommand,
  registerStoreCommand,
  registerKeyCommand,
  registerCertCommand,
];

export function buildProgram(): Command {
  const program = new Command()
    .name("keepledger")
    .description("blockchain-anchored attestation and workload registry for confidential computing")
    .version(packageVersion(), "-V, --version")
    .showHelpAfterError();
  for (const register of COMMANDS) register(program);
  return program;
}

/** Runs the CLI; failures print `error CODE: message` and set the exit code (2 for usage errors). */
export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  // Usage errors in any subcommand must reach the handler below (exit 2), not exit 1 inside commander.
  const override = (c: Command): void => {
    c.exitOverride();
    c.commands.forEach(override);
  };
  override(program);
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; commander has already printed its own message otherwise.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    if (isKeepledgerError(error)) {
      console.error(`error ${error.code}: ${error.message}`);
      process.exitCode = error.stage === "usage" ? 2 : 1;
      return;
    }
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  }
}
