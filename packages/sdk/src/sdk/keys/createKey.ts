/**
 * createKey / rotateKey (docs/key-release.md): split a secret t-of-n, seal share i to shareholder i's
 * attested key-service key, record the version in the KeyRegistry and deposit each sealed share with its
 * validator, signed by the workload owner. Returns the secret only when it drew it.
 */
import type { Deployment } from "../../chain/deploymentTypes.ts";
import { keyRegistryAbi } from "../../chain/generated/index.ts";
import { KEY_CODES } from "../../chain/keyRelease/codes.ts";
import { hpkeSeal, shareInfo, type Sealed } from "../../chain/keyRelease/hpke.ts";
import { splitSecret } from "../../chain/keyRelease/shamir.ts";
import { defaultReleasePolicy, keyOf, keyServiceKeyOf, type ReleasePolicy } from "../../chain/keys.ts";
import type { Rpc } from "../../chain/rpc.ts";
import { UsageError } from "../../errors/KeepledgerError.ts";
import { keyId as computeKeyId, shareDepositTypedData, shareHash } from "../../ids/index.ts";
import { getAddress } from "../../util/address.ts";
import { concatHex, hexToBytes, type Address, type Hex } from "../../util/hex.ts";
import { keccak256Hex } from "../../util/keccak256.ts";
import { SDK_CODES } from "../codes.ts";
import { toRpc, type ProviderLike } from "../connect.ts";
import type { NodeCallOptions } from "../nodeHttp.ts";
import { sendCall } from "../sendCall.ts";
import { toSigner, type Signer, type SignerLike } from "../signer.ts";
import { endpointOf, postKey } from "./keyNodes.ts";

/** The workload owner's chain access in one object (what the node and CLI hold): a reader and a signer. */
export interface KeyOwnerClients {
  /** Any connection the SDK accepts (a viem public client is one). */
  publicClient: ProviderLike;
  /** Any signer the SDK accepts (a viem wallet client with an account is one). */
  walletClient: SignerLike;
}

export interface CreateKeyOptions extends NodeCallOptions {
  /** The workload owner: signs the KeyRegistry transaction and the deposits (sdk/signer.ts's forms; not a local account, it sends). */
  signer?: SignerLike;
  /** Where to read the chain (default: the signer's own connection). */
  provider?: ProviderLike;
  /** Or both in one object, { publicClient, walletClient } (viem's clients are accepted as they are). */
  clients?: KeyOwnerClients;
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

/** The signer and the reader the options name. */
function chainAccess(o: CreateKeyOptions): { signer: Signer; rpc: Rpc } {
  const signerLike = o.signer ?? o.clients?.walletClient;
  if (signerLike === undefined) {
    throw new UsageError(SDK_CODES.SDK_PROVIDER_INVALID, "createKey needs the workload owner's signer: pass { signer } (or { clients })");
  }
  const signer = toSigner(signerLike);
  const providerLike = o.provider ?? o.clients?.publicClient;
  return { signer, rpc: providerLike !== undefined ? toRpc(providerLike) : signer.rpc() };
}

/** Creates a key (version 1), or when it exists already records and deposits its next version. */
export async function createKey(o: CreateKeyOptions): Promise<CreateKeyResult> {
  const { signer, rpc } = chainAccess(o);
  const reader = { publicClient: rpc.provider };
  const id = computeKeyId(o.workloadId, o.name);
  const existing = await keyOf(reader, o.keyRegistry, id);
  const version = existing.createdAt === 0n ? 1 : existing.latestVersion + 1;
  const shareholders = o.shareholders.map((a) => getAddress(a));
  const secret = o.secret ?? crypto.getRandomValues(new Uint8Array(32));
  const shares = await splitSecret(secret, shareholders.length, o.threshold);
  const sealed: Sealed[] = [];
  for (const [i, holder] of shareholders.entries()) {
    const key = await keyServiceKeyOf(reader, o.keyRegistry, holder);
    if (!key.attested && !o.dangerouslyAllowUnattestedKeyService) {
      throw new UsageError(KEY_CODES.KEY_SERVICE_NOT_ATTESTED, `validator ${holder}'s key-service key is not attested yet`, {
        details: { validator: holder, published: key.publicKey !== `0x${"00".repeat(32)}` },
      });
    }
    sealed.push(await hpkeSeal(key.publicKey, shareInfo(id, version, holder), shares[i]!));
  }
  const shareHashes = shares.map((s, i) => shareHash(id, version, i + 1, s));
  shares.forEach((s) => s.fill(0));
  const recorded = await sendCall(
    signer,
    version === 1
      ? {
          address: o.keyRegistry,
          abi: keyRegistryAbi,
          functionName: "createKey",
          args: [o.workloadId, o.name, o.policy ?? defaultReleasePolicy(), o.threshold, shareholders, shareHashes],
        }
      : { address: o.keyRegistry, abi: keyRegistryAbi, functionName: "rotateKey", args: [id, o.threshold, shareholders, shareHashes] },
  );
  await depositShares(o, signer, rpc, id, version, shareholders, sealed, shareHashes);
  return {
    keyId: id,
    version,
    ...(o.secret ? {} : { secret }),
    shareHashes,
    txHash: recorded.hash,
    gasUsed: recorded.receipt.gasUsed,
  };
}

async function depositShares(
  o: CreateKeyOptions,
  signer: Signer,
  rpc: Rpc,
  id: Hex,
  version: number,
  shareholders: readonly Address[],
  sealed: readonly Sealed[],
  shareHashes: readonly Hex[],
): Promise<void> {
  await Promise.all(
    shareholders.map(async (validator, i) => {
      const s = sealed[i]!;
      const signature = await signer.signTypedData(
        shareDepositTypedData(
          { keyId: id, version, validator, sealedHash: keccak256Hex(hexToBytes(concatHex([s.enc, s.ct]))) },
          o.deployment.chainId,
          o.keyRegistry,
        ),
      );
      const base = await endpointOf(rpc, o.deployment, validator);
      await postKey(base, id, "shares", { version, sealed: s, shareHashes, signature }, o);
    }),
  );
}
