/**
 * Decoding the contracts' logs (the three core ones and, when deployed, the KeyRegistry): a table from (contract, topic0) to the event's ABI, built once,
 * so each log costs one lookup and one ABI decode of its data (viem's decodeEventLog would re-hash
 * every event signature of the ABI per log, and checksum every address). Addresses come back lowercase.
 */
import { getAddress, toEventSelector, type Abi, type AbiEvent, type AbiParameter, type Hex } from "viem";
import type { Deployment } from "../chain/deployment.ts";
import {
  attestationRegistryAbi,
  cpakAllowListAbi,
  keyRegistryAbi,
  validatorSetAbi,
  workloadRegistryAbi,
} from "@keepledger/sdk/internal/chain/generated/index";
import { parametersDecoder, wordDecoder } from "./abiDecode.ts";

export type ContractName = "workloadRegistry" | "validatorSet" | "attestationRegistry" | "cpakAllowList" | "keyRegistry";

export const CONTRACT_ABIS: Record<ContractName, Abi> = {
  workloadRegistry: workloadRegistryAbi,
  validatorSet: validatorSetAbi,
  attestationRegistry: attestationRegistryAbi,
  cpakAllowList: cpakAllowListAbi,
  keyRegistry: keyRegistryAbi,
};

/** A log as eth_getLogs returns it. */
export interface RawLog {
  address: Hex;
  topics: Hex[];
  data: Hex;
  blockNumber: Hex;
  blockHash: Hex;
  transactionHash: Hex;
  logIndex: Hex;
  removed?: boolean;
}

export interface DecodedLog {
  contract: ContractName;
  address: Hex;
  eventName: string;
  args: Record<string, unknown>;
  /** The argument names in ABI order (GovernanceChange.data keeps this order). */
  argNames: string[];
  /** The argument ABI types, in the same order. */
  argTypes: string[];
  blockNumber: number;
  blockHash: Hex;
  txHash: Hex;
  logIndex: number;
  /** Values computed once per log before the handlers run (the verdict ids of a batch group). */
  derived?: { verdictIds?: string[] };
}

interface EventEntry {
  contract: ContractName;
  event: AbiEvent;
  /** Name and decoder of each indexed argument, in topic order. */
  topics: { name: string; decode: (w: string) => unknown }[];
  /** Names of the data arguments and their decoder (null: no data arguments). */
  dataNames: string[];
  decodeData: ((data: Hex) => unknown[]) | null;
  argNames: string[];
  argTypes: string[];
}

export interface LogDecoder {
  /** The contract addresses to ask eth_getLogs for. */
  addresses: Hex[];
  /** The decoded log, or null for a log of another contract or an event not in the ABIs. */
  decode(log: RawLog): DecodedLog | null;
}

export function createLogDecoder(deployment: Deployment): LogDecoder {
  const byAddress = new Map<string, Map<string, EventEntry>>();
  for (const contract of Object.keys(CONTRACT_ABIS) as ContractName[]) {
    // A deployment made before the CpakAllowList or the KeyRegistry was deployed with the rest has none.
    const address = deployment.contracts[contract];
    if (address === undefined) continue;
    const table = new Map<string, EventEntry>();
    for (const item of CONTRACT_ABIS[contract]) {
      if (item.type !== "event" || item.anonymous) continue;
      const indexed = item.inputs.filter((i) => i.indexed);
      const data: AbiParameter[] = item.inputs.filter((i) => !i.indexed);
      table.set(toEventSelector(item).toLowerCase(), {
        contract,
        event: item,
        topics: indexed.map((param, i) => ({ name: param.name ?? `arg${i}`, decode: wordDecoder(param.type) })),
        dataNames: data.map((param, i) => param.name ?? `data${i}`),
        decodeData: data.length > 0 ? parametersDecoder(data) : null,
        argNames: item.inputs.map((p, i) => p.name ?? `arg${i}`),
        argTypes: item.inputs.map((p) => p.type),
      });
    }
    byAddress.set(getAddress(address).toLowerCase(), table);
  }
  return {
    addresses: [...byAddress.keys()] as Hex[],
    decode(log) {
      const table = byAddress.get(log.address.toLowerCase());
      const topic0 = log.topics[0]?.toLowerCase();
      const entry = table && topic0 ? table.get(topic0) : undefined;
      if (!entry) return null;
      const args: Record<string, unknown> = {};
      for (let i = 0; i < entry.topics.length; i++) {
        const topic = log.topics[i + 1];
        if (topic === undefined) throw new Error(`${entry.event.name}: missing topic ${i + 1}`);
        args[entry.topics[i]!.name] = entry.topics[i]!.decode(topic.slice(2));
      }
      if (entry.decodeData) {
        const values = entry.decodeData(log.data);
        for (let i = 0; i < entry.dataNames.length; i++) args[entry.dataNames[i]!] = values[i];
      }
      return {
        contract: entry.contract,
        address: log.address.toLowerCase() as Hex,
        eventName: entry.event.name,
        args,
        argNames: entry.argNames,
        argTypes: entry.argTypes,
        blockNumber: Number(BigInt(log.blockNumber)),
        blockHash: log.blockHash.toLowerCase() as Hex,
        txHash: log.transactionHash.toLowerCase() as Hex,
        logIndex: Number(BigInt(log.logIndex)),
      };
    },
  };
}
