import { UsageError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import type { ParsedCertificate, ParsedCrl } from "../../pki/x509/certificate.ts";
import { recognizeCollateral } from "../recognizeCollateral.ts";
import type { CollateralProvider, CollateralRequest, CollateralSet, SignedIntelJson } from "../types.ts";
import { PCS_CODES } from "./codes.ts";
import { PcsCache } from "./pcsCache.ts";
import { crlFromBody, invalidResponse, issuerChainHeader, pcsGet, type FetchLike, type PcsResponse } from "./pcsHttp.ts";

export interface IntelPcsCollateralOptions {
  /**
   * Intel PCS ("https://api.trustedservices.intel.com") or a PCCS
   * ("https://pccs.example:8081"); paths `/sgx|tdx/certification/v4/…` are appended.
   */
  baseUrl: string;
  apiVersion: 4;
  /** The HTTP client (default global fetch). */
  fetch?: FetchLike;
  /** Shared cache; pass one to several providers to share it (default: one per provider, with `maxAgeMs`). */
  cache?: PcsCache;
  /** Longest a cached entry is served when no `cache` is given (default 24 h); nextUpdate always bounds it too. */
  maxAgeMs?: number;
  /**
   * Where the Intel SGX Root CA CRL comes from. Default: Intel's own URL
   * (INTEL_ROOT_CA_CRL_URL) when `baseUrl` is Intel PCS, which has no rootcacrl endpoint;
   * `{baseUrl}/sgx/certification/v4/rootcacrl` for a PCCS.
   */
  rootCaCrlUrl?: string;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}

export interface IntelPcsCollateralProvider extends CollateralProvider {
  readonly cache: PcsCache;
  /** Forgets the cached TCB Info, QE Identity and CRLs for `request`, unless fetched within the cache's minRefreshMs. */
  refresh(request: CollateralRequest): void;
}

export function defaultIntelPcsOptions(): Required<Pick<IntelPcsCollateralOptions, "apiVersion" | "timeoutMs">> {
  return { apiVersion: 4, timeoutMs: 10_000 };
}

const TCB_CHAIN_HEADERS = ["TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain"] as const;
const QE_CHAIN_HEADERS = ["SGX-Enclave-Identity-Issuer-Chain", "Enclave-Identity-Issuer-Chain"] as const;
const CRL_CHAIN_HEADERS = ["SGX-PCK-CRL-Issuer-Chain"] as const;

interface CrlEntry {
  crl: ParsedCrl;
  issuerChain: ParsedCertificate[];
}

/** Where Intel publishes the Intel SGX Root CA CRL (Intel PCS serves no copy of it). */
export const INTEL_ROOT_CA_CRL_URL = "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der";

function defaultRootCaCrlUrl(base: string): string {
  let host = "";
  try {
    host = new URL(base).hostname.toLowerCase();
  } catch {
    // A malformed base fails at its first request with the URL in the message.
  }
  return host === "api.trustedservices.intel.com" ? INTEL_ROOT_CA_CRL_URL : `${base}/sgx/certification/v4/rootcacrl`;
}

/**
 * Collateral from Intel PCS or any PCCS speaking the v4 API: TCB Info for the
 * quote's TEE and FMSPC, the QE Identity, the PCK CRL of the issuing CA and the
 * root CA CRL. The only place keepledger talks to Intel; verification stays pure.
 */
export function intelPcsCollateral(options: IntelPcsCollateralOptions): IntelPcsCollateralProvider {
  if (options.apiVersion !== 4) {
    throw new UsageError(PCS_CODES.PCS_REQUEST_UNSUPPORTED, `PCS API version ${String(options.apiVersion)} is not supported (use 4)`);
  }
  const base = options.baseUrl.replace(/\/+$/, "");
  const fetchFn: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  const cache = options.cache ?? new PcsCache(options.maxAgeMs !== undefined ? { maxAgeMs: options.maxAgeMs } : {});
  const timeoutMs = options.timeoutMs ?? defaultIntelPcsOptions().timeoutMs;
  const rootCaCrlUrl = options.rootCaCrlUrl ?? defaultRootCaCrlUrl(base);

  const signedDocument = async (url: string, type: "tcbInfo" | "enclaveIdentity", headers: readonly string[]) => {
    const r = await pcsGet(fetchFn, url, timeoutMs, type === "tcbInfo" ? "tcb" : "other");
    const doc = documentFrom(r, type);
    return { value: { ...doc, issuerChain: issuerChainHeader(r, headers) }, nextUpdate: nextUpdateOf(r, doc) };
  };

  const crl = async (url: string, headers: readonly string[] | undefined): Promise<{ value: CrlEntry; nextUpdate: Date }> => {
    const r = await pcsGet(fetchFn, url, timeoutMs, "other");
    const parsed = crlFromBody(r);
    const issuerChain = headers ? issuerChainHeader(r, headers) : [];
    return { value: { crl: parsed, issuerChain }, nextUpdate: parsed.nextUpdate ?? new Date(0) };
  };

  const cacheKeys = ({ tee, fmspc, pckCa }: { tee: string; fmspc: string; pckCa: string }) => ({
    tcbInfo: `${base}|tcb|${tee}|${fmspc}`,
    qeIdentity: `${base}|qe|${tee}`,
    pckCrl: `${base}|pckcrl|${pckCa}`,
    rootCrl: `rootcacrl|${rootCaCrlUrl}`,
  });

  return {
    name: `Intel PCS/PCCS ${base}`,
    cache,
    refresh(request: CollateralRequest) {
      if (request.vendor !== "intel") return;
      for (const key of Object.values(cacheKeys(request))) cache.invalidate(key);
    },
    async fetch(request: CollateralRequest, at: Date): Promise<CollateralSet> {
      if (request.vendor !== "intel") {
        throw new UsageError(PCS_CODES.PCS_REQUEST_UNSUPPORTED, `the Intel PCS provider cannot fetch ${request.vendor} collateral`);
      }
      const { tee, fmspc, pckCa } = request;
      if (!/^[0-9a-f]{12}$/.test(fmspc))
        throw new UsageError(PCS_CODES.PCS_REQUEST_UNSUPPORTED, `FMSPC ${fmspc} is not 12 lowercase hex digits`);
      const keys = cacheKeys(request);
      const [tcbInfo, qeIdentity, pckCrl, rootCrl] = await Promise.all([
        cache.get(keys.tcbInfo, at, () =>
          signedDocument(`${base}/${tee}/certification/v4/tcb?fmspc=${fmspc}`, "tcbInfo", TCB_CHAIN_HEADERS),
        ),
        cache.get(keys.qeIdentity, at, () =>
          signedDocument(`${base}/${tee}/certification/v4/qe/identity`, "enclaveIdentity", QE_CHAIN_HEADERS),
        ),
        cache.get(keys.pckCrl, at, () => crl(`${base}/sgx/certification/v4/pckcrl?ca=${pckCa}&encoding=der`, CRL_CHAIN_HEADERS)),
        cache.get(keys.rootCrl, at, () => crl(rootCaCrlUrl, undefined)),
      ]);
      return {
        certificates: [...pckCrl.issuerChain],
        crls: [pckCrl.crl, rootCrl.crl],
        intelDocuments: [tcbInfo, qeIdentity],
      };
    },
  };
}

function documentFrom(r: PcsResponse, type: "tcbInfo" | "enclaveIdentity"): SignedIntelJson {
  const recognized = recognizeCollateral(r.body);
  const doc = recognized.collateral.intelDocuments.find((d) => d.type === type);
  if (!doc) throw invalidResponse(r.url, recognized.problem ?? `the body holds no signed ${type}`);
  return doc;
}

function nextUpdateOf(r: PcsResponse, doc: SignedIntelJson): Date {
  const v = (doc.value as { nextUpdate?: unknown } | null)?.nextUpdate;
  const d = typeof v === "string" ? new Date(v) : undefined;
  if (!d || Number.isNaN(d.getTime())) throw invalidResponse(r.url, `the ${doc.type} has no valid nextUpdate`);
  return d;
}
