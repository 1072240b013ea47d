/**
 * NVIDIA confidential GPUs in the adapter table: detect → parse → collateral (RIMs, OCSP, the device chain
 * for the hex and binary forms) → verify (verifyNvidiaGpu). OCSP is required: without a response for a
 * device or RIM certificate the evidence is refused (NVGPU_OCSP_MISSING) unless the operator set the
 * unsafe `dangerouslyAllowUncheckedRevocation` (CLI `--dangerously-allow-unchecked-gpu-revocation`).
 */
import { coversCertificate, type ParsedOcspResponse } from "../../pki/ocsp/ocspResponse.ts";
import type { ParsedCertificate } from "../../pki/x509/certificate.ts";
import type { TrustedRoot } from "../../pki/x509/verifyCertificateChain.ts";
import { createHash } from "node:crypto";
import { concatBytes, fromHex, toHex } from "../../util/bytes.ts";
import { keccak256Bytes, keccak256Hex } from "../../util/keccak256.ts";
import type { TeeAdapter, VerifyContext } from "../adapter.ts";
import type { VerifierContext } from "../verifierContext.ts";
import type { VerifiedEvidence } from "../types.ts";
import { nvidiaGpuCollateralRequests } from "./collateralRequests.ts";
import { nvidiaGpuFacts } from "./facts.ts";
import { detectNvidiaGpuEvidence, parseNvidiaGpuEvidence, type NvidiaGpuEvidence } from "./parseNvidiaGpuEvidence.ts";
import { parseRim, type ParsedRim } from "./rim/parseRim.ts";
import { defaultNvidiaRoots, verifyNvidiaGpu, type VerifiedNvidiaGpu } from "./verifyNvidiaGpu.ts";
import { isNvidiaTestRoot, NVIDIA_TEST_ROOTS } from "./knownTestRoots.ts";

export interface NvidiaGpuAdapterOptions {
  /**
   * UNSAFE, off by default: accept evidence when no OCSP response covers a device or RIM certificate (a
   * revoked, unknown, forged or stale response still fails). NVIDIA publishes no OCSP responses with its
   * samples, so the real vectors verify only with it; never on a production validator.
   */
  dangerouslyAllowUncheckedRevocation?: boolean;
}

/** A RIM, or null when it does not parse: a malformed RIM among the collateral is not this evidence's RIM. */
function tryParseRim(bytes: Uint8Array, context: VerifyContext): ParsedRim | null {
  try {
    return parseRim(bytes, context.caches?.pki);
  } catch {
    return null;
  }
}

/** RIMs of the collateral, parsed once per process (by content) when the caller shares caches; a missing one is NVGPU_RIM_MISSING. */
function parsedRims(context: VerifyContext): ParsedRim[] {
  const cache = context.caches?.nvidiaRims;
  return (context.collateral.rims ?? [])
    .map((bytes) =>
      cache
        ? cache.getOrSet(createHash("sha256").update(bytes).digest("hex"), () => tryParseRim(bytes, context))
        : tryParseRim(bytes, context),
    )
    .filter((r): r is ParsedRim => r !== null);
}

/** The OCSP responses that answer for a certificate of these chains (leaf first, issuer next). */
function ocspUsed(responses: readonly ParsedOcspResponse[], chains: readonly (readonly ParsedCertificate[])[]): ParsedOcspResponse[] {
  return responses.filter((r) =>
    chains.some((chain) =>
      chain.some((cert, i) => i + 1 < chain.length && r.responses.some((s) => coversCertificate(s, cert, chain[i + 1]!))),
    ),
  );
}

/**
 * collateralHash = keccak256 over, concatenated: keccak256 of each device chain certificate's DER (leaf first,
 * the pinned root last), of the driver RIM document, of the VBIOS RIM document, and of each OCSP response
 * that answered for a certificate used, in collateral order (docs/evidence/nvidia-gpu.md).
 */
