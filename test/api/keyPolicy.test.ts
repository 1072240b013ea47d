/**
 * A key's release policy in GraphQL follows the contract's (releasePolicyOf / pendingReleasePolicyOf) on
 * SQLite and PostgreSQL: a loosening is pending until the policy delay passes, then in force without any
 * event (resolved at read time, and back in time as it was), and a policy scheduled after a pending one
 * came into force promotes it first, as the contract does. In-process chain, real contracts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, keccak256, stringToBytes, type Address, type Hex } from "viem";
import { createRegistryApi, type RegistryApi } from "../../src/api/createRegistryApi.ts";
import { deployKeepledger } from "../../src/chain/deployKeepledger.ts";
import type { Deployment } from "../../src/chain/deployment.ts";
import { keyRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { connectInProcessChain, type InProcessChain } from "../../src/chain/inProcessChain.ts";
import { createKeyOnChain, setKeyServiceKey, setReleasePolicy, type ReleasePolicy } from "../../src/chain/keyRegistry.ts";
import type { ChainClients } from "../../src/chain/transactions.ts";
import { bootstrapValidator } from "../../src/chain/validators.ts";
import { registerWorkload } from "../../src/chain/workloads.ts";
import { TCB_STATUS_CODES, tcbStatusesOfMask } from "@keepledger/sdk/internal/ids/index";
import { createIndexer, type Indexer } from "../../src/indexer/Indexer.ts";
import { TEST_DATABASES } from "../support/databases.ts";

const POLICY_DELAY = 600n;
const ZERO32: Hex = `0x${"00".repeat(32)}`;
const UP_TO_DATE = 1 << TCB_STATUS_CODES.UpToDate;
const NOT_APPLICABLE = 1 << TCB_STATUS_CODES.NotApplicable;

let chain: InProcessChain;
let deployment: Deployment;
let owner: ChainClients;
let keyId: Hex;
let second: Hex;
let third: Hex;
/** Blocks of notable moments. */
const at: Record<string, number> = {};

async function block(): Promise<number> {
  // getBlockNumber is cached by viem for a few seconds; the block itself is not.
  return Number((await chain.publicClient.getBlock()).number);
}

/** The contract's view at a block: the policy in force and the pending one (null when none). */
async function onChain(blockNumber: number): Promise<{ inForce: ReleasePolicy; pending: ReleasePolicy | null }> {
  const read = (functionName: "releasePolicyOf" | "pendingReleasePolicyOf") =>
    chain.publicClient.readContract({
      address: deployment.contracts.keyRegistry!,
      abi: keyRegistryAbi,
      functionName,
      args: [keyId],
      blockNumber: BigInt(blockNumber),
    }) as Promise<readonly [ReleasePolicy, bigint]>;
  const [inForce] = await read("releasePolicyOf");
  const [pending, pendingAt] = await read("pendingReleasePolicyOf");
  const now = (await chain.publicClient.getBlock({ blockNumber: BigInt(blockNumber) })).timestamp;
  return { inForce, pending: pendingAt === 0n || pendingAt <= now ? null : pending };
}

