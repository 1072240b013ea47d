import type { Command } from "commander";
import { runScriptedRound } from "../../dev/scriptedRound.ts";

/** `keepledger dev`: the whole system on an in-process chain (for now: the scripted round). */
export function registerDevCommand(program: Command): void {
  program
    .command("dev")
    .description("run keepledger on an in-process chain: deploy, register a workload, bootstrap 3 validators, finalize a 2-of-3 verdict, ask isAttested")
    .option("--workload <name>", "name of the demo workload", "demo-app")
    .action(async (opts: { workload: string }) => {
      const result = await runScriptedRound({ workloadName: opts.workload });
      if (!result.attested) process.exitCode = 1;
    });
}
