/**
 * The transaction sender on a chain that reorganizes (anvil, a real JSON-RPC node, whose anvil_reorg
 * replaces the newest blocks and drops their transactions): a finalization dropped while it waits for
 * its confirmations is reported as CHAIN_TRANSACTION_DROPPED (retryable) instead of being waited for
 * until the receipt timeout, and the freed nonce is used by the next send, so nothing queues behind a gap.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, createWalletClient, defineChain, http, keccak256, parseEther, stringToBytes, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { deployAttestationRequests } from "../../src/chain/attestationRequests.ts";
import { attestationRequestsAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { createTransactionSender } from "../../src/chain/transactionSender.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import { ANVIL_DEPLOYER_KEY, startAnvil, type Anvil } from "./support/anvil.ts";

describe("transaction sender under reorgs (anvil)", () => {
  let anvil: Anvil;
  let requests: Address;
  const key = privateKeyToAccount(keccak256(stringToBytes("keepledger.test.sender.reorg")));
  let publicClient: ReturnType<typeof createPublicClient>;

  beforeAll(async () => {
    anvil = await startAnvil({ blockTime: 1 });
    const chain = defineChain({
      id: 31337,
      name: "anvil",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [anvil.url] } },
    });
    publicClient = createPublicClient({ chain, transport: http(anvil.url) });
    const walletClient = createWalletClient({ chain, transport: http(anvil.url), account: privateKeyToAccount(ANVIL_DEPLOYER_KEY) });
    requests = await deployAttestationRequests({ publicClient: publicClient as never, walletClient: walletClient as never });
    await walletClient.sendTransaction({ to: key.address, value: parseEther("10") });
    // Bury the deployment and the funding below any reorg the test makes.
    await publicClient.request({ method: "anvil_mine" as never, params: ["0x5"] as never });
  }, 30_000);
  afterAll(async () => anvil?.stop());

  const call = (evidence: `0x${string}`) => ({
    address: requests,
    abi: attestationRequestsAbi,
    functionName: "requestAttestation",
    args: [keccak256(stringToBytes("app")), evidence, "0x", 0n],
  });

  it("reports a dropped transaction as retryable and reuses its nonce on the next send", async () => {
    const sender = createTransactionSender(publicClient as never, key, { confirmations: 4, pollMs: 50, droppedAfterMs: 400 });
    const mined = await publicClient.getTransactionCount({ address: key.address });
    let broadcastNonce = -1;
    const sending = sender.send(call("0x01"), {
      onBroadcast: async (hash, nonce) => {
        broadcastNonce = nonce;
        // Wait until it is mined, then replace the block that holds it (and the one after, if any).
        for (;;) {
          const receipt = await publicClient.getTransactionReceipt({ hash }).catch(() => undefined);
          if (receipt) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        await publicClient.request({ method: "anvil_reorg" as never, params: [2, []] as never });
      },
    });
    const error = await sending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(broadcastNonce).toBe(mined);
    expect(isKeepledgerError(error) && error.code).toBe("CHAIN_TRANSACTION_DROPPED");
    expect(isKeepledgerError(error) && error.retryable).toBe(true);
    // The chain forgot the transaction; the next send takes the same nonce and lands.
    expect(await publicClient.getTransactionCount({ address: key.address })).toBe(mined);
    let again = -1;
    const outcome = await sender.send(call("0x02"), { onBroadcast: (_h, nonce) => void (again = nonce) });
    expect(outcome.ok).toBe(true);
    expect(again).toBe(mined);
  }, 60_000);
});
