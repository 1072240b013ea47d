/**
 * An in-process EDR chain (Hardhat's simulated network) with viem clients: what `keepledger dev`, the
 * gas benchmark and the contract tests run against. Hardhat is loaded only when this is called.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  custom,
  defineChain,
  type Account,
  type Address,
  type Chain,
  type PublicClient,
  type TestClient,
  type Transport,
  type WalletClient,
} from "viem";

/** The EIP-1193 provider of the simulated network. */
export interface Eip1193Provider {
  request(args: { method: string; params?: unknown }): Promise<unknown>;
}

export interface InProcessChain {
  chain: Chain;
  provider: Eip1193Provider;
  publicClient: PublicClient<Transport, Chain>;
  testClient: TestClient<"hardhat", Transport, Chain>;
  /** The funded accounts the node signs for. */
  accounts: Address[];
  /** A wallet client sending from `account` (default: the first funded account). */
  walletClient(account?: Address | Account): WalletClient<Transport, Chain, Account>;
  /** Moves the chain's clock forward and mines a block. */
  increaseTime(seconds: number | bigint): Promise<void>;
  /** The timestamp of the latest block. */
  now(): Promise<bigint>;
  close(): Promise<void>;
}

export interface ConnectInProcessChainOptions {
  /** Chain id of the simulated network (default 31337). */
  chainId?: number;
  /**
   * The simulated chain's clock at genesis (default: now). The dev network starts inside the real
   * test vectors' validity window so they verify honestly, as of the chain's time.
   */
  initialDate?: Date;
}

export async function connectInProcessChain(options: ConnectInProcessChainOptions = {}): Promise<InProcessChain> {
  const [{ createHardhatRuntimeEnvironment }, { default: networkHelpers }] = await Promise.all([
    import("hardhat/hre"),
    import("@nomicfoundation/hardhat-network-helpers"),
  ]);
  const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
  const chainId = options.chainId ?? 31337;
  const hre = await createHardhatRuntimeEnvironment(
    {
      plugins: [networkHelpers],
      networks: {
        default: {
          type: "edr-simulated",
          chainType: "l1",
          chainId,
          ...(options.initialDate ? { initialDate: options.initialDate } : {}),
        },
      },
    },
    {},
    projectRoot,
  );
  const connection = await hre.network.connect();
  const chain = defineChain({
    id: chainId,
    name: "keepledger in-process",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: ["http://127.0.0.1:8545"] } },
  });
  // No retries: the provider is in-process, and viem would otherwise retry every revert (EDR reports
  // them as unknown errors) three times with back-off.
  const transport = custom(connection.provider, { retryCount: 0 });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 50 });
  const testClient = createTestClient({ chain, transport, mode: "hardhat" });
  const accounts = (await connection.provider.request({ method: "eth_accounts" })) as Address[];
  return {
    chain,
    provider: connection.provider as Eip1193Provider,
    publicClient,
    testClient,
    accounts,
    walletClient: (account) => createWalletClient({ chain, transport, account: account ?? (accounts[0] as Address) }),
    increaseTime: async (seconds) => {
      await testClient.increaseTime({ seconds: Number(seconds) });
      await testClient.mine({ blocks: 1 });
    },
    now: async () => (await publicClient.getBlock()).timestamp,
    close: () => connection.close(),
  };
}
