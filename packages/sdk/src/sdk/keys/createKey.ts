/**
 * createKey / rotateKey (docs/key-release.md): split a secret t-of-n, seal share i to shareholder i's
 * attested key-service key, record the version in the KeyRegistry and deposit each sealed share with its
 * validator, signed by the workload owner. Returns the secret only when it drew it.
 */
import { concatHex, getAddress, keccak256, type Address, type Hex } from "viem";
import type { Deployment } from "../../chain/deploymentTypes.ts";
import { KEY_CODES } from "../../chain/keyRelease/codes.ts";
import { hpkeSeal, shareInfo, type Sealed } from "../../chain/keyRelease/hpke.ts";
import { splitSecret } from "../../chain/keyRelease/shamir.ts";
import { createKeyOnChain, defaultReleasePolicy, keyOf, keyServiceKeyOf, rotateKeyOnChain, type ReleasePolicy } from "../../chain/keys.ts";
import type { ChainClients } from "../../chain/transactions.ts";
import { UsageError } from "../../errors/KeepledgerError.ts";
import { keyId as computeKeyId, shareDepositTypedData, shareHash } from "../../ids/index.ts";
import type { NodeCallOptions } from "../nodeHttp.ts";
import { endpointOf, postKey } from "./keyNodes.ts";

export interface CreateKeyOptions extends NodeCallOptions {
  /** The workload owner's clients (its wallet signs the transactions and the deposits). */
  clients: ChainClients;
  deployment: Deployment;
  keyRegistry: Address;
  workloadId: Hex;
  name: string;
  /** The validators to split for, in share order. */
  shareholders: readonly Address[];
  threshold: number;
  /** The secret to split (default: 32 random bytes, returned). */
  secret?: Uint8Array;
  /** Default: UpToDate and NotApplicable, no debug. */
  policy?: ReleasePolicy;
  /** UNSAFE, off by default: split for validators whose key-service key no live self-attestation vouches for yet. */
  dangerouslyAllowUnattestedKeyService?: boolean;
}

export interface CreateKeyResult {
  keyId: Hex;
  version: number;
  /** The secret, when createKey drew it; erase it once stored where it belongs. */
  secret?: Uint8Array;
  shareHashes: Hex[];
  txHash: Hex;
  gasUsed: bigint;
}

/** Creates a key (version 1), or when it exists already records and deposits its next version. */
export async function createKey(o: CreateKeyOptions): Promise<CreateKeyResult> {
  const id = computeKeyId(o.workloadId, o.name);
  const existing = await keyOf(o.clients, o.keyRegistry, id);
  const version = existing.createdAt === 0n ? 1 : existing.latestVersion + 1;
  const shareholders = o.shareholders.map((a) => getAddress(a));
  const secret = o.secret ?? crypto.getRandomValues(new Uint8Array(32));
  const shares = await splitSecret(secret, shareholders.length, o.threshold);
  const sealed: Sealed[] = [];
  for (const [i, holder] of shareholders.entries()) {
    const key = await keyServiceKeyOf(o.clients, o.keyRegistry, holder);
    if (!key.attested && !o.dangerouslyAllowUnattestedKeyService) {
      throw new UsageError(KEY_CODES.KEY_SERVICE_NOT_ATTESTED, `validator ${holder}'s key-service key is not attested yet`, {
        details: { validator: holder, published: key.publicKey !== `0x${"00".repeat(32)}` },
      });
    }
    sealed.push(await hpkeSeal(key.publicKey, shareInfo(id, version, holder), shares[i]!));
  }
  const shareHashes = shares.map((s, i) => shareHash(id, version, i + 1, s));
  shares.forEach((s) => s.fill(0));
  const recorded =
    version === 1
      ? await createKeyOnChain(o.clients, o.keyRegistry, {
          workloadId: o.workloadId,
          name: o.name,
          policy: o.policy ?? defaultReleasePolicy(),
          threshold: o.threshold,
          shareholders,
          shareHashes,
        })
      : await rotateKeyOnChain(o.clients, o.keyRegistry, id, { threshold: o.threshold, shareholders, shareHashes });
  await depositShares(o, id, version, shareholders, sealed, shareHashes);
  return {
    keyId: id,
    version,
    ...(o.secret ? {} : { secret }),
    shareHashes,
    txHash: recorded.hash,
    gasUsed: recorded.gasUsed,
  };
}

async function depositShares(
  o: CreateKeyOptions,
  id: Hex,
  version: number,
  shareholders: readonly Address[],
  sealed: readonly Sealed[],
  shareHashes: readonly Hex[],
): Promise<void> {
  const wallet = o.clients.walletClient;
  await Promise.all(
    shareholders.map(async (validator, i) => {
      const s = sealed[i]!;
      const signature = await wallet.signTypedData({
        account: wallet.account,
        ...shareDepositTypedData(
          { keyId: id, version, validator, sealedHash: keccak256(concatHex([s.enc, s.ct])) },
          o.deployment.chainId,
          o.keyRegistry,
        ),
      });
      const base = await endpointOf(o.clients.publicClient, o.deployment, validator);
      await postKey(base, id, "shares", { version, sealed: s, shareHashes, signature }, o);
    }),
  );
}
