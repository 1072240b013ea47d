import type { Hex } from "@keepledger/sdk/internal/util/bytes";
import type { AmdProductLine } from "../pki/roots.ts";
import type { ParsedCertificate, ParsedCrl } from "../pki/x509/certificate.ts";
import type { ParsedOcspResponse } from "../pki/ocsp/ocspResponse.ts";

/**
 * An Intel-signed JSON document (TCB Info or QE Identity, PCS v4 form
 * `{"tcbInfo": {...}, "signature": "<hex r‖s>"}`). The signature covers the
 * exact bytes of the inner object as served, so those bytes are kept verbatim.
 */
export interface SignedIntelJson {
  /** "tcbInfo" or "enclaveIdentity". */
  type: "tcbInfo" | "enclaveIdentity";
  /** The exact signed bytes: the inner object's JSON text as it appears in the document. */
  body: Uint8Array;
  /**
   * The inner object parsed, for readers of the collateral (e.g. a provider's nextUpdate). Not validated, and
   * never what the verifier evaluates: it reads `body`. A recognized document parses it when first read.
   */
  value: unknown;
  /** ECDSA P-256 signature, r‖s. */
  signature: Uint8Array;
  /** The issuer chain delivered with the document (PCS header or file), leaf first; may be empty. */
  issuerChain: ParsedCertificate[];
}

/**
 * A platform endorsement key as found in collateral: an Arm CCA CPAK (P-384), which has no vendor PKI to
 * chain to. What it endorses is the verifier's and the policy's business; here it is only a key.
 */
export interface EndorsementKey {
  /** The SubjectPublicKeyInfo DER of the key. */
  spki: Uint8Array;
  /** Endorses only platforms with this implementation id (hex), if set (Veraison trust anchors narrow so). */
  implementationId?: Hex;
  /** Endorses only the platform with this instance id (hex), if set. */
  instanceId?: Hex;
  /** Where it came from (a file name), for messages. */
  source?: string;
}

/** Collateral a verifier may use, from a directory, a request body or a vendor service. */
export interface CollateralSet {
  certificates: ParsedCertificate[];
  crls: ParsedCrl[];
  intelDocuments: SignedIntelJson[];
  /** Arm CCA CPAKs (absent: none); optional so that the Intel and AMD providers need not name it. */
  endorsementKeys?: EndorsementKey[];
  /**
   * NVIDIA reference integrity manifests (SWID tags, XML-DSig), as raw documents: recognized by their
   * SoftwareIdentity root here, parsed and verified by the nvidia-gpu kind. Absent means none.
   */
  rims?: Uint8Array[];
  /** DER OCSP responses (RFC 6960), e.g. NVIDIA's for the GPU device and RIM chains. Absent means none. */
  ocspResponses?: ParsedOcspResponse[];
}

export function emptyCollateral(): CollateralSet {
  return { certificates: [], crls: [], intelDocuments: [], rims: [], ocspResponses: [] };
}

export function mergeCollateral(...sets: CollateralSet[]): CollateralSet {
  // Loops rather than six flatMaps: a directory's few files are merged on every cold verification.
  const out: Required<CollateralSet> = { certificates: [], crls: [], intelDocuments: [], endorsementKeys: [], rims: [], ocspResponses: [] };
  for (const s of sets) {
    for (const c of s.certificates) out.certificates.push(c);
    for (const c of s.crls) out.crls.push(c);
    for (const d of s.intelDocuments) out.intelDocuments.push(d);
    for (const k of s.endorsementKeys ?? []) out.endorsementKeys.push(k);
    for (const r of s.rims ?? []) out.rims.push(r);
    for (const o of s.ocspResponses ?? []) out.ocspResponses.push(o);
  }
  return out;
}

/** What a verifier asks a provider for, derived from the parsed evidence. */
export type CollateralRequest =
  | {
      vendor: "intel";
      tee: "sgx" | "tdx";
      /** 12 lowercase hex digits, from the PCK certificate. */
      fmspc: string;
      /** Which PCK CA issued the PCK certificate. */
      pckCa: "platform" | "processor";
    }
  | {
      vendor: "amd";
      productLine: AmdProductLine;
      signingKey: "vcek" | "vlek";
      /** CHIP_ID from the report, 64 bytes. */
      chipId: Hex;
      /** REPORTED_TCB components, for the VCEK URL. */
      reportedTcb: { bootloader: number; tee: number; snp: number; microcode: number; fmc?: number };
    }
  | {
      /** Arm CCA: the CPAKs that may endorse this platform (there is no vendor service; directories and posted files). */
      vendor: "arm";
      implementationId: Hex;
      instanceId: Hex;
    }
  | NvidiaGpuCollateralRequest;

/**
 * NVIDIA GPU evidence needs its driver and VBIOS RIMs (NVIDIA's RIM service names them by id) and OCSP
 * responses for the device chain and the RIM signing chains (NVIDIA's OCSP responder).
 */
export interface NvidiaGpuCollateralRequest {
  vendor: "nvidia";
  /** RIM service ids: `NV_GPU_DRIVER_<chip>_<driver version>` (only when the chip is known), `NV_GPU_VBIOS_<project>_<project SKU>_<chip SKU>_<VBIOS version without dots>`. */
  rimIds: string[];
  /**
   * The DER certificates of the device chain when the evidence carries it, leaf first; OCSP is asked for
   * each certificate below the root from the leaf's issuer on (and for the chains inside the RIMs fetched).
   */
  deviceChain: Uint8Array[];
}

/**
 * The one interface behind which collateral comes from: an offline directory
 * (files recognized by content), collateral posted with evidence, or the
 * vendor services (Intel PCS / any PCCS, AMD KDS). Verification itself is pure
 * and never fetches; it is handed what a provider returned.
 */
export interface CollateralProvider {
  readonly name: string;
  fetch(request: CollateralRequest, at: Date): Promise<CollateralSet>;
  /**
   * Forgets what a cache holds for `request`, so that the next fetch asks the service again (a peer
   * showed newer collateral than the cached one). Providers without a cache leave it out. A provider
   * may ignore it for entries fetched moments ago, so that it cannot be made to hammer its service.
   */
  refresh?(request: CollateralRequest): void;
}
