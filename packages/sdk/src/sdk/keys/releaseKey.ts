/**
 * releaseKey (docs/key-release.md), run inside a Keep: ask every shareholder of a key version for its
 * share with a request signed by the Keep's subject key, open each answer with a fresh HPKE recipient key,
 * check each share against the version's on-chain share hashes, and combine t of them.
 */
import type { Deployment } from "../../chain/deploymentTypes.ts";
import { KEY_CODES } from "../../chain/keyRelease/codes.ts";
import { generateHpkeKeyPair, hpkeOpen, releaseInfo } from "../../chain/keyRelease/hpke.ts";
import { combineShares } from "../../chain/keyRelease/shamir.ts";
import type { ReleaseResponse } from "../../chain/keyRelease/releaseResponse.ts";
import { keyOf, keyVersionOf } from "../../chain/keys.ts";
import { verdictToJson } from "../../chain/verdictView.ts";
import { InfrastructureError, UsageError, VerificationError, isKeepledgerError, type KeepledgerError } from "../../errors/index.ts";
import { releaseRequestHash, releaseRequestTypedData, shareCommitment, shareHash, type Verdict } from "../../ids/index.ts";
import { getAddress } from "../../util/address.ts";
import { hexToBytes, type Address, type Hex } from "../../util/hex.ts";
import { keccak256Hex } from "../../util/keccak256.ts";
import { toRpc, type ProviderLike } from "../connect.ts";
import type { NodeCallOptions } from "../nodeHttp.ts";
import { toSigner, type SignerLike } from "../signer.ts";
import { endpointOf, postKey } from "./keyNodes.ts";

export interface ReleaseKeyOptions extends NodeCallOptions {
  /** The chain: any connection the SDK accepts (the name is viem's; a viem public client is one). */
  publicClient: ProviderLike;
  deployment: Deployment;
  keyRegistry: Address;
  keyId: Hex;
  /** Default: the key's latest version. */
  version?: number;
  /**
   * The Keep's attested subject key, which signs the release requests: a viem local account
   * (privateKeyToAccount), an ethers v6 Signer (a Wallet; no provider needed), a viem wallet client or an
   * EIP-1193 provider with the account (sdk/signer.ts).
   */
  account: SignerLike;
  /** The Keep's latest verdict for the key's workload (what isAttested names). */
  verdict: Verdict;
}

/** One shareholder's answer: a valid share, or the typed reason there is none. */
export type ShareOutcome = { validator: Address; ok: true; index: number } | { validator: Address; ok: false; error: KeepledgerError };

export interface ReleaseKeyResult {
  secret: Uint8Array;
  version: number;
  threshold: number;
  shares: ShareOutcome[];
}

export async function releaseKey(o: ReleaseKeyOptions): Promise<ReleaseKeyResult> {
  const rpc = toRpc(o.publicClient);
  const reader = { publicClient: rpc.provider };
  const signer = toSigner(o.account);
  const version = o.version ?? (await keyOf(reader, o.keyRegistry, o.keyId)).latestVersion;
  const info = await keyVersionOf(reader, o.keyRegistry, o.keyId, version);
  if (info.createdAt === 0n) throw new UsageError(KEY_CODES.KEY_UNKNOWN, `no version ${version} of key ${o.keyId}`);
  const recipient = await generateHpkeKeyPair();
  const block = await rpc.getBlock();
  const { chainId } = o.deployment;
  const valid = new Map<number, Uint8Array>();
  const outcomes = await Promise.all(
    info.shareholders.map(async (validator): Promise<ShareOutcome> => {
      try {
        const request = {
          keyId: o.keyId,
          version,
          validator,
          recipientKeyHash: keccak256Hex(hexToBytes(recipient.publicKey)),
          blockNumber: block.number,
          blockHash: block.hash,
        };
        const signature = await signer.signTypedData(releaseRequestTypedData(request, chainId, o.keyRegistry));
        const base = await endpointOf(rpc, o.deployment, validator);
        const body = {
          version,
          recipientPublicKey: recipient.publicKey,
          blockNumber: block.number.toString(),
          blockHash: block.hash,
          verdict: verdictToJson(o.verdict),
          signature,
        };
        const answer = (await postKey(base, o.keyId, "release", body, o)) as unknown as ReleaseResponse;
        const index = Number(answer.index);
        const hashes = answer.shareHashes;
        const share = await hpkeOpen(recipient.privateKey, releaseInfo(releaseRequestHash(request, chainId, o.keyRegistry)), answer.sealed);
        // The hashes come from the validator: they count only if they are the ones committed on-chain.
        if (
          !share ||
          !Array.isArray(hashes) ||
          shareCommitment(hashes) !== info.shareCommitment ||
          info.shareholders[index - 1] !== getAddress(validator) ||
          shareHash(o.keyId, version, index, share) !== hashes[index - 1]
        ) {
          throw new VerificationError(
            KEY_CODES.KEY_COMBINE_MISMATCH,
            `validator ${validator} returned a share that fails its on-chain hash`,
          );
        }
        valid.set(index, share);
        return { validator, ok: true, index };
      } catch (error) {
        if (!isKeepledgerError(error)) throw error;
        return { validator, ok: false, error };
      }
    }),
  );
  if (valid.size < info.threshold) {
    throw new InfrastructureError(KEY_CODES.KEY_TOO_FEW_SHARES, `${valid.size} valid shares of the ${info.threshold} needed`, {
      details: {
        threshold: info.threshold,
        valid: valid.size,
        refusals: outcomes.flatMap((s) => (s.ok ? [] : [{ validator: s.validator, code: s.error.code }])),
      },
    });
  }
  const secret = await combineShares([...valid.values()].slice(0, info.threshold));
  for (const s of valid.values()) s.fill(0);
  return { secret, version, threshold: info.threshold, shares: outcomes };
}
