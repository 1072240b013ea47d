import { createPublicClient, defineChain, http, type PublicClient } from "viem";
import { readDeployment, type Deployment } from "../chain/deployment.ts";
import { chainError } from "../chain/transactions.ts";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import { CLI_CODES } from "./codes.ts";

export interface ChainCliOptions {
  rpc?: string;
  deployment?: string;
}

/** Connects to the chain and deployment named on the command line (--rpc, --deployment). */
export async function connectFromOptions(opts: ChainCliOptions): Promise<{ publicClient: PublicClient; deployment: Deployment }> {
  if (opts.rpc === undefined || opts.deployment === undefined) {
    throw new UsageError(
      CLI_CODES.CLI_BAD_OPTION,
      "pass --rpc <url> and --deployment <file> (the JSON `keepledger deploy` or `keepledger dev` wrote)",
    );
  }
  const deployment = await readDeployment(opts.deployment);
  const chain = defineChain({
    id: deployment.chainId,
    name: `chain ${deployment.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [opts.rpc] } },
  });
  const publicClient = createPublicClient({ chain, transport: http(opts.rpc) }) as PublicClient;
  const chainId = await publicClient.getChainId().catch((e: unknown) => {
    throw chainError(e, `connecting to ${opts.rpc}`);
  });
  if (chainId !== deployment.chainId) {
    throw new UsageError(
      CLI_CODES.CLI_BAD_OPTION,
      `${opts.rpc} serves chain ${chainId} but the deployment is for chain ${deployment.chainId}`,
    );
  }
  return { publicClient, deployment };
}

/** A secp256k1 private key from an environment variable (never from a flag: flags end up in shell history). */
export function keyFromEnv(name: string, env: Record<string, string | undefined> = process.env): `0x${string}` {
  const key = env[name];
  if (key === undefined || !/^0x[0-9a-fA-F]{64}$/.test(key)) {
    throw new UsageError(CLI_CODES.CLI_BAD_OPTION, `set ${name} to a private key (0x + 64 hex digits)`);
  }
  return key as `0x${string}`;
}
