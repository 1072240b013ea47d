import { createServer, type Server } from "node:net";

/** Listens on 127.0.0.1:port exclusively, or resolves undefined when the port is taken. */
export function listen(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(undefined));
    s.listen({ port, host: "127.0.0.1", exclusive: true }, () => resolve(s));
  });
}

/** Ports for `keepledger dev`: rpc, graphql and three consecutive node ports, all free now (never its defaults). */
export async function freeDevPorts(): Promise<{ rpc: number; node: number; graphql: number }> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const held = await Promise.all([0, 1, 2, 3, 4].map((i) => listen(base + i)));
    await Promise.all(held.map((s) => new Promise<void>((r) => (s ? s.close(() => r()) : r()))));
    if (held.every(Boolean)) return { rpc: base, node: base + 1, graphql: base + 4 };
  }
}

/** `keepledger dev`'s port options for those ports. */
export const devPortArgs = (p: { rpc: number; node: number; graphql: number }): string[] => [
  "--rpc-port",
  `${p.rpc}`,
  "--node-port",
  `${p.node}`,
  "--graphql-port",
  `${p.graphql}`,
];
