/**
 * An in-process EDR chain whose clock starts at a chosen date (`initialDate`), for the registry's tests:
 * deterministic scenarios pin every block's time, and audits of real vectors need the chain's clock
 * inside the vector's validity window. Same shape as src/chain/inProcessChain.ts.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createPublicClient, createTestClient, createWalletClient, custom, defineChain, type Account, type Address } from "viem";
import type { InProcessChain } from "../../src/chain/inProcessChain.ts";

export interface RegistryChainOptions {
  /** The genesis block's time (default: now). */
  initialDate?: Date;
  chainId?: number;
  /**
   * Pin every block's time: the first block after genesis gets `start`, each next one `step` seconds
   * more (jump() moves it further). With it, hashes and times of a scripted run are the same every run.
   */
  pinnedClock?: { start: number; step: number };
}

/** The pinned clock of a chain started with `pinnedClock`. */
export interface PinnedClock {
  /** The time the next block will get. */
  readonly next: number;
  /** Moves the next block's time `seconds` further. */
  jump(seconds: number): Promise<void>;
}

export interface RegistryChain extends InProcessChain {
  /** Present when started with `pinnedClock`. */
  clock: PinnedClock | undefined;
  /** The next block gets exactly this time (unix seconds). */
  setNextBlockTime(seconds: number | bigint): Promise<void>;
  /** Mines `n` empty blocks. */
  mine(n?: number): Promise<void>;
  snapshotId(): Promise<string>;
  revertTo(id: string): Promise<void>;
}

export async function connectRegistryChain(options: RegistryChainOptions = {}): Promise<RegistryChain> {
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
          ...(options.initialDate ? { initialDate: options.initialDate.toISOString() } : {}),
        },
      },
    },
    {},
    projectRoot,
  );
  const connection = await hre.network.connect();
  const chain = defineChain({
    id: chainId,
    name: "keepledger registry tests",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: ["http://127.0.0.1:8545"] } },
  });
  const raw = connection.provider as InProcessChain["provider"];
  let clock: (PinnedClock & { set(): Promise<void>; advance(): void }) | undefined;
  if (options.pinnedClock) {
    const { start, step } = options.pinnedClock;
    let next = start;
    clock = {
      get next() {
        return next;
      },
      async set() {
        await raw.request({ method: "evm_setNextBlockTimestamp", params: [`0x${next.toString(16)}`] });
      },
      advance() {
        next += step;
      },
      async jump(seconds: number) {
        next += seconds;
        await this.set();
      },
    };
    await clock.set();
  }
  const MINING = new Set(["eth_sendTransaction", "eth_sendRawTransaction", "evm_mine", "hardhat_mine"]);
  const pinned = clock;
  const provider: InProcessChain["provider"] = pinned
    ? {
        async request(args) {
          const result = await raw.request(args);
          if (MINING.has(args.method)) {
            // hardhat_mine [n, interval] mines n blocks, interval seconds apart (mine() passes the step).
            const params = (args.params ?? []) as string[];
            const n = args.method === "hardhat_mine" && params[0] ? Number(BigInt(params[0])) : 1;
            for (let i = 0; i < n; i++) pinned.advance();
            await pinned.set();
          }
          return result;
        },
      }
    : raw;
  const transport = custom(provider, { retryCount: 0 });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 20 });
  const testClient = createTestClient({ chain, transport, mode: "hardhat" });
  const accounts = (await connection.provider.request({ method: "eth_accounts" })) as Address[];
  return {
    chain,
    provider,
    publicClient,
    testClient,
    accounts,
    walletClient: (account?: Address | Account) => createWalletClient({ chain, transport, account: account ?? (accounts[0] as Address) }),
    increaseTime: async (seconds) => {
      await testClient.increaseTime({ seconds: Number(seconds) });
      await testClient.mine({ blocks: 1 });
    },
    now: async () => (await publicClient.getBlock()).timestamp,
    clock,
    close: () => connection.close(),
    setNextBlockTime: async (seconds) => {
      await provider.request({ method: "evm_setNextBlockTimestamp", params: [`0x${BigInt(seconds).toString(16)}`] });
    },
    mine: async (n = 1) => {
      const interval = options.pinnedClock?.step ?? 1;
      await provider.request({ method: "hardhat_mine", params: [`0x${n.toString(16)}`, `0x${interval.toString(16)}`] });
    },
    snapshotId: async () => (await provider.request({ method: "evm_snapshot" })) as string,
    revertTo: async (id) => {
      await provider.request({ method: "evm_revert", params: [id] });
    },
  };
}
