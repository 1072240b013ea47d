// The HPKE suite of key release: a sealed share opens only with its recipient's key and its exact info.
import { describe, expect, it } from "vitest";
import { keccak256, toHex, type Hex } from "viem";
import { generateHpkeKeyPair, hpkeOpen, hpkeSeal, releaseInfo, shareInfo } from "./hpke.ts";

const KEY_ID = keccak256(toHex("key"));
const VALIDATOR = "0x00000000000000000000000000000000000000aa";

describe("hpkeSeal / hpkeOpen", () => {
  it("opens with the recipient key and the same info; not with another key, info or a flipped bit", async () => {
    const recipient = await generateHpkeKeyPair();
    const other = await generateHpkeKeyPair();
    const share = crypto.getRandomValues(new Uint8Array(33));
    const info = shareInfo(KEY_ID, 1, VALIDATOR);
    const sealed = await hpkeSeal(recipient.publicKey, info, share);
    expect(await hpkeOpen(recipient.privateKey, info, sealed)).toEqual(share);
    expect(await hpkeOpen(other.privateKey, info, sealed)).toBeUndefined();
    expect(await hpkeOpen(recipient.privateKey, shareInfo(KEY_ID, 2, VALIDATOR), sealed)).toBeUndefined();
    expect(await hpkeOpen(recipient.privateKey, releaseInfo(KEY_ID), sealed)).toBeUndefined();
    const flipped = {
      ...sealed,
      ct: `${sealed.ct.slice(0, -2)}${((parseInt(sealed.ct.slice(-2), 16) ^ 1) & 0xff).toString(16).padStart(2, "0")}` as Hex,
    };
    expect(await hpkeOpen(recipient.privateKey, info, flipped)).toBeUndefined();
  });
});