function collateralHashOf(v: VerifiedNvidiaGpu, responses: readonly ParsedOcspResponse[], caches?: VerifierContext): `0x${string}` {
  const used = ocspUsed(responses, [v.deviceChain.certificates, v.driverRim.chain.certificates, v.vbiosRim.chain.certificates]);
  // Each item's keccak256 is remembered by its fingerprint or content hash (a RIM is ~18 KiB of XML).
  const hashOf = (key: string, bytes: Uint8Array): Uint8Array =>
    caches ? fromHex(caches.keccak.getOrSet(key, () => toHex(keccak256Bytes(bytes)))) : keccak256Bytes(bytes);
  const rimKey = (bytes: Uint8Array) => `body:${createHash("sha256").update(bytes).digest("hex")}`;
  const items = [
    ...v.deviceChain.certificates.map((c) => hashOf(`der:${c.fingerprint}`, c.der)),
    hashOf(rimKey(v.driverRim.rim.bytes), v.driverRim.rim.bytes),
    hashOf(rimKey(v.vbiosRim.rim.bytes), v.vbiosRim.rim.bytes),
    ...used.map((r) => hashOf(`der:${r.fingerprint}`, r.der)),
  ];
  return keccak256Hex(concatBytes(...items));
}

function rootsFor(trusted: readonly TrustedRoot[] | undefined): { device: readonly TrustedRoot[]; rim: readonly TrustedRoot[] } {
  // Test roots replace both pinned NVIDIA roots (each chain still has to reach one of them).
  if (trusted !== undefined) return { device: trusted, rim: trusted };
  // keepledger's own test roots verify too, labelled insecure (knownTestRoots.ts).
  const pinned = defaultNvidiaRoots();
  return { device: [...pinned.device, ...NVIDIA_TEST_ROOTS.device], rim: [...pinned.rim, ...NVIDIA_TEST_ROOTS.rim] };
}

/** Whether any chain of the verification ends at one of keepledger's NVIDIA test roots. */
function usesTestRoot(v: VerifiedNvidiaGpu): boolean {
  return [v.deviceChain, v.driverRim.chain, v.vbiosRim.chain].some((c) => isNvidiaTestRoot(c.root.certificate.der));
}

export function createNvidiaGpuAdapter(options: NvidiaGpuAdapterOptions = {}): TeeAdapter<"nvidia-gpu", NvidiaGpuEvidence> {
  const allowUnchecked = options.dangerouslyAllowUncheckedRevocation === true;
  return {
    ...nvidiaGpuFacts,
    // No on-chain launch-policy part (yet): the approved RIM digests are what the policy asks for.
    checkLaunchPolicy: () => {},
    detect: detectNvidiaGpuEvidence,
    parse: (bytes) => parseNvidiaGpuEvidence(bytes),
    collateralRequests: (evidence) => nvidiaGpuCollateralRequests(evidence),
    verify(evidence, context): VerifiedEvidence<"nvidia-gpu"> {
      const ocspResponses = context.collateral.ocspResponses ?? [];
      const v = verifyNvidiaGpu(evidence, {
        at: context.at,
        collateral: { certificates: context.collateral.certificates, rims: parsedRims(context), ocspResponses },
        roots: rootsFor(context.trustedRoots),
        dangerouslyAllowUncheckedRevocation: allowUnchecked,
        ...(context.caches ? { caches: context.caches.pki } : {}),
      });
      return {
        ok: true,
        tee: "nvidia-gpu",
        claims: v.claims,
        // NVIDIA publishes no TCB levels for GPUs: the RIMs' golden values are the appraisal.
        tcb: { status: "NotApplicable", advisoryIds: [] },
        // GPU reports carry no debug flag (docs/evidence/nvidia-gpu.md); keepledger's test roots prove nothing.
        debug: usesTestRoot(v),
        evidenceHash: keccak256Hex(context.evidence),
        collateralHash: collateralHashOf(v, ocspResponses, context.caches),
        expiresAt: v.expiresAt,
        verifiedAt: context.at,
        platform: {
          nvidiaArchitecture: v.claims.architecture,
          nvidiaHardwareModel: v.claims.hardwareModel,
          revocationChecked: v.claims.revocationChecked,
          ...(usesTestRoot(v) ? { nvidiaTestRoot: true } : {}),
        },
      };
    },
  };
}

export const nvidiaGpuAdapter = createNvidiaGpuAdapter();
