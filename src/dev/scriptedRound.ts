/**
 * The scripted round `keepledger dev` runs until the validator node exists: deploy to an in-process
 * chain, register a workload, bootstrap three validators, finalize one verdict with two of their three
 * signatures and ask isAttested — narrating each step in plain lines.
 *
 * Nothing here verifies evidence: the Keep is a debug Keep (no TEE, labelled insecure) whose verdict the
 * validators sign as scripted. What the round does show for real is everything on-chain: ids, the
 * binding a Keep puts in its report data, the 2-of-3 quorum, the policy checks and isAttested.
 */
import { getAddress, keccak256, stringToBytes, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { deployKeepledger } from "../chain/deployKeepledger.ts";
import type { Deployment } from "../chain/deployment.ts";
import { connectInProcessChain } from "../chain/inProcessChain.ts";
import { keepledgerClient } from "../chain/keepledgerClient.ts";
import { defaultPolicy } from "../chain/policy.ts";
import { bootstrapValidator, setThreshold } from "../chain/validators.ts";
import { addMeasurement, registerWorkload, schedulePolicy } from "../chain/workloads.ts";
import { bindingHash, publicKey64, reportDataFor, TCB_STATUS_CODES, TEE_KIND_CODES, type Verdict } from "../ids/index.ts";
import { devAccounts } from "./devAccounts.ts";
import { gas, short, when } from "./format.ts";
import { quorumSignVerdict } from "./quorum.ts";

export interface ScriptedRoundOptions {
  /** Where the narration goes (default: console.log). */
  log?: (line: string) => void;
  /** Workload name (default "demo-app"). */
  workloadName?: string;
}

export interface ScriptedRoundResult {
  deployment: Deployment;
  workloadId: Hex;
  subject: Address;
  verdictId: Hex;
  attested: boolean;
  finalizeGas: bigint;
}

const ZERO32: Hex = `0x${"00".repeat(32)}`;

export async function runScriptedRound(options: ScriptedRoundOptions = {}): Promise<ScriptedRoundResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const name = options.workloadName ?? "demo-app";
  const started = Date.now();

  const chain = await connectInProcessChain();
  try {
    log(`Started an in-process chain (Hardhat EDR, chain id ${chain.chain.id}); it lives as long as this command.`);
    const owner = chain.accounts[0] as Address;
    const clients = { publicClient: chain.publicClient, walletClient: chain.walletClient(owner) };

    const { deployment } = await deployKeepledger(clients, { devPoliciesAllowed: true });
    log("Deployed keepledger for development (dev policies allowed, no governance or policy delays):");
    log(`  WorkloadRegistry     ${deployment.contracts.workloadRegistry}`);
    log(`  ValidatorSet         ${deployment.contracts.validatorSet}`);
    log(`  AttestationRegistry  ${deployment.contracts.attestationRegistry}`);

    const { workloadId } = await registerWorkload(clients, deployment, name, "https://example.invalid/demo-app.json");
    log(`Registered workload "${name}" owned by ${short(getAddress(owner))}: id ${short(workloadId)}.`);
    await schedulePolicy(clients, deployment, workloadId, {
      ...defaultPolicy(),
      allowedTees: ["debug"],
      acceptedTcbStatuses: ["NotApplicable"],
      dev: true,
      verdictLifetime: 86_400n,
    });
    log("Its owner set a dev policy, in force at once: only debug Keeps (no TEE: INSECURE, development only).");
    const measurement = keccak256(stringToBytes(`${name} build 1`));
    const { measurementHash } = await addMeasurement(clients, deployment, workloadId, 1, { tee: "debug", measurement });
    log(`Approved release 1: debug measurement ${short(measurement)} (hash ${short(measurementHash)}).`);

    const validators = devAccounts("keepledger.dev.validator", 3);
    for (const [i, v] of validators.entries()) {
      await bootstrapValidator(clients, deployment, { address: v.address, endpoint: `http://127.0.0.1:${7101 + i}`, loggingProfile: "production" });
    }
    await setThreshold(clients, deployment, 2);
    log(`Bootstrapped 3 validators (${validators.map((v) => short(v.address)).join(", ")}); threshold 2 of 3.`);
    log("  Bootstrapped validators count without attesting themselves until governance closes the bootstrap.");

    // The Keep: a fresh key, bound into its report data with this chain, this registry and a recent block.
    const keep = privateKeyToAccount(generatePrivateKey());
    const fresh = await chain.publicClient.getBlock();
    const binding = bindingHash({
      chainId: deployment.chainId,
      attestationRegistry: deployment.contracts.attestationRegistry,
      subjectPublicKey: publicKey64(keep.publicKey),
      blockHash: fresh.hash as Hex,
    });
    log(`A debug Keep made key ${short(keep.address)} and bound it (with chain, registry and block ${fresh.number}) into its report data ${short(reportDataFor("debug", binding))}.`);

    const client = keepledgerClient(clients, deployment);
    const now = (await chain.publicClient.getBlock()).timestamp;
    const verdict: Verdict = {
      workloadId,
      measurementHash,
      tee: TEE_KIND_CODES.debug,
      tcbStatus: TCB_STATUS_CODES.NotApplicable,
      subject: keep.address,
      evidenceHash: keccak256(reportDataFor("debug", binding)),
      collateralHash: ZERO32,
      issuedAt: now,
      expiresAt: now + 3_600n,
      freshnessBlock: fresh.number,
    };
    const signers = validators.slice(0, 2);
    const signatures = await quorumSignVerdict(signers, verdict, client.domain);
    log(`Validators ${short(signers[0]!.address)} and ${short(signers[1]!.address)} signed the verdict (scripted: no evidence is verified in this round); the third did not.`);
    const finalized = await client.finalizeVerdict(verdict, signatures);
    log(`Finalized verdict ${short(finalized.verdictId)} with 2 of 3 signatures in block ${finalized.receipt.blockNumber} (${gas(finalized.gasUsed)} gas); valid until ${when(verdict.expiresAt)}.`);

    const answer = await client.isAttested(keep.address, workloadId);
    log(`isAttested(${short(keep.address)}, ${name}) → ${answer.ok}: verdict ${short(answer.verdictId)}, expires ${when(answer.expiresAt)}.`);
    const stranger = privateKeyToAccount(generatePrivateKey()).address;
    const other = await client.isAttested(stranger, workloadId);
    log(`isAttested(${short(stranger)}, ${name}) → ${other.ok}: that key has no verdict.`);
    log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    return { deployment, workloadId, subject: keep.address, verdictId: finalized.verdictId, attested: answer.ok, finalizeGas: finalized.gasUsed };
  } finally {
    await chain.close();
  }
}
