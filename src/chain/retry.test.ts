import { describe, expect, it } from "vitest";
import { InfrastructureError, PolicyError } from "@keepledger/sdk/internal/errors/index";
import { backoffDelay, withRetry } from "./retry.ts";

const outage = () => new InfrastructureError("CHAIN_RPC", "the RPC is down");

describe("withRetry", () => {
  it("retries infrastructure errors with growing, jittered waits until the call succeeds", async () => {
    const waits: number[] = [];
    let calls = 0;
    const out = await withRetry(
      async () => {
        calls++;
        if (calls < 4) throw outage();
        return "ok";
      },
      { baseMs: 100, maxMs: 1_000, random: () => 0.5, sleep: async (ms) => void waits.push(ms) },
    );
    expect(out).toBe("ok");
    expect(calls).toBe(4);
    expect(waits).toEqual([50, 100, 200]);
  });

  it("never retries an answer (a policy refusal, a revert)", async () => {
    let calls = 0;
    const refusal = new PolicyError("POLICY_TEE_NOT_ALLOWED", "no");
    await expect(
      withRetry(
        async () => {
          calls++;
          throw refusal;
        },
        { sleep: async () => undefined },
      ),
    ).rejects.toBe(refusal);
    expect(calls).toBe(1);
  });

  it("gives up after the retries and throws the last error", async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw outage();
        },
        { retries: 2, sleep: async () => undefined },
      ),
    ).rejects.toMatchObject({ code: "CHAIN_RPC" });
    expect(calls).toBe(3);
  });

  it("stops when the signal aborts", async () => {
    const controller = new AbortController();
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          if (calls === 2) controller.abort();
          throw outage();
        },
        { retries: Infinity, signal: controller.signal, sleep: async () => undefined },
      ),
    ).rejects.toMatchObject({ code: "CHAIN_RPC" });
    expect(calls).toBe(2);
  });

  it("caps the backoff ceiling at maxMs", () => {
    expect(backoffDelay(30, { baseMs: 100, maxMs: 5_000, random: () => 0.999999 })).toBe(4_999);
    expect(backoffDelay(1, { baseMs: 100, maxMs: 5_000, random: () => 0 })).toBe(0);
  });
});
