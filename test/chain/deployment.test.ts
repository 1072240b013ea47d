// Deploying the three contracts and describing the deployment: roles, delays and wiring on chain, the
// JSON file, its validation, verification against the chain, and `--rpc` deployment over HTTP.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, keccak256, stringToBytes, type Address } from "viem";
import { runDeploy } from "../../src/cli/commands/deploy.ts";
import { deployKeepledger, defaultDeployOptions } from "../../src/chain/deployKeepledger.ts";
import {
  parseDeployment,
  readDeployment,
  serializeDeployment,
  verifyDeployment,
  writeDeployment,
  type Deployment,
} from "../../src/chain/deployment.ts";
import { cpakAllowListAbi, validatorSetAbi, workloadRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { connectInProcessChain, type InProcessChain } from "../../src/chain/inProcessChain.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import { startRpcBridge, type RpcBridge } from "../support/contracts-rpcBridge.ts";

let chain: InProcessChain;
let dir: string;
beforeAll(async () => {
  chain = await connectInProcessChain();
  dir = await mkdtemp(join(tmpdir(), "keepledger-deploy-"));
});
afterAll(async () => {
  await chain?.close();
  await rm(dir, { recursive: true, force: true });
});

const clientsOf = (account?: Address) => ({ publicClient: chain.publicClient, walletClient: chain.walletClient(account) });

async function failure(action: () => Promise<unknown> | unknown): Promise<{ code: string; message: string }> {
  try {
    await action();
  } catch (e) {
    if (isKeepledgerError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error("expected a failure");
}

describe("deployKeepledger", () => {
  it("deploys production defaults: roles to the admin, delays of two days and one day, no dev", async () => {
    const { deployment, transactions } = await deployKeepledger(clientsOf());
    // Three contracts, two wiring calls, the CpakAllowList (governed through the WorkloadRegistry), the KeyRegistry.
    expect(transactions).toHaveLength(7);
    expect(deployment.contracts.keyRegistry).toBeDefined();
    expect(deployment.contracts.cpakAllowList).toBeDefined();
    expect(
      await chain.publicClient.readContract({
        address: deployment.contracts.cpakAllowList!,
        abi: cpakAllowListAbi,
        functionName: "workloadRegistry",
      }),
    ).toBe(deployment.contracts.workloadRegistry);
    expect(deployment.chainId).toBe(31337);
    expect(deployment.devPoliciesAllowed).toBe(false);
    expect(deployment.deployer).toBe(getAddress(chain.accounts[0]!));
    const read = (
      address: Address,
      abi: typeof validatorSetAbi | typeof workloadRegistryAbi,
      functionName: string,
      args: readonly unknown[] = [],
    ) => chain.publicClient.readContract({ address, abi, functionName, args } as never);
    expect(await read(deployment.contracts.validatorSet, validatorSetAbi, "governanceDelay")).toBe(defaultDeployOptions().governanceDelay);
    expect(await read(deployment.contracts.workloadRegistry, workloadRegistryAbi, "policyDelay")).toBe(defaultDeployOptions().policyDelay);
    const governor = await read(deployment.contracts.validatorSet, validatorSetAbi, "GOVERNOR_ROLE");
    expect(await read(deployment.contracts.validatorSet, validatorSetAbi, "hasRole", [governor, deployment.deployer])).toBe(true);
    await verifyDeployment(chain.publicClient, deployment);
    // A keyRegistry address that holds another contract is told apart by its key domain.
    const wrong = { ...deployment, contracts: { ...deployment.contracts, keyRegistry: deployment.contracts.validatorSet } };
    await expect(verifyDeployment(chain.publicClient, wrong)).rejects.toMatchObject({
      code: "CHAIN_DEPLOYMENT_MISMATCH",
      details: { field: "keyRegistry.KEY_DOMAIN" },
    });
  });

  it("deploys without a KeyRegistry when told", async () => {
    const { deployment, transactions } = await deployKeepledger(clientsOf(), { devPoliciesAllowed: true, keyRegistry: false });
    // Three contracts, two wiring calls, the CpakAllowList.
    expect(transactions).toHaveLength(6);
    expect(deployment.contracts.keyRegistry).toBeUndefined();
    await verifyDeployment(chain.publicClient, deployment);
  });

  it("hands the roles to a separate admin and governor, and sets the validator workload", async () => {
    const admin = getAddress(chain.accounts[1]!);
    const governor = getAddress(chain.accounts[2]!);
    const validatorWorkload = keccak256(stringToBytes("validator workload"));
    const { deployment } = await deployKeepledger(clientsOf(), { admin, governor, devPoliciesAllowed: true, validatorWorkload });
    const vs = deployment.contracts.validatorSet;
    const role = (name: string) =>
      chain.publicClient.readContract({ address: vs, abi: validatorSetAbi, functionName: name as "GOVERNOR_ROLE" });
    const has = (r: `0x${string}`, a: Address) =>
      chain.publicClient.readContract({ address: vs, abi: validatorSetAbi, functionName: "hasRole", args: [r, a] });
    expect(await has(await role("DEFAULT_ADMIN_ROLE"), admin)).toBe(true);
    expect(await has(await role("GOVERNOR_ROLE"), governor)).toBe(true);
    expect(await has(await role("GOVERNOR_ROLE"), deployment.deployer)).toBe(false);
    expect(await chain.publicClient.readContract({ address: vs, abi: validatorSetAbi, functionName: "validatorWorkload" })).toBe(
      validatorWorkload,
    );
    expect(await chain.publicClient.readContract({ address: vs, abi: validatorSetAbi, functionName: "governanceDelay" })).toBe(0n);
  });
});

describe("the deployment file", () => {
  const sample: Deployment = {
    chainId: 31337,
    contracts: {
      workloadRegistry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      validatorSet: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
      attestationRegistry: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
    },
    deployBlock: 1n,
    deployer: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    devPoliciesAllowed: true,
  };

  it("round-trips through JSON and the file system", async () => {
    expect(parseDeployment(serializeDeployment(sample))).toEqual(sample);
    const path = join(dir, "nested", "deployment.json");
    await writeDeployment(path, sample);
    expect(await readDeployment(path)).toEqual(sample);
    expect(JSON.parse(await readFile(path, "utf8")).deployBlock).toBe(1);
    // With a KeyRegistry too; a file without one (written before it was deployed with the rest) still parses.
    const withKeys: Deployment = {
      ...sample,
      contracts: { ...sample.contracts, keyRegistry: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9" },
    };
    expect(parseDeployment(serializeDeployment(withKeys))).toEqual(withKeys);
  });

  const bad: { name: string; text: string; wantError: string; wantMessage: string }[] = [
    { name: "not JSON", text: "{", wantError: "CHAIN_DEPLOYMENT_FILE", wantMessage: "deployment is not JSON" },
    {
      name: "a missing contract",
      text: JSON.stringify({
        ...sample,
        deployBlock: 1,
        contracts: { workloadRegistry: sample.contracts.workloadRegistry, validatorSet: sample.contracts.validatorSet },
      }),
      wantError: "CHAIN_DEPLOYMENT_FILE",
      wantMessage:
        "deployment is not a keepledger deployment: contracts.attestationRegistry: Invalid input: expected string, received undefined (contracts.attestationRegistry)",
    },
    {
      name: "an address that is not one",
      text: JSON.stringify({ ...sample, deployBlock: 1, deployer: "0x1234" }),
      wantError: "CHAIN_DEPLOYMENT_FILE",
      wantMessage: "deployment is not a keepledger deployment: deployer: not an address (deployer)",
    },
    {
      name: "a negative deploy block",
      text: JSON.stringify({ ...sample, deployBlock: -1 }),
      wantError: "CHAIN_DEPLOYMENT_FILE",
      wantMessage: "deployment is not a keepledger deployment: deployBlock: Too small: expected number to be >=0 (deployBlock)",
    },
  ];
  it.each(bad)("rejects $name", async ({ text, wantError, wantMessage }) => {
    expect(await failure(() => parseDeployment(text))).toEqual({ code: wantError, message: wantMessage });
  });

  it("rejects a missing file", async () => {
    expect((await failure(() => readDeployment(join(dir, "absent.json")))).code).toBe("CHAIN_DEPLOYMENT_FILE");
  });
});

describe("verifyDeployment", () => {
  let real: Deployment;
  beforeAll(async () => {
    real = (await deployKeepledger(clientsOf(), { devPoliciesAllowed: true })).deployment;
  });
  const cases: { name: string; change: (d: Deployment) => Deployment; wantMessage: RegExp }[] = [
    {
      name: "another chain",
      change: (d) => ({ ...d, chainId: 1 }),
      wantMessage: /^the deployment is for chain 1, the RPC serves chain 31337$/,
    },
    {
      name: "an address without code",
      change: (d) => ({ ...d, contracts: { ...d.contracts, validatorSet: getAddress(chain.accounts[3]!) } }),
      wantMessage: /^no contract at validatorSet /,
    },
    {
      name: "swapped contracts",
      change: (d) => ({
        ...d,
        contracts: { ...d.contracts, workloadRegistry: d.contracts.validatorSet, validatorSet: d.contracts.workloadRegistry },
      }),
      wantMessage: /^attestationRegistry\.workloadRegistry is 0x[0-9a-fA-F]{40}, expected 0x[0-9a-fA-F]{40}$/,
    },
    {
      name: "a contract of another kind",
      change: (d) => ({ ...d, contracts: { ...d.contracts, workloadRegistry: d.contracts.attestationRegistry } }),
      wantMessage: /^workloadRegistry at 0x[0-9a-fA-F]{40} does not answer attestationRegistry\(\)$/,
    },
    {
      name: "the wrong dev flag",
      change: (d) => ({ ...d, devPoliciesAllowed: false }),
      wantMessage: /^devPoliciesAllowed is true on chain, false in the deployment$/,
    },
  ];
  it.each(cases)("finds $name", async ({ change, wantMessage }) => {
    const f = await failure(() => verifyDeployment(chain.publicClient, change(real)));
    expect(f.code).toBe("CHAIN_DEPLOYMENT_MISMATCH");
    expect(f.message).toMatch(wantMessage);
  });
});

describe("keepledger deploy --rpc", () => {
  let bridge: RpcBridge;
  const key = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"; // Hardhat account 1
  beforeAll(async () => {
    bridge = await startRpcBridge(chain.provider);
  });
  afterAll(async () => {
    await bridge?.close();
  });

  it("deploys over HTTP with the key from KEEPLEDGER_DEPLOYER_KEY and writes the file", async () => {
    const out = join(dir, "rpc.json");
    const lines: string[] = [];
    const { deployment } = await runDeploy(
      { rpc: bridge.url, out, dev: true, governanceDelay: "60" },
      { KEEPLEDGER_DEPLOYER_KEY: key },
      (l) => lines.push(l),
    );
    expect(deployment.deployer).toBe(getAddress(chain.accounts[1]!));
    expect(await readDeployment(out)).toEqual(deployment);
    await verifyDeployment(chain.publicClient, deployment);
    expect(
      await chain.publicClient.readContract({
        address: deployment.contracts.validatorSet,
        abi: validatorSetAbi,
        functionName: "governanceDelay",
      }),
    ).toBe(60n);
    expect(lines[0]).toBe(`deploying to chain 31337 at ${bridge.url} from ${deployment.deployer}`);
  });

  const refusals: { name: string; run: () => Promise<unknown>; wantError: string; wantMessage: string }[] = [
    {
      name: "no key in the environment",
      run: () => runDeploy({ rpc: "http://127.0.0.1:9" }, {}, () => {}),
      wantError: "CHAIN_DEPLOYER_KEY",
      wantMessage: "set KEEPLEDGER_DEPLOYER_KEY to the deployer's private key (0x + 64 hex digits) to deploy with --rpc",
    },
    {
      name: "a malformed key",
      run: () => runDeploy({ rpc: "http://127.0.0.1:9" }, { KEEPLEDGER_DEPLOYER_KEY: "0x1234" }, () => {}),
      wantError: "CHAIN_DEPLOYER_KEY",
      wantMessage: "set KEEPLEDGER_DEPLOYER_KEY to the deployer's private key (0x + 64 hex digits) to deploy with --rpc",
    },
    {
      name: "a bad admin",
      run: () => runDeploy({ admin: "alice" }, {}, () => {}),
      wantError: "CLI_BAD_OPTION",
      wantMessage: '--admin must be an address (0x + 40 hex digits), got "alice" (--admin)',
    },
    {
      name: "a fractional delay",
      run: () => runDeploy({ policyDelay: "1.5" }, {}, () => {}),
      wantError: "CLI_BAD_OPTION",
      wantMessage: '--policy-delay must be a whole number of seconds, got "1.5" (--policy-delay)',
    },
    {
      name: "a short validator workload",
      run: () => runDeploy({ validatorWorkload: "0x12" }, {}, () => {}),
      wantError: "CLI_BAD_OPTION",
      wantMessage: '--validator-workload must be 32 bytes of hex (0x + 64 hex digits), got "0x12" (--validator-workload)',
    },
  ];
  it.each(refusals)("refuses $name", async ({ run, wantError, wantMessage }) => {
    expect(await failure(run)).toEqual({ code: wantError, message: wantMessage });
  });

  it("reports an unreachable endpoint as a retryable infrastructure error", async () => {
    try {
      await runDeploy({ rpc: "http://127.0.0.1:9" }, { KEEPLEDGER_DEPLOYER_KEY: key }, () => {});
      expect.unreachable();
    } catch (e) {
      expect(isKeepledgerError(e) && [e.code, e.retryable]).toEqual(["CHAIN_RPC", true]);
    }
  });

  it("writes nothing when asked for no file", async () => {
    const path = join(dir, "none.json");
    await writeFile(path, "untouched");
    await runDeploy({}, {}, () => {});
    expect(await readFile(path, "utf8")).toBe("untouched");
  });
});
