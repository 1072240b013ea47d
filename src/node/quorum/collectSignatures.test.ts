import { describe, expect, it } from "vitest";
import { getAddress, type Address, type Hex } from "viem";
import type { ValidatorView } from "../chain/chainState.ts";
import type { PeerAnswer } from "../peer/peerClient.ts";
import type { SignatureCheck } from "./checkPeerSignature.ts";
import { collectSignatures } from "./collectSignatures.ts";

const DIGEST = `0x${"aa".repeat(32)}` as Hex;
const addr = (n: number): Address => getAddress(`0x${n.toString(16).padStart(40, "0")}`);
const peer = (n: number): ValidatorView => ({
  address: addr(n),
  registered: true,
  bootstrap: true,
  counting: true,
  loggingProfile: "production",
  pendingLoggingProfile: "production",
  loggingProfileEffectiveAt: 0n,
  ownVerdictId: `0x${"00".repeat(32)}`,
  ownVerdictExpiresAt: 0n,
  endpoint: `http://peer-${n}`,
});
// A "signature" here is the signer's address padded to 65 bytes; recover() reads it back, honestly.
const sig = (n: number, digest = DIGEST): Hex => `0x${digest.slice(2, 10)}${n.toString(16).padStart(122, "0")}` as Hex;
const recover = (digest: Hex, signature: Hex) =>
  signature.slice(2, 10) === digest.slice(2, 10) ? addr(parseInt(signature.slice(10), 16)) : undefined;
const check = (peer: Address, signature: Hex): SignatureCheck => {
  const signer = recover(DIGEST, signature);
  if (signer === undefined) return { ok: false, code: "NODE_PEER_SIGNATURE_NOT_CANONICAL", reason: "does not recover" };
  return signer === peer
    ? { ok: true, signer }
    : { ok: false, code: "NODE_PEER_SIGNATURE_WRONG_SIGNER", reason: "another signer", recovered: signer };
};

type Behaviour = "signs" | "refuses" | "down" | "lies" | "impersonates" | { slowMs: number };
function asker(behaviours: Record<number, Behaviour>, asked: number[]) {
  return async (p: ValidatorView): Promise<PeerAnswer> => {
    const n = parseInt(p.address.slice(2), 16);
    asked.push(n);
    const b = behaviours[n] ?? "signs";
    if (typeof b === "object") {
      await new Promise((r) => setTimeout(r, b.slowMs));
      return { kind: "signed", answer: { signer: p.address, signature: sig(n) } };
    }
    switch (b) {
      case "signs":
        return { kind: "signed", answer: { signer: p.address, signature: sig(n) } };
      case "refuses":
        return { kind: "refused", status: 422, refusal: { error: { code: "NODE_PEER_DISAGREES", message: "no" } } };
      case "down":
        return { kind: "unreachable", reason: "ECONNREFUSED" };
      case "lies":
        return { kind: "signed", answer: { signer: p.address, signature: sig(n, `0x${"bb".repeat(32)}`) } };
      case "impersonates":
        return { kind: "signed", answer: { signer: p.address, signature: sig(99) } };
    }
  };
}

describe("collecting signatures", () => {
  it.each([
    { name: "asks only as many peers as it needs", behaviours: {}, need: 1, wantSigners: [1], wantAsked: [1] },
    {
      name: "a down peer does not block: the next one is asked",
      behaviours: { 1: "down" as const },
      need: 1,
      wantSigners: [2],
      wantAsked: [1, 2],
    },
    { name: "a refusal moves on to the next peer", behaviours: { 1: "refuses" as const }, need: 1, wantSigners: [2], wantAsked: [1, 2] },
    {
      name: "a signature over other fields is discarded",
      behaviours: { 1: "lies" as const },
      need: 1,
      wantSigners: [2],
      wantAsked: [1, 2],
      wantFaulty: [[1, "NODE_PEER_SIGNATURE_NOT_CANONICAL"]],
    },
    {
      name: "a signature by someone else is discarded",
      behaviours: { 1: "impersonates" as const },
      need: 1,
      wantSigners: [2],
      wantAsked: [1, 2],
      wantFaulty: [[1, "NODE_PEER_SIGNATURE_WRONG_SIGNER"]],
    },
    { name: "two needed, two asked at once", behaviours: {}, need: 2, wantSigners: [1, 2], wantAsked: [1, 2] },
  ])("$name", async ({ behaviours, need, wantSigners, wantAsked, wantFaulty = [] }) => {
    const asked: number[] = [];
    const stored: Address[] = [];
    const reported: Array<[Address, string]> = [];
    const r = await collectSignatures({
      peers: [1, 2, 3].map(peer),
      need,
      ask: asker(behaviours as Record<number, Behaviour>, asked),
      check,
      hedgeAfterMs: 10_000,
      onSignature: (p) => void stored.push(p),
      onFaulty: (p, fault) => void reported.push([p, fault.code]),
    });
    expect(r.faulty.map((f) => [f.peer, f.code])).toEqual(wantFaulty.map(([n, code]) => [addr(n as number), code]));
    expect(reported).toEqual(wantFaulty.map(([n, code]) => [addr(n as number), code]));
    expect(r.signatures.map((s) => s.signer)).toEqual(wantSigners.map(addr));
    expect(stored).toEqual(wantSigners.map(addr));
    expect(asked).toEqual(wantAsked);
  });

  it("reports refusals and failures when the threshold cannot be met", async () => {
    const r = await collectSignatures({
      peers: [1, 2].map(peer),
      need: 1,
      ask: asker({ 1: "refuses", 2: "down" }, []),
      check,
      hedgeAfterMs: 10_000,
    });
    expect(r.signatures).toEqual([]);
    expect(r.refusals.map((x) => x.peer)).toEqual([addr(1)]);
    expect(r.failed).toEqual([{ peer: addr(2), reason: "ECONNREFUSED" }]);
  });

  it("hedges a slow peer with the next one", async () => {
    const asked: number[] = [];
    const started = Date.now();
    const r = await collectSignatures({
      peers: [1, 2].map(peer),
      need: 1,
      ask: asker({ 1: { slowMs: 2_000 } }, asked),
      check,
      hedgeAfterMs: 50,
    });
    expect(r.signatures.map((s) => s.signer)).toEqual([addr(2)]);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
