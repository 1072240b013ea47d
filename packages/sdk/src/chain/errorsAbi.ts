/**
 * Every custom error the keepledger contracts can revert with, as one ABI: a call into one contract can
 * fail with another's error (WorkloadRegistry → AttestationRegistry → ValidatorSet hooks), so reverts
 * are decoded against all of them.
 */
import {
  attestationRegistryAbi,
  attestedGuestbookAbi,
  cpakAllowListAbi,
  keyRegistryAbi,
  validatorSetAbi,
  workloadRegistryAbi,
} from "./generated/index.ts";

type ContractAbi =
  | typeof workloadRegistryAbi
  | typeof validatorSetAbi
  | typeof attestationRegistryAbi
  | typeof attestedGuestbookAbi
  | typeof keyRegistryAbi
  | typeof cpakAllowListAbi;

/** One custom error of the contracts, with the generated ABIs' literal types (so viem and ethers infer from it too). */
export type KeepledgerAbiError = Extract<ContractAbi[number], { type: "error" }>;

function errorsOf(...abis: readonly ContractAbi[]): KeepledgerAbiError[] {
  const seen = new Map<string, KeepledgerAbiError>();
  for (const abi of abis) {
    for (const item of abi) {
      if (item.type === "error") seen.set(`${item.name}(${item.inputs.map((i) => i.type).join(",")})`, item);
    }
  }
  return [...seen.values()];
}

export const keepledgerErrorAbi: readonly KeepledgerAbiError[] = errorsOf(
  workloadRegistryAbi,
  validatorSetAbi,
  attestationRegistryAbi,
  attestedGuestbookAbi,
  keyRegistryAbi,
  cpakAllowListAbi,
);
