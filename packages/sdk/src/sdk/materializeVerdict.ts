/**
 * materializeVerdict: the one transaction the SDK sends. A batched verdict counts in isAttested only once
 * someone stores it on-chain with its Merkle proof; anyone may, typically the Keep's operator or a
 * dApp's relayer, with whatever signer it has: an ethers v6 Signer (connected to a provider) or a viem
 * wallet client with an account.
 */
import {
  createPublicClient,
  custom,
  encodeFunctionData,
  getAddress,
  type Account,
  type Address,
  type Chain,
  type Transport,
  type WalletClient,
} from "viem";
import { attestationRegistryAbi } from "../chain/generated/index.ts";
import { chainError } from "../chain/transactions.ts";
import { InfrastructureError, UsageError } from "../errors/KeepledgerError.ts";
import { tcbStatusCode, teeKindCode } from "../ids/enums.ts";
import type { Hex } from "../util/bytes.ts";
import { SDK_CODES } from "./codes.ts";
import { isEthersSigner, type EthersSignerLike } from "./ethersProvider.ts";
import type { AttestationResult } from "./requestAttestation.ts";

/** What may send the transaction: an ethers v6 Signer with a provider, or a viem wallet client with an account. */
export type SignerLike = EthersSignerLike | WalletClient<Transport, Chain | undefined, Account>;

export interface MaterializeVerdictOptions {
  /** The AttestationRegistry (deployment.contracts.attestationRegistry, or requestNonce's registry). */
  registry: Address;
}

export interface MaterializeVerdictResult {
  verdictId: Hex;
  txHash: Hex;
}

function isViemWallet(s: unknown): s is WalletClient<Transport, Chain | undefined, Account> {
  return (
    typeof s === "object" &&
    s !== null &&
    "sendTransaction" in s &&
    "account" in s &&
    typeof (s as { request?: unknown }).request === "function"
  );
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
  const data = encodeFunctionData({
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
  });
  const to = getAddress(options.registry);
  let txHash: Hex;
  let succeeded: boolean;
  try {
    if (isEthersSigner(signer)) {
      if (signer.provider === null) {
        throw new UsageError(
          SDK_CODES.SDK_PROVIDER_INVALID,
          "the ethers Signer is not connected to a provider; connect it (signer.connect(provider))",
        );
      }
      const sent = (await signer.sendTransaction({ to, data })) as { hash: string; wait(): Promise<{ status: number | null } | null> };
      txHash = sent.hash as Hex;
      succeeded = (await sent.wait())?.status === 1;
    } else if (isViemWallet(signer)) {
      txHash = await signer.sendTransaction({ to, data, account: signer.account, chain: signer.chain });
      const reader = createPublicClient({ transport: custom({ request: signer.request }) });
      succeeded = (await reader.waitForTransactionReceipt({ hash: txHash })).status === "success";
    } else {
      throw new UsageError(
        SDK_CODES.SDK_PROVIDER_INVALID,
        "the signer must be an ethers v6 Signer or a viem wallet client with an account",
      );
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw chainError(e, "sending materializeVerdict");
  }
  if (!succeeded) {
    throw new InfrastructureError(SDK_CODES.SDK_TRANSACTION_FAILED, `materializeVerdict ${txHash} reverted`, {
      details: { txHash, verdictId: attestation.verdictId },
    });
  }
  return { verdictId: attestation.verdictId, txHash };
}
