import { describe, expect, it } from "vitest";
import { keccak256, stringToBytes, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { authenticatePeerRequest, createPeerRequestSigner, decodeSubmissions, encodeSubmissions, PEER_HEADERS } from "./peerProtocol.ts";

const key = keccak256(stringToBytes("keepledger.test.peer")) as Hex;
const body = new Uint8Array(Buffer.from('{"hello":"peer"}'));

describe("peer request authentication", () => {
  const signer = createPeerRequestSigner(key);

  it("names the validator whose key signed the request", () => {
    const headers = signer.headers("/v1/peer/sign", body, 1_000);
    expect(authenticatePeerRequest(headers, "/v1/peer/sign", body, { now: 1_500 })).toBe(privateKeyToAccount(key).address);
  });

  it.each([
    { name: "another body", change: () => ({ body: new Uint8Array(Buffer.from('{"hello":"other"}')) }), message: "peer request refused: the signature does not verify" },
    { name: "another route", change: () => ({ path: "/v1/peer/sign-batch" }), message: "peer request refused: the signature does not verify" },
    {
      name: "another key's header",
      change: () => ({ headers: { ...signer.headers("/v1/peer/sign", body, 1_000), [PEER_HEADERS.key]: privateKeyToAccount(keccak256("0x01")).publicKey } }),
      message: "peer request refused: the signature does not verify",
    },
    { name: "an old timestamp", change: () => ({ now: 1_000 + 301_000 }), message: "peer request refused: the request timestamp is too far from this node's clock" },
    { name: "no headers", change: () => ({ headers: {} }), message: "peer request refused: the validator key, timestamp and signature headers are required" },
  ])("refuses $name with NODE_PEER_UNAUTHORIZED", ({ change, message }) => {
    const c = { headers: signer.headers("/v1/peer/sign", body, 1_000) as Record<string, string>, path: "/v1/peer/sign", body, now: 1_500, ...change() };
    expect(() => authenticatePeerRequest(c.headers, c.path, c.body, { now: c.now })).toThrowError(expect.objectContaining({ code: "NODE_PEER_UNAUTHORIZED", shortMessage: message }));
  });
});

describe("submissions on the wire", () => {
  it("share each collateral file once and come back byte for byte", () => {
    const tcb = { name: "tcb.json", bytes: new Uint8Array(Buffer.from("{}")) };
    const s = (n: number) => ({ workloadId: keccak256(stringToBytes("w")), evidence: Uint8Array.of(n), subjectPublicKey: null, freshnessBlock: 0n, context: "keep" as const, collateral: [tcb] });
    const { wire, blobs } = encodeSubmissions([s(1), s(2)]);
    expect(Object.keys(blobs)).toHaveLength(1);
    expect(decodeSubmissions(wire, blobs)).toEqual([s(1), s(2)]);
  });

  it("refuses a blob that does not hash to its key", () => {
    const { wire, blobs } = encodeSubmissions([{ workloadId: keccak256("0x00"), evidence: Uint8Array.of(1), subjectPublicKey: null, freshnessBlock: 0n, context: "keep", collateral: [{ name: "a", bytes: Uint8Array.of(9) }] }]);
    const [k] = Object.keys(blobs);
    expect(() => decodeSubmissions(wire, { [k!]: Buffer.from([8]).toString("base64") })).toThrowError(expect.objectContaining({ code: "NODE_REQUEST_INVALID" }));
  });
});
