/**
 * Asking peers for signatures until the threshold is met: the collector asks as many peers as it still
 * needs, in parallel; each refusal, timeout or bad signature makes it ask the next peer at once, and when
 * answers are slow it hedges with one more peer every `hedgeAfterMs`. It stops at the first moment it has
 * enough valid signatures. A signature counts only if it recovers to the address of the peer that was
 * asked (a lying peer that signs other fields is discarded).
 */
import type { Address, Hex } from "viem";
import type { ValidatorView } from "../chain/chainState.ts";
import type { PeerAnswer } from "../peer/peerClient.ts";
import type { PeerRefusal } from "../peer/peerProtocol.ts";

export interface CollectOptions {
  /** Peers to ask, in order of preference (counting validators with endpoints, self excluded). */
  peers: readonly ValidatorView[];
  /** How many more signatures are needed. */
  need: number;
  ask(peer: ValidatorView): Promise<PeerAnswer>;
  /** The digest the signatures must be over. */
  digest: Hex;
  recover(digest: Hex, signature: Hex): Promise<Address | undefined>;
  hedgeAfterMs: number;
  /** Each valid signature as it arrives (to store it before anything else happens). */
  onSignature?(peer: Address, signature: Hex): Promise<void> | void;
}

export interface CollectResult {
  signatures: Array<{ signer: Address; signature: Hex }>;
  refusals: Array<{ peer: Address; refusal: PeerRefusal }>;
  /** Peers that did not answer, or answered with a signature that was not theirs over this digest. */
  failed: Array<{ peer: Address; reason: string }>;
  asked: number;
}

export function collectSignatures(o: CollectOptions): Promise<CollectResult> {
  const result: CollectResult = { signatures: [], refusals: [], failed: [], asked: 0 };
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
        const signer = await o.recover(o.digest, answer.answer.signature);
        if (signer === peer.address) {
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
        result.failed.push({ peer: peer.address, reason: signer === undefined ? "the signature does not recover" : `signed by ${signer} or over other fields` });
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
