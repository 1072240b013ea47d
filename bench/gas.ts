// `npm run bench:gas`: measures the gas of keepledger's on-chain operations on the in-process EDR chain
// (Hardhat's simulated network, hardfork osaka) and writes bench/results/gas.json as
// [{ name, gas, perVerdict }]. Transaction rows are receipt gasUsed (21,000 intrinsic and calldata
// included); the isAttested rows are the execution gas IsAttestedGasProbe measures with gasleft()
// around the call (cold, then warm), and what eth_estimateGas says for a transaction calling it.
// Validators count through their own attached verdicts (bootstrap closed), as in steady state.
// Inputs are deterministic except the chain clock (timestamps in calldata move results by a few tens
// of gas). See docs/contracts.md for the targets.
import { writeFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeFunctionData, getAddress, keccak256, stringToBytes, toHex, type Address, type Hex } from "viem";
import { deployKeepledger } from "../src/chain/deployKeepledger.ts";
import type { Deployment } from "../src/chain/deployment.ts";
import { attestationRegistryAbi, isAttestedGasProbeAbi, isAttestedGasProbeBytecode } from "@keepledger/sdk/internal/chain/generated/index";
import { connectInProcessChain, type InProcessChain } from "../src/chain/inProcessChain.ts";
import { keepledgerClient } from "../src/chain/keepledgerClient.ts";
import type { ChainClients } from "../src/chain/transactions.ts";
import { liftSubjectRevocation, revokePlatform, revokeSubject, revokeSubjectEverywhere, revokeVerdicts } from "../src/chain/revocations.ts";
import { addMeasurement, registerWorkload } from "../src/chain/workloads.ts";
import { devAccounts } from "../src/dev/devAccounts.ts";
import { quorumSignBatch, quorumSignVerdict } from "../src/dev/quorum.ts";
import { startValidatorNetwork } from "../src/dev/validatorNetwork.ts";
import { buildBatch, TCB_STATUS_CODES, TEE_KIND_CODES, type Verdict, type VerdictGroup } from "@keepledger/sdk/internal/ids/index";

export interface GasRow {
  name: string;
  gas: number;
  /** Gas per verdict: gas / verdicts for batches; the gas itself for operations on one verdict or none. */
  perVerdict: number;
}

/** Rows of operations that handle no verdict (their per-verdict column shows a dash). */
const NO_VERDICT = new Set(["registerWorkload", "addMeasurement (tdx)"]);

/** Benchmark targets (not tests): the row name and the most gas (per verdict for batches) allowed. */
export const GAS_TARGETS: Record<string, { max: number; per: "gas" | "perVerdict" }> = {
  "finalizeVerdict 3-of-5": { max: 120_000, per: "gas" },
  "finalizeBatch 256 verdicts (3-of-5)": { max: 3_000, per: "perVerdict" },
  "isAttested (execution, probe)": { max: 10_000, per: "gas" },
};

const here = dirname(fileURLToPath(import.meta.url));

const subjectOf = (label: string, i: number): Address => getAddress(`0x${keccak256(stringToBytes(`${label}.subject.${i}`)).slice(-40)}`);
const evidenceOf = (label: string, i: number): Hex => keccak256(stringToBytes(`${label}.evidence.${i}`));

interface Setup {
  clients: ChainClients;
  deployment: Deployment;
  signers: ReturnType<typeof devAccounts>;
  workloadId: Hex;
  measurementHash: Hex;
  registerGas: bigint;
  measurementGas: bigint;
}

async function setup(chain: InProcessChain, n: number, k: number): Promise<Setup> {
  const clients = { publicClient: chain.publicClient, walletClient: chain.walletClient() };
  const { deployment } = await deployKeepledger(clients, { devPoliciesAllowed: true });
  const validators = devAccounts(`keepledger.bench.validator.${n}`, n);
  const block = await chain.publicClient.getBlock();
  await startValidatorNetwork(clients, deployment, { validators, threshold: k, now: block.timestamp, freshnessBlock: block.number - 1n });
  const registered = await registerWorkload(
    clients,
    deployment,
    `bench-app-${n}`,
    "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
  );
  const added = await addMeasurement(clients, deployment, registered.workloadId, 1, {
    tee: "tdx",
    mrtd: toHex(stringToBytes("m".repeat(48))),
    rtmr0: toHex(stringToBytes("0".repeat(48))),
    rtmr1: toHex(stringToBytes("1".repeat(48))),
    rtmr2: toHex(stringToBytes("2".repeat(48))),
    rtmr3: `0x${"00".repeat(48)}`,
  });
  return {
    clients,
    deployment,
    signers: validators,
    workloadId: registered.workloadId,
    measurementHash: added.measurementHash,
    registerGas: registered.gasUsed,
    measurementGas: added.gasUsed,
  };
}

