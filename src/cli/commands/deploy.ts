/**
 * `keepledger deploy` (and scripts/deploy.ts): deploys and wires the three contracts and the KeyRegistry, to the in-process
 * chain by default or to any JSON-RPC endpoint with --rpc (the deployer key comes from
 * KEEPLEDGER_DEPLOYER_KEY, never from a flag), and writes the deployment JSON.
 */
import type { Command } from "commander";
import { createPublicClient, createWalletClient, defineChain, getAddress, http, isAddress, isHex, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { CHAIN_CODES } from "@keepledger/sdk/internal/chain/codes";
import { deployKeepledger, type DeployKeepledgerOptions } from "../../chain/deployKeepledger.ts";
import { serializeDeployment, writeDeployment, type Deployment } from "../../chain/deployment.ts";
import { connectInProcessChain } from "../../chain/inProcessChain.ts";
import { chainError } from "../../chain/transactions.ts";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import { CLI_CODES } from "../codes.ts";

export interface DeployCommandOptions {
  rpc?: string;
  out?: string;
  dev?: boolean;
  admin?: string;
  governor?: string;
  governanceDelay?: string;
  policyDelay?: string;
  adminDelay?: string;
  validatorWorkload?: string;
}

export interface RunDeployResult {
  deployment: Deployment;
  /** Where the JSON was written, if anywhere. */
  out?: string;
}

/** Runs a deployment as the CLI does; `env` supplies KEEPLEDGER_DEPLOYER_KEY for --rpc. */
export async function runDeploy(
  opts: DeployCommandOptions,
  env: Record<string, string | undefined> = process.env,
  log: (line: string) => void = (l) => console.error(l),
): Promise<RunDeployResult> {
  const options: DeployKeepledgerOptions = {
    devPoliciesAllowed: opts.dev ?? false,
    ...(opts.admin !== undefined ? { admin: addressOption("--admin", opts.admin) } : {}),
    ...(opts.governor !== undefined ? { governor: addressOption("--governor", opts.governor) } : {}),
    ...(opts.governanceDelay !== undefined ? { governanceDelay: secondsOption("--governance-delay", opts.governanceDelay) } : {}),
    ...(opts.policyDelay !== undefined ? { policyDelay: secondsOption("--policy-delay", opts.policyDelay) } : {}),
    ...(opts.adminDelay !== undefined ? { adminDelay: secondsOption("--admin-delay", opts.adminDelay) } : {}),
    ...(opts.validatorWorkload !== undefined ? { validatorWorkload: bytes32Option("--validator-workload", opts.validatorWorkload) } : {}),
  };
  let deployment: Deployment;
  if (opts.rpc === undefined) {
    const chain = await connectInProcessChain();
    try {
      log("deploying to an in-process chain (it ends with this command; use --rpc <url> for a lasting one)");
      deployment = (await deployKeepledger({ publicClient: chain.publicClient, walletClient: chain.walletClient() }, options)).deployment;
    } finally {
      await chain.close();
    }
  } else {
    const key = env.KEEPLEDGER_DEPLOYER_KEY;
    if (key === undefined || !/^0x[0-9a-fA-F]{64}$/.test(key)) {
      throw new UsageError(
        CHAIN_CODES.CHAIN_DEPLOYER_KEY,
        "set KEEPLEDGER_DEPLOYER_KEY to the deployer's private key (0x + 64 hex digits) to deploy with --rpc",
      );
    }
    const transport = http(opts.rpc);
    let chainId: number;
    try {
      chainId = await createPublicClient({ transport }).getChainId();
    } catch (error) {
      throw chainError(error, `connecting to ${opts.rpc}`);
    }
    const chain = defineChain({
      id: chainId,
      name: `chain ${chainId}`,
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [opts.rpc] } },
    });
    const account = privateKeyToAccount(key as Hex);
    log(`deploying to chain ${chainId} at ${opts.rpc} from ${account.address}`);
    deployment = (
      await deployKeepledger(
        { publicClient: createPublicClient({ chain, transport }), walletClient: createWalletClient({ chain, transport, account }) },
        options,
      )
    ).deployment;
  }
  if (opts.out !== undefined) {
    await writeDeployment(opts.out, deployment);
    log(`wrote ${opts.out}`);
  }
  return { deployment, ...(opts.out !== undefined ? { out: opts.out } : {}) };
}

export function registerDeployCommand(program: Command): void {
  program
    .command("deploy")
    .description("deploy and wire the keepledger contracts (in-process chain by default) and print the deployment JSON")
    .option("--rpc <url>", "JSON-RPC endpoint to deploy to; the key is read from KEEPLEDGER_DEPLOYER_KEY")
    .option("--out <file>", "also write the deployment JSON to this file")
    .option("--dev", "UNSAFE outside development: allow dev policies, debug measurements and zero delays", false)
    .option("--admin <address>", "DEFAULT_ADMIN_ROLE holder (default: the deployer)")
    .option("--governor <address>", "GOVERNOR_ROLE holder (default: the admin)")
    .option("--governance-delay <seconds>", "ValidatorSet governance delay (default 172800, or 0 with --dev; at least 86400 without)")
    .option("--policy-delay <seconds>", "workload policy delay (default 86400, or 0 with --dev; at least 86400 without)")
    .option("--admin-delay <seconds>", "DEFAULT_ADMIN_ROLE transfer delay (default 259200, or 0 with --dev; at least 86400 without)")
    .option("--validator-workload <id>", "designated validator workload id, in force at once")
    .action(async (opts: DeployCommandOptions) => {
      const { deployment } = await runDeploy(opts);
      process.stdout.write(serializeDeployment(deployment));
    });
}

function addressOption(flag: string, value: string): Address {
  if (!isAddress(value, { strict: false })) throw badOption(flag, value, "an address (0x + 40 hex digits)");
  return getAddress(value);
}

function secondsOption(flag: string, value: string): bigint {
  if (!/^\d+$/.test(value)) throw badOption(flag, value, "a whole number of seconds");
  return BigInt(value);
}

function bytes32Option(flag: string, value: string): Hex {
  if (!isHex(value) || value.length !== 66) throw badOption(flag, value, "32 bytes of hex (0x + 64 hex digits)");
  return value.toLowerCase() as Hex;
}

function badOption(flag: string, value: string, want: string): UsageError {
  return new UsageError(CLI_CODES.CLI_BAD_OPTION, `${flag} must be ${want}, got "${value}"`, {
    at: { field: flag },
    details: { got: value, want },
  });
}
