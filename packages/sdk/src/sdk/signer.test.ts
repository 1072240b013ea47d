/**
 * Signers by shape, with the real libraries' objects: a viem local account, a viem wallet client, an
 * ethers Wallet and an EIP-1193 wallet all sign the same EIP-712 request to the same signature (viem's
 * local account as the oracle; secp256k1 signing is deterministic), and what cannot send or is of no
 * known shape is refused with SDK_PROVIDER_INVALID before any request.
 */
import { Wallet } from "ethers";
import { createWalletClient, custom } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { keyWalletEip1193 } from "../../../../test/support/eip1193Wallets.ts";
import { releaseRequestTypedData } from "../ids/index.ts";
import { toSigner, typedDataJson } from "./signer.ts";

const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d" as const;
const typed = releaseRequestTypedData(
  {
    keyId: `0x${"11".repeat(32)}`,
    version: 3,
    validator: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    recipientKeyHash: `0x${"22".repeat(32)}`,
    blockNumber: 2n ** 40n + 7n,
    blockHash: `0x${"33".repeat(32)}`,
  },
  31337,
  "0x5FbDB2315678afecb367f032d93F642f64180aa3",
);
/** A transport that must not be used: signing with a local account stays local. */
const noNetwork = custom({
  request: ({ method }: { method: string }) => Promise.reject(new Error(`unexpected ${method}`)),
});

describe("toSigner", () => {
  it("signs one EIP-712 request to one signature with a viem account, a viem wallet client, an ethers Wallet and an EIP-1193 wallet", async () => {
    const account = privateKeyToAccount(KEY);
    const expected = await account.signTypedData(typed);
    const signers = {
      viemAccount: account,
      viemWallet: createWalletClient({ account, transport: noNetwork }),
      ethersWallet: new Wallet(KEY),
      eip1193: keyWalletEip1193("http://127.0.0.1:9/", KEY),
    };
    for (const [name, signer] of Object.entries(signers)) {
      const s = toSigner(signer);
      expect(await s.address(), name).toBe(account.address);
      expect(await s.signTypedData(typed), name).toBe(expected);
    }
  });

  it("spells EIP712Domain out for eth_signTypedData_v4, integers as decimal strings", () => {
    const json = JSON.parse(typedDataJson(typed)) as { types: Record<string, { name: string }[]>; message: Record<string, unknown> };
    expect(json.types.EIP712Domain!.map((f) => f.name)).toEqual(["name", "version", "chainId", "verifyingContract"]);
    expect(json.message.blockNumber).toBe((2n ** 40n + 7n).toString());
  });

  it("refuses to send with a local account or an ethers Wallet without a provider, and any other shape", async () => {
    const local = toSigner(privateKeyToAccount(KEY));
    const tx = { to: "0x5FbDB2315678afecb367f032d93F642f64180aa3", data: "0x" } as const;
    await expect(local.sendTransaction(tx)).rejects.toMatchObject({ code: "SDK_PROVIDER_INVALID" });
    expect(() => local.rpc()).toThrow(expect.objectContaining({ code: "SDK_PROVIDER_INVALID" }));
    const unconnected = toSigner(new Wallet(KEY));
    await expect(unconnected.sendTransaction(tx)).rejects.toMatchObject({
      code: "SDK_PROVIDER_INVALID",
      message: expect.stringMatching(/signer\.connect\(provider\)/),
    });
    for (const shape of [{}, null, "0x5FbDB2315678afecb367f032d93F642f64180aa3", { address: "0x00", signTypedData: () => "0x" }])
      expect(() => toSigner(shape as never)).toThrow(expect.objectContaining({ code: "SDK_PROVIDER_INVALID" }));
  });
});
