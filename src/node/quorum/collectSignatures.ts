/**
 * Asking peers for signatures until the threshold is met: the collector asks as many peers as it still
 * needs, in parallel; each refusal, timeout or bad signature makes it ask the next peer at once, and when
 * answers are slow it hedges with one more peer every `hedgeAfterMs`. It stops at the first moment it has
 * enough valid signatures. A signature counts only if `check` accepts it — as the contract will: canonical
 * form, recovering to the peer that was asked, a validator that counts now (checkPeerSignature.ts). Any
 * other signature is dropped, its peer reported faulty, and the next peer asked.
 */
import type { Address, Hex } from "viem";
import type { ValidatorView } from "../chain/chainState.ts";
import type { PeerAnswer } from "../peer/peerClient.ts";
import type { PeerRefusal } from "../peer/peerProtocol.ts";
import type { SignatureCheck } from "./checkPeerSignature.ts";

export interface CollectOptions {
  /** Peers to ask, in order of preference (counting validators with endpoints, self excluded). */
  peers: readonly ValidatorView[];
  /** How many more signatures are needed. */
  need: number;
  ask(peer: ValidatorView): Promise<PeerAnswer>;
  /** Checks a peer's signature as the contract will (over the digest of what was proposed). */
  check(peer: Address, signature: Hex): SignatureCheck;
  hedgeAfterMs: number;
  /** Each valid signature as it arrives (to store it before anything else happens). */
  onSignature?(peer: Address, signature: Hex): Promise<void> | void;
  /** Each signature dropped because the contract would refuse it (metrics, logs). */
  onFaulty?(peer: Address, fault: Extract<SignatureCheck, { ok: false }>): void;
}

export interface CollectResult {
  signatures: Array<{ signer: Address; signature: Hex }>;
  refusals: Array<{ peer: Address; refusal: PeerRefusal }>;
  /** Peers that did not answer (or not with a signature nor a refusal). */
  failed: Array<{ peer: Address; reason: string }>;
  /** Peers that answered with a signature the contract would refuse: dropped. */
  faulty: Array<{ peer: Address; code: string; reason: string }>;
  asked: number;
}

export function collectSignatures(o: CollectOptions): Promise<CollectResult> {
  const result: CollectResult = { signatures: [], refusals: [], failed: [], faulty: [], asked: 0 };
  if (o.need <= 0) return Promise.resolve(result);
  return new Promise<CollectResult>((resolve) => {
    const queue = [...o.peers];
    let inFlight = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearInterval(hedge);
      resolve(result);
    };
    const launch = (count: number) => {
      for (let i = 0; i < count && queue.length > 0 && !done; i++) {
        const peer = queue.shift()!;
        inFlight++;
        result.asked++;
        void settle(peer);
      }
      if (inFlight === 0 && queue.length === 0) finish();
    };
    const settle = async (peer: ValidatorView) => {
      let answer: PeerAnswer;
      try {
        answer = await o.ask(peer);
      } catch (error) {
        answer = { kind: "unreachable", reason: error instanceof Error ? error.message : String(error) };
      }
      inFlight--;
      if (done) return;
      if (answer.kind === "signed") {
        const checked = o.check(peer.address, answer.answer.signature);
        if (checked.ok) {
          const { signer } = checked;
          result.signatures.push({ signer, signature: answer.answer.signature });
          try {
            await o.onSignature?.(signer, answer.answer.signature);
          } catch {
            // Persisting failed: the signature still counts for this attempt.
          }
          if (result.signatures.length >= o.need) return finish();
          if (inFlight === 0 && queue.length === 0) finish();
          return;
        }
        result.faulty.push({ peer: peer.address, code: checked.code, reason: checked.reason });
        try {
          o.onFaulty?.(peer.address, checked);
        } catch {
          // Reporting must not stop the collection.
        }
      } else if (answer.kind === "refused") {
        result.refusals.push({ peer: peer.address, refusal: answer.refusal });
      } else {
        result.failed.push({ peer: peer.address, reason: answer.reason });
      }
      launch(1);
    };
    const hedge = setInterval(() => launch(1), o.hedgeAfterMs);
    hedge.unref();
    launch(o.need);
  });
}
