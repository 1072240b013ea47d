import { defineErrorCodes } from "@keepledger/sdk/internal/errors/index";

/** Error codes of `keepledger dev` (src/dev). */
export const DEV_CODES = defineErrorCodes("dev", {
  DEV_PORT_IN_USE: {
    stage: "usage",
    description:
      "A port `keepledger dev` needs is taken; the message names the port and the option that moves it (--rpc-port, --node-port, --graphql-port).",
  },
  DEV_DATA_FOLDER_FOREIGN: {
    stage: "usage",
    description:
      "The --data folder is not empty and has no keepledger dev marker, so `keepledger dev` refuses to write to or clear it; pick an empty or new folder.",
  },
  DEV_SEED_FAILED: {
    stage: "infrastructure",
    description:
      "A demo verdict `keepledger dev` seeds was refused or did not finalize and get indexed in time; the message names the demo workload and the node's answer.",
  },
});
