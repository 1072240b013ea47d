/**
 * Every custom error the keepledger contracts can revert with, as one ABI: a call into one contract can
 * fail with another's error (WorkloadRegistry → AttestationRegistry → ValidatorSet hooks), so reverts
 * are decoded against all of them.
 */
import type { Abi } from "viem";
import {
  attestationRegistryAbi,
  attestedGuestbookAbi,
  cpakAllowListAbi,
  keyRegistryAbi,
  validatorSetAbi,
  workloadRegistryAbi,
} from "./generated/index.ts";

type AbiError = Extract<Abi[number], { type: "error" }>;

function errorsOf(...abis: Abi[]): AbiError[] {
  const seen = new Map<string, AbiError>();
  for (const abi of abis) {
    for (const item of abi) {
      if (item.type === "error") seen.set(`${item.name}(${item.inputs.map((i) => i.type).join(",")})`, item);
    }
  }
  return [...seen.values()];
}

export const keepledgerErrorAbi: readonly AbiError[] = errorsOf(
  workloadRegistryAbi,
  validatorSetAbi,
  attestationRegistryAbi,
  attestedGuestbookAbi,
  keyRegistryAbi,
  cpakAllowListAbi,
);
