/**
 * A tiny dApp for the SDK's browser test (test/sdk/sdkBrowser.browser.test.ts): bundled by esbuild for
 * the browser, as a dApp's own bundler would, from the package name alone. It asks the chain through a
 * JSON-RPC URL (the SDK's own fetch transport) and through an EIP-1193 object like an injected wallet's;
 * it imports neither viem nor ethers (the test's build fails if anything does).
 */
import { isAttested, keepReportData, type Address, type Eip1193Like, type Hex } from "@keepledger/sdk";

export interface DappCheck {
  rpcUrl: string;
  registry: Address;
  subject: Address;
  workloadId: Hex;
}

/** An EIP-1193 provider over fetch, the shape window.ethereum has. */
function injected(rpcUrl: string): Eip1193Like {
  let id = 0;
  return {
    async request({ method, params }: { method: string; params?: unknown }) {
      const response = await fetch(rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params: params ?? [] }),
      });
      const body = (await response.json()) as { result?: unknown; error?: { message: string } };
      if (body.error) throw new Error(body.error.message);
      return body.result;
    },
  };
}

async function check(c: DappCheck) {
  const viaUrl = await isAttested(c.rpcUrl, c.subject, c.workloadId, { registry: c.registry });
  const viaInjected = await isAttested(injected(c.rpcUrl), c.subject, c.workloadId, { registry: c.registry });
  const stranger = await isAttested(c.rpcUrl, "0x000000000000000000000000000000000000dEaD", c.workloadId, { registry: c.registry });
  const binding = keepReportData({
    tee: "sgx",
    chainId: 31337,
    registry: c.registry,
    publicKey: `0x04${"11".repeat(32)}${"22".repeat(32)}`,
    blockHash: `0x${"33".repeat(32)}`,
  });
  const plain = (r: typeof viaUrl) => ({ ok: r.ok, verdictId: r.verdictId, expiresAt: r.expiresAt.toISOString() });
  return { viaUrl: plain(viaUrl), viaInjected: plain(viaInjected), stranger: plain(stranger), binding };
}

(globalThis as unknown as { keepledgerDapp: { check: typeof check } }).keepledgerDapp = { check };
