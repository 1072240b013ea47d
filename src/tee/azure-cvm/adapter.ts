import { UsageError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { sameBytes } from "../../util/bufferView.ts";
import type { TeeAdapter } from "../adapter.ts";
import { AZCVM_VERIFY_CODES } from "./codes.ts";
import { azureCvmCollateralRequests } from "./collateralRequests.ts";
import { detectAzureEvidenceFile } from "./evidenceFile.ts";
import { azureCvmFacts } from "@keepledger/sdk/internal/tee/azure-cvm/facts";
import { checkAzureCvmLaunchPolicy } from "./launchPolicy.ts";
import { parseAzureEvidence, type AzureCvmEvidence } from "./parseAzureEvidence.ts";
import { verifyAzureEvidence } from "./verifyAzureEvidence.ts";

export interface AzureCvmAdapterOptions {
  /**
   * UNSAFE, off by default, the same switch as the SEV-SNP adapter's: verify the embedded SNP report's ASK
   * without AMD's CRL when no collateral source has it. Development networks and CRL-less vectors only.
   */
  dangerouslyAllowMissingAmdCrl?: boolean;
}

export function defaultAzureCvmAdapterOptions(): Required<AzureCvmAdapterOptions> {
  return { dangerouslyAllowMissingAmdCrl: false };
}

/**
 * Azure confidential VMs in the adapter registry: the trustee JSON evidence file (docs/evidence/azure-cvm.md).
 * The binding is checked by the caller against the TPM quote's extraData (facts.reportData), like every kind's.
 */
export function createAzureCvmAdapter(options: AzureCvmAdapterOptions = {}): TeeAdapter<"azure-cvm", AzureCvmEvidence> {
  const { dangerouslyAllowMissingAmdCrl } = { ...defaultAzureCvmAdapterOptions(), ...options };
  return {
    ...azureCvmFacts,
    checkLaunchPolicy: (evidence, launch) => checkAzureCvmLaunchPolicy(evidence, launch),
    detect: detectAzureEvidenceFile,
    parse: (bytes, caches) => parseAzureEvidence(bytes, caches),
    collateralRequests: (parsed, caches) => azureCvmCollateralRequests(parsed, caches),
    verify(parsed, context) {
      if (!sameBytes(context.evidence, parsed.raw)) {
        throw new UsageError(AZCVM_VERIFY_CODES.AZCVM_EVIDENCE_MISMATCH, "the evidence to verify is not the evidence that was parsed", {
          details: { parsed: parsed.raw.length, evidence: context.evidence.length },
        });
      }
      return verifyAzureEvidence(parsed, {
        collateral: context.collateral,
        at: context.at,
        dangerouslyAllowMissingAmdCrl,
        ...(context.trustedRoots === undefined ? {} : { trustedRoots: context.trustedRoots }),
        ...(context.freshness === undefined ? {} : { freshness: context.freshness }),
        ...(context.caches === undefined ? {} : { caches: context.caches }),
      });
    },
  };
}

/** The production Azure CVM adapter: AMD's CRL required for SEV-SNP hardware. */
export const azureCvmAdapter: TeeAdapter<"azure-cvm", AzureCvmEvidence> = createAzureCvmAdapter();
