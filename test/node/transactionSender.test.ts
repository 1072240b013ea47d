import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeFunctionData, keccak256, parseEther, stringToBytes, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { deployAttestationRequests, decodeAttestationRequests } from "../../src/chain/attestationRequests.ts";
import { attestationRequestsAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { connectInProcessChain, type InProcessChain } from "../../src/chain/inProcessChain.ts";
import { createTransactionSender } from "../../src/chain/transactionSender.ts";

describe("transaction sender (in-process chain)", () => {
  let chain: InProcessChain;
  let requests: Address;
  const key = privateKeyToAccount(keccak256(stringToBytes("keepledger.test.sender")));

  beforeAll(async () => {
    chain = await connectInProcessChain();
    requests = await deployAttestationRequests({ publicClient: chain.publicClient, walletClient: chain.walletClient() });
    await chain.testClient.setBalance({ address: key.address, value: parseEther("100") });
  });
  afterAll(async () => chain.close());

  const call = (evidence: `0x${string}`, publicKey: `0x${string}` = "0x", freshnessBlock = 0n) => ({
    address: requests,
    abi: attestationRequestsAbi,
    functionName: "requestAttestation",
    args: [keccak256(stringToBytes("app")), evidence, publicKey, freshnessBlock],
  });

  it("sends many calls concurrently with consecutive nonces and reports each receipt", async () => {
    const sender = createTransactionSender(chain.publicClient, key, { pollMs: 20 });
    const start = await chain.publicClient.getTransactionCount({ address: key.address });
    const nonces: number[] = [];
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) => sender.send(call(`0x0${i + 1}`), { onBroadcast: (_hash, nonce) => void nonces.push(nonce) })),
    );
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(nonces.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5].map((i) => start + i));
    const logs = outcomes.flatMap((o) => (o.ok ? decodeAttestationRequests(o.receipt.logs) : []));
    expect(logs.map((l) => l.evidence).sort()).toEqual(["0x01", "0x02", "0x03", "0x04", "0x05", "0x06"]);
  });

  it("returns a refusal decoded from the contract instead of sending it", async () => {
    const sender = createTransactionSender(chain.publicClient, key, { pollMs: 20 });
    const before = await chain.publicClient.getTransactionCount({ address: key.address });
    const outcome = await sender.send(call("0x01", `0x${"11".repeat(64)}`, 0n));
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.hash).toBeUndefined();
    expect(outcome.revert).toEqual({ errorName: "AttestationRequestsBindingIncomplete", args: [64n, 0n] });
    expect(outcome.error.code).toBe("CHAIN_REVERTED");
    expect(await chain.publicClient.getTransactionCount({ address: key.address })).toBe(before);
  });

  it("recovers when another sender used the key's next nonce", async () => {
    const retries: string[] = [];
    const sender = createTransactionSender(chain.publicClient, key, {
      pollMs: 20,
      retry: { sleep: async () => undefined, onRetry: (error) => void retries.push((error as Error).message) },
    });
    expect((await sender.send(call("0x07"))).ok).toBe(true);
    // Someone else (a second process with the same key, a human) sends from the key behind our back.
    const nonce = await chain.publicClient.getTransactionCount({ address: key.address });
    const data = encodeFunctionData({
      abi: attestationRequestsAbi,
      functionName: "requestAttestation",
      args: [keccak256("0x00"), "0x08", "0x", 0n],
    });
    const fees = await chain.publicClient.estimateFeesPerGas();
    const raw = await key.signTransaction({ chainId: chain.chain.id, type: "eip1559", to: requests, data, gas: 100_000n, nonce, ...fees });
    await chain.publicClient.sendRawTransaction({ serializedTransaction: raw });
    const outcome = await sender.send(call("0x09"), {});
    expect(outcome.ok).toBe(true);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatch(/nonce was taken/);
  });
});
