/**
 * A remembered GPU appraisal: what one verification concluded about a GPU's device chain and the RIMs its
 * report names — the chain verified to a pinned root, its OCSP answers, the leaf's FWID, the driver and VBIOS
 * RIMs picked for the chip and the two versions and verified with their own chains and OCSP answers — so that
 * the next report from the same GPU costs its own signature, the FWID comparison and the measurement
 * appraisal only (as a DCAP appraisal does for the next quote of a platform, dcap/appraisalMemo.ts).
 *
 * None of that reads the report beyond the chip and the two versions: it is a pure function of the key below,
 * which names every input it reads — the device chain by its certificates' fingerprints, the chip and
 * versions, the collateral's RIMs and OCSP responses by content, the roots, the revocation switch and the
 * exact "as of" instant. One instant, not a window: every validity check and every choice among OCSP
 * responses gives the same answer only at the same time. A node verifies as of the chain's time in whole
 * seconds, so the reports it verifies within one second share it.
 */
import { hash } from "node:crypto";
import type { ParsedOcspResponse } from "../../pki/ocsp/ocspResponse.ts";
import type { ParsedCertificate } from "../../pki/x509/certificate.ts";
import type { TrustedRoot, VerifiedChain } from "../../pki/x509/verifyCertificateChain.ts";
import type { DiceFwid } from "./diceFwid.ts";
import type { ParsedRim } from "./rim/parseRim.ts";
import type { VerifiedRim } from "./rim/verifyRim.ts";

export interface GpuAppraisal {
  deviceChain: VerifiedChain;
  /** The leaf's DICE FWID (the report's must equal it). */
  fwid: DiceFwid;
  /** OCSP for the device chain from the leaf's issuer up. */
  revocation: { checked: boolean; expiresAt: Date };
  driverRim: VerifiedRim;
  vbiosRim: VerifiedRim;
}

export interface GpuAppraisalInputs {
  at: Date;
  /** The device chain as chosen (leaf first), before verification. */
  chain: readonly ParsedCertificate[];
  chip: string;
  driverVersion: string;
  vbiosVersion: string;
  rims: readonly ParsedRim[];
  ocspResponses: readonly ParsedOcspResponse[];
  roots: { device: readonly TrustedRoot[]; rim: readonly TrustedRoot[] };
  dangerouslyAllowUncheckedRevocation: boolean;
}

const fingerprints = (items: readonly { fingerprint: string }[]): string => items.map((i) => i.fingerprint).join(",");

/**
 * The memo key: SHA-256 over every input the appraisal reads, as a JSON array (the chip and versions come from
 * untrusted evidence: no separator they could contain makes two inputs alike), and the instant.
 */
export function gpuAppraisalKey(inputs: GpuAppraisalInputs): string {
  const fields = [
    inputs.dangerouslyAllowUncheckedRevocation,
    inputs.chip,
    inputs.driverVersion,
    inputs.vbiosVersion,
    fingerprints(inputs.chain),
    fingerprints(inputs.roots.device.map((r) => r.certificate)),
    fingerprints(inputs.roots.rim.map((r) => r.certificate)),
    inputs.rims.map((r) => r.contentHash).join(","),
    fingerprints(inputs.ocspResponses),
  ];
  return `${inputs.at.getTime()}:${hash("sha256", JSON.stringify(fields), "hex")}`;
}
