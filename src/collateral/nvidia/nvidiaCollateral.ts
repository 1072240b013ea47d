/**
 * NVIDIA GPU collateral from NVIDIA's services: RIMs from the RIM service (GET <rim>/v1/rim/<id>, JSON
 * `{"rim": base64 SWID tag}`) and OCSP responses from the OCSP responder (POST DER, RFC 6960) for the
 * device chain the evidence carries and the signing chain inside each RIM fetched. Cached: a RIM for
 * `maxAgeMs`, an OCSP response until its nextUpdate (never past `maxAgeMs`), so a stale answer is fetched
 * again. The only module that talks to NVIDIA; verification never fetches and checks everything itself.
 */
import { bytesView } from "../../util/bufferView.ts";
import { InfrastructureError, UsageError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { encodeOcspRequest } from "../../pki/ocsp/ocspRequest.ts";
import { looksLikeOcspResponse, parseOcspResponse, type ParsedOcspResponse } from "../../pki/ocsp/ocspResponse.ts";
import { parseCertificate, type ParsedCertificate } from "../../pki/x509/certificate.ts";
import type { CollateralProvider, CollateralRequest, CollateralSet, NvidiaGpuCollateralRequest } from "../types.ts";
import { emptyCollateral } from "../types.ts";
import { NVIDIA_COLLATERAL_CODES } from "./codes.ts";

export interface NvidiaCollateralOptions {
  /** Default https://rim.attestation.nvidia.com. */
  rimBaseUrl?: string;
  /** Default https://ocsp.ndis.nvidia.com. */
  ocspUrl?: string;
  /** Default globalThis.fetch. */
  fetch?: typeof globalThis.fetch;
  /** Longest a RIM or an OCSP response is reused. Default 24 h. */
  maxAgeMs?: number;
  /** Per-request timeout. Default 15 s. */
  timeoutMs?: number;
  /** Clock for cache ages. Default the system clock. */
  now?: () => Date;
}

interface Entry<T> {
  value: T;
  expiresAt: number;
}

const X509_IN_KEYINFO = /<(?:[A-Za-z0-9_]+:)?X509Certificate>([A-Za-z0-9+/=\s]+)<\/(?:[A-Za-z0-9_]+:)?X509Certificate>/g;

/** The certificates of a RIM's KeyInfo (only to ask OCSP about them; the verifier reads the RIM itself). */
function rimCertificates(rim: Uint8Array): ParsedCertificate[] {
  const text = Buffer.from(rim).toString("utf8");
  const out: ParsedCertificate[] = [];
  for (const m of text.matchAll(X509_IN_KEYINFO)) {
    try {
      out.push(parseCertificate(bytesView(Buffer.from(m[1]!.replace(/\s+/g, ""), "base64"))));
    } catch {
      // Not a certificate: the verifier refuses the RIM; nothing to ask OCSP about.
    }
  }
  return out;
}

/** Each certificate with its issuer among `certs` (by name), roots (self-issued) left out. */
function issuerPairs(certs: readonly ParsedCertificate[]): Array<{ certificate: ParsedCertificate; issuer: ParsedCertificate }> {
  return certs.flatMap((certificate) => {
    if (certificate.subject === certificate.issuer) return [];
    const issuer = certs.find((c) => c !== certificate && c.subject === certificate.issuer);
    return issuer ? [{ certificate, issuer }] : [];
  });
}

export function nvidiaCollateral(options: NvidiaCollateralOptions = {}): CollateralProvider & { clear(): void } {
  const rimBase = (options.rimBaseUrl ?? "https://rim.attestation.nvidia.com").replace(/\/+$/, "");
  const ocspUrl = options.ocspUrl ?? "https://ocsp.ndis.nvidia.com";
  const fetchFn = options.fetch ?? globalThis.fetch;
  const maxAgeMs = options.maxAgeMs ?? 24 * 3_600_000;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const now = options.now ?? (() => new Date());
  const rims = new Map<string, Entry<Uint8Array>>();
  const ocsp = new Map<string, Entry<ParsedOcspResponse>>();

  async function call(url: string, init: RequestInit, what: string): Promise<Uint8Array> {
    let response: Response;
    try {
      response = await fetchFn(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (cause) {
      throw new InfrastructureError(NVIDIA_COLLATERAL_CODES.NVIDIA_COLLATERAL_UNAVAILABLE, `${what}: ${url} could not be reached`, {
        cause,
        details: { url },
      });
    }
    if (!response.ok) {
      throw new InfrastructureError(
        NVIDIA_COLLATERAL_CODES.NVIDIA_COLLATERAL_UNAVAILABLE,
        `${what}: ${url} answered HTTP ${response.status}`,
        {
          details: { url, status: response.status },
        },
      );
    }
    return new Uint8Array(await response.arrayBuffer());
  }

  const malformed = (message: string, url: string): InfrastructureError =>
    new InfrastructureError(NVIDIA_COLLATERAL_CODES.NVIDIA_COLLATERAL_MALFORMED, message, { details: { url } });

  async function rim(id: string): Promise<Uint8Array | null> {
    const hit = rims.get(id);
    if (hit && hit.expiresAt > now().getTime()) return hit.value;
    const url = `${rimBase}/v1/rim/${encodeURIComponent(id)}`;
    let body: Uint8Array;
    try {
      body = await call(url, { method: "GET" }, `NVIDIA RIM ${id}`);
    } catch (e) {
      // The RIM service answers 404 for an id it does not know: the verifier then says NVGPU_RIM_MISSING.
      if (e instanceof InfrastructureError && (e.details as { status?: number } | undefined)?.status === 404) return null;
      throw e;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(Buffer.from(body).toString("utf8"));
    } catch {
      throw malformed(`NVIDIA RIM ${id}: the RIM service's answer is not JSON`, url);
    }
    const b64 = (doc as { rim?: unknown } | null)?.rim;
    if (typeof b64 !== "string") throw malformed(`NVIDIA RIM ${id}: the RIM service's answer has no "rim"`, url);
    const value = bytesView(Buffer.from(b64, "base64"));
    rims.set(id, { value, expiresAt: now().getTime() + maxAgeMs });
    return value;
  }

  async function ocspFor(pair: { certificate: ParsedCertificate; issuer: ParsedCertificate }, at: Date): Promise<ParsedOcspResponse> {
    const key = `${pair.issuer.fingerprint}:${pair.certificate.serial}`;
    const hit = ocsp.get(key);
    const t = now().getTime();
    // Reused while it is current at both the wall clock and the "as of" time.
    if (hit && hit.expiresAt > t && hit.expiresAt > at.getTime()) return hit.value;
    const body = await call(
      ocspUrl,
      { method: "POST", headers: { "content-type": "application/ocsp-request" }, body: Buffer.from(encodeOcspRequest([pair])) },
      `NVIDIA OCSP for "${pair.certificate.subject}"`,
    );
    if (!looksLikeOcspResponse(body)) throw malformed(`NVIDIA OCSP for "${pair.certificate.subject}": not a DER OCSP response`, ocspUrl);
    let parsed: ParsedOcspResponse;
    try {
      parsed = parseOcspResponse(body);
    } catch (cause) {
      throw new InfrastructureError(
        NVIDIA_COLLATERAL_CODES.NVIDIA_COLLATERAL_MALFORMED,
        `NVIDIA OCSP for "${pair.certificate.subject}": ${String(cause)}`,
        {
          cause,
          details: { url: ocspUrl },
        },
      );
    }
    const nextUpdates = parsed.responses.map((r) => r.nextUpdate?.getTime() ?? t);
    ocsp.set(key, { value: parsed, expiresAt: Math.min(t + maxAgeMs, ...nextUpdates) });
    return parsed;
  }

  return {
    name: `NVIDIA services ${rimBase} ${ocspUrl}`,
    clear: () => {
      rims.clear();
      ocsp.clear();
    },
    refresh(request: CollateralRequest) {
      if (request.vendor !== "nvidia") return;
      for (const id of request.rimIds) rims.delete(id);
      ocsp.clear();
    },
    async fetch(request: CollateralRequest, at: Date): Promise<CollateralSet> {
      if (request.vendor !== "nvidia") {
        throw new UsageError(
          NVIDIA_COLLATERAL_CODES.NVIDIA_COLLATERAL_REQUEST_UNSUPPORTED,
          `the NVIDIA provider cannot fetch ${request.vendor} collateral`,
        );
      }
      const r: NvidiaGpuCollateralRequest = request;
      const found = (await Promise.all(r.rimIds.map((id) => rim(id)))).filter((b): b is Uint8Array => b !== null);
      const device = r.deviceChain.map((der) => parseCertificate(der));
      // The device leaf is issued by the GPU itself: no responder knows it (docs/evidence/nvidia-gpu.md).
      const pairs = [...issuerPairs(device.slice(1)), ...found.flatMap((b) => issuerPairs(rimCertificates(b)))];
      const unique = [...new Map(pairs.map((p) => [`${p.issuer.fingerprint}:${p.certificate.serial}`, p])).values()];
      const ocspResponses = await Promise.all(unique.map((p) => ocspFor(p, at)));
      return { ...emptyCollateral(), rims: found, ocspResponses };
    },
  };
}
