/**
 * The on-chain revocation lists of the AttestationRegistry (docs/contracts.md "Revocation"): how a
 * platform entry is encoded as (kind, bytes32 value), and reading whether a subject or a platform is
 * revoked. The node, the CLI and the indexer share these encodings.
 */
import { keccak256, parseEventLogs, stringToBytes, type Address, type Hex } from "viem";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import { teeKindCode } from "@keepledger/sdk/internal/ids/index";
import { IDS_CODES } from "@keepledger/sdk/internal/ids/codes";
import {
  PLATFORM_REVOCATION_KINDS,
  type PlatformEntry,
  type PlatformRevocationKind,
  type RevocationState,
} from "../policy/checkRevocations.ts";
import type { TeeKind } from "@keepledger/sdk/internal/kinds/index";
import type { Deployment } from "./deployment.ts";
import { attestationRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { sendContractCall, type ChainClients } from "./transactions.ts";

/** The on-chain code of a platform kind: 1 FMSPC, 2 AMD chip id, 3 AMD product line, 4 TEE kind. */
export function platformKindCode(kind: PlatformRevocationKind): number {
  return PLATFORM_REVOCATION_KINDS.indexOf(kind) + 1;
}

/** The platform kind of an on-chain code. */
export function platformKindFromCode(code: number): PlatformRevocationKind {
  const kind = PLATFORM_REVOCATION_KINDS[code - 1];
  if (!kind) throw new UsageError(IDS_CODES.IDS_FIELD_RANGE, `platform kind ${code} is not 1..4`, { details: { got: code } });
  return kind;
}

/**
 * The bytes32 value of a platform entry: the FMSPC's 6 bytes left-aligned; keccak256 of the 64-byte
 * CHIP_ID; keccak256 of the product line's lowercase name; the TEE kind's code.
 */
export function platformValue(entry: PlatformEntry): Hex {
  switch (entry.kind) {
    case "fmspc": {
      const fmspc = entry.value.toLowerCase().replace(/^0x/, "");
      if (!/^[0-9a-f]{12}$/.test(fmspc))
        throw new UsageError(IDS_CODES.IDS_FIELD_LENGTH, `FMSPC ${entry.value} is not 12 hex digits`, { details: { got: entry.value } });
      return `0x${fmspc}${"0".repeat(52)}`;
    }
    case "amdChipId": {
      const chip = entry.value.toLowerCase().replace(/^0x/, "");
      if (!/^[0-9a-f]{128}$/.test(chip))
        throw new UsageError(IDS_CODES.IDS_FIELD_LENGTH, `CHIP_ID ${entry.value} is not 64 bytes of hex`, {
          details: { got: entry.value },
        });
      return keccak256(`0x${chip}`);
    }
    case "amdProductLine":
      return keccak256(stringToBytes(entry.value.toLowerCase()));
    case "tee":
      return `0x${teeKindCode(entry.value as TeeKind)
        .toString(16)
        .padStart(64, "0")}`;
  }
}

/** Reads whether the subject is revoked in the workload and which of the platform entries are revoked, from the contract's views now. */
export async function readRevocations(
  clients: Pick<ChainClients, "publicClient">,
  deployment: Deployment,
  subject: Address,
  workloadId: Hex,
  entries: readonly PlatformEntry[],
): Promise<RevocationState> {
  const address = deployment.contracts.attestationRegistry;
  const [subjectRevoked, ...revokedAt] = await Promise.all([
    clients.publicClient.readContract({
      address,
      abi: attestationRegistryAbi,
      functionName: "isSubjectRevoked",
      args: [subject, workloadId],
    }),
    ...entries.map((e) =>
      clients.publicClient.readContract({
        address,
        abi: attestationRegistryAbi,
        functionName: "platformRevokedAt",
        args: [platformKindCode(e.kind), platformValue(e)],
      }),
    ),
  ]);
  return { subjectRevoked: subjectRevoked as boolean, revokedPlatforms: entries.filter((_, i) => (revokedAt[i] as bigint) !== 0n) };
}

const LIST_EVENTS = ["SubjectRevoked", "SubjectRevocationLifted", "PlatformRevoked", "PlatformRevocationLifted"] as const;
const LIST_EVENT_ABI = attestationRegistryAbi.filter((i) => i.type === "event" && (LIST_EVENTS as readonly string[]).includes(i.name));
const ZERO32: Hex = `0x${"00".repeat(32)}`;

export interface RevocationLog {
  eventName: string;
  args: Record<string, unknown>;
}

/**
 * The subject and platform revocation lists as the AttestationRegistry's events build them, kept by a
 * node (src/node/chain/chainState.ts) so that an appraisal needs no RPC: apply every SubjectRevoked,
 * SubjectRevocationLifted, PlatformRevoked and PlatformRevocationLifted in log order.
 */
export class RevocationLists {
  readonly #subjects = new Set<string>();
  readonly #platforms = new Set<string>();

  apply(log: RevocationLog): void {
    const a = log.args;
    switch (log.eventName) {
      case "SubjectRevoked":
        this.#subjects.add(subjectKey(a.subject as Address, a.workloadId as Hex));
        break;
      case "SubjectRevocationLifted":
        this.#subjects.delete(subjectKey(a.subject as Address, a.workloadId as Hex));
        break;
      case "PlatformRevoked":
        this.#platforms.add(`${Number(a.kind)}:${(a.value as Hex).toLowerCase()}`);
        break;
      case "PlatformRevocationLifted":
        this.#platforms.delete(`${Number(a.kind)}:${(a.value as Hex).toLowerCase()}`);
        break;
    }
  }

  /** What the lists say about a subject in a workload and the evidence's platform entries. */
  state(subject: Address, workloadId: Hex, entries: readonly PlatformEntry[]): RevocationState {
    const subjectRevoked = this.#subjects.has(subjectKey(subject, ZERO32)) || this.#subjects.has(subjectKey(subject, workloadId));
    return {
      subjectRevoked,
      revokedPlatforms: entries.filter((e) => this.#platforms.has(`${platformKindCode(e.kind)}:${platformValue(e)}`)),
    };
  }
}

function subjectKey(subject: Address, workloadId: Hex): string {
  return `${subject.toLowerCase()}|${workloadId.toLowerCase()}`;
}

/** The revocation-list events of blocks fromBlock..toBlock, in log order. */
export async function readRevocationLogs(
  clients: Pick<ChainClients, "publicClient">,
  deployment: Deployment,
  fromBlock: bigint,
  toBlock: bigint,
): Promise<RevocationLog[]> {
  const logs = await clients.publicClient.getLogs({
    address: deployment.contracts.attestationRegistry,
    events: LIST_EVENT_ABI,
    fromBlock,
    toBlock,
  });
  return parseEventLogs({ abi: attestationRegistryAbi, logs }).map((l) => ({
    eventName: l.eventName,
    args: l.args as unknown as Record<string, unknown>,
  }));
}

export interface RevocationTx {
  hash: Hex;
  gasUsed: bigint;
}

async function send(clients: ChainClients, deployment: Deployment, functionName: string, args: readonly unknown[]): Promise<RevocationTx> {
  const sent = await sendContractCall(clients, {
    address: deployment.contracts.attestationRegistry,
    abi: attestationRegistryAbi,
    functionName,
    args,
  } as never);
  return { hash: sent.hash, gasUsed: sent.receipt.gasUsed };
}

/** Revokes a subject in one workload (GOVERNOR_ROLE). */
export function revokeSubject(
  clients: ChainClients,
  deployment: Deployment,
  subject: Address,
  workloadId: Hex,
  reason: string,
): Promise<RevocationTx> {
  return send(clients, deployment, "revokeSubject", [subject, workloadId, reason]);
}

/** Revokes a subject in every workload, writing the per-workload revocation for the workloads listed. */
export function revokeSubjectEverywhere(
  clients: ChainClients,
  deployment: Deployment,
  subject: Address,
  workloadIds: readonly Hex[],
  reason: string,
): Promise<RevocationTx> {
  return send(clients, deployment, "revokeSubjectEverywhere", [subject, workloadIds, reason]);
}

/** Lifts a subject revocation in one workload, or (workloadId 0) the revocation in every workload. */
export function liftSubjectRevocation(
  clients: ChainClients,
  deployment: Deployment,
  subject: Address,
  workloadId: Hex,
): Promise<RevocationTx> {
  return send(clients, deployment, "liftSubjectRevocation", [subject, workloadId]);
}

/** Revokes up to 256 verdicts by id. */
export function revokeVerdicts(
  clients: ChainClients,
  deployment: Deployment,
  verdictIds: readonly Hex[],
  reason: string,
): Promise<RevocationTx> {
  return send(clients, deployment, "revokeVerdicts", [verdictIds, reason]);
}

/** Puts a platform on the revocation list. */
export function revokePlatform(clients: ChainClients, deployment: Deployment, entry: PlatformEntry, reason: string): Promise<RevocationTx> {
  return send(clients, deployment, "revokePlatform", [platformKindCode(entry.kind), platformValue(entry), reason]);
}

/** Takes a platform off the revocation list. */
export function liftPlatformRevocation(clients: ChainClients, deployment: Deployment, entry: PlatformEntry): Promise<RevocationTx> {
  return send(clients, deployment, "liftPlatformRevocation", [platformKindCode(entry.kind), platformValue(entry)]);
}
