import { describe, expect, it } from "vitest";
import { privateKeyToAccount } from "viem/accounts";
import { decryptKeystore, encryptKeystore } from "./keystore.ts";

// The PBKDF2 test vector of the Web3 Secret Storage definition (ethereum.org), password "testpassword".
const SPEC_VECTOR = JSON.stringify({
  crypto: {
    cipher: "aes-128-ctr",
    cipherparams: { iv: "6087dab2f9fdbbfaddc31a909735c1e6" },
    ciphertext: "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
    kdf: "pbkdf2",
    kdfparams: { c: 262144, dklen: 32, prf: "hmac-sha256", salt: "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd" },
    mac: "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2",
  },
  id: "3198bc9c-6672-5ab3-d995-4942343ae5b6",
  version: 3,
});

describe("keystore v3", () => {
  it("opens the Web3 Secret Storage test vector to its key", () => {
    const key = decryptKeystore(SPEC_VECTOR, "testpassword");
    expect(key).toBe("0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d");
    expect(privateKeyToAccount(key).address.toLowerCase()).toBe("0x008aeeda4d805471df9b2a5b0f38a0c3bcba786b");
  });

  it("round-trips a key it encrypted with scrypt", () => {
    const key = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
    expect(decryptKeystore(encryptKeystore(key, "correct horse", { scryptN: 1024 }), "correct horse")).toBe(key);
  });

  it.each([
    {
      name: "a wrong password",
      text: () => SPEC_VECTOR,
      password: "testpasswor",
      message: "the keystore password is wrong (MAC mismatch)",
    },
    { name: "not JSON", text: () => "{", password: "x", message: "the keystore is not JSON" },
    {
      name: "version 1",
      text: () => JSON.stringify({ ...JSON.parse(SPEC_VECTOR), version: 1 }),
      password: "x",
      message: "the keystore is not a version 3 keystore",
    },
    {
      name: "another cipher",
      text: () => SPEC_VECTOR.replace("aes-128-ctr", "aes-128-cbc"),
      password: "testpassword",
      message: "keystore cipher aes-128-cbc is not supported (aes-128-ctr only)",
    },
    {
      name: "an address that is not the key's",
      text: () =>
        JSON.stringify({ ...JSON.parse(encryptKeystore(`0x${"11".repeat(32)}`, "p", { scryptN: 1024 })), address: "00".repeat(20) }),
      password: "p",
      message: "the keystore's address does not match its key",
    },
  ])("refuses $name with NODE_KEYSTORE_INVALID", ({ text, password, message }) => {
    expect(() => decryptKeystore(text(), password)).toThrowError(
      expect.objectContaining({ code: "NODE_KEYSTORE_INVALID", shortMessage: message }),
    );
  });
});
