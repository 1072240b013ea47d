/** Signing with several validator keys at once, as a quorum does, for dev rounds, tests and benchmarks. */
import type { Hex } from "viem";
import { signVerdict, signVerdictBatch, packSignatures, type TypedDataSigner } from "../chain/signVerdict.ts";
import type { KeepledgerDomain, Verdict } from "@keepledger/sdk/internal/ids/index";

/** Every signer signs `v`; the signatures come back packed for finalizeVerdict. */
export async function quorumSignVerdict(signers: readonly TypedDataSigner[], v: Verdict, domain: KeepledgerDomain): Promise<Hex> {
  return packSignatures(await Promise.all(signers.map((s) => signVerdict(s, v, domain))));
}

/** Every signer signs the batch (root, count); the signatures come back packed for finalizeBatch. */
export async function quorumSignBatch(
  signers: readonly TypedDataSigner[],
  root: Hex,
  count: number,
  domain: KeepledgerDomain,
): Promise<Hex> {
  return packSignatures(await Promise.all(signers.map((s) => signVerdictBatch(s, root, count, domain))));
}
