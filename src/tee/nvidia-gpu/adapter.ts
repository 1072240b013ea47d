/**
 * NVIDIA confidential GPUs in the adapter table: detect → parse → collateral (RIMs, OCSP, the device chain
 * for the hex and binary forms) → verify (verifyNvidiaGpu). OCSP is required: without a response for a
 * device or RIM certificate the evidence is refused (NVGPU_OCSP_MISSING) unless the operator set the
 * unsafe `dangerouslyAllowUncheckedRevocation` (CLI `--dangerously-allow-unchecked-gpu-revocation`).
 */
import { coversCertificate, type ParsedOcspResponse } from "../../pki/ocsp/ocspResponse.ts";
import type { ParsedCertificate } from "../../pki/x509/certificate.ts";
import type { TrustedRoot } from "../../pki/x509/verifyCertificateChain.ts";
import { bodyKeccak, derKeccak } from "../collateralKeccak.ts";
import { concatBytes, fromHex } from "@keepledger/sdk/internal/util/bytes";
import { keccak256Hex } from "@keepledger/sdk/internal/util/keccak256";
import type { TeeAdapter, VerifyContext } from "../adapter.ts";
import { acrossVerifications, type VerifierContext } from "../verifierContext.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { nvidiaGpuCollateralRequests } from "./collateralRequests.ts";
import { nvidiaGpuFacts } from "@keepledger/sdk/internal/tee/nvidia-gpu/facts";
import { detectNvidiaGpuEvidence, parseNvidiaGpuEvidence, type NvidiaGpuEvidence } from "./parseNvidiaGpuEvidence.ts";
import type { ParsedRim } from "./rim/parseRim.ts";
import { parseRimCached } from "./rim/rimCache.ts";
import { defaultNvidiaRoots, verifyNvidiaGpu, type VerifiedNvidiaGpu } from "./verifyNvidiaGpu.ts";
import { isNvidiaTestRoot, NVIDIA_TEST_ROOTS } from "./knownTestRoots.ts";
import { withLazyEvidenceHash } from "../lazyEvidenceHash.ts";

export interface NvidiaGpuAdapterOptions {
  /**
   * UNSAFE, off by default: accept evidence when no OCSP response covers a device or RIM certificate (a
   * revoked, unknown, forged or stale response still fails). NVIDIA publishes no OCSP responses with its
   * samples, so the real vectors verify only with it; never on a production validator.
   */
  dangerouslyAllowUncheckedRevocation?: boolean;
}

/** RIMs of the collateral, parsed once per document (by content) when the caller shares a verifier context. */
function parsedRims(context: VerifyContext): ParsedRim[] {
  // A malformed RIM among the collateral is not this evidence's RIM; a missing one is NVGPU_RIM_MISSING.
  return (context.collateral.rims ?? [])
    .map((bytes) => parseRimCached(bytes, context.caches?.nvidiaRims, context.caches?.pki))
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
function collateralHashOf(v: VerifiedNvidiaGpu, responses: readonly ParsedOcspResponse[], context?: VerifierContext): `0x${string}` {
  const used = ocspUsed(responses, [v.deviceChain.certificates, v.driverRim.chain.certificates, v.vbiosRim.chain.certificates]);
  // Each item's keccak is remembered by its SHA-256 (the keys other kinds use for the same bytes): RIMs are 20 KB.
  const der = (item: { der: Uint8Array; fingerprint: string }) => ({
    key: `der:${item.fingerprint}`,
    hash: () => derKeccak(item, context),
  });
  const body = (rim: { contentHash: string; bytes: Uint8Array }) => ({
    key: `body:${rim.contentHash}`,
    hash: () => bodyKeccak(rim.contentHash, rim.bytes, context),
  });
  const parts = [...v.deviceChain.certificates.map(der), body(v.driverRim.rim), body(v.vbiosRim.rim), ...used.map(der)];
  const combine = (): `0x${string}` => keccak256Hex(concatBytes(...parts.map((part) => fromHex(part.hash()))));
  // The combination too is a pure function of the items' hashes (their keys), in order.
  const cache = acrossVerifications(context)?.keccak;
  return cache ? cache.getOrSet(`combined:gpu:${parts.map((part) => part.key).join(",")}`, combine) : combine();
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
  return [v.deviceChain, v.driverRim.chain, v.vbiosRim.chain].some((c) => isNvidiaTestRoot(c.root.certificate));
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
        ...(context.caches ? { caches: context.caches.pki, rimCache: context.caches.nvidiaRims } : {}),
        // Remembered for a later verification only (a context made for one verification never meets it again).
        ...(context.caches?.reusable ? { appraisals: context.caches.nvidiaAppraisals } : {}),
      });
      return withLazyEvidenceHash(
        {
          ok: true,
          tee: "nvidia-gpu",
          claims: v.claims,
          // NVIDIA publishes no TCB levels for GPUs: the RIMs' golden values are the appraisal.
          tcb: { status: "NotApplicable", advisoryIds: [] },
          // GPU reports carry no debug flag (docs/evidence/nvidia-gpu.md); keepledger's test roots prove nothing.
          debug: usesTestRoot(v),
          collateralHash: collateralHashOf(v, ocspResponses, context.caches),
          expiresAt: v.expiresAt,
          verifiedAt: context.at,
          platform: {
            nvidiaArchitecture: v.claims.architecture,
            nvidiaHardwareModel: v.claims.hardwareModel,
            revocationChecked: v.claims.revocationChecked,
            ...(usesTestRoot(v) ? { nvidiaTestRoot: true } : {}),
          },
        },
        context.evidence,
      );
    },
  };
}

export const nvidiaGpuAdapter = createNvidiaGpuAdapter();
