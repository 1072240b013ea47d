/**
 * The SDK's JSON-RPC client against a real HTTP server answering as JSON-RPC nodes do (results, node
 * errors with revert data, broken bodies, nothing listening): every failure typed, a revert decoded to
 * the contract's error by name and arguments (viem's encoder as the oracle for the revert data), and
 * revert data found wherever viem, ethers or a wallet put it.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { encodeErrorResult } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attestationRegistryAbi } from "./generated/index.ts";
import { httpProvider, revertDataOf, Rpc, rpcError } from "./rpc.ts";

const BATCH = `0x${"ab".repeat(32)}` as const;
const revertData = encodeErrorResult({ abi: attestationRegistryAbi, errorName: "AttestationRegistryBatchUnknown", args: [BATCH] });

let server: Server;
let url: string;
/** method → what the server answers (the raw HTTP body). */
const answers = new Map<string, (id: unknown) => string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const { id, method } = JSON.parse(body) as { id: unknown; method: string };
      const answer = answers.get(method);
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(answer ? answer(id) : JSON.stringify({ jsonrpc: "2.0", id, error: { code: -32601, message: "no such method" } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  answers.set("eth_chainId", (id) => JSON.stringify({ jsonrpc: "2.0", id, result: "0x7a69" }));
  answers.set("eth_call", (id) =>
    JSON.stringify({ jsonrpc: "2.0", id, error: { code: 3, message: "execution reverted", data: revertData } }),
  );
  answers.set("eth_blockNumber", () => "<html>502 Bad Gateway</html>");
  answers.set("eth_getBlockByNumber", (id) => JSON.stringify({ jsonrpc: "2.0", id, result: null }));
  answers.set("eth_getTransactionReceipt", (id) => JSON.stringify({ jsonrpc: "2.0", id, result: null }));
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe("the SDK's JSON-RPC client over http", () => {
  it("reads the chain id", async () => {
    expect(await new Rpc(httpProvider(url)).chainId()).toBe(31337);
  });

  it("decodes a revert to the contract's custom error (CHAIN_REVERTED with its name and arguments)", async () => {
    const read = new Rpc(httpProvider(url)).readContract({
      address: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      abi: attestationRegistryAbi,
      functionName: "batchOf",
      args: [BATCH],
    });
    await expect(read).rejects.toMatchObject({
      code: "CHAIN_REVERTED",
      stage: "usage",
      details: { errorName: "AttestationRegistryBatchUnknown", args: [BATCH] },
    });
  });

  it("types a non-JSON answer, a missing block, an unknown method and a dead endpoint as CHAIN_RPC", async () => {
    const rpc = new Rpc(httpProvider(url));
    await expect(rpc.blockNumber()).rejects.toMatchObject({ code: "CHAIN_RPC", retryable: true, details: { status: 200 } });
    await expect(rpc.getBlock(5n)).rejects.toMatchObject({ code: "CHAIN_RPC", details: { block: "0x5" } });
    await expect(rpc.request("eth_nothing")).rejects.toMatchObject({ code: "CHAIN_RPC" });
    await expect(rpc.waitForReceipt(`0x${"11".repeat(32)}`, { timeoutMs: 300, intervalMs: 50 })).rejects.toMatchObject({
      code: "CHAIN_RPC",
    });
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, "127.0.0.1", resolve));
    const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}/`;
    await new Promise((resolve) => dead.close(resolve));
    await expect(new Rpc(httpProvider(deadUrl)).chainId()).rejects.toMatchObject({ code: "CHAIN_RPC", retryable: true });
  });

  it("gives up on an endpoint that accepts the request and never answers, with a CHAIN_RPC naming the timeout", async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
      const started = Date.now();
      await expect(new Rpc(httpProvider(silentUrl, { timeoutMs: 200 })).chainId()).rejects.toMatchObject({
        code: "CHAIN_RPC",
        details: { method: "eth_chainId", timeoutMs: 200 },
      });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe("revert data wherever a library put it", () => {
  it("finds it on a wallet's error, in viem's cause chain, in ethers' info.error and in a nested data.data", () => {
    const shapes = [
      { code: 3, message: "execution reverted", data: revertData },
      Object.assign(new Error("RPC Request failed."), {
        cause: Object.assign(new Error("inner"), { cause: { code: 3, data: revertData } }),
      }),
      Object.assign(new Error("call revert exception"), { code: "CALL_EXCEPTION", info: { error: { code: 3, data: revertData } } }),
      { code: -32603, message: "internal", data: { message: "reverted", data: revertData } },
    ];
    for (const shape of shapes) {
      expect(revertDataOf(shape)).toBe(revertData);
      expect(rpcError(shape, "a call")).toMatchObject({
        code: "CHAIN_REVERTED",
        details: { errorName: "AttestationRegistryBatchUnknown" },
      });
    }
  });

  it("leaves an error without revert data, or with data no keepledger contract throws, a CHAIN_RPC", () => {
    expect(rpcError(new Error("socket hang up"), "a call")).toMatchObject({
      code: "CHAIN_RPC",
      message: expect.stringContaining("socket hang up"),
    });
    expect(rpcError({ code: 3, data: "0xdeadbeef00" }, "a call")).toMatchObject({ code: "CHAIN_RPC" });
    // A cyclic error object ends the search instead of looping.
    const cyclic: Record<string, unknown> = { message: "x" };
    cyclic.cause = cyclic;
    expect(revertDataOf(cyclic)).toBeUndefined();
  });
});
