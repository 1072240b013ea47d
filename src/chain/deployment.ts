/**
 * The deployment description every other component reads to find the contracts: chain id, the three
 * core addresses and the KeyRegistry's (absent in deployments made before it existed), the block to index from, the deployer and whether dev policies are allowed. Stored as JSON.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import {
  BaseError,
  ContractFunctionRevertedError,
  getAddress,
  isAddress,
  type Abi,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
} from "viem";
import { z } from "zod";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import { KEY_DOMAIN } from "@keepledger/sdk/internal/ids/index";
import {
  attestationRegistryAbi,
  cpakAllowListAbi,
  keyRegistryAbi,
  validatorSetAbi,
  workloadRegistryAbi,
} from "@keepledger/sdk/internal/chain/generated/index";
import { CHAIN_CODES } from "@keepledger/sdk/internal/chain/codes";
import type { Deployment } from "@keepledger/sdk/internal/chain/deploymentTypes";
import { chainError } from "./transactions.ts";

export type { Deployment };

const address = z
  .string()
  .refine((s) => isAddress(s, { strict: false }), "not an address")
  .transform((s) => getAddress(s));

const deploymentSchema = z.object({
  chainId: z.number().int().positive(),
  contracts: z.object({
    workloadRegistry: address,
    validatorSet: address,
    attestationRegistry: address,
    cpakAllowList: address.optional(),
    keyRegistry: address.optional(),
  }),
  deployBlock: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform((n) => BigInt(n)),
  deployer: address,
  devPoliciesAllowed: z.boolean(),
});

/** The JSON text of a deployment (deployBlock as a number). */
export function serializeDeployment(d: Deployment): string {
  return (
    JSON.stringify(
      {
        chainId: d.chainId,
        contracts: d.contracts,
        deployBlock: Number(d.deployBlock),
        deployer: d.deployer,
        devPoliciesAllowed: d.devPoliciesAllowed,
      },
      null,
      2,
    ) + "\n"
  );
}

/** Parses and validates deployment JSON; `source` names it in errors. */
export function parseDeployment(text: string, source = "deployment"): Deployment {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(CHAIN_CODES.CHAIN_DEPLOYMENT_FILE, `${source} is not JSON`, { cause: error });
  }
  const parsed = deploymentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || "(root)";
    throw new UsageError(CHAIN_CODES.CHAIN_DEPLOYMENT_FILE, `${source} is not a keepledger deployment: ${field}: ${issue?.message}`, {
      at: { field },
    });
  }
  return parsed.data;
}

export async function readDeployment(path: string): Promise<Deployment> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(CHAIN_CODES.CHAIN_DEPLOYMENT_FILE, `cannot read deployment file ${path}`, { cause: error });
  }
  return parseDeployment(text, path);
}

export async function writeDeployment(path: string, d: Deployment): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, serializeDeployment(d));
}

/**
 * Checks that the chain matches the description: same chain id, code at every address, and the three
 * contracts wired to each other. Throws CHAIN_DEPLOYMENT_MISMATCH naming the first difference.
 */
export async function verifyDeployment(publicClient: PublicClient<Transport, Chain>, d: Deployment): Promise<void> {
  const mismatch = (message: string, details: Record<string, unknown>) =>
    new UsageError(CHAIN_CODES.CHAIN_DEPLOYMENT_MISMATCH, message, { details });
  try {
    const chainId = await publicClient.getChainId();
    if (chainId !== d.chainId)
      throw mismatch(`the deployment is for chain ${d.chainId}, the RPC serves chain ${chainId}`, { got: chainId, want: d.chainId });
    for (const [name, addr] of Object.entries(d.contracts).filter((e): e is [string, Address] => e[1] !== undefined)) {
      const code = await publicClient.getCode({ address: addr });
      if (code === undefined || code === "0x") throw mismatch(`no contract at ${name} ${addr}`, { field: name, address: addr });
    }
    const { workloadRegistry, validatorSet, attestationRegistry } = d.contracts;
    // Sequential reads, each naming what it asked: a contract at the wrong address does not answer.
    const read = async <T>(name: string, address: Address, abi: Abi, functionName: string): Promise<T> => {
      try {
        return (await publicClient.readContract({ address, abi, functionName })) as T;
      } catch (error) {
        if (error instanceof BaseError && error.walk((e) => e instanceof ContractFunctionRevertedError)) {
          throw mismatch(`${name} at ${address} does not answer ${functionName}()`, { field: `${name}.${functionName}`, address });
        }
        throw error;
      }
    };
    const wiring: [string, Address, Address][] = [
      [
        "workloadRegistry.attestationRegistry",
        await read("workloadRegistry", workloadRegistry, workloadRegistryAbi, "attestationRegistry"),
        attestationRegistry,
      ],
      [
        "validatorSet.attestationRegistry",
        await read("validatorSet", validatorSet, validatorSetAbi, "attestationRegistry"),
        attestationRegistry,
      ],
      [
        "attestationRegistry.workloadRegistry",
        await read("attestationRegistry", attestationRegistry, attestationRegistryAbi, "workloadRegistry"),
        workloadRegistry,
      ],
      [
        "attestationRegistry.validatorSet",
        await read("attestationRegistry", attestationRegistry, attestationRegistryAbi, "validatorSet"),
        validatorSet,
      ],
    ];
    if (d.contracts.cpakAllowList !== undefined) {
      wiring.push([
        "cpakAllowList.workloadRegistry",
        await read("cpakAllowList", d.contracts.cpakAllowList, cpakAllowListAbi, "workloadRegistry"),
        workloadRegistry,
      ]);
    }
    for (const [field, got, want] of wiring) {
      if (getAddress(got) !== getAddress(want)) throw mismatch(`${field} is ${got}, expected ${want}`, { field, got, want });
    }
    // The KeyRegistry keeps its wiring in private immutables: its key domain tells it apart from any other contract.
    if (d.contracts.keyRegistry !== undefined) {
      const domain = await read<Hex>("keyRegistry", d.contracts.keyRegistry, keyRegistryAbi, "KEY_DOMAIN");
      if (domain !== KEY_DOMAIN)
        throw mismatch(`keyRegistry at ${d.contracts.keyRegistry} is not a KeyRegistry`, { field: "keyRegistry.KEY_DOMAIN", got: domain });
    }
    const dev = await read<boolean>("workloadRegistry", workloadRegistry, workloadRegistryAbi, "devPoliciesAllowed");
    if (dev !== d.devPoliciesAllowed) {
      throw mismatch(`devPoliciesAllowed is ${dev} on chain, ${d.devPoliciesAllowed} in the deployment`, {
        got: dev,
        want: d.devPoliciesAllowed,
      });
    }
  } catch (error) {
    throw chainError(error, "verifying the deployment");
  }
}
