import { defineErrorCodes } from "../errors/index.ts";

/** Error codes of the command line itself (commands' own failures use their modules' codes). */
export const CLI_CODES = defineErrorCodes("cli", {
  CLI_FILE_UNREADABLE: { stage: "usage", description: "A file named on the command line does not exist or cannot be read." },
  CLI_BAD_OPTION: { stage: "usage", description: "A command-line option has a value of the wrong form; the message names the option and the form it needs." },
});
