/**
 * Verifies NVIDIA GPU evidence as of `at` (pure; collateral is handed in):
 *  1. the device chain (leaf → … → NVIDIA Device Identity CA, pinned) as of `at`;
 *  2. the report's ECDSA P-384/SHA-384 signature (r‖s) over the GET_MEASUREMENTS
 *     request and the response up to the signature, with the leaf's key;
 *  3. the report's FWID equals the leaf's TCG DICE TcbInfo FWID;
 *  4. OCSP for the device chain (from the leaf's issuer up) and both RIM chains;
 *  5. the driver and VBIOS RIMs for this chip and these versions: XML-DSig,
 *     chain to the pinned NVIDIA RIM root; every active golden measurement
 *     matched (NVDEC0 rule: appraiseMeasurements.ts).
 * The nonce is not compared here: it is returned as a claim, and the pipeline
 * compares it with the binding hash like REPORTDATA.
 */
import { hash } from "node:crypto";
import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { bytesEqual, concatBytes, toHex, type Hex } from "@keepledger/sdk/internal/util/bytes";
import { NVIDIA_DEVICE_IDENTITY_CA, NVIDIA_RIM_ROOT_CA } from "../../pki/roots.ts";
import type { ParsedOcspResponse } from "../../pki/ocsp/ocspResponse.ts";
import type { ParsedCertificate } from "../../pki/x509/certificate.ts";
import { commonName } from "../../pki/x509/names.ts";
import type { PkiCaches } from "../../pki/x509/pkiCaches.ts";
import { verifyWith } from "../../pki/x509/signatureAlgorithm.ts";
import { isSignedBy, verifyCertificateChain, type TrustedRoot, type VerifiedChain } from "../../pki/x509/verifyCertificateChain.ts";
import { bufferView } from "../../util/bufferView.ts";
import { hexOf } from "../../util/hexOf.ts";
import { appraiseMeasurements } from "./appraiseMeasurements.ts";
import type { NvidiaGpuClaims, NvidiaRimIdentity } from "@keepledger/sdk/internal/tee/nvidia-gpu/claims";
import { NVGPU_VERIFY_CODES } from "./codes.ts";
import { leafFwid } from "./diceFwid.ts";
import { MEASUREMENT_DIGEST_LENGTH } from "./parseSpdmReport.ts";
import type { NvidiaGpuEvidence } from "./parseNvidiaGpuEvidence.ts";
import { checkChainRevocation } from "./revocation.ts";
import type { ParsedRim } from "./rim/parseRim.ts";
import type { VerifiedRim } from "./rim/verifyRim.ts";
import { verifyRimCached, type RimCache } from "./rim/rimCache.ts";
import { gpuAppraisalKey, type GpuAppraisal } from "./appraisalMemo.ts";
import type { BoundedCache } from "../../util/boundedCache.ts";

/** What a provider hands the verifier: parsed, unverified. */
export interface NvidiaGpuCollateral {
  /** Certificates to build the device chain from when the evidence carries none (e.g. hopperCertChain.txt). */
  certificates: readonly ParsedCertificate[];
  /** Driver and VBIOS RIMs (any number; the ones for this GPU are picked by chip and version). */
  rims: readonly ParsedRim[];
  ocspResponses: readonly ParsedOcspResponse[];
}

export interface VerifyNvidiaGpuOptions {
  at: Date;
  collateral: NvidiaGpuCollateral;
  /** Test roots; production uses the pinned NVIDIA roots. */
  roots?: { device: readonly TrustedRoot[]; rim: readonly TrustedRoot[] };
  /** Accept certificates for which no OCSP response was provided (a revoked or stale answer still fails). Off by default. */
  dangerouslyAllowUncheckedRevocation?: boolean;
  caches?: PkiCaches;
  /** Verified RIMs remembered by content and roots, each used only inside its chain's validity window (rimCache.ts). */
  rimCache?: RimCache;
  /** Appraisals of a device chain and its RIMs, keyed by every input they read and the exact instant (appraisalMemo.ts). */
  appraisals?: BoundedCache<string, GpuAppraisal>;
}

export interface VerifiedNvidiaGpu {
  claims: NvidiaGpuClaims;
  deviceChain: VerifiedChain;
  driverRim: VerifiedRim;
  vbiosRim: VerifiedRim;
  /** The earliest notAfter / OCSP nextUpdate of everything used. */
  expiresAt: Date;
}

export function defaultNvidiaRoots(): { device: readonly TrustedRoot[]; rim: readonly TrustedRoot[] } {
  return { device: [NVIDIA_DEVICE_IDENTITY_CA], rim: [NVIDIA_RIM_ROOT_CA] };
}

