import type { KeyObject } from "node:crypto";
import type { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { createPkiCaches, type PkiCaches } from "../pki/x509/pkiCaches.ts";
import { BoundedCache, type BoundedCacheOptions } from "../util/boundedCache.ts";
import type { Hex } from "@keepledger/sdk/internal/util/bytes";
import type { CpakEndorsement } from "./arm-cca/cpak.ts";
import type { DcapCollateralRequest } from "./dcap/collateralRequestFor.ts";
import type { PckChainCache } from "./dcap/parsePckChainData.ts";
import type { CollateralIds } from "./dcap/appraisalMemo.ts";
import type { CollateralSet } from "../collateral/types.ts";
import type { ParsedIntelDocument } from "./dcap/intelCollateral.ts";
import type { PckExtensions } from "./dcap/parsePckExtensions.ts";
import type { VerifyDcapQuoteResult } from "./dcap/verifyDcapQuote.ts";
import { createRimCache, type RimCache } from "./nvidia-gpu/rim/rimCache.ts";
import type { GpuAppraisal } from "./nvidia-gpu/appraisalMemo.ts";
import type { VekExtensions } from "./sev-snp/vekExtensions.ts";

/**
 * Everything a verifier remembers between verifications, by exact bytes: parsed certificates and CRLs,
 * signature checks, decoded PCK chains, parsed and checked Intel collateral, attestation keys and other keys
 * carried in evidence, CPAKs, QE report checks, PCK and VEK extensions, DCAP collateral requests, collateral
 * hashes, NVIDIA RIMs. Every entry is a pure function of what it is keyed by: bytes, never the time or policy —
 * except a verified RIM, which records the validity window of its chain and is used only for an "as of" time
 * inside it, a DCAP platform appraisal, whose key holds the exact "as of" instant and which is used only while
 * the freshness floor is no newer (dcap/appraisalMemo.ts), a GPU appraisal, whose key holds that instant too
 * (nvidia-gpu/appraisalMemo.ts), and a collateral set's content ids, keyed by the set
 * object and used only while it holds the very items they were computed from. So sharing one context between
 * verifications changes only their speed.
 *
 * Whoever owns the process creates one (the node, the CLI, the bench) and passes it in
 * (`verifyEvidence(bytes, { context })`); without it each verification gets a fresh one of its own.
 * Every cache is bounded by entries and by age (`createVerifierContext({ maxEntries, maxAgeMs })`).
 */
export interface VerifierContext {
  /**
   * false for a context made for one verification (verifyEvidence's default): what is remembered only for a
   * later verification is neither looked up nor stored, nor its key built — a DCAP platform appraisal (whose key
   * alone costs ~25 µs), a PCK chain's decoded blocks and collateral request (and the chain's SHA-256 they are
   * keyed by), a QE report's or an Intel document's signature check, an attestation key, a collateral item's
   * keccak256 (`acrossVerifications`). Everything a single verification meets twice (an issuer chain's
   * root, the TCB signer's certificate checked for both Intel documents) is still remembered.
   */
  readonly reusable: boolean;
  readonly pki: PkiCaches;
  /** PEM certification data (a DCAP quote's PCK chain), found by a few of its characters and compared whole → its SHA-256 and DER blocks. */
  readonly pckChains: PckChainCache;
  /** The same SHA-256 and the TEE → what the chain's PCK certificate asks for (its FMSPC and issuing CA). */
  readonly dcapRequests: BoundedCache<string, DcapCollateralRequest>;
  /** `${type}:${sha256(body)}` → the parsed TCB Info / QE Identity, or why it is invalid. */
  readonly intelDocuments: BoundedCache<string, ParsedIntelDocument>;
  /** body hash, signature and signer fingerprint → whether the Intel document signature verifies. */
  readonly intelSignatures: BoundedCache<string, boolean>;
  /** PCK certificate fingerprint → its SGX extensions. */
  readonly pckExtensions: BoundedCache<string, PckExtensions>;
  /** raw P-256 attestation key (hex) → the key object. */
  readonly attestationKeys: BoundedCache<string, KeyObject>;
  /**
   * Public keys carried in evidence, by their exact encoding → the key object and what is derived from it: a CCA
   * realm's RAK (`rak:${x}${y}`), an Azure HCL attestation key (`rsa:${n}.${e}`). The RAK stays while the realm
   * lives and the AK while the VM does, so each token or quote from them needs no key import.
   */
  readonly evidenceKeys: BoundedCache<string, EvidenceKey>;
  /** A collateral CPAK (SPKI DER, constraints, source) → its endorsement. */
  readonly cpaks: BoundedCache<string, CpakEndorsement>;
  /**
   * A DCAP quote's appraisal (everything but its own signature) → the result, keyed by every input it read and
   * the exact "as of" instant (dcap/appraisalMemo.ts); used only while the freshness floor is no newer.
   */
  readonly dcapAppraisals: BoundedCache<string, VerifyDcapQuoteResult>;
  /**
   * A collateral set (by identity) → its content ids for the appraisal key, with the items they were computed
   * from (used only while the set still holds exactly those). Few entries: a node's providers hand out few sets.
   */
  readonly dcapCollateralIds: BoundedCache<CollateralSet, CollateralIds>;
  /** QE report, its signature and the PCK fingerprint → whether the signature verifies. */
  readonly qeReports: BoundedCache<string, boolean>;
  /** VCEK/VLEK fingerprint → its AMD extensions, none (null), or why they are malformed. */
  readonly vekExtensions: BoundedCache<string, VekExtensions | VerificationError | null>;
  /** keccak256 of collateral items: `body:${sha256}`, `der:${fingerprint}`, `combined:${items}`. */
  readonly keccak: BoundedCache<string, Hex>;
  /**
   * NVIDIA RIM SHA-256 → the parsed RIM; with the roots' fingerprints → its verified signature and chain, with
   * the window that chain is valid in (an "as of" time outside it is verified afresh; OCSP is checked every time).
   */
  readonly nvidiaRims: RimCache;
  /**
   * A GPU's device chain and RIMs appraised (everything but its report's signature, FWID and measurements) → the
   * result, keyed by every input it read and the exact "as of" instant (nvidia-gpu/appraisalMemo.ts).
   */
  readonly nvidiaAppraisals: BoundedCache<string, GpuAppraisal>;
}

export interface EvidenceKey {
  key: KeyObject;
  /** The key's SubjectPublicKeyInfo DER, as OpenSSL exports it, where the verifier needs it. */
  spki?: Uint8Array;
  /** RSA keys: the modulus size in bytes (the length of a signature). */
  modulusBytes?: number;
}

export interface VerifierContextOptions {
  /** Entries per cache (default 4096; signature checks get four times as many). */
  maxEntries?: number;
  /** How long an entry is kept, in milliseconds (default one hour; none for a context with `reusable: false`). */
  maxAgeMs?: number;
  /** false: the context serves one verification and is dropped (VerifierContext.reusable). Default true. */
  reusable?: boolean;
}

/**
 * `context`, when it outlives this verification; undefined for one made for a single verification. For the
 * caches whose entries one verification never reads twice: their callers then skip the key too (a QE report's
 * is ~960 characters of hex) and compute the value.
 */
export function acrossVerifications(context: VerifierContext | undefined): VerifierContext | undefined {
  return context?.reusable ? context : undefined;
}

export function defaultVerifierContextOptions(): Required<Omit<VerifierContextOptions, "reusable">> {
  return { maxEntries: 4096, maxAgeMs: 60 * 60 * 1000 };
}

export function createVerifierContext(options: VerifierContextOptions = {}): VerifierContext {
  const { reusable = true, ...rest } = options;
  // A context for one verification lives for that verification: an age bound would only cost a clock read per
  // lookup and per entry (~40 in a cold DCAP verification).
  const bounds: BoundedCacheOptions = { ...defaultVerifierContextOptions(), ...(reusable ? {} : { maxAgeMs: Infinity }), ...rest };
  return {
    reusable,
    pki: createPkiCaches(bounds),
    pckChains: new BoundedCache(bounds),
    dcapRequests: new BoundedCache(bounds),
    intelDocuments: new BoundedCache(bounds),
    intelSignatures: new BoundedCache(bounds),
    pckExtensions: new BoundedCache(bounds),
    attestationKeys: new BoundedCache(bounds),
    evidenceKeys: new BoundedCache(bounds),
    cpaks: new BoundedCache(bounds),
    qeReports: new BoundedCache(bounds),
    dcapAppraisals: new BoundedCache(bounds),
    dcapCollateralIds: new BoundedCache({ ...bounds, maxEntries: Math.min(bounds.maxEntries, 16) }),
    vekExtensions: new BoundedCache(bounds),
    keccak: new BoundedCache({ ...bounds, maxEntries: bounds.maxEntries * 4 }),
    nvidiaRims: createRimCache(bounds),
    nvidiaAppraisals: new BoundedCache(bounds),
  };
}
