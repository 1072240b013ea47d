/**
 * The quorum steps both state machines take: which peers to ask (rotated for load), whose stored
 * signatures count, how a peer's signature is checked, when refusals make the threshold unreachable, and
 * the bookkeeping of peer answers (requests, reachability, faults).
 */
import { getAddress, type Address, type Hex } from "viem";
import type { ValidatorSetView, ValidatorView } from "../chain/chainState.ts";
import { NODE_CODES } from "../codes.ts";
import type { PeerRefusal } from "../peer/peerProtocol.ts";
import type { CollectResult } from "../quorum/collectSignatures.ts";
import { checkPeerSignature, signatureFormProblem, type SignatureCheck } from "../quorum/checkPeerSignature.ts";
import type { OutboxOptions } from "./outboxTypes.ts";

/** Peer refusals that may turn into signatures later (the peer's chain view lags, its cache is stale). */
const TRANSIENT_REFUSALS: ReadonlySet<string> = new Set<string>([
  NODE_CODES.NODE_FRESHNESS_BLOCK_UNCONFIRMED,
  NODE_CODES.NODE_FRESHNESS_BLOCK_UNKNOWN,
  NODE_CODES.NODE_PEER_ISSUED_AT_SKEW,
  NODE_CODES.NODE_VALIDATOR_CONTEXT_UNKNOWN,
  NODE_CODES.NODE_UNKNOWN_WORKLOAD,
]);

/**
 * Whether a peer's refusal stands for good. A transient one may turn into a signature later — except an
 * issuedAt skew where the peer's chain time is already past the proposed issuedAt: chain time only moves
 * forward, so that verdict is too old for the peer now and ever after (its owner must appraise anew).
 * The details come from the peer, like the refusal itself: a peer that lies can only refuse, as it could anyway.
 */
export function isDefinitive(refusal: PeerRefusal): boolean {
  const { code, details } = refusal.error;
  if (code === NODE_CODES.NODE_PEER_ISSUED_AT_SKEW) {
    const issuedAt = chainSeconds(details?.issuedAt);
    const now = chainSeconds(details?.now);
    return issuedAt !== undefined && now !== undefined && now > issuedAt;
  }
  return !TRANSIENT_REFUSALS.has(code);
}

/** A chain time a peer reported (a decimal string, as errors serialize bigints, or a safe integer). */
function chainSeconds(value: unknown): bigint | undefined {
  if (typeof value === "string" && /^\d{1,20}$/.test(value)) return BigInt(value);
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  return undefined;
}

export class OutboxQuorum {
  readonly #o: OutboxOptions;
  #rotation = 0;
  /** Whether each peer answered the last request sent to it (for the peers_reachable gauge). */
  readonly #reachable = new Map<Address, boolean>();

  constructor(options: OutboxOptions) {
    this.#o = options;
  }

  #counting(view: ValidatorSetView): (signer: Address) => boolean {
    return (signer) => view.validators.get(getAddress(signer))?.counting === true;
  }

  /** Peers worth asking: counting, with an endpoint, not this node, not already signed; rotated for load. */
  peersToAsk(view: ValidatorSetView, signed: ReadonlySet<string>): ValidatorView[] {
    const peers = [...view.validators.values()].filter(
      (v) => v.counting && v.endpoint !== "" && v.address !== this.#o.signer.address && !signed.has(v.address),
    );
    const start = peers.length === 0 ? 0 : this.#rotation++ % peers.length;
    return [...peers.slice(start), ...peers.slice(0, start)];
  }

  /**
   * Whether definitive refusals make the threshold unreachable: of the C counting validators, those that
   * refused for good can never sign, so at most C − refusals signatures exist.
   */
  quorumRefused(view: ValidatorSetView, result: CollectResult): boolean {
    const definitive = new Set(result.refusals.filter((r) => isDefinitive(r.refusal)).map((r) => r.peer));
    const counting = [...view.validators.values()].filter((v) => v.counting).length;
    return definitive.size > 0 && counting - definitive.size < view.threshold;
  }

  /**
   * A usable set of stored signatures: from counting validators only, in the form the contract accepts
   * (a stored signature was checked when it arrived; the form is checked again, cheaply, so that nothing
   * stored before that check existed can make the chain refuse the finalization).
   */
  async countingSignatures(subjectId: Hex, view: ValidatorSetView) {
    const counts = this.#counting(view);
    return (await this.#o.store.signatures(subjectId)).filter(
      (s) => counts(s.signer as Address) && signatureFormProblem(s.signature) === undefined,
    );
  }

  /** Checks each peer's signature over `digest` as the contract will, against the validator set in `view`. */
  checker(digest: Hex, view: ValidatorSetView): (peer: Address, signature: Hex) => SignatureCheck {
    const counts = this.#counting(view);
    return (peer, signature) => checkPeerSignature({ digest, signature, expected: peer, counts });
  }

  /** A peer answered with a signature the contract would refuse: dropped, and the peer counted faulty. */
  faulty(peer: Address, fault: Extract<SignatureCheck, { ok: false }>, subject: { verdictId?: Hex; batchId?: Hex }): void {
    this.#o.metrics.peerFaults.inc({ peer, code: fault.code });
    this.#o.log.warn("dropped a peer's signature the contract would refuse; the peer is faulty", {
      peer,
      code: fault.code,
      reason: fault.reason,
      ...subject,
    });
  }

  /**
   * A peer sent this node a request: whether the last request to it had failed (it is back now). It is
   * counted reachable again until a request to it fails.
   */
  heardFrom(peer: Address): boolean {
    const address = getAddress(peer);
    if (this.#reachable.get(address) !== false) return false;
    this.#reachable.set(address, true);
    this.#o.metrics.peersReachable.set([...this.#reachable.values()].filter(Boolean).length);
    return true;
  }

  async askPeer(peer: ValidatorView, path: "/v1/peer/sign" | "/v1/peer/sign-batch", body: unknown) {
    const answer = await this.#o.peers.post(peer, path, body);
    this.#o.metrics.peerRequests.inc({ peer: peer.address, outcome: answer.kind });
    this.#reachable.set(peer.address, answer.kind !== "unreachable");
    this.#o.metrics.peersReachable.set([...this.#reachable.values()].filter(Boolean).length);
    return answer;
  }
}
