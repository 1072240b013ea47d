/**
 * docs/cli.md stays true to `--help` for the governance commands: every subcommand of `workload`,
 * `validator` and `revoke` (and `revoke lift`) has its section, and every option they take is described there.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/main.ts";

const docs = readFileSync(new URL("../../docs/cli.md", import.meta.url), "utf8");
const program = buildProgram();

describe("docs/cli.md for keepledger workload, validator and revoke", () => {
  for (const group of ["workload", "validator"]) {
    const command = program.commands.find((c) => c.name() === group)!;
    it(`documents every \`${group}\` subcommand and option`, () => {
      expect(command.commands.map((c) => c.name()).sort()).toEqual(
        group === "workload"
          ? ["accept-ownership", "add", "cpak", "measure", "policy", "revoke"]
          : ["add", "bootstrap", "close-bootstrap", "list", "reinstate", "remove", "set-workload", "threshold"],
      );
      for (const sub of command.commands) {
        expect(docs).toContain(`### \`keepledger ${group} ${sub.name()}`);
        for (const option of sub.options) expect(docs, `${group} ${sub.name()} ${option.long}`).toContain(option.long!);
      }
    });
  }

  it("documents every `revoke` and `revoke lift` subcommand and option", () => {
    const revoke = program.commands.find((c) => c.name() === "revoke")!;
    expect(revoke.commands.map((c) => c.name()).sort()).toEqual(["lift", "platform", "subject", "verdicts"]);
    const lift = revoke.commands.find((c) => c.name() === "lift")!;
    expect(lift.commands.map((c) => c.name()).sort()).toEqual(["platform", "subject"]);
    for (const [prefix, sub] of [
      ...revoke.commands.filter((c) => c !== lift).map((c) => ["revoke", c] as const),
      ...lift.commands.map((c) => ["revoke lift", c] as const),
    ]) {
      expect(docs).toContain(`### \`keepledger ${prefix} ${sub.name()}`);
      for (const option of sub.options) expect(docs, `${prefix} ${sub.name()} ${option.long}`).toContain(option.long!);
    }
  });
});
