/**
 * On-chain attestation requests (contracts/AttestationRequests.sol): the node follows the
 * AttestationRequested events and processes each like an HTTP submission, with the node's own collateral
 * sources. To avoid duplicate work, request r is collected by the counting validator at index
 * r mod n (validators sorted by address); the others wait rank × takeoverAfterMs and take over only if no
 * verdict over that evidence was finalized meanwhile. Every validator issues the verdict at the request
 * block's timestamp, so a takeover proposes the very same verdict and a second finalization is a no-op.
 */
import { getAddress, parseEventLogs, type Address, type Hex } from "viem";
import { decodeAttestationRequests, type AttestationRequest } from "../../chain/attestationRequests.ts";
import { attestationRegistryAbi, attestationRequestsAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { chainError } from "../../chain/transactions.ts";
import { keccak256Hex } from "@keepledger/sdk/internal/util/keccak256";
import type { ChainState } from "../chain/chainState.ts";
import type { Intake } from "../intake/Intake.ts";
import type { NodeLogger } from "../logging/createNodeLogger.ts";
import type { NodeStore } from "../store/NodeStore.ts";

export interface OnchainRequestsOptions {
  address: Address;
  takeoverAfterMs: number;
  pollMs: number;
  chain: ChainState;
  intake: Intake;
  store: NodeStore;
  self: Address;
  log: NodeLogger;
}

interface PendingRequest {
  requestId: string;
  workloadId: Hex;
  evidence: Hex;
  publicKey: Hex;
  freshnessBlock: string;
  blockNumber: string;
  seenAt: number;
}

const CURSOR = "onchain.cursor";
const PENDING = "onchain.pending";

export class OnchainRequests {
  readonly #o: OnchainRequestsOptions;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #pending = new Map<string, PendingRequest>();
  readonly #handling = new Set<string>();

  constructor(options: OnchainRequestsOptions) {
    this.#o = options;
  }

  async start(): Promise<void> {
    const saved = (await this.#o.store.getState<PendingRequest[]>(PENDING)) ?? [];
    this.#pending = new Map(saved.map((p) => [p.requestId, p]));
    if ((await this.#o.store.getState<string>(CURSOR)) === undefined) {
      // First start: follow requests from now on (older ones were someone else's to serve).
      await this.#o.store.setState(CURSOR, this.#o.chain.head().number.toString());
    }
    this.#loop();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
  }

  #loop(): void {
    if (this.#stopped) return;
    this.#poll()
      .catch((error: unknown) => this.#o.log.warn("reading attestation requests failed", { err: error }))
      .finally(() => {
        if (!this.#stopped) this.#timer = setTimeout(() => this.#loop(), this.#o.pollMs);
      });
  }

  async #poll(): Promise<void> {
    const { chain, store } = this.#o;
    const cursor = BigInt((await store.getState<string>(CURSOR)) ?? "0");
    const head = chain.head().number;
    if (head > cursor) {
      let logs;
      try {
        logs = await chain.publicClient.getLogs({ address: this.#o.address, fromBlock: cursor + 1n, toBlock: head });
      } catch (error) {
        throw chainError(error, "reading AttestationRequested events");
      }
      for (const r of decodeAttestationRequests(parseEventLogs({ abi: attestationRequestsAbi, logs }))) this.#remember(r);
      await store.setState(PENDING, [...this.#pending.values()]);
      await store.setState(CURSOR, head.toString());
    }
    for (const p of this.#pending.values()) if (!this.#handling.has(p.requestId)) void this.#consider(p);
  }

  #remember(r: AttestationRequest): void {
    const key = r.requestId.toString();
    if (this.#pending.has(key)) return;
    this.#pending.set(key, {
      requestId: key,
      workloadId: r.workloadId,
      evidence: r.evidence,
      publicKey: r.publicKey,
      freshnessBlock: r.freshnessBlock.toString(),
      blockNumber: r.blockNumber.toString(),
      seenAt: Date.now(),
    });
    this.#o.log.info("attestation requested on-chain", {
      onchainRequestId: Number(r.requestId),
      workloadId: r.workloadId,
      blockNumber: Number(r.blockNumber),
    });
  }

  /** This node's turn: 0 for the designated collector, then 1, 2, … in address order after it. */
  async #rank(requestId: bigint): Promise<number> {
    const view = await this.#o.chain.validatorSet();
    const counting = [...view.validators.values()]
      .filter((v) => v.counting)
      .map((v) => v.address)
      .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    const mine = counting.indexOf(getAddress(this.#o.self));
    if (counting.length === 0 || mine < 0) return counting.length;
    const collector = Number(requestId % BigInt(counting.length));
    return (mine - collector + counting.length) % counting.length;
  }

  async #consider(p: PendingRequest): Promise<void> {
    this.#handling.add(p.requestId);
    try {
      const rank = await this.#rank(BigInt(p.requestId));
      const dueAt = p.seenAt + rank * this.#o.takeoverAfterMs;
      if (Date.now() < dueAt) return;
      if (rank > 0 && (await this.#alreadyFinalized(p))) return this.#done(p, "finalized by another validator");
      const evidence = new Uint8Array(Buffer.from(p.evidence.slice(2), "hex"));
      const block = await this.#o.chain.block(BigInt(p.blockNumber));
      if (!block) return;
      const unbound = p.publicKey === "0x";
      const result = await this.#o.intake.submit(
        {
          workloadId: p.workloadId,
          evidence,
          subjectPublicKey: unbound ? null : (`0x${p.publicKey.slice(2).replace(/^04(?=[0-9a-fA-F]{128}$)/, "")}` as Hex),
          freshnessBlock: BigInt(p.freshnessBlock),
          context: "keep",
          collateral: [],
        },
        "onchain",
        { issuedAt: block.timestamp },
      );
      if (result.outcome === "unavailable") return;
      await this.#done(p, result.outcome === "accepted" ? "accepted" : `refused: ${result.error.code}`);
    } catch (error) {
      this.#o.log.warn("could not process an on-chain attestation request", { onchainRequestId: Number(p.requestId), err: error });
    } finally {
      this.#handling.delete(p.requestId);
    }
  }

  async #done(p: PendingRequest, outcome: string): Promise<void> {
    this.#pending.delete(p.requestId);
    await this.#o.store.setState(PENDING, [...this.#pending.values()]);
    this.#o.log.info("on-chain attestation request handled", { onchainRequestId: Number(p.requestId), outcome: outcome.split(":")[0] });
  }

  /** Whether a verdict over this request's evidence was finalized since the request (single or batched). */
  async #alreadyFinalized(p: PendingRequest): Promise<boolean> {
    const evidenceHash = keccak256Hex(Buffer.from(p.evidence.slice(2), "hex"));
    const { publicClient, deployment } = this.#o.chain;
    try {
      const logs = await publicClient.getLogs({
        address: deployment.contracts.attestationRegistry,
        fromBlock: BigInt(p.blockNumber),
        toBlock: "latest",
      });
      const events = parseEventLogs({ abi: attestationRegistryAbi, logs });
      return events.some((e) => {
        if (e.eventName === "VerdictFinalized") return e.args.verdict.evidenceHash.toLowerCase() === evidenceHash;
        if (e.eventName === "VerdictGroupFinalized") return e.args.group.items.some((i) => i.evidenceHash.toLowerCase() === evidenceHash);
        return false;
      });
    } catch (error) {
      throw chainError(error, "looking for finalized verdicts");
    }
  }
}