export interface DeviceChainChoice {
  chain: ParsedCertificate[];
  /** The leaf whose key verified the report signature while it was chosen (null: not checked yet). */
  reportSignatureVerifiedBy: ParsedCertificate | null;
}

/**
 * The device chain among loose certificates (a folder may hold several GPUs' chains): the non-CA certificate
 * with a DICE FWID whose key verifies `signedBy` (or, when none does, the first such certificate, so that the
 * signature check reports the failure), then its issuers by name (and signature).
 */
export function deviceChainFrom(
  certificates: readonly ParsedCertificate[],
  signedBy?: { data: Uint8Array; signature: Uint8Array },
  caches?: PkiCaches,
): DeviceChainChoice | null {
  const leaves = certificates.filter((c) => !c.isCa && leafFwid(c) !== null);
  // With one candidate there is nothing to choose (the report signature is checked once, by the verifier).
  // With several, the signature that picks the leaf is the report's signature check: it is not made twice.
  const verified =
    signedBy && leaves.length > 1
      ? leaves.find((c) => verifyWith({ kind: "ecdsa", hash: "sha384" }, signedBy.data, signedBy.signature, c.publicKey, "p1363"))
      : undefined;
  const leaf = verified ?? leaves[0];
  if (!leaf) return null;
  const chain = [leaf];
  for (let cert = leaf; cert.subject !== cert.issuer && chain.length < 8; ) {
    // Same-named CAs of different GPUs are told apart by who signed the certificate.
    const named = certificates.filter((c) => c.subject === cert.issuer && c !== cert);
    const issuer = named.find((c) => isSignedBy(cert, c, caches)) ?? named[0];
    if (!issuer) break;
    chain.push(issuer);
    cert = issuer;
  }
  return { chain, reportSignatureVerifiedBy: verified ?? null };
}

function chipOf(evidence: NvidiaGpuEvidence, leaf: ParsedCertificate): string {
  // Blackwell reports CHIP_INFO; Hopper's device certificate names the chip first ("GH100 A01 GSP BROM").
  return (evidence.info.chipInfo ?? commonName(leaf.issuer).split(" ")[0] ?? "").toUpperCase();
}

function pickRim(
  kind: "driver" | "vbios",
  version: string,
  chip: string,
  options: VerifyNvidiaGpuOptions,
  roots: readonly TrustedRoot[],
): VerifiedRim {
  const candidates = options.collateral.rims.filter(
    (r) => r.colloquialVersion.toLowerCase() === version.toLowerCase() && r.name.toUpperCase() === chip,
  );
  let firstError: unknown;
  for (const rim of candidates) {
    try {
      return verifyRimCached(rim, {
        at: options.at,
        roots,
        ocspResponses: options.collateral.ocspResponses,
        dangerouslyAllowUncheckedRevocation: options.dangerouslyAllowUncheckedRevocation === true,
        ...(options.caches ? { caches: options.caches } : {}),
        ...(options.rimCache ? { cache: options.rimCache } : {}),
      });
    } catch (e) {
      firstError ??= e;
    }
  }
  if (firstError !== undefined) throw firstError;
  throw new VerificationError(NVGPU_VERIFY_CODES.NVGPU_RIM_MISSING, `no ${kind} RIM for ${chip} version ${version} in the collateral`, {
    details: { kind, chip, version, available: options.collateral.rims.map((r) => `${r.name} ${r.colloquialVersion}`) },
  });
}

function identity(v: VerifiedRim): NvidiaRimIdentity {
  return {
    tagId: v.rim.tagId,
    version: v.rim.colloquialVersion,
    digest: toHex(v.digest),
    activeMeasurements: v.rim.measurements.filter((m) => m.active).length,
  };
}

