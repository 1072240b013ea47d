/** Authenticated HTTP requests to peer validators, with a timeout; answers sorted into signed, refused and unreachable. */
import type { Address } from "viem";
import type { PeerRequestSigner } from "./peerAuth.ts";
import type { PeerRefusal, PeerSignatureAnswer } from "./peerProtocol.ts";

export type PeerAnswer =
  | { kind: "signed"; answer: PeerSignatureAnswer }
  /** The peer appraised and said no (or found the request malformed): it will not change its mind. */
  | { kind: "refused"; status: number; refusal: PeerRefusal }
  /** Down, slow, overloaded or not ready: worth asking again later. */
  | { kind: "unreachable"; reason: string };

export interface PeerClient {
  /** Posts to `peer` (its validator address is the request's recipient) at its endpoint. */
  post(peer: { address: Address; endpoint: string }, path: "/v1/peer/sign" | "/v1/peer/sign-batch", body: unknown): Promise<PeerAnswer>;
}

export interface PeerClientOptions {
  auth: PeerRequestSigner;
  timeoutMs: number;
  fetch?: typeof globalThis.fetch;
}

export function createPeerClient(options: PeerClientOptions): PeerClient {
  const doFetch = options.fetch ?? globalThis.fetch;
  return {
    async post({ address, endpoint }, path, body) {
      const bytes = new Uint8Array(Buffer.from(JSON.stringify(body)));
      let response: Response;
      try {
        response = await doFetch(new URL(path, endpoint.endsWith("/") ? endpoint : `${endpoint}/`).toString(), {
          method: "POST",
          headers: { "content-type": "application/json", ...options.auth.headers(address, path, bytes) },
          body: bytes,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (error) {
        return { kind: "unreachable", reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
      }
      let json: unknown;
      try {
        json = await response.json();
      } catch {
        return { kind: "unreachable", reason: `HTTP ${response.status} without a JSON body` };
      }
      if (response.status === 200 && isSignature(json)) return { kind: "signed", answer: json };
      // 413: the body is larger than the peer accepts on this route; asking again will not change that.
      if ((response.status === 400 || response.status === 413 || response.status === 422) && isRefusal(json))
        return { kind: "refused", status: response.status, refusal: json };
      return { kind: "unreachable", reason: `HTTP ${response.status}${isRefusal(json) ? ` ${json.error.code}` : ""}` };
    },
  };
}

function isSignature(json: unknown): json is PeerSignatureAnswer {
  const j = json as Partial<PeerSignatureAnswer> | null;
  return (
    j !== null &&
    typeof j === "object" &&
    typeof j.signer === "string" &&
    typeof j.signature === "string" &&
    /^0x[0-9a-fA-F]{130}$/.test(j.signature)
  );
}

function isRefusal(json: unknown): json is PeerRefusal {
  const j = json as Partial<PeerRefusal> | null;
  return j !== null && typeof j === "object" && typeof j.error === "object" && j.error !== null && typeof j.error.code === "string";
}
