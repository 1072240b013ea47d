import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import { loadNodeConfig, parseNodeConfig } from "./loadNodeConfig.ts";
import { loadSigner } from "./loadSigner.ts";
import { encryptKeystore } from "./keystore.ts";

const minimal = {
  rpcUrl: "http://127.0.0.1:8545",
  deployment: "deployment.json",
  signer: { privateKeyEnv: "VALIDATOR_KEY" },
  listen: "127.0.0.1:7101",
  publicUrl: "http://127.0.0.1:7101",
  loggingProfile: "production",
  selfAttestation: { provider: "none" },
};

function problems(json: unknown): string {
  try {
    parseNodeConfig(json, { source: "node.json", baseDir: "/etc/keepledger" });
  } catch (e) {
    if (isKeepledgerError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
  return "ok";
}

describe("node configuration", () => {
  it("fills in defaults and resolves paths against the file's directory", () => {
    const c = parseNodeConfig(minimal, { source: "node.json", baseDir: "/etc/keepledger" });
    expect(c.deployment).toBe("/etc/keepledger/deployment.json");
    expect(c.dataDir).toBe("/etc/keepledger/.keepledger/node");
    expect(c.store).toBe("sqlite:/etc/keepledger/.keepledger/node/node.db");
    expect(c.confirmations).toBe(1);
    expect(c.batch).toEqual({ enabled: false, maxItems: 256, maxWaitMs: 250 });
    expect(c.limits.requestsPerMinute).toBe(600);
    expect(c.peers.maxIssuedAtSkewSeconds).toBe(120);
    // Evidence retention is off (everything is kept) unless the file sets it.
    expect(c.evidenceRetention).toBeUndefined();
    expect(
      parseNodeConfig(
        { ...minimal, evidenceRetention: { retainExpiredSeconds: 86_400 } },
        { source: "node.json", baseDir: "/etc/keepledger" },
      ).evidenceRetention,
    ).toEqual({ retainExpiredSeconds: 86_400, intervalMs: 3_600_000 });
    // The unsafe AMD CRL switch is off unless the file sets it.
    expect(c.collateral.dangerouslyAllowMissingAmdCrl ?? false).toBe(false);
    expect(
      parseNodeConfig(
        { ...minimal, collateral: { dangerouslyAllowMissingAmdCrl: true } },
        { source: "node.json", baseDir: "/etc/keepledger" },
      ).collateral.dangerouslyAllowMissingAmdCrl,
    ).toBe(true);
  });

  it.each([
    { name: "a missing field", input: { ...minimal, rpcUrl: undefined }, want: "rpcUrl: required: expected the chain's JSON-RPC URL" },
    {
      name: "a bad URL",
      input: { ...minimal, rpcUrl: "localhost:8545" },
      want: "rpcUrl: expected the chain's JSON-RPC URL (http:// or https://)",
    },
    { name: "a bad listen address", input: { ...minimal, listen: "7101" }, want: 'listen: expected "host:port", e.g. "0.0.0.0:7101"' },
    {
      name: "an unknown profile",
      input: { ...minimal, loggingProfile: "verbose" },
      want: 'loggingProfile: expected "production", "staging" or "debug"',
    },
    {
      name: "an unknown provider",
      input: { ...minimal, selfAttestation: { provider: "tpm" } },
      want: 'selfAttestation.provider: expected { "provider": "configfs-tsm" | "gramine" | "none", … }',
    },
    {
      name: "a signer of neither form",
      input: { ...minimal, signer: { keystore: "k.json" } },
      want: 'signer: expected { "keystore": "<file>", "passwordEnv": "<ENV>" } or { "privateKeyEnv": "<ENV>" }',
    },
    {
      name: "a misspelt field",
      input: { ...minimal, confirmation: 2 },
      want: "confirmation: not a configuration field (see docs/node.md)",
    },
    { name: "zero confirmations", input: { ...minimal, confirmations: 0 }, want: "confirmations: expected a number of blocks (> 0)" },
    {
      name: "a batch size as text",
      input: { ...minimal, batch: { enabled: true, maxItems: "100" } },
      want: "batch.maxItems: expected a number of verdicts",
    },
    {
      name: "a store of another kind",
      input: { ...minimal, store: "mysql://db" },
      want: "store: expected sqlite:<path> or a postgres:// URL",
    },
    {
      name: "the AMD CRL switch as text",
      input: { ...minimal, collateral: { dangerouslyAllowMissingAmdCrl: "yes" } },
      want: "collateral.dangerouslyAllowMissingAmdCrl: expected true or false",
    },
  ])("names the field and what it expects: $name", ({ input, want }) => {
    const got = problems(input);
    expect(got.startsWith("NODE_CONFIG_INVALID: node.json is not a valid node configuration:")).toBe(true);
    expect(got).toContain(`\n  ${want}`);
  });

  it("lists every bad field, one per line", () => {
    const got = problems({ ...minimal, listen: 1, confirmations: -1 });
    expect(got.split("\n").slice(1)).toEqual(['  listen: expected "host:port"', "  confirmations: expected a number of blocks (> 0)"]);
  });

  it("refuses a secret written into the file, wherever it is", () => {
    expect(problems({ ...minimal, signer: { privateKey: "0x01" } })).toBe(
      "NODE_CONFIG_INVALID: node.json: signer.privateKey: secrets never go in the configuration file; name an environment variable instead (signer.privateKeyEnv or signer.passwordEnv)",
    );
  });

  it("reads the signing key from a keystore whose password is in the environment", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kl-config-"));
    const key = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    writeFileSync(join(dir, "validator.json"), encryptKeystore(key, "s3cret", { scryptN: 1024 }));
    writeFileSync(
      join(dir, "node.json"),
      JSON.stringify({ ...minimal, signer: { keystore: "validator.json", passwordEnv: "KL_PASSWORD" } }),
    );
    const config = await loadNodeConfig(join(dir, "node.json"));
    const signer = await loadSigner(config.signer, { KL_PASSWORD: "s3cret" });
    expect(signer.account.address).toBe("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    await expect(loadSigner(config.signer, {})).rejects.toMatchObject({
      code: "NODE_SECRET_MISSING",
      shortMessage: "environment variable KL_PASSWORD (signer.passwordEnv) is not set",
    });
    await expect(loadSigner(config.signer, { KL_PASSWORD: "wrong" })).rejects.toMatchObject({ code: "NODE_KEYSTORE_INVALID" });
  });

  it("reads the signing key from the environment variable the file names", async () => {
    const signer = await loadSigner({ privateKeyEnv: "K" }, { K: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d" });
    expect(signer.account.address).toBe("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    await expect(loadSigner({ privateKeyEnv: "K" }, { K: "0x1234" })).rejects.toMatchObject({ code: "NODE_SECRET_MISSING" });
  });
});
