import { InfrastructureError, UsageError, VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { parseCrl, parsePemCertificates, type ParsedCertificate, type ParsedCrl } from "../../pki/x509/certificate.ts";
import { PCS_CODES } from "./codes.ts";

export type FetchLike = (url: string, init?: { signal?: AbortSignal; headers?: Record<string, string> }) => Promise<Response>;

export interface PcsResponse {
  url: string;
  body: Uint8Array;
  headers: Headers;
}

/**
 * One GET with a timeout. Network failures, timeouts and 5xx are retryable
 * InfrastructureErrors; 429 says so; a 404 on a TCB Info request means Intel
 * does not know the FMSPC (not retryable); other 4xx are configuration errors.
 */
export async function pcsGet(fetchFn: FetchLike, url: string, timeoutMs: number, what: "tcb" | "other"): Promise<PcsResponse> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let res: Response;
  let body: Uint8Array;
  try {
    res = await fetchFn(url, { signal: controller.signal });
    body = new Uint8Array(await res.arrayBuffer());
  } catch (cause) {
    throw new InfrastructureError(PCS_CODES.PCS_UNAVAILABLE, `collateral service unreachable: GET ${url}`, { cause, details: { url } });
  } finally {
    clearTimeout(timer);
  }
  const details = { url, status: res.status, body: Buffer.from(body.subarray(0, 200)).toString("utf8") };
  if (res.status === 200) return { url, body, headers: res.headers };
  if (res.status === 429) {
    throw new InfrastructureError(PCS_CODES.PCS_RATE_LIMITED, `collateral service rate-limited GET ${url}`, {
      details: { ...details, retryAfter: res.headers.get("retry-after") },
    });
  }
  if (res.status >= 500)
    throw new InfrastructureError(PCS_CODES.PCS_UNAVAILABLE, `collateral service failed: GET ${url} answered ${res.status}`, { details });
  if (res.status === 404 && what === "tcb") {
    throw new VerificationError(PCS_CODES.PCS_FMSPC_UNKNOWN, `Intel PCS has no TCB Info for this FMSPC: GET ${url} answered 404`, {
      details,
    });
  }
  throw new UsageError(PCS_CODES.PCS_REQUEST_REJECTED, `collateral service rejected GET ${url} with ${res.status}`, { details });
}

export function invalidResponse(url: string, message: string, cause?: unknown): InfrastructureError {
  return new InfrastructureError(PCS_CODES.PCS_RESPONSE_INVALID, `unexpected collateral response from ${url}: ${message}`, {
    details: { url },
    ...(cause !== undefined ? { cause } : {}),
  });
}

/** The issuer chain of a PCS response: URL-encoded PEM in the first of `names` that is present. */
export function issuerChainHeader(r: PcsResponse, names: readonly string[]): ParsedCertificate[] {
  const name = names.find((n) => r.headers.get(n) !== null);
  if (!name) throw invalidResponse(r.url, `missing issuer chain header (${names.join(" or ")})`);
  try {
    const certs = parsePemCertificates(decodeURIComponent(r.headers.get(name)!), name);
    if (certs.length === 0) throw new Error("no certificate in the header");
    return certs;
  } catch (cause) {
    throw invalidResponse(r.url, `issuer chain header ${name} is not URL-encoded PEM`, cause);
  }
}

/** A CRL body as PCS (DER with encoding=der, else PEM) or a PCCS (DER, or hex of the DER) serve it. */
export function crlFromBody(r: PcsResponse): ParsedCrl {
  try {
    if (r.body[0] === 0x30) return parseCrl(r.body);
    const text = Buffer.from(r.body).toString("utf8").trim();
    if (text.includes("-----BEGIN X509 CRL-----")) return parseCrl(text);
    if (/^([0-9a-fA-F]{2})+$/.test(text)) return parseCrl(new Uint8Array(Buffer.from(text, "hex")));
  } catch (cause) {
    throw invalidResponse(r.url, "the body is not a CRL", cause);
  }
  throw invalidResponse(r.url, "the body is not a CRL (DER, PEM or hex)");
}
