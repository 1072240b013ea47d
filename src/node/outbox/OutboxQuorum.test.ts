import { describe, expect, it } from "vitest";
import { PolicyError } from "@keepledger/sdk/internal/errors/index";
import { NODE_CODES } from "../codes.ts";
import { errorJson } from "../errorJson.ts";
import type { PeerRefusal } from "../peer/peerProtocol.ts";
import { isDefinitive } from "./OutboxQuorum.ts";

/** A refusal as it arrives from a peer: the typed error serialized to JSON and parsed (bigints become strings). */
const refusal = (error: PolicyError): PeerRefusal => ({ error: JSON.parse(JSON.stringify(errorJson(error))) as PeerRefusal["error"] });
const skew = (issuedAt: bigint, now: bigint) =>
  refusal(new PolicyError(NODE_CODES.NODE_PEER_ISSUED_AT_SKEW, "skew", { details: { issuedAt, now, maxSkewSeconds: 120 } }));

describe("isDefinitive", () => {
  it("takes a skew as definitive once the peer's chain time is past the proposed issuedAt (it only grows)", () => {
    expect(isDefinitive(skew(1_000n, 1_121n))).toBe(true);
  });

  it("keeps a skew transient while the peer's chain time is behind the proposed issuedAt (its view lags)", () => {
    expect(isDefinitive(skew(1_121n, 1_000n))).toBe(false);
  });

  it("keeps a skew transient when the peer's details cannot be read", () => {
    const bare = refusal(new PolicyError(NODE_CODES.NODE_PEER_ISSUED_AT_SKEW, "skew"));
    expect(isDefinitive(bare)).toBe(false);
    expect(isDefinitive({ error: { ...bare.error, details: { issuedAt: "soon", now: -1 } } })).toBe(false);
    expect(isDefinitive({ error: { ...bare.error, details: { issuedAt: 1_000, now: 1_200 } } })).toBe(true);
  });

  it("leaves the other codes as they were: lagging views transient, disagreements definitive", () => {
    expect(isDefinitive(refusal(new PolicyError(NODE_CODES.NODE_FRESHNESS_BLOCK_UNKNOWN, "unknown")))).toBe(false);
    expect(isDefinitive(refusal(new PolicyError(NODE_CODES.NODE_PEER_DISAGREES, "different")))).toBe(true);
  });
});
