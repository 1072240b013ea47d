import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, keccak256, stringToBytes, type Address } from "viem";
import { decodeAttestationRequests, deployAttestationRequests, requestAttestation } from "../../src/chain/attestationRequests.ts";
import { connectInProcessChain, type InProcessChain } from "../../src/chain/inProcessChain.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";

describe("AttestationRequests (in-process chain)", () => {
  let chain: InProcessChain;
  let address: Address;
  const workloadId = keccak256(stringToBytes("app"));

  beforeAll(async () => {
    chain = await connectInProcessChain();
    address = await deployAttestationRequests({ publicClient: chain.publicClient, walletClient: chain.walletClient() });
  });
  afterAll(async () => chain.close());

  it("emits the evidence, key and freshness block for the validators, numbered from 1", async () => {
    const clients = { publicClient: chain.publicClient, walletClient: chain.walletClient() };
    const head = await chain.publicClient.getBlockNumber();
    const key = `0x${"ab".repeat(64)}` as const;
    const first = await requestAttestation(clients, address, {
      workloadId,
      evidence: new Uint8Array([1, 2, 3]),
      publicKey: key,
      freshnessBlock: head,
    });
    expect(first.requestId).toBe(1n);
    const receipt = await chain.publicClient.getTransactionReceipt({ hash: first.hash });
    const [event] = decodeAttestationRequests(receipt.logs);
    expect(event).toMatchObject({
      requestId: 1n,
      workloadId,
      requester: getAddress(chain.accounts[0]!),
      evidence: "0x010203",
      publicKey: key,
      freshnessBlock: head,
    });
    const unbound = await requestAttestation(clients, address, { workloadId, evidence: "0x04" });
    expect(unbound.requestId).toBe(2n);
  });

  it("refuses a freshness block that is not in the past, naming both numbers", async () => {
    const clients = { publicClient: chain.publicClient, walletClient: chain.walletClient() };
    const future = (await chain.publicClient.getBlockNumber()) + 5n;
    const failure = await requestAttestation(clients, address, {
      workloadId,
      evidence: "0x01",
      publicKey: `0x${"ab".repeat(64)}`,
      freshnessBlock: future,
    }).catch((e: unknown) => e);
    expect(isKeepledgerError(failure) && failure.code).toBe("CHAIN_REVERTED");
    expect(isKeepledgerError(failure) && failure.details.errorName).toBe("AttestationRequestsFreshnessBlockInFuture");
  });
});