export function verifyNvidiaGpu(evidence: NvidiaGpuEvidence, options: VerifyNvidiaGpuOptions): VerifiedNvidiaGpu {
  const roots = options.roots ?? defaultNvidiaRoots();
  const caches = options.caches ? { caches: options.caches } : {};
  const signedBy = { data: evidence.report.signedBytes, signature: evidence.report.response.signature };
  const choice = evidence.certChain
    ? { chain: evidence.certChain, reportSignatureVerifiedBy: null }
    : deviceChainFrom(options.collateral.certificates, signedBy, options.caches);
  const chain = choice?.chain;
  if (!chain || chain.length === 0) {
    throw new VerificationError(
      NVGPU_VERIFY_CODES.NVGPU_CERT_CHAIN_MISSING,
      "no GPU device certificate chain in the evidence or the collateral",
    );
  }
  const { report, info } = evidence;
  const allowUnchecked = options.dangerouslyAllowUncheckedRevocation === true;
  // The leaf is the chain's first certificate, verified or not (verifyCertificateChain keeps it first).
  const leaf = chain[0]!;
  const chip = chipOf(evidence, leaf);
  // Remembered only once every part of it has verified; a hit skips exactly what produced it, in the same order.
  const key =
    options.appraisals &&
    gpuAppraisalKey({
      at: options.at,
      chain,
      chip,
      driverVersion: info.driverVersion,
      vbiosVersion: info.vbiosVersion,
      rims: options.collateral.rims,
      ocspResponses: options.collateral.ocspResponses,
      roots,
      dangerouslyAllowUncheckedRevocation: allowUnchecked,
    });
  const remembered = key === undefined ? undefined : options.appraisals?.get(key);
  const deviceChain =
    remembered?.deviceChain ??
    verifyCertificateChain({
      name: "GPU device certificate chain",
      chain,
      roots: roots.device,
      at: options.at,
      ...caches,
    });
  const alreadyVerified = choice?.reportSignatureVerifiedBy === leaf;
  if (
    !alreadyVerified &&
    !verifyWith({ kind: "ecdsa", hash: "sha384" }, report.signedBytes, report.response.signature, leaf.publicKey, "p1363")
  ) {
    throw new VerificationError(
      NVGPU_VERIFY_CODES.NVGPU_REPORT_SIGNATURE_INVALID,
      "the GPU attestation report's signature does not verify with the device leaf key",
      {
        details: { leaf: leaf.subject },
      },
    );
  }
  const fwid = remembered?.fwid ?? leafFwid(leaf);
  if (fwid === null || !bytesEqual(fwid.digest, info.fwid)) {
    throw new VerificationError(NVGPU_VERIFY_CODES.NVGPU_FWID_MISMATCH, "the report's FWID is not the device leaf certificate's FWID", {
      details: { reported: info.fwid, certificate: fwid?.digest ?? null },
    });
  }
  const revocation =
    remembered?.revocation ??
    checkChainRevocation(deviceChain, 1, {
      at: options.at,
      ocspResponses: options.collateral.ocspResponses,
      dangerouslyAllowUncheckedRevocation: allowUnchecked,
      ...caches,
    });
  const driverRim = remembered?.driverRim ?? pickRim("driver", info.driverVersion, chip, options, roots.rim);
  const vbiosRim = remembered?.vbiosRim ?? pickRim("vbios", info.vbiosVersion, chip, options, roots.rim);
  if (key !== undefined && remembered === undefined) options.appraisals?.set(key, { deviceChain, fwid, revocation, driverRim, vbiosRim });
  const blocks = report.response.blocks;
  const appraisal = appraiseMeasurements(
    blocks,
    [
      { name: "driver", measurements: driverRim.rim.measurements },
      { name: "vbios", measurements: vbiosRim.rim.measurements },
    ],
    info.nvdec0Status,
  );
  // The digests back to back: hashed for measurementsDigest and hex-encoded once, each claim a slice of it
  // (64 measurements of 48 bytes are most of a warm GPU result's text).
  const digests = concatBytes(...blocks.map((b) => b.digest));
  const digestsHex = bufferView(digests).toString("hex");
  const digestHexLength = 2 * MEASUREMENT_DIGEST_LENGTH;
  const expiresAt = [revocation.expiresAt, driverRim.expiresAt, vbiosRim.expiresAt].reduce((a, b) => (b < a ? b : a));
  const claims: NvidiaGpuClaims = {
    nonce: hexOf(report.request.nonce),
    responderNonce: hexOf(report.response.nonce),
    architecture: fwid.architecture,
    hardwareModel: commonName(leaf.issuer),
    driverVersion: info.driverVersion,
    vbiosVersion: info.vbiosVersion,
    project: info.project,
    projectSku: info.projectSku,
    chipSku: info.chipSku,
    boardId: info.boardId,
    fwid: hexOf(info.fwid),
    // Every block's digest is MEASUREMENT_DIGEST_LENGTH bytes (parseSpdmReport refuses any other).
    measurements: blocks.map((_, i): Hex => `0x${digestsHex.slice(i * digestHexLength, (i + 1) * digestHexLength)}`),
    measurementsDigest: `0x${hash("sha384", digests, "hex")}`,
    measurementsMatched: appraisal.matched,
    driverRim: identity(driverRim),
    vbiosRim: identity(vbiosRim),
    nvdec0Status: info.nvdec0Status,
    protectedPcieStatus: info.protectedPcieStatus,
    revocationChecked: revocation.checked && driverRim.revocationChecked && vbiosRim.revocationChecked,
  };
  return { claims, deviceChain, driverRim, vbiosRim, expiresAt };
}
