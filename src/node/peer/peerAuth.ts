/**
 * Authentication of peer requests, decided from the headers alone, before a byte of the body is read
 * (docs/node.md, "Peer authentication"). One header, `x-keepledger-peer-auth`, carries
 *
 *   v2 <sender public key> <recipient address> <nonce> <expiresAt ms> <body SHA-256> <body length> <signature>
 *
 * signed by the sender's validator key: ECDSA over secp256k1 with SHA-256 (node:crypto, a fraction of the
 * cost of an Ethereum key recovery) of
 *
 *   "keepledger.peer-auth.v2" ‖ 0 ‖ chainId ‖ 0 ‖ ValidatorSet ‖ 0 ‖ route ‖ 0 ‖ sender ‖ 0 ‖ recipient ‖ 0 ‖ nonce ‖ 0 ‖ expiresAt ‖ 0 ‖ bodyHash ‖ 0 ‖ length
 *
 * That is a domain of its own: verdict signatures are over keccak256(0x1901 ‖ EIP-712 domain ‖ struct),
 * a validator signs peer-auth messages only of this tagged form, which it composes itself, and no SHA-256
 * of them is a verdict digest. The recipient names the validator the request is for (a request cannot be
 * redirected to another peer), the nonce and a short expiry with a replay cache make each request usable
 * once, and the body's hash and length are checked when the body is read up to the route's limit.
 */
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from "node:crypto";
import { getAddress, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { InfrastructureError, UsageError } from "@keepledger/sdk/internal/errors/index";
import { keccak256Hex } from "@keepledger/sdk/internal/util/keccak256";
import { NODE_CODES } from "../codes.ts";
import type { ReplayCache } from "./replayCache.ts";

export const PEER_AUTH_TAG = "keepledger.peer-auth.v2";
export const PEER_AUTH_HEADER = "x-keepledger-peer-auth";
/** How long a signed request lives by default (the client's choice, bounded by the server's maxLifetimeMs). */
export const DEFAULT_PEER_AUTH_LIFETIME_MS = 30_000;

/** The deployment a peer request is for: its chain and ValidatorSet. */
export interface PeerAuthDomain {
  chainId: number;
  validatorSet: Address;
}

export interface PeerAuthClaims {
  sender: Address;
  recipient: Address;
  route: string;
  nonce: Hex;
  expiresAt: number;
  bodyHash: Hex;
  bodyLength: number;
}

function signedMessage(domain: PeerAuthDomain, c: PeerAuthClaims): Buffer {
  const fields = [
    PEER_AUTH_TAG,
    String(domain.chainId),
    getAddress(domain.validatorSet),
    c.route,
    c.sender,
    c.recipient,
    c.nonce,
    String(c.expiresAt),
    c.bodyHash,
    String(c.bodyLength),
  ];
  return Buffer.from(fields.join("\0"), "utf8");
}

function jwkOf(publicKey: Hex): { kty: "EC"; crv: "secp256k1"; x: string; y: string } {
  const bytes = Buffer.from(publicKey.slice(2), "hex");
  return { kty: "EC", crv: "secp256k1", x: bytes.subarray(1, 33).toString("base64url"), y: bytes.subarray(33, 65).toString("base64url") };
}

const sha256 = (bytes: Uint8Array): Hex => `0x${createHash("sha256").update(bytes).digest("hex")}`;

export interface PeerRequestSigner {
  readonly address: Address;
  /** The headers authenticating `body` on `route` for `recipient`. */
  headers(
    recipient: Address,
    route: string,
    body: Uint8Array,
    options?: { now?: number; lifetimeMs?: number; nonce?: Hex },
  ): Record<string, string>;
}

/** Signs this validator's peer requests with its key (held as a node:crypto key object). */
export function createPeerRequestSigner(privateKey: Hex, domain: PeerAuthDomain): PeerRequestSigner {
  const account = privateKeyToAccount(privateKey);
  const key = createPrivateKey({
    key: { ...jwkOf(account.publicKey), d: Buffer.from(privateKey.slice(2), "hex").toString("base64url") },
    format: "jwk",
  });
  const sender = getAddress(account.address);
  return {
    address: sender,
    headers(recipient, route, body, o = {}) {
      const claims: PeerAuthClaims = {
        sender,
        recipient: getAddress(recipient),
        route,
        nonce: o.nonce ?? `0x${randomBytes(16).toString("hex")}`,
        expiresAt: (o.now ?? Date.now()) + (o.lifetimeMs ?? DEFAULT_PEER_AUTH_LIFETIME_MS),
        bodyHash: sha256(body),
        bodyLength: body.length,
      };
      const signature = sign("sha256", signedMessage(domain, claims), { key, dsaEncoding: "ieee-p1363" }).toString("base64");
      const value = [
        "v2",
        account.publicKey,
        claims.recipient,
        claims.nonce,
        claims.expiresAt,
        claims.bodyHash,
        claims.bodyLength,
        signature,
      ].join(" ");
      return { [PEER_AUTH_HEADER]: value };
    },
  };
}

export interface PeerAuthenticatorOptions {
  /** This validator: the only recipient it accepts. */
  self: Address;
  domain: PeerAuthDomain;
  replayCache: ReplayCache;
  /** The furthest ahead an expiry may be. Default 60 s. */
  maxLifetimeMs?: number;
  /** Tolerated difference between the sender's and this host's clock. Default 5 s. */
  clockSkewMs?: number;
  now?: () => number;
  /** Public keys already parsed, by key hex (bounded). Default 1024 entries. */
  keyCacheSize?: number;
}

/** What a request's header proves, once checked: who sent it and what body must follow. */
export interface AuthenticatedPeerRequest {
  sender: Address;
  bodyHash: Hex;
  bodyLength: number;
}

export interface PeerAuthenticator {
  /**
   * Checks the authentication header of a request on `route` whose body may be at most `maxBodyBytes`,
   * from the headers alone; throws the typed refusal. The nonce is spent when this returns.
   */
  authenticate(headers: Record<string, string | string[] | undefined>, route: string, maxBodyBytes: number): AuthenticatedPeerRequest;
  /** Checks that the body read is the one the header signed (length and SHA-256). */
  checkBody(request: AuthenticatedPeerRequest, body: Uint8Array): void;
}

const HEADER =
  /^v2 (0x04[0-9a-fA-F]{128}) (0x[0-9a-fA-F]{40}) (0x[0-9a-f]{32}) (\d{1,15}) (0x[0-9a-f]{64}) (\d{1,12}) ([A-Za-z0-9+/]{86}==)$/;

export function createPeerAuthenticator(o: PeerAuthenticatorOptions): PeerAuthenticator {
  const now = o.now ?? Date.now;
  const maxLifetimeMs = o.maxLifetimeMs ?? 60_000;
  const skewMs = o.clockSkewMs ?? 5_000;
  const self = getAddress(o.self);
  const keys = new Map<string, { address: Address; key: KeyObject }>();
  const keyCacheSize = o.keyCacheSize ?? 1_024;
  const unauthenticated = (why: string) => new UsageError(NODE_CODES.NODE_PEER_UNAUTHENTICATED, `peer request refused: ${why}`);

  const keyOf = (publicKey: string) => {
    const known = keys.get(publicKey.toLowerCase());
    if (known) return known;
    let key: KeyObject;
    try {
      key = createPublicKey({ key: jwkOf(publicKey as Hex), format: "jwk" });
    } catch {
      throw unauthenticated("the sender key is not a secp256k1 point");
    }
    const entry = { address: getAddress(`0x${keccak256Hex(Buffer.from(publicKey.slice(4), "hex")).slice(-40)}`), key };
    if (keys.size >= keyCacheSize) keys.delete(keys.keys().next().value!);
    keys.set(publicKey.toLowerCase(), entry);
    return entry;
  };

  return {
    authenticate(headers, route, maxBodyBytes) {
      const raw = headers[PEER_AUTH_HEADER];
      const value = Array.isArray(raw) ? (raw.length === 1 ? raw[0] : undefined) : raw;
      const m = value === undefined ? null : HEADER.exec(value);
      if (!m) throw unauthenticated(`the ${PEER_AUTH_HEADER} header is missing or malformed`);
      const [, publicKey, recipientText, nonce, expiresText, bodyHash, lengthText, signature] = m as unknown as [
        string,
        string,
        string,
        Hex,
        string,
        Hex,
        string,
        string,
      ];
      const recipient = getAddress(recipientText);
      if (recipient !== self) {
        throw new UsageError(
          NODE_CODES.NODE_PEER_WRONG_RECIPIENT,
          `peer request refused: it is for ${recipient}, not this validator (${self})`,
          { details: { got: recipient, want: self } },
        );
      }
      const expiresAt = Number(expiresText);
      const t = now();
      if (expiresAt + skewMs <= t || expiresAt > t + maxLifetimeMs + skewMs) {
        throw new UsageError(
          NODE_CODES.NODE_PEER_AUTH_EXPIRED,
          `peer request refused: its authentication ${expiresAt <= t ? "has expired" : "lives longer than this node accepts"}`,
          {
            details: { expiresAt, now: t, maxLifetimeMs },
          },
        );
      }
      const bodyLength = Number(lengthText);
      if (bodyLength > maxBodyBytes) {
        throw new UsageError(NODE_CODES.NODE_BODY_TOO_LARGE, `the body is larger than ${maxBodyBytes} bytes`, {
          details: { got: bodyLength, limit: maxBodyBytes },
        });
      }
      const declared = headers["content-length"];
      if (declared !== undefined && Number(declared) !== bodyLength) {
        throw new UsageError(
          NODE_CODES.NODE_PEER_BODY_HASH_MISMATCH,
          `the body is ${String(declared)} bytes, its authentication says ${bodyLength}`,
          { details: { got: Number(declared), want: bodyLength } },
        );
      }
      const { address: sender, key } = keyOf(publicKey);
      const claims: PeerAuthClaims = { sender, recipient, route, nonce, expiresAt, bodyHash, bodyLength };
      if (!verify("sha256", signedMessage(o.domain, claims), { key, dsaEncoding: "ieee-p1363" }, Buffer.from(signature, "base64"))) {
        throw unauthenticated("the signature does not verify (another key, route, deployment or field)");
      }
      const spent = o.replayCache.spend(`${sender}:${nonce}`, expiresAt + skewMs, t);
      if (spent === "replayed")
        throw new UsageError(NODE_CODES.NODE_PEER_REPLAYED, `peer request refused: nonce ${nonce} of ${sender} was already used`, {
          details: { sender, nonce },
        });
      if (spent === "full")
        throw new InfrastructureError(
          NODE_CODES.NODE_RATE_LIMITED,
          "too many peer requests in flight to remember their nonces; retry in 1 s",
        );
      return { sender, bodyHash, bodyLength };
    },
    checkBody(request, body) {
      if (body.length !== request.bodyLength || sha256(body) !== request.bodyHash) {
        throw new UsageError(NODE_CODES.NODE_PEER_BODY_HASH_MISMATCH, "the body is not the one its authentication signed", {
          details: { length: body.length, wantLength: request.bodyLength },
        });
      }
    },
  };
}
