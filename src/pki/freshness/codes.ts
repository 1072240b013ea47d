import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";

/**
 * Freshness of collateral against the validator's floor (the newest document of each kind it has ever
 * verified) and its maximum collateral age. Every code names the document and both dates or numbers.
 */
export const FRESHNESS_CODES = defineErrorCodes("pki/freshness", {
  CRL_STALE: {
    stage: "verification",
    description:
      "The CRL chosen for a certificate is older (thisUpdate, then CRL number) than one this validator has already verified for the same issuer: it may predate a revocation. Fetch a current CRL.",
  },
  DCAP_TCB_INFO_STALE: {
    stage: "verification",
    description:
      "The TCB Info is older (tcbEvaluationDataNumber, then issueDate) than one this validator has already verified for the same TEE and FMSPC: it may predate a TCB recovery. Fetch current TCB Info.",
  },
  DCAP_QE_IDENTITY_STALE: {
    stage: "verification",
    description:
      "The QE Identity is older (tcbEvaluationDataNumber, then issueDate) than one this validator has already verified for the same id (QE, TD_QE). Fetch a current QE Identity.",
  },
  COLLATERAL_TOO_OLD: {
    stage: "verification",
    description:
      "A CRL, TCB Info or QE Identity was issued longer ago than the validator's maxCollateralAge allows, although its nextUpdate has not passed. Fetch fresh collateral.",
  },
});
