import { describe, expect, it } from "vitest";
import { getAddress, keccak256, stringToBytes, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createPeerAuthenticator, createPeerRequestSigner, PEER_AUTH_HEADER, type PeerAuthDomain } from "./peerAuth.ts";
import { peerBodyLimits } from "./peerLimits.ts";
import { createReplayCache } from "./replayCache.ts";

const senderKey = keccak256(stringToBytes("keepledger.test.peer.sender"));
const sender = privateKeyToAccount(senderKey);
const recipient = privateKeyToAccount(keccak256(stringToBytes("keepledger.test.peer.recipient"))).address;
const elsewhere = privateKeyToAccount(keccak256(stringToBytes("keepledger.test.peer.elsewhere"))).address;
const domain: PeerAuthDomain = { chainId: 31337, validatorSet: getAddress(`0x${"11".repeat(20)}`) };
const body = new Uint8Array(Buffer.from('{"hello":"peer"}'));
const ROUTE = "/v1/peer/sign";
const T0 = 1_000_000;

function authenticator(now = T0) {
  return createPeerAuthenticator({ self: recipient, domain, replayCache: createReplayCache(), now: () => now });
}
const headersFor = (
  o: {
    to?: Hex;
    route?: string;
    bytes?: Uint8Array;
    now?: number;
    lifetimeMs?: number;
    nonce?: Hex;
    key?: Hex;
    domain?: PeerAuthDomain;
  } = {},
) =>
  createPeerRequestSigner(o.key ?? senderKey, o.domain ?? domain).headers(o.to ?? recipient, o.route ?? ROUTE, o.bytes ?? body, {
    now: o.now ?? T0,
    ...(o.lifetimeMs ? { lifetimeMs: o.lifetimeMs } : {}),
    ...(o.nonce ? { nonce: o.nonce } : {}),
  });

describe("peer request authentication, from the headers alone", () => {
  it("names the validator that signed the request, and the body it must carry", () => {
    const auth = authenticator().authenticate(headersFor(), ROUTE, 1_024);
    expect(auth).toEqual({ sender: sender.address, bodyHash: expect.stringMatching(/^0x[0-9a-f]{64}$/), bodyLength: body.length });
  });

  it.each([
    {
      name: "no header",
      headers: () => ({}),
      wantError: "NODE_PEER_UNAUTHENTICATED",
      wantMessage: "peer request refused: the x-keepledger-peer-auth header is missing or malformed",
    },
    {
      name: "a signature by another key than the one named",
      headers: () => {
        const h = headersFor()[PEER_AUTH_HEADER]!.split(" ");
        h[1] = privateKeyToAccount(keccak256("0x01")).publicKey;
        return { [PEER_AUTH_HEADER]: h.join(" ") };
      },
      wantError: "NODE_PEER_UNAUTHENTICATED",
      wantMessage: "peer request refused: the signature does not verify (another key, route, deployment or field)",
    },
    {
      name: "another route",
      headers: () => headersFor({ route: "/v1/peer/sign-batch" }),
      wantError: "NODE_PEER_UNAUTHENTICATED",
      wantMessage: "peer request refused: the signature does not verify (another key, route, deployment or field)",
    },
    {
      name: "another deployment",
      headers: () => headersFor({ domain: { ...domain, chainId: 1 } }),
      wantError: "NODE_PEER_UNAUTHENTICATED",
      wantMessage: "peer request refused: the signature does not verify (another key, route, deployment or field)",
    },
    {
      name: "another recipient",
      headers: () => headersFor({ to: elsewhere }),
      wantError: "NODE_PEER_WRONG_RECIPIENT",
      wantMessage: `peer request refused: it is for ${elsewhere}, not this validator (${recipient})`,
    },
    {
      name: "an expired request",
      headers: () => headersFor({ now: T0 - 60_000 }),
      wantError: "NODE_PEER_AUTH_EXPIRED",
      wantMessage: "peer request refused: its authentication has expired",
    },
    {
      name: "an expiry too far ahead",
      headers: () => headersFor({ lifetimeMs: 3_600_000 }),
      wantError: "NODE_PEER_AUTH_EXPIRED",
      wantMessage: "peer request refused: its authentication lives longer than this node accepts",
    },
    {
      name: "a body larger than the route takes",
      headers: () => headersFor({ bytes: new Uint8Array(2_000) }),
      wantError: "NODE_BODY_TOO_LARGE",
      wantMessage: "the body is larger than 1024 bytes",
    },
    {
      name: "a Content-Length other than the signed length",
      headers: () => ({ ...headersFor(), "content-length": "9999" }),
      wantError: "NODE_PEER_BODY_HASH_MISMATCH",
      wantMessage: `the body is 9999 bytes, its authentication says ${body.length}`,
    },
  ])("refuses $name with $wantError", ({ headers, wantError, wantMessage }) => {
    expect(() => authenticator().authenticate(headers(), ROUTE, 1_024)).toThrowError(
      expect.objectContaining({ code: wantError, shortMessage: wantMessage }),
    );
  });

  it("refuses a replay of the same request; a fresh request of the same sender passes", () => {
    const a = authenticator();
    const headers = headersFor();
    a.authenticate(headers, ROUTE, 1_024);
    expect(() => a.authenticate(headers, ROUTE, 1_024)).toThrowError(expect.objectContaining({ code: "NODE_PEER_REPLAYED" }));
    expect(a.authenticate(headersFor(), ROUTE, 1_024).sender).toBe(sender.address);
  });

  it("checks the body read against the signed hash and length", () => {
    const a = authenticator();
    const auth = a.authenticate(headersFor(), ROUTE, 1_024);
    expect(() => a.checkBody(auth, body)).not.toThrow();
    expect(() => a.checkBody(auth, new Uint8Array(Buffer.from('{"hello":"evil"}')))).toThrowError(
      expect.objectContaining({ code: "NODE_PEER_BODY_HASH_MISMATCH", shortMessage: "the body is not the one its authentication signed" }),
    );
  });
});

describe("the replay cache", () => {
  it("forgets a nonce once its request has expired, and fails closed when full of live ones", () => {
    const cache = createReplayCache({ maxEntries: 2 });
    expect(cache.spend("a", 100, 0)).toBe("ok");
    expect(cache.spend("a", 100, 50)).toBe("replayed");
    expect(cache.spend("b", 100, 50)).toBe("ok");
    expect(cache.spend("c", 100, 60)).toBe("full");
    expect(cache.spend("c", 200, 100)).toBe("ok");
    expect(cache.size).toBe(1);
  });
});

describe("peer body limits", () => {
  it("size the single route from the public limit and the batch route from batch.maxItems, capped by peerMaxBodyBytes", () => {
    expect(peerBodyLimits({ maxBodyBytes: 1 << 20, peerMaxBodyBytes: 64 << 20 }, 256)).toEqual({
      "/v1/peer/sign": 2 << 20,
      "/v1/peer/sign-batch": (1 << 20) + 256 * (64 << 10),
    });
    expect(peerBodyLimits({ maxBodyBytes: 1 << 20, peerMaxBodyBytes: 4 << 20 }, 4_096)["/v1/peer/sign-batch"]).toBe(4 << 20);
  });
});
