import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import type { Hex } from "@keepledger/sdk/internal/util/bytes";
import { bindingHash, publicKey64, subjectOfPublicKey, validatorContext } from "@keepledger/sdk/internal/ids/binding";
import { reportDataBinds, reportDataFor } from "@keepledger/sdk/internal/tee/kindFacts";

const account = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const input = {
  chainId: 31337n,
  attestationRegistry: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as const,
  subjectPublicKey: publicKey64(account.publicKey),
  blockHash: `0x${"11".repeat(32)}` as Hex,
};

describe("report-data binding", () => {
  it("the subject of a key is the key's Ethereum address", () => {
    expect(subjectOfPublicKey(publicKey64(account.publicKey))).toBe(account.address);
  });

  it("binds every input: changing any one changes the hash", () => {
    const base = bindingHash(input);
    const variants = [
      { ...input, chainId: 1n },
      { ...input, attestationRegistry: "0x0000000000000000000000000000000000000001" as const },
      { ...input, subjectPublicKey: publicKey64(privateKeyToAccount(`0x${"01".repeat(32)}`).publicKey) },
      { ...input, blockHash: `0x${"12".repeat(32)}` as Hex },
      { ...input, context: validatorContext("production") },
    ];
    for (const v of variants) expect(bindingHash(v)).not.toBe(base);
  });

  it("a validator's logging profile changes its context", () => {
    expect(new Set([validatorContext("production"), validatorContext("staging"), validatorContext("debug")]).size).toBe(3);
  });

  it("places the hash where each kind carries report data", () => {
    const hash = bindingHash(input);
    expect(reportDataFor("sgx", hash)).toBe(`${hash}${"00".repeat(32)}`);
    expect(reportDataFor("sev-snp", hash)).toBe(`${hash}${"00".repeat(32)}`);
    expect(reportDataFor("nitro", hash)).toBe(hash);
    expect(reportDataBinds("tdx", `${hash.toUpperCase().replace("0X", "0x")}${"00".repeat(32)}` as Hex, hash)).toBe(true);
    expect(reportDataBinds("tdx", `${hash}${"01".repeat(32)}` as Hex, hash)).toBe(false);
  });

  const errors: { name: string; run: () => unknown; wantError: string; wantMessage: string }[] = [
    {
      name: "a compressed key",
      run: () => bindingHash({ ...input, subjectPublicKey: `0x02${"11".repeat(32)}` }),
      wantError: "IDS_FIELD_LENGTH",
      wantMessage: "subjectPublicKey must be 64 bytes, got 33 (subjectPublicKey)",
    },
    {
      name: "a 65-byte key with its prefix, where 64 bytes are required",
      run: () => subjectOfPublicKey(account.publicKey),
      wantError: "IDS_FIELD_LENGTH",
      wantMessage: "subjectPublicKey must be 64 bytes, got 65 (subjectPublicKey)",
    },
    {
      name: "a short block hash",
      run: () => bindingHash({ ...input, blockHash: "0x1234" }),
      wantError: "IDS_FIELD_LENGTH",
      wantMessage: "blockHash must be 32 bytes, got 2 (blockHash)",
    },
    {
      name: "an unknown kind",
      run: () => reportDataFor("tpm" as never, bindingHash(input)),
      wantError: "IDS_UNKNOWN_TEE_KIND",
      wantMessage: 'unknown TEE kind "tpm"',
    },
    {
      name: "an unknown profile",
      run: () => validatorContext("verbose" as never),
      wantError: "IDS_UNKNOWN_LOGGING_PROFILE",
      wantMessage: 'unknown logging profile "verbose"',
    },
  ];
  it.each(errors)("rejects $name", ({ run, wantError, wantMessage }) => {
    try {
      run();
      expect.unreachable();
    } catch (e) {
      expect(isKeepledgerError(e) && e.code).toBe(wantError);
      expect((e as Error).message).toBe(wantMessage);
    }
  });
});