async function verdictTimes(chain: InProcessChain): Promise<{ issuedAt: bigint; expiresAt: bigint; freshnessBlock: bigint }> {
  const block = await chain.publicClient.getBlock();
  return { issuedAt: block.timestamp, expiresAt: block.timestamp + 86_400n, freshnessBlock: block.number - 1n };
}

async function finalizeOne(chain: InProcessChain, s: Setup, k: number, label: string): Promise<{ gas: bigint; verdict: Verdict }> {
  const client = keepledgerClient(s.clients, s.deployment);
  const verdict: Verdict = {
    workloadId: s.workloadId,
    measurementHash: s.measurementHash,
    tee: TEE_KIND_CODES.tdx,
    tcbStatus: TCB_STATUS_CODES.UpToDate,
    subject: subjectOf(label, 0),
    evidenceHash: evidenceOf(label, 0),
    collateralHash: keccak256(stringToBytes("collateral")),
    ...(await verdictTimes(chain)),
  };
  const sent = await client.finalizeVerdict(verdict, await quorumSignVerdict(s.signers.slice(0, k), verdict, client.domain));
  return { gas: sent.gasUsed, verdict };
}

async function finalizeBatchOf(chain: InProcessChain, s: Setup, k: number, size: number) {
  const client = keepledgerClient(s.clients, s.deployment);
  const label = `batch${size}`;
  const group: VerdictGroup = {
    workloadId: s.workloadId,
    measurementHash: s.measurementHash,
    tee: TEE_KIND_CODES.tdx,
    tcbStatus: TCB_STATUS_CODES.UpToDate,
    collateralHash: keccak256(stringToBytes("collateral")),
    ...(await verdictTimes(chain)),
    items: [],
  };
  const times = await verdictTimes(chain);
  group.items = Array.from({ length: size }, (_, i) => ({
    subject: subjectOf(label, i),
    evidenceHash: evidenceOf(label, i),
    freshnessBlock: times.freshnessBlock,
  }));
  const batch = buildBatch([group]);
  const signatures = await quorumSignBatch(s.signers.slice(0, k), batch.root, batch.count, client.domain);
  const sent = await client.finalizeBatch([group], signatures);
  return { gas: sent.gasUsed, batch };
}

