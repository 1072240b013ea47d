/**
 * The on-chain record of a verdict, from events alone: its VerdictFinalized event, or the
 * VerdictGroupFinalized event of the batch that holds it (with the batch's signers and every group, to
 * re-derive the batch root).
 */
import { getAddress, pad, toEventSelector, type Abi, type AbiEvent, type Address, type Hex } from "viem";
import type { Deployment } from "../chain/deployment.ts";
import { attestationRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { batchLeaves, batchRoot, expandVerdictGroups, type Verdict, type VerdictGroup } from "@keepledger/sdk/internal/ids/index";
import { headBlockNumber, type ChainSource } from "../indexer/chainSource.ts";
import { createLogDecoder, type DecodedLog } from "../indexer/decodeLogs.ts";
import { toHex } from "@keepledger/sdk/internal/util/bytes";
import { scanLogs } from "./scanLogs.ts";

export interface VerdictRecord {
  verdictId: Hex;
  verdict: Verdict;
  measurementSerial: number;
  /** The validators that signed it (for a batched verdict: the batch's signers). */
  signers: Address[];
  blockNumber: number;
  txHash: Hex;
  kind: "single" | "batched";
  batch?: {
    id: Hex;
    count: number;
    leafIndex: number;
    /** Every leaf of the batch, in order, re-derived from its VerdictGroupFinalized events. */
    leaves: Hex[];
    /** Whether a VerdictMaterialized event stored it for isAttested. */
    materialized: boolean;
  };
}

export function eventTopic(abi: Abi, name: string): Hex {
  const item = abi.find((i): i is AbiEvent => i.type === "event" && i.name === name);
  if (!item) throw new Error(`no event ${name}`);
  return toEventSelector(item);
}

interface GroupArgs {
  batchId: Hex;
  firstLeaf: number;
  groupIndex: number;
  measurementSerial: number;
  group: VerdictGroup;
}

function verdictOf(t: Verdict): Verdict {
  return {
    workloadId: t.workloadId.toLowerCase() as Hex,
    measurementHash: t.measurementHash.toLowerCase() as Hex,
    tee: Number(t.tee),
    tcbStatus: Number(t.tcbStatus),
    subject: getAddress(t.subject),
    evidenceHash: t.evidenceHash.toLowerCase() as Hex,
    collateralHash: t.collateralHash.toLowerCase() as Hex,
    issuedAt: BigInt(t.issuedAt),
    expiresAt: BigInt(t.expiresAt),
    freshnessBlock: BigInt(t.freshnessBlock),
  };
}

function expand(args: GroupArgs): { id: Hex; tuple: Verdict; leaf: number }[] {
  const ids = batchLeaves([args.group]).map(toHex);
  return expandVerdictGroups([args.group]).map((tuple, i) => ({ id: ids[i]!, tuple, leaf: Number(args.firstLeaf) + i }));
}

export interface FindVerdictRecordOptions {
  /** The verdict's workload, when known (the evidence store's link has it): narrows the batch scan. */
  workloadId?: Hex;
}

/** The record of `verdictId`, or undefined when no event of the deployment carries it. */
export async function findVerdictRecord(
  chain: ChainSource,
  deployment: Deployment,
  verdictId: Hex,
  options: FindVerdictRecordOptions = {},
): Promise<VerdictRecord | undefined> {
  const registry = deployment.contracts.attestationRegistry;
  const decoder = createLogDecoder(deployment);
  const fromBlock = Number(deployment.deployBlock);
  const toBlock = await headBlockNumber(chain);
  const id = verdictId.toLowerCase() as Hex;
  const decode = (logs: Awaited<ReturnType<typeof scanLogs>>) =>
    logs.map((l) => decoder.decode(l)).filter((l): l is DecodedLog => l !== null);

  const singles = decode(
    await scanLogs(chain, { address: registry, topics: [eventTopic(attestationRegistryAbi, "VerdictFinalized"), id], fromBlock, toBlock }),
  );
  const single = singles[0];
  if (single) {
    return {
      verdictId: id,
      verdict: verdictOf(single.args.verdict as Verdict),
      measurementSerial: Number(single.args.measurementSerial),
      signers: (single.args.signers as Address[]).map((a) => getAddress(a)),
      blockNumber: single.blockNumber,
      txHash: single.txHash,
      kind: "single",
    };
  }

  const groupTopic = eventTopic(attestationRegistryAbi, "VerdictGroupFinalized");
  const groups = decode(
    await scanLogs(chain, {
      address: registry,
      topics: [groupTopic, null, options.workloadId ? pad(options.workloadId.toLowerCase() as Hex) : null],
      fromBlock,
      toBlock,
    }),
  );
  for (const g of groups) {
    const hit = expand(g.args as unknown as GroupArgs).find((x) => x.id === id);
    if (!hit) continue;
    const batchId = (g.args.batchId as Hex).toLowerCase() as Hex;
    const batchLogs = decode(await scanLogs(chain, { address: registry, topics: [null, batchId], fromBlock: g.blockNumber, toBlock }));
    const finalized = batchLogs.find((l) => l.eventName === "BatchFinalized");
    const leaves = batchLogs
      .filter((l) => l.eventName === "VerdictGroupFinalized")
      .sort((a, b) => Number(a.args.groupIndex) - Number(b.args.groupIndex))
      .flatMap((l) => expand(l.args as unknown as GroupArgs).map((x) => x.id));
    const materialized =
      (
        await scanLogs(chain, {
          address: registry,
          topics: [eventTopic(attestationRegistryAbi, "VerdictMaterialized"), id],
          fromBlock: g.blockNumber,
          toBlock,
        })
      ).length > 0;
    return {
      verdictId: id,
      verdict: verdictOf(hit.tuple),
      measurementSerial: Number(g.args.measurementSerial),
      signers: ((finalized?.args.signers as Address[] | undefined) ?? []).map((a) => getAddress(a)),
      blockNumber: g.blockNumber,
      txHash: g.txHash,
      kind: "batched",
      batch: { id: batchId, count: Number(finalized?.args.count ?? leaves.length), leafIndex: hit.leaf, leaves, materialized },
    };
  }
  return undefined;
}

/** Whether the leaves re-derived from the batch's groups have the batch id as their Merkle root. */
export function batchRootMatches(record: VerdictRecord): boolean {
  if (!record.batch || record.batch.leaves.length === 0) return false;
  return batchRoot(record.batch.leaves) === record.batch.id && record.batch.leaves[record.batch.leafIndex] === record.verdictId;
}