beforeAll(async () => {
  chain = await connectInProcessChain();
  const [o, v1, v2] = chain.accounts.map((a) => getAddress(a)) as [Address, Address, Address];
  owner = { publicClient: chain.publicClient, walletClient: chain.walletClient(o) };
  ({ deployment } = await deployKeepledger(owner, { devPoliciesAllowed: true, policyDelay: POLICY_DELAY }));
  const keyRegistry = deployment.contracts.keyRegistry!;
  const workload = (await registerWorkload(owner, deployment, "keys", "")).workloadId;
  second = (await registerWorkload(owner, deployment, "partner", "")).workloadId;
  third = (await registerWorkload(owner, deployment, "auditor", "")).workloadId;
  for (const [i, v] of [v1, v2].entries()) {
    await bootstrapValidator(owner, deployment, { address: v, endpoint: `https://v${i}.example`, loggingProfile: "production" });
    await setKeyServiceKey(
      { publicClient: chain.publicClient, walletClient: chain.walletClient(v) },
      keyRegistry,
      keccak256(stringToBytes(`ks ${i}`)),
    );
  }
  ({ keyId } = await createKeyOnChain(owner, keyRegistry, {
    workloadId: workload,
    name: "k",
    policy: { secondWorkloadId: ZERO32, acceptedTcbStatuses: UP_TO_DATE | NOT_APPLICABLE, allowDebug: false },
    threshold: 2,
    shareholders: [v1, v2],
    shareHashes: [keccak256(stringToBytes("s1")), keccak256(stringToBytes("s2"))],
  }));
  at.created = await block();
  // Loosening: a second workload waits for the policy delay.
  await setReleasePolicy(owner, keyRegistry, keyId, {
    secondWorkloadId: second,
    acceptedTcbStatuses: UP_TO_DATE | NOT_APPLICABLE,
    allowDebug: false,
  });
  at.pending = await block();
  await chain.increaseTime(POLICY_DELAY + 1n);
  at.inForce = await block();
  // Another loosening (a different second workload) after the first came into force: the contract promotes
  // the first, then schedules this one.
  await setReleasePolicy(owner, keyRegistry, keyId, {
    secondWorkloadId: third,
    acceptedTcbStatuses: UP_TO_DATE | NOT_APPLICABLE,
    allowDebug: false,
  });
  at.promoted = await block();
}, 120_000);
afterAll(() => chain?.close());

describe.each(TEST_DATABASES)("a key's release policy on $name", (store) => {
  let api: RegistryApi;
  let indexer: Indexer;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const opened = await store.open();
    drop = opened.drop;
    indexer = await createIndexer({ db: opened.db, chain: chain.provider, deployment });
    await indexer.catchUp();
    api = createRegistryApi({ db: opened.db, chain: chain.provider });
  });
  afterAll(() => drop());

  const FIELDS = "secondWorkloadId acceptedTcbStatuses allowDebug pendingSecondWorkloadId pendingAcceptedTcbStatuses pendingAllowDebug";
  const keyAt = async (blockNumber: number) => {
    const r = await api.execute(`{ key(id: "${keyId}", block: { number: ${blockNumber} }) { ${FIELDS} } }`);
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    return (r.data as { key: Record<string, unknown> }).key;
  };
  const asGraphql = (p: ReleasePolicy | null, prefix: "" | "pending") => {
    const name = (f: string) => (prefix ? `pending${f.charAt(0).toUpperCase()}${f.slice(1)}` : f);
    return {
      [name("secondWorkloadId")]: p === null || p.secondWorkloadId === ZERO32 ? null : p.secondWorkloadId.toLowerCase(),
      [name("acceptedTcbStatuses")]: p === null ? null : tcbStatusesOfMask(p.acceptedTcbStatuses),
      [name("allowDebug")]: p === null ? null : p.allowDebug,
    };
  };

  it.each(["created", "pending", "inForce", "promoted"])(
    "matches releasePolicyOf and pendingReleasePolicyOf at the block %s",
    async (moment) => {
      const n = at[moment]!;
      const { inForce, pending } = await onChain(n);
      const key = await keyAt(n);
      expect(key).toEqual({ ...asGraphql(inForce, ""), ...asGraphql(pending, "pending") });
    },
  );

  it("walks through the states the contract went through", async () => {
    expect((await keyAt(at.pending!)).pendingSecondWorkloadId).toBe(second.toLowerCase());
    expect((await keyAt(at.pending!)).secondWorkloadId).toBeNull();
    // No event at the delay's end: the API resolves it from the block's time.
    expect(await keyAt(at.inForce!)).toMatchObject({ secondWorkloadId: second.toLowerCase(), pendingSecondWorkloadId: null });
    expect(await keyAt(at.promoted!)).toMatchObject({
      secondWorkloadId: second.toLowerCase(),
      pendingSecondWorkloadId: third.toLowerCase(),
    });
  });
});
