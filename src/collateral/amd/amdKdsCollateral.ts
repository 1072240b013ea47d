import { InfrastructureError, UsageError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { parseCertificate, parseCrl, parsePemCertificates, type ParsedCertificate, type ParsedCrl } from "../../pki/x509/certificate.ts";
import type { CollateralProvider, CollateralRequest, CollateralSet } from "../types.ts";
import { KDS_CODES } from "./codes.ts";
import { memoryKdsCache, type KdsCache } from "./kdsCache.ts";
import { kdsGet, type KdsHttpOptions, type KdsHttpState } from "./kdsHttp.ts";
import { kdsCertChainPath, kdsCrlPath, kdsVcekPath } from "./kdsPaths.ts";

export interface AmdKdsCollateralOptions {
  /** Default https://kdsintf.amd.com. */
  baseUrl?: string;
  /** Default globalThis.fetch. */
  fetch?: typeof globalThis.fetch;
  /** Default an in-memory cache per provider; false disables caching. */
  cache?: KdsCache | false;
  /** How long cert chains and CRLs are reused (a CRL never past its nextUpdate). Default 24 h. */
  maxAgeMs?: number;
  /** How long a VCEK is reused (never past its notAfter). VCEKs for a chip and TCB do not change. Default 7 days. */
  vcekMaxAgeMs?: number;
  /**
   * A response younger than this is reused even when its content has lapsed
   * (a CRL past nextUpdate, an "as of" time past it), so a stale CRL on KDS
   * is not fetched again on every verification. Default 60 s.
   */
  minRefetchMs?: number;
  /** Fetch the ARK's CRL. Default true. */
  crl?: boolean;
  /** Retries after the first attempt for 429, 5xx and network errors. Default 3. */
  retries?: number;
  /** Longest Retry-After or backoff waited for; a longer one fails at once with KDS_RATE_LIMITED. Default 60 s. */
  maxRetryDelayMs?: number;
  /** Per-request timeout. Default 15 s. */
  timeoutMs?: number;
  /** Clock for cache ages and Retry-After dates. Default the system clock. */
  now?: () => Date;
  /** How to wait between retries. Default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

export function defaultAmdKdsCollateralOptions(): Required<Omit<AmdKdsCollateralOptions, "fetch" | "cache">> {
  return {
    baseUrl: "https://kdsintf.amd.com",
    maxAgeMs: 24 * 3600_000,
    vcekMaxAgeMs: 7 * 24 * 3600_000,
    minRefetchMs: 60_000,
    crl: true,
    retries: 3,
    maxRetryDelayMs: 60_000,
    timeoutMs: 15_000,
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

export interface AmdKdsCollateralProvider extends CollateralProvider {
  /** The cache in use, or undefined when caching is off. */
  readonly cache: KdsCache | undefined;
  /** Forgets every cached response (for cold runs). */
  clearCache(): void;
  /** Forgets the cached chain and CRL for `request` (not its VCEK), unless fetched within minRefetchMs. */
  refresh(request: CollateralRequest): void;
}

/**
 * Collateral from AMD's Key Distribution Service: for a VCEK-signed report
 * the VCEK of its chip and REPORTED_TCB, the product's ASK+ARK chain and the
 * ARK's CRL; for a VLEK-signed report the ASVK+ARK chain and CRL (KDS does not
 * serve VLEKs: the host supplies them, so they come with the evidence).
 * Responses are cached by path; concurrent requests for one path share one fetch.
 * The only module that talks to KDS; verification never fetches.
 */
export function amdKdsCollateral(options: AmdKdsCollateralOptions = {}): AmdKdsCollateralProvider {
  const o = { ...defaultAmdKdsCollateralOptions(), ...definedOnly(options) };
  const cache = options.cache === false ? undefined : (options.cache ?? memoryKdsCache());
  const http: KdsHttpOptions = {
    baseUrl: o.baseUrl,
    fetch: options.fetch ?? globalThis.fetch,
    retries: o.retries,
    maxRetryDelayMs: o.maxRetryDelayMs,
    timeoutMs: o.timeoutMs,
    now: o.now,
    sleep: o.sleep,
    maxBodyBytes: 1 << 20,
  };
  const state: KdsHttpState = { blockedUntil: 0 };
  const inflight = new Map<string, Promise<unknown>>();

  /** Serves `path` from the cache while fresh at both the wall clock and `at` (or just fetched), else fetches, parses and caches it. */
  function get<T>(
    path: string,
    at: Date,
    parse: (body: Uint8Array) => T,
    contentExpiry: (parsed: T) => number,
    maxAgeMs: number,
  ): Promise<T> {
    const now = o.now().getTime();
    const hit = cache?.get(path);
    if (hit && ((hit.expiresAt > now && hit.expiresAt > at.getTime()) || now - hit.fetchedAt < o.minRefetchMs)) {
      try {
        return Promise.resolve(parse(hit.body));
      } catch {
        cache?.delete(path); // a damaged persistent cache entry: fetch afresh
      }
    }
    const pending = inflight.get(path);
    if (pending) return pending as Promise<T>;
    const p = (async () => {
      try {
        const body = await kdsGet(path, http, state);
        const parsed = parseResponse(path, body, parse);
        const fetchedAt = o.now().getTime();
        cache?.set(path, { body, fetchedAt, expiresAt: Math.min(fetchedAt + maxAgeMs, contentExpiry(parsed)) });
        return parsed;
      } finally {
        inflight.delete(path);
      }
    })();
    inflight.set(path, p);
    return p;
  }

  return {
    name: `AMD KDS ${o.baseUrl}`,
    cache,
    clearCache: () => cache?.clear(),
    refresh(request: CollateralRequest) {
      if (request.vendor !== "amd" || !cache) return;
      // The chain and the CRL change; a VCEK for a chip and TCB does not. Entries fetched moments ago stay.
      const now = o.now().getTime();
      for (const path of [kdsCertChainPath(request.productLine, request.signingKey), kdsCrlPath(request.productLine, request.signingKey)]) {
        const hit = cache.get(path);
        if (hit && now - hit.fetchedAt >= o.minRefetchMs) cache.delete(path);
      }
    },
    async fetch(request: CollateralRequest, at: Date): Promise<CollateralSet> {
      if (request.vendor !== "amd") {
        throw new UsageError(KDS_CODES.KDS_REQUEST_UNSUPPORTED, "AMD KDS serves only AMD collateral", {
          details: { vendor: request.vendor },
        });
      }
      const { productLine, signingKey } = request;
      const vcekPath = signingKey === "vcek" ? kdsVcekPath(request) : undefined;
      const [chain, crl, vcek] = await Promise.all([
        get(kdsCertChainPath(productLine, signingKey), at, parseChain, earliestNotAfter, o.maxAgeMs),
        o.crl
          ? get(kdsCrlPath(productLine, signingKey), at, parseKdsCrl, (c) => c.nextUpdate?.getTime() ?? Infinity, o.maxAgeMs)
          : undefined,
        vcekPath
          ? get(
              vcekPath,
              at,
              (b) => parseCertificate(b, "VCEK"),
              (c) => c.notAfter.getTime(),
              o.vcekMaxAgeMs,
            )
          : undefined,
      ]);
      return {
        certificates: [...(vcek ? [vcek] : []), ...chain],
        crls: crl ? [crl] : [],
        intelDocuments: [],
      };
    },
  };
}

function parseChain(body: Uint8Array): ParsedCertificate[] {
  const chain = parsePemCertificates(Buffer.from(body).toString("utf8"), "KDS cert_chain");
  if (chain.length === 0) throw new Error("no PEM certificate in the cert_chain response");
  return chain;
}

function parseKdsCrl(body: Uint8Array): ParsedCrl {
  return body[0] === 0x30 ? parseCrl(body, "KDS CRL") : parseCrl(Buffer.from(body).toString("utf8"), "KDS CRL");
}

function earliestNotAfter(chain: ParsedCertificate[]): number {
  return Math.min(...chain.map((c) => c.notAfter.getTime()));
}

function parseResponse<T>(path: string, body: Uint8Array, parse: (body: Uint8Array) => T): T {
  try {
    return parse(body);
  } catch (cause) {
    throw new InfrastructureError(KDS_CODES.KDS_RESPONSE_INVALID, "AMD KDS answered with a body that does not parse", {
      details: { path, length: body.length },
      cause,
    });
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
