/**
 * Every custom error the keepledger contracts can revert with, as one ABI: a call into one contract can
 * fail with another's error (WorkloadRegistry → AttestationRegistry → ValidatorSet hooks), so reverts
 * are decoded against all of them. Generated (scripts/gen-bindings.ts) into a file of its own, so that
 * decoding a revert does not bring every contract's whole ABI into a dApp's bundle.
 */
import { keepledgerErrorAbi } from "./generated/errors.ts";

/** One custom error of the contracts, with the generated ABI's literal types (so viem and ethers infer from it too). */
export type KeepledgerAbiError = (typeof keepledgerErrorAbi)[number];

export { keepledgerErrorAbi };
