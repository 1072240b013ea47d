import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keccak256, stringToBytes, type Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createDebugEvidence } from "../../src/tee/debug/createDebugEvidence.ts";
import { bindingHash, publicKey64 } from "@keepledger/sdk/internal/ids/binding";
import { isAttested, keepReportData, verifyOffline } from "../../src/sdk/index.ts";
import { expectedOf, fixtureBytes, fixturePath } from "../support/fixtures.ts";
import { startTestbed, type Testbed } from "../support/contracts-testbed.ts";

describe("SDK isAttested against the in-process chain", () => {
  let bed: Testbed;
  let subject: Address;
  beforeAll(async () => {
    bed = await startTestbed();
    subject = privateKeyToAccount(generatePrivateKey()).address;
    const v = await bed.verdict(subject);
    await bed.client.finalizeVerdict(v, await bed.sign(v));
  });
  afterAll(() => bed.close());

  it("answers from an EIP-1193 provider, a viem client and agrees with the contract", async () => {
    const registry = bed.deployment.contracts.attestationRegistry;
    const viaProvider = await isAttested(bed.chain.provider, subject, bed.workloadId, { registry });
    const viaClient = await isAttested(bed.chain.publicClient, subject, bed.workloadId, { registry });
    expect(viaProvider.ok).toBe(true);
    expect(viaClient).toEqual(viaProvider);
    const onChain = await bed.client.isAttested(subject, bed.workloadId);
    expect(viaProvider.verdictId).toBe(onChain.verdictId);
    expect(viaProvider.expiresAt.getTime()).toBe(Number(onChain.expiresAt) * 1000);
  });

  it("says no for another key, and once the verdict expired", async () => {
    const registry = bed.deployment.contracts.attestationRegistry;
    const other = privateKeyToAccount(generatePrivateKey()).address;
    expect((await isAttested(bed.chain.provider, other, bed.workloadId, { registry })).ok).toBe(false);
    const restore = await bed.snapshot();
    await bed.chain.increaseTime(2 * 86400);
    expect((await isAttested(bed.chain.provider, subject, bed.workloadId, { registry })).ok).toBe(false);
    await restore();
  });

  it("takes the deployment JSON instead of an address, for its own chain only, and says what to do without either", async () => {
    expect((await isAttested(bed.chain.provider, subject, bed.workloadId, { deployment: bed.deployment })).ok).toBe(true);
    const elsewhere = { ...bed.deployment, chainId: Number(bed.deployment.chainId) + 1 };
    await expect(isAttested(bed.chain.provider, subject, bed.workloadId, { deployment: elsewhere })).rejects.toMatchObject({
      code: "SDK_REGISTRY_UNKNOWN",
    });
    // A JavaScript caller may leave the options out: the SDK keeps no deployment of its own to fall back on.
    const untyped = isAttested as (...args: unknown[]) => Promise<unknown>;
    await expect(untyped(bed.chain.provider, subject, bed.workloadId)).rejects.toMatchObject({ code: "SDK_REGISTRY_UNKNOWN" });
  });

  it("refuses something that is not a provider", async () => {
    await expect(
      isAttested("ftp://nope", subject, bed.workloadId, { registry: bed.deployment.contracts.attestationRegistry }),
    ).rejects.toMatchObject({ code: "SDK_PROVIDER_INVALID" });
  });
});

describe("SDK verifyOffline and keepReportData", () => {
  it("verifies a real TDX quote offline with a collateral directory", async () => {
    const r = await verifyOffline(fixtureBytes("tdx", "dcapqvl-tdx", "quote.bin"), {
      collateral: fixturePath("tdx", "dcapqvl-tdx"),
      at: new Date(expectedOf("tdx", "dcapqvl-tdx").verify_at),
    });
    expect(r.tee).toBe("tdx");
  });

  it("verifies Arm's CCA test token offline with its CPAK, labelled insecure", async () => {
    const set = "tfm-tools-example-ffm00-tag399";
    const r = await verifyOffline(fixtureBytes("arm-cca", set, "token.cbor"), {
      collateral: fixturePath("arm-cca", set),
      at: new Date(expectedOf("arm-cca", set).verify_at),
    });
    expect(r).toMatchObject({ tee: "arm-cca", debug: true, tcb: { status: "NotApplicable" } });
  });

  it("verifies the test composite (TDX quote + a GPU under keepledger's NVIDIA test roots) offline, labelled insecure", async () => {
    const set = "keepledger-test-tdx-gh100";
    const r = await verifyOffline(fixtureBytes("cpu-gpu", set, "composite.klcg"), {
      collateral: fixturePath("cpu-gpu", set),
      at: new Date(expectedOf("cpu-gpu", set).verify_at),
    });
    expect(r).toMatchObject({ tee: "cpu-gpu", debug: true, tcb: { status: "UpToDate" } });
  });

  it("builds report data a debug Keep embeds, matching the binding spec", async () => {
    const key = generatePrivateKey();
    const account = privateKeyToAccount(key);
    const input = {
      tee: "debug" as const,
      chainId: 31337,
      registry: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0" as Address,
      publicKey: account.publicKey,
      blockHash: keccak256(stringToBytes("block")),
    };
    const r = keepReportData(input);
    expect(r.subject).toBe(account.address);
    expect(r.bindingHash).toBe(
      bindingHash({
        chainId: 31337,
        attestationRegistry: input.registry,
        subjectPublicKey: publicKey64(account.publicKey),
        blockHash: input.blockHash,
      }),
    );
    const evidence = createDebugEvidence({
      privateKey: key,
      measurement: keccak256(stringToBytes("m")),
      reportData: r.reportData,
      timestamp: Date.now(),
    });
    const verified = await verifyOffline(evidence);
    expect((verified.claims as { reportData: string }).reportData).toBe(r.reportData);
    expect(verified.debug).toBe(true);
    expect(keepReportData({ ...input, tee: "nitro" }).reportData).toBe(r.bindingHash);
    // An Arm CCA realm asks for its token with the 64-byte challenge bindingHash ‖ 32 zero bytes.
    expect(keepReportData({ ...input, tee: "arm-cca" }).reportData).toBe(`${r.bindingHash}${"00".repeat(32)}`);
    // A composite Keep: every GPU's SPDM nonce is the 32-byte hash; its CPU part binds it in its own form (TDX below).
    expect(keepReportData({ ...input, tee: "cpu-gpu" }).reportData).toBe(r.bindingHash);
    expect(keepReportData({ ...input, tee: "tdx" }).reportData).toBe(`${r.bindingHash}${"00".repeat(32)}`);
  });
});
