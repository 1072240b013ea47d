/**
 * Brings up a validator set on a fresh deployment the way a real one starts: bootstrapped validators,
 * a threshold, then (optionally) each validator's own verdict for the validator workload, attached, and
 * the bootstrap closed — so that every validator counts through its own verdict.
 */
import { keccak256, stringToBytes, type Address, type Hex } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import type { Deployment } from "../chain/deployment.ts";
import { keepledgerClient } from "../chain/keepledgerClient.ts";
import type { ChainClients } from "../chain/transactions.ts";
import { attachVerdict, bootstrapValidator, closeBootstrap, setThreshold, setValidatorWorkload } from "../chain/validators.ts";
import { addMeasurement, registerWorkload } from "../chain/workloads.ts";
import { TCB_STATUS_CODES, TEE_KIND_CODES, type Verdict } from "@keepledger/sdk/internal/ids/index";
import { quorumSignVerdict } from "./quorum.ts";

export interface ValidatorNetworkOptions {
  validators: readonly PrivateKeyAccount[];
  threshold: number;
  /** Give each validator its own verdict and close the bootstrap (default true). */
  selfAttest?: boolean;
  /** Current chain time (seconds), for verdict timestamps. */
  now: bigint;
  /** A recent block number, for freshness. */
  freshnessBlock: bigint;
}

export interface ValidatorNetwork {
  validatorWorkloadId: Hex;
  validatorMeasurementHash: Hex;
  /** The validators' own verdict ids, by address (empty when not self-attested). */
  ownVerdicts: Map<Address, Hex>;
}

/** A stand-in SGX measurement of the validator software (an exact MRENCLAVE). */
export const DEV_VALIDATOR_MRENCLAVE: Hex = keccak256(stringToBytes("keepledger.dev.validator-enclave"));

export async function startValidatorNetwork(
  clients: ChainClients,
  deployment: Deployment,
  options: ValidatorNetworkOptions,
): Promise<ValidatorNetwork> {
  const { workloadId: validatorWorkloadId } = await registerWorkload(clients, deployment, "keepledger-validator", "");
  const { measurementHash } = await addMeasurement(clients, deployment, validatorWorkloadId, 1, {
    tee: "sgx",
    mrenclave: DEV_VALIDATOR_MRENCLAVE,
    mrsigner: `0x${"00".repeat(32)}`,
    isvProdId: 0,
    minIsvSvn: 0,
  });
  await setValidatorWorkload(clients, deployment, validatorWorkloadId);
  for (const [i, v] of options.validators.entries()) {
    await bootstrapValidator(clients, deployment, {
      address: v.address,
      endpoint: `http://validator-${i}.invalid`,
      loggingProfile: "production",
    });
  }
  await setThreshold(clients, deployment, options.threshold);
  const ownVerdicts = new Map<Address, Hex>();
  if (options.selfAttest ?? true) {
    const client = keepledgerClient(clients, deployment);
    const quorum = options.validators.slice(0, options.threshold);
    for (const v of options.validators) {
      const verdict: Verdict = {
        workloadId: validatorWorkloadId,
        measurementHash,
        tee: TEE_KIND_CODES.sgx,
        tcbStatus: TCB_STATUS_CODES.UpToDate,
        subject: v.address,
        evidenceHash: keccak256(stringToBytes(`evidence of ${v.address}`)),
        collateralHash: keccak256(stringToBytes("collateral")),
        issuedAt: options.now,
        expiresAt: options.now + 6n * 86_400n,
        freshnessBlock: options.freshnessBlock,
      };
      const { verdictId } = await client.finalizeVerdict(verdict, await quorumSignVerdict(quorum, verdict, client.domain));
      await attachVerdict(clients, deployment, v.address, verdict);
      ownVerdicts.set(v.address, verdictId);
    }
    await closeBootstrap(clients, deployment);
  }
  return { validatorWorkloadId, validatorMeasurementHash: measurementHash, ownVerdicts };
}
