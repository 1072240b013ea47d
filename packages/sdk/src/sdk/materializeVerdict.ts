/**
 * materializeVerdict: the one transaction the SDK sends. A batched verdict counts in isAttested only once
 * someone stores it on-chain with its Merkle proof; anyone may, typically the Keep's operator or a
 * dApp's relayer, with whatever signer it has: an ethers v6 Signer (connected to a provider), a viem
 * wallet client with an account, or an EIP-1193 provider whose wallet holds the account (sdk/signer.ts).
 */
import { attestationRegistryAbi } from "../chain/generated/index.ts";
import { UsageError } from "../errors/KeepledgerError.ts";
import { tcbStatusCode, teeKindCode } from "../ids/enums.ts";
import { getAddress } from "../util/address.ts";
import type { Address, Hex } from "../util/hex.ts";
import { SDK_CODES } from "./codes.ts";
import type { AttestationResult } from "./requestAttestation.ts";
import { sendCall } from "./sendCall.ts";
import { toSigner, type SignerLike } from "./signer.ts";

export type { SignerLike };

export interface MaterializeVerdictOptions {
  /** The AttestationRegistry (deployment.contracts.attestationRegistry, or requestNonce's registry). */
  registry: Address;
}

export interface MaterializeVerdictResult {
  verdictId: Hex;
  txHash: Hex;
}

/** Stores a batched verdict on-chain (AttestationRegistry.materializeVerdict) so that isAttested counts it. */
export async function materializeVerdict(
  signer: SignerLike,
  attestation: Pick<AttestationResult, "verdictId" | "verdict" | "batchId" | "proof">,
  options: MaterializeVerdictOptions,
): Promise<MaterializeVerdictResult> {
  const { verdict, batchId, proof } = attestation;
  if (verdict === undefined || batchId === undefined || proof === undefined) {
    throw new UsageError(
      SDK_CODES.SDK_REQUEST_INVALID,
      "materializeVerdict needs a batched verdict's fields, batchId and proof (requestAttestation's result in batch mode)",
      { details: { verdictId: attestation.verdictId } },
    );
  }
  const sent = await sendCall(
    toSigner(signer),
    {
      address: getAddress(options.registry),
      abi: attestationRegistryAbi,
      functionName: "materializeVerdict",
      args: [
        {
          workloadId: verdict.workloadId,
          measurementHash: verdict.measurementHash,
          tee: teeKindCode(verdict.tee),
          tcbStatus: tcbStatusCode(verdict.tcbStatus),
          subject: getAddress(verdict.subject),
          evidenceHash: verdict.evidenceHash,
          collateralHash: verdict.collateralHash,
          issuedAt: BigInt(verdict.issuedAt.getTime() / 1000),
          expiresAt: BigInt(verdict.expiresAt.getTime() / 1000),
          freshnessBlock: verdict.freshnessBlock,
        },
        batchId,
        proof,
      ],
    },
    SDK_CODES.SDK_TRANSACTION_FAILED,
  );
  return { verdictId: attestation.verdictId, txHash: sent.hash };
}
