/**
 * The DCAP test signer's root CA reaches a node only through code (startValidatorNode's
 * `unsafeTrustedRoots`, which the node benchmark's bench/support/benchNode.ts passes): no configuration
 * field names a root, and a node started from its configuration — as `keepledger node` starts it —
 * refuses a test-signed TDX quote even with the test collateral in its collateral directory. The same
 * quote, posted to a node given the root in code, is accepted: the refusal is the root, nothing else.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hexToBytes, keccak256, stringToBytes, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMeasurement, registerWorkload, schedulePolicy } from "../../src/chain/workloads.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import { bindingHash, publicKey64 } from "@keepledger/sdk/internal/ids/index";
import { reportDataFor } from "@keepledger/sdk/internal/tee/kindFacts";
import { collateralSetToFiles } from "../../src/node/appraisal/collateralFiles.ts";
import { parseNodeConfig } from "../../src/node/config/loadNodeConfig.ts";
import { defaultPolicy } from "../../src/policy/types.ts";
import { toHex } from "@keepledger/sdk/internal/util/bytes";
import { buildQuote, buildScenario, type Scenario } from "../support/dcapTestSigner.ts";
import { startNodeNetwork, type NodeNetwork } from "./support/nodeNetwork.ts";

const CHAIN_START = Date.UTC(2025, 5, 1, 0, 0, 0) / 1000 - 300; // inside the test scenario's collateral window

const minimal = {
  rpcUrl: "http://127.0.0.1:8545",
  deployment: "deployment.json",
  signer: { privateKeyEnv: "VALIDATOR_KEY" },
  listen: "127.0.0.1:7101",
  publicUrl: "http://127.0.0.1:7101",
  loggingProfile: "production",
  selfAttestation: { provider: "none" },
};

function configProblem(json: unknown): string {
  try {
    parseNodeConfig(json, { source: "node.json", baseDir: "/etc/keepledger" });
  } catch (e) {
    if (isKeepledgerError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
  return "ok";
}

describe("no node configuration names a trusted root", () => {
  const root = "MIIB..."; // what a configuration would carry: the key is refused before its value matters
  it.each([
    ["unsafeTrustedRoots", { ...minimal, unsafeTrustedRoots: [root] }],
    ["trustedRoots", { ...minimal, trustedRoots: [root] }],
    ["collateral.trustedRoots", { ...minimal, collateral: { trustedRoots: [root] } }],
    ["collateral.roots", { ...minimal, collateral: { roots: [root] } }],
    ["collateral.unsafeTrustedRoots", { ...minimal, collateral: { unsafeTrustedRoots: [root] } }],
  ])("refuses %s", (field, json) => {
    expect(configProblem(minimal)).toBe("ok");
    const got = configProblem(json);
    expect(got.startsWith("NODE_CONFIG_INVALID:")).toBe(true);
    expect(got).toContain(`\n  ${field}: not a configuration field`);
  });
});

describe("a node started from its configuration does not trust the DCAP test root", () => {
  let net: NodeNetwork;
  let scenario: Scenario;
  let workloadId: Hex;
  let dir: string;

  beforeAll(async () => {
    scenario = await buildScenario({ tee: "tdx" });
    dir = mkdtempSync(join(tmpdir(), "keepledger-test-root-"));
    const collateral = join(dir, "collateral");
    mkdirSync(collateral);
    for (const f of collateralSetToFiles(scenario.collateral)) writeFileSync(join(collateral, f.name), f.bytes);
    net = await startNodeNetwork({
      validatorWorkload: false,
      chainTimestamp: CHAIN_START,
      nodeConfig: () => ({ collateral: { directory: collateral } }),
    });
    ({ workloadId } = await registerWorkload(net.clients, net.deployment, "tdx-app", ""));
    await schedulePolicy(net.clients, net.deployment, workloadId, {
      ...defaultPolicy(),
      allowedTees: ["tdx"],
      acceptedTcbStatuses: ["UpToDate"],
    });
    const fill = (b: number) => toHex(new Uint8Array(48).fill(b));
    await addMeasurement(net.clients, net.deployment, workloadId, 1, {
      tee: "tdx",
      mrtd: fill(0x33),
      rtmr0: fill(0x40),
      rtmr1: fill(0x41),
      rtmr2: fill(0x42),
      rtmr3: fill(0x43),
    });
    await net.startNode(0); // from its configuration only, as `keepledger node` does
    await net.startNode(1, { unsafeTrustedRoots: scenario.roots }); // the root given in code (the benchmark's way)
    await net.startNode(2, { unsafeTrustedRoots: scenario.roots });
  }, 120_000);
  afterAll(async () => {
    await net?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A test-signed TDX quote bound to a fresh key and a recent block, as a Keep would post it. */
  async function submission(nodeUrl: string) {
    const keep = privateKeyToAccount(keccak256(stringToBytes(`keep ${Math.random()}`)));
    const nonce = (await (await fetch(`${nodeUrl}/v1/nonce`)).json()) as { blockNumber: number; blockHash: Hex };
    const binding = bindingHash({
      chainId: net.deployment.chainId,
      attestationRegistry: net.deployment.contracts.attestationRegistry,
      subjectPublicKey: publicKey64(keep.publicKey),
      blockHash: nonce.blockHash,
    });
    const quote = await buildQuote({
      tee: "tdx",
      pckLeaf: scenario.pckLeaf,
      pckChain: [scenario.pckLeaf, scenario.pki.platformCa, scenario.pki.root],
      tdBody: { reportData: hexToBytes(reportDataFor("tdx", binding)) },
    });
    return {
      workloadId,
      evidence: Buffer.from(quote.bytes).toString("base64"),
      publicKey: keep.publicKey,
      freshnessBlock: nonce.blockNumber,
    };
  }

  it("refuses the quote for its root, while a node given the root in code accepts the same kind of quote", async () => {
    const refused = await net.post(net.nodes[0]!.url, await submission(net.nodes[0]!.url));
    expect(refused.status, JSON.stringify(refused.json)).toBe(422);
    expect((refused.json.error as { code: string }).code).toBe("CERT_ROOT_UNTRUSTED");
    const accepted = await net.post(net.nodes[1]!.url, await submission(net.nodes[1]!.url));
    expect(accepted.status, JSON.stringify(accepted.json)).toBe(202);
  }, 60_000);
});
