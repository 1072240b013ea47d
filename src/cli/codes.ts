import { defineErrorCodes } from "@keepledger/sdk/internal/errors/index";

/** Error codes of the command line itself (commands' own failures use their modules' codes). */
export const CLI_CODES = defineErrorCodes("cli", {
  CLI_FILE_UNREADABLE: { stage: "usage", description: "A file named on the command line does not exist or cannot be read." },
  CLI_REGISTRY_UNREACHABLE: {
    stage: "infrastructure",
    description:
      "The registry GraphQL endpoint given with --registry did not answer, or did not list what was asked (e.g. the workloads of a subject to revoke).",
  },
  CLI_BAD_OPTION: {
    stage: "usage",
    description: "A command-line option has a value of the wrong form; the message names the option and the form it needs.",
  },
  CLI_WORKLOAD_UNKNOWN: {
    stage: "usage",
    description:
      "No workload with this id is registered in the deployment's WorkloadRegistry; check the id (`keepledger workload add` prints it) and the --deployment file.",
  },
  CLI_POLICY_INVALID: {
    stage: "usage",
    description:
      "A policy given to `keepledger workload policy --set` is not valid JSON of the WorkloadPolicy shape (docs/cli.md); the message names the field.",
  },
  CLI_EVIDENCE_MEASUREMENT: {
    stage: "usage",
    description:
      "The measurement could not be taken from the evidence given with --from-evidence (the bytes are not evidence of a supported kind, or the kind lacks a field); the message says which.",
  },
});
