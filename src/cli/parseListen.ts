/** The --listen flag of `keepledger serve` and the --serve flag of `keepledger index`: host:port to listen on. */
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import { CLI_CODES } from "./codes.ts";

/** Parses "host:port" (or a port alone) as given to --listen / --serve. */
export function parseListen(value: string, flag = "--listen"): { host: string; port: number } {
  const m = /^(?:(.+):)?(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || port > 65_535) {
    throw new UsageError(CLI_CODES.CLI_BAD_OPTION, `${flag} must be host:port such as 127.0.0.1:4000, got "${value}"`, {
      at: { field: flag },
      details: { got: value },
    });
  }
  return { host: (m[1] ?? "127.0.0.1").replace(/^\[(.*)\]$/, "$1"), port };
}
