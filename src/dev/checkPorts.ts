/** Checks, before anything starts, that every port `keepledger dev` needs is free. */
import { createServer } from "node:net";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import { DEV_CODES } from "./codes.ts";

export interface PortNeed {
  port: number;
  /** What listens there, for the message ("the chain's JSON-RPC"). */
  what: string;
  /** The option that moves it ("--rpc-port"). */
  option: string;
}

function isFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** Throws DEV_PORT_IN_USE naming the first taken port and the option that changes it. */
export async function checkPortsFree(host: string, needs: readonly PortNeed[]): Promise<void> {
  for (const need of needs) {
    if (!(await isFree(host, need.port))) {
      throw new UsageError(
        DEV_CODES.DEV_PORT_IN_USE,
        `port ${need.port} (${need.what}) is already in use on ${host}; stop what uses it or choose another port with ${need.option} <port>`,
        {
          details: { got: need.port, option: need.option },
        },
      );
    }
  }
}
