import { secp256k1 } from "@noble/curves/secp256k1";
import { describe, expect, it } from "vitest";
import { keccak256, stringToBytes, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { checkPeerSignature, recoverCanonicalSigner, signatureFormProblem } from "./checkPeerSignature.ts";

const N = secp256k1.CURVE.n;
const peerKey = keccak256(stringToBytes("keepledger.test.peer-signature"));
const otherKey = keccak256(stringToBytes("keepledger.test.not-a-validator"));
const peer = privateKeyToAccount(peerKey);
const other = privateKeyToAccount(otherKey);
const digest = keccak256(stringToBytes("a verdict digest"));
const hex32 = (n: bigint) => n.toString(16).padStart(64, "0");
const vByte = (v: number) => v.toString(16).padStart(2, "0");

async function canonical(key: Hex = peerKey): Promise<Hex> {
  return privateKeyToAccount(key).sign({ hash: digest });
}
/** The same signature in its other valid-for-ecrecover form: s → n − s, recovery bit flipped. */
function malleated(signature: Hex): Hex {
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  const v = parseInt(signature.slice(130), 16);
  return `0x${signature.slice(2, 66)}${hex32(N - s)}${vByte(v === 27 ? 28 : 27)}`;
}
const withV = (signature: Hex, v: number): Hex => `0x${signature.slice(2, 130)}${vByte(v)}`;
const counts = (a: Address) => a === peer.address;

describe("checking a peer's countersignature as the contract will", () => {
  it("accepts a canonical signature by the validator that was asked", async () => {
    expect(checkPeerSignature({ digest, signature: await canonical(), expected: peer.address, counts })).toEqual({
      ok: true,
      signer: peer.address,
    });
  });

  it.each([
    {
      name: "the high-s twin of a valid signature",
      sig: async () => malleated(await canonical()),
      code: "NODE_PEER_SIGNATURE_NOT_CANONICAL",
      reason: "s is in the upper half of the curve order (a malleable high-s signature)",
    },
    {
      name: "v = 0 (a recovery bit, not 27/28)",
      sig: async () => withV(await canonical(), parseInt((await canonical()).slice(130), 16) - 27),
      code: "NODE_PEER_SIGNATURE_NOT_CANONICAL",
      reason: /^v is [01], not 27 or 28$/,
    },
    {
      name: "v = 29",
      sig: async () => withV(await canonical(), 29),
      code: "NODE_PEER_SIGNATURE_NOT_CANONICAL",
      reason: "v is 29, not 27 or 28",
    },
    {
      name: "64 bytes (EIP-2098 compact)",
      sig: async () => (await canonical()).slice(0, 130) as Hex,
      code: "NODE_PEER_SIGNATURE_NOT_CANONICAL",
      reason: "the signature is 64 bytes, not 65",
    },
    {
      name: "r = 0",
      sig: async () => `0x${hex32(0n)}${(await canonical()).slice(66)}` as Hex,
      code: "NODE_PEER_SIGNATURE_NOT_CANONICAL",
      reason: "r or s is out of range",
    },
    {
      name: "a signature by a key that is not the validator's",
      sig: () => canonical(otherKey),
      code: "NODE_PEER_SIGNATURE_WRONG_SIGNER",
      reason: `recovers to ${other.address}, not ${peer.address} (another key, or other fields)`,
    },
  ])("drops $name with $code", async ({ sig, code, reason }) => {
    const r = checkPeerSignature({ digest, signature: await sig(), expected: peer.address, counts });
    expect(r).toMatchObject({ ok: false, code });
    if (!r.ok) expect(r.reason).toEqual(typeof reason === "string" ? reason : expect.stringMatching(reason));
  });

  it("drops a signature over another digest (other fields signed)", async () => {
    const r = checkPeerSignature({
      digest: keccak256(stringToBytes("other fields")),
      signature: await canonical(),
      expected: peer.address,
      counts,
    });
    expect(r).toMatchObject({ ok: false, code: "NODE_PEER_SIGNATURE_WRONG_SIGNER" });
  });

  it("drops a canonical signature by a validator that does not count now", async () => {
    expect(checkPeerSignature({ digest, signature: await canonical(), expected: peer.address, counts: () => false })).toMatchObject({
      ok: false,
      code: "NODE_PEER_SIGNER_NOT_COUNTING",
      recovered: peer.address,
    });
  });

  it("recovers what viem recovers for canonical signatures, and nothing for their malleable twins", async () => {
    const sig = await canonical();
    expect(recoverCanonicalSigner(digest, sig)).toEqual({ signer: peer.address });
    expect(recoverCanonicalSigner(digest, malleated(sig))).toHaveProperty("problem");
    expect(signatureFormProblem(sig)).toBeUndefined();
    expect(signatureFormProblem(malleated(sig))).toBe("s is in the upper half of the curve order (a malleable high-s signature)");
  });
});
