import type { Address, Hex } from "../util/hex.ts";
import { bindingHash, publicKey64, subjectOfPublicKey } from "../ids/binding.ts";
import { reportDataFor } from "../tee/kindFacts.ts";
import type { TeeKind } from "../kinds/index.ts";

export interface KeepReportDataInput {
  tee: TeeKind;
  chainId: number | bigint;
  /** The AttestationRegistry address. */
  registry: Address;
  /** The Keep's secp256k1 public key (0x04‖X‖Y or X‖Y). */
  publicKey: Hex;
  /** The hash of the recent block the node's `GET /v1/nonce` returned. */
  blockHash: Hex;
}

export interface KeepReportData {
  /** What to put into the TEE's report data (64 bytes; Nitro's user_data: 32 bytes). */
  reportData: Hex;
  bindingHash: Hex;
  /** The address the verdict will name: the Keep's key as an Ethereum address. */
  subject: Address;
}

/**
 * For a Keep: the report data that binds its key, this chain and registry and
 * a recent block into its evidence (docs/ids.md), so the evidence cannot be
 * replayed for another key, chain, registry or after the policy's age limit.
 */
export function keepReportData(input: KeepReportDataInput): KeepReportData {
  const key = publicKey64(input.publicKey);
  const hash = bindingHash({
    chainId: input.chainId,
    attestationRegistry: input.registry,
    subjectPublicKey: key,
    blockHash: input.blockHash,
  });
  return { reportData: reportDataFor(input.tee, hash), bindingHash: hash, subject: subjectOfPublicKey(key) };
}
