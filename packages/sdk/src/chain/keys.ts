/**
 * The KeyRegistry's reads at the chain edge (docs/key-release.md): the keys, their versions, the
 * validators' key-service keys and the release check every validator makes before releasing a share.
 * Over any EIP-1193 provider (a viem client has `request`); the writes the node and the CLI make are the
 * keepledger package's (src/chain/keyRegistry.ts), the SDK's own (createKey) are in sdk/keys/createKey.ts.
 * The codecs are in packages/sdk/src/ids/keyIds.ts.
 */
import { releaseRefusalName, type ReleaseRefusal, type Verdict } from "../ids/index.ts";
import { getAddress } from "../util/address.ts";
import type { Address, Hex } from "../util/hex.ts";
import { keyRegistryAbi } from "./generated/index.ts";
import { Rpc, type Eip1193Like } from "./rpc.ts";

/** Where the reads go: `publicClient` is any EIP-1193 provider (the name is the viem client's, which is one). */
export interface KeyRegistryReader {
  publicClient: Eip1193Like;
}

/** Who may receive a key (KeyRegistry.ReleasePolicy). */
export interface ReleasePolicy {
  /** Keeps of this workload may receive the key too; zero: none. */
  secondWorkloadId: Hex;
  /** Bitmask of 1 << TcbStatus code; never Unknown (0) or Revoked (7). */
  acceptedTcbStatuses: number;
  /** Only on dev deployments. */
  allowDebug: boolean;
}

export interface KeyVersionInfo {
  threshold: number;
  createdAt: bigint;
  retiredAt: bigint;
  shareCommitment: Hex;
  shareholders: Address[];
}

export interface KeyInfo {
  workloadId: Hex;
  latestVersion: number;
  createdAt: bigint;
  name: string;
}

const ZERO32: Hex = `0x${"00".repeat(32)}`;

/** The default release policy: UpToDate and NotApplicable (as the default workload policy), no debug. */
export function defaultReleasePolicy(): ReleasePolicy {
  return { secondWorkloadId: ZERO32, acceptedTcbStatuses: 0x102, allowDebug: false };
}

/** KeyRegistry.releaseCheck at the latest block (or `blockNumber`): the refusal's name, "None" to release. */
export async function releaseCheck(
  clients: KeyRegistryReader,
  keyRegistry: Address,
  keyId: Hex,
  version: number,
  verdict: Verdict,
  blockNumber?: bigint,
): Promise<ReleaseRefusal> {
  const code = await new Rpc(clients.publicClient).readContract<number | bigint>({
    address: keyRegistry,
    abi: keyRegistryAbi,
    functionName: "releaseCheck",
    args: [keyId, version, verdict],
    ...(blockNumber === undefined ? {} : { blockNumber }),
  });
  return releaseRefusalName(Number(code));
}

export async function keyOf(clients: KeyRegistryReader, keyRegistry: Address, keyId: Hex): Promise<KeyInfo> {
  const k = await new Rpc(clients.publicClient).readContract<{
    workloadId: Hex;
    latestVersion: number | bigint;
    createdAt: bigint;
    name: string;
  }>({
    address: keyRegistry,
    abi: keyRegistryAbi,
    functionName: "keyOf",
    args: [keyId],
  });
  return { workloadId: k.workloadId, latestVersion: Number(k.latestVersion), createdAt: k.createdAt, name: k.name };
}

export async function keyVersionOf(clients: KeyRegistryReader, keyRegistry: Address, keyId: Hex, version: number): Promise<KeyVersionInfo> {
  const v = await new Rpc(clients.publicClient).readContract<{
    threshold: number | bigint;
    createdAt: bigint;
    retiredAt: bigint;
    shareCommitment: Hex;
    shareholders: readonly Address[];
  }>({
    address: keyRegistry,
    abi: keyRegistryAbi,
    functionName: "versionOf",
    args: [keyId, version],
  });
  return {
    threshold: Number(v.threshold),
    createdAt: v.createdAt,
    retiredAt: v.retiredAt,
    shareCommitment: v.shareCommitment,
    shareholders: v.shareholders.map((a) => getAddress(a)),
  };
}

export async function keyServiceKeyOf(
  clients: KeyRegistryReader,
  keyRegistry: Address,
  validator: Address,
): Promise<{ publicKey: Hex; setAt: bigint; attested: boolean }> {
  const [publicKey, setAt, attested] = await new Rpc(clients.publicClient).readContract<[Hex, bigint, boolean]>({
    address: keyRegistry,
    abi: keyRegistryAbi,
    functionName: "keyServiceKeyOf",
    args: [validator],
  });
  return { publicKey, setAt, attested };
}