export async function runGasBenchmark(): Promise<GasRow[]> {
  const chain = await connectInProcessChain();
  const rows: GasRow[] = [];
  const row = (name: string, gas: bigint, verdicts = 1) =>
    rows.push({ name, gas: Number(gas), perVerdict: Math.round(Number(gas) / verdicts) });
  try {
    const three = await setup(chain, 3, 2);
    row("registerWorkload", three.registerGas);
    row("addMeasurement (tdx)", three.measurementGas);
    row("finalizeVerdict 2-of-3", (await finalizeOne(chain, three, 2, "single-2of3")).gas);

    const five = await setup(chain, 5, 3);
    const single = await finalizeOne(chain, five, 3, "single-3of5");
    row("finalizeVerdict 3-of-5", single.gas);
    for (const size of [1, 16, 256]) {
      const { gas } = await finalizeBatchOf(chain, five, 3, size);
      row(`finalizeBatch ${size} verdict${size === 1 ? "" : "s"} (3-of-5)`, gas, size);
    }
    const { batch } = await finalizeBatchOf(chain, five, 3, 255);
    const client = keepledgerClient(five.clients, five.deployment);
    const materialized = await client.materializeVerdict(batch.verdicts[100] as Verdict, batch.root, batch.proof(100));
    row("materializeVerdict (from a 255-verdict batch)", materialized.gasUsed);

    const probeHash = await five.clients.walletClient.deployContract({ abi: isAttestedGasProbeAbi, bytecode: isAttestedGasProbeBytecode });
    const probe = (await chain.publicClient.waitForTransactionReceipt({ hash: probeHash })).contractAddress as Address;
    const [gasUsed, ok] = await chain.publicClient.readContract({
      address: probe,
      abi: isAttestedGasProbeAbi,
      functionName: "measure",
      args: [five.deployment.contracts.attestationRegistry, single.verdict.subject, five.workloadId],
    });
    if (!ok) throw new Error("the probe's subject is not attested; the isAttested measurement would be of the short path");
    row("isAttested (execution, probe)", gasUsed);
    const [, warm] = await chain.publicClient.readContract({
      address: probe,
      abi: isAttestedGasProbeAbi,
      functionName: "measureTwice",
      args: [five.deployment.contracts.attestationRegistry, single.verdict.subject, five.workloadId],
    });
    row("isAttested (execution, second call, warm)", warm);
    const estimate = await chain.publicClient.estimateGas({
      account: five.clients.walletClient.account,
      to: five.deployment.contracts.attestationRegistry,
      data: encodeFunctionData({
        abi: attestationRegistryAbi,
        functionName: "isAttested",
        args: [single.verdict.subject, five.workloadId],
      }),
    });
    row("isAttested (eth_estimateGas of a transaction)", estimate);

    // Revocation (issue 10): the governance acts, and isAttested on a revoked subject (the marker
    // short path: two SLOADs). Their per-verdict column is the gas itself.
    const revokedSubject = await finalizeOne(chain, five, 3, "revoked-subject");
    const revoked = await revokeSubject(five.clients, five.deployment, revokedSubject.verdict.subject, five.workloadId, "bench");
    row("revokeSubject (its latest verdict revoked with it)", revoked.gasUsed);
    const [revokedGas, revokedOk] = await chain.publicClient.readContract({
      address: probe,
      abi: isAttestedGasProbeAbi,
      functionName: "measure",
      args: [five.deployment.contracts.attestationRegistry, revokedSubject.verdict.subject, five.workloadId],
    });
    if (revokedOk) throw new Error("a revoked subject answered attested");
    row("isAttested (execution, probe, subject revoked)", revokedGas);
    row(
      "liftSubjectRevocation (in a workload)",
      (await liftSubjectRevocation(five.clients, five.deployment, revokedSubject.verdict.subject, five.workloadId)).gasUsed,
    );
    const everywhere = await finalizeOne(chain, five, 3, "revoked-everywhere");
    row(
      "revokeSubjectEverywhere (1 workload listed)",
      (await revokeSubjectEverywhere(five.clients, five.deployment, everywhere.verdict.subject, [five.workloadId], "bench")).gasUsed,
    );
    row(
      "revokePlatform (fmspc)",
      (await revokePlatform(five.clients, five.deployment, { kind: "fmspc", value: "00906ed50000" }, "bench")).gasUsed,
    );
    const bulk = batch.leaves.slice(0, 16);
    row(
      "revokeVerdicts 16 ids (batched, not materialized)",
      (await revokeVerdicts(five.clients, five.deployment, bulk, "bench")).gasUsed,
      16,
    );
  } finally {
    await chain.close();
  }
  return rows;
}

function table(rows: GasRow[]): string {
  const width = Math.max(...rows.map((r) => r.name.length));
  const lines = [`${"operation".padEnd(width)}  ${"gas".padStart(10)}  ${"per verdict".padStart(11)}  target`];
  for (const r of rows) {
    const target = GAS_TARGETS[r.name];
    let verdict = "";
    if (target) {
      const value = target.per === "gas" ? r.gas : r.perVerdict;
      verdict = `${value <= target.max ? "met" : "MISSED"} (≤ ${target.max.toLocaleString("en-US")}${target.per === "perVerdict" ? " per verdict" : ""})`;
    }
    const per = NO_VERDICT.has(r.name) ? "—" : r.perVerdict.toLocaleString("en-US");
    lines.push(`${r.name.padEnd(width)}  ${r.gas.toLocaleString("en-US").padStart(10)}  ${per.padStart(11)}  ${verdict}`);
  }
  return lines.join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = await runGasBenchmark();
  console.log(table(rows));
  if (process.argv.includes("--no-write")) process.exit(0);
  const out = join(here, "results", "gas.json");
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(rows, null, 2) + "\n");
  console.log(`\nwrote ${out.slice(join(here, "..").length + 1)}`);
}
