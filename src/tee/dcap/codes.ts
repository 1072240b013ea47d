import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";

/** Verification codes of Intel DCAP quotes (SGX and TDX). Certificate and CRL codes come from src/pki/x509. */
export const DCAP_CODES = defineErrorCodes("verify/dcap", {
  DCAP_QUOTE_SIGNATURE_INVALID: {
    stage: "verification",
    description: "The quote's signature over header and body does not verify with the attestation key it carries.",
  },
  DCAP_ATTESTATION_KEY_INVALID: {
    stage: "verification",
    description: "The attestation key in the quote is not a valid P-256 public key.",
  },
  DCAP_QE_REPORT_SIGNATURE_INVALID: {
    stage: "verification",
    description: "The quoting enclave's report is not signed by the PCK certificate's key.",
  },
  DCAP_QE_REPORT_DATA_MISMATCH: {
    stage: "verification",
    description:
      "The QE report does not bind the attestation key: REPORTDATA is not SHA-256(attestation key ‖ QE auth data) followed by zeros.",
  },
  DCAP_PCK_CERT_INVALID: {
    stage: "verification",
    description: "The PCK certificate is not an Intel SGX PCK certificate (subject, issuing CA or SGX extensions are wrong).",
  },
  DCAP_TCB_INFO_MISSING: {
    stage: "verification",
    description: "The collateral holds no TCB Info for this TEE and FMSPC; fetch it from Intel PCS or a PCCS.",
  },
  DCAP_QE_IDENTITY_MISSING: {
    stage: "verification",
    description: "The collateral holds no QE Identity (QE for SGX, TD_QE for TDX); fetch it from Intel PCS or a PCCS.",
  },
  DCAP_COLLATERAL_MALFORMED: {
    stage: "verification",
    description: "A TCB Info or QE Identity document does not have the structure of Intel's v3 TCB Info / v2 Enclave Identity.",
  },
  DCAP_COLLATERAL_UNSUPPORTED: {
    stage: "verification",
    description:
      "A TCB Info or QE Identity has a version, id or TCB type this verifier does not evaluate (TCB Info v3 SGX/TDX, tcbType 0; QE Identity v2).",
  },
  DCAP_TCB_SIGNING_CERT_MISSING: {
    stage: "verification",
    description: "No Intel SGX TCB Signing certificate came with the collateral to check a TCB Info or QE Identity signature.",
  },
  DCAP_COLLATERAL_SIGNATURE_INVALID: {
    stage: "verification",
    description: "A TCB Info or QE Identity signature does not verify with the Intel SGX TCB Signing certificate.",
  },
  DCAP_COLLATERAL_EXPIRED: {
    stage: "verification",
    description: "A TCB Info or QE Identity is past its nextUpdate at the verification time: fetch fresh collateral.",
  },
  DCAP_COLLATERAL_NOT_YET_VALID: {
    stage: "verification",
    description: "A TCB Info or QE Identity was issued after the verification time.",
  },
  DCAP_TCB_INFO_MISMATCH: {
    stage: "verification",
    description: "The TCB Info is for another TEE, FMSPC or PCE ID than the PCK certificate.",
  },
  DCAP_QE_IDENTITY_MISMATCH: {
    stage: "verification",
    description: "The quoting enclave is not Intel's: MRSIGNER, ISVPRODID, MISCSELECT or ATTRIBUTES differ from the QE Identity.",
  },
  DCAP_TDX_MODULE_MISMATCH: {
    stage: "verification",
    description: "The TDX module (MRSIGNERSEAM, SEAM attributes, version) matches no TDX module identity in the TCB Info.",
  },
  DCAP_TCB_NOT_SUPPORTED: {
    stage: "verification",
    description:
      "No TCB level in the TCB Info matches the platform (or TDX module): Intel does not rate this TCB at all, so it is rejected, not OutOfDate.",
  },
  DCAP_TCB_REVOKED: {
    stage: "verification",
    description: "The platform, quoting enclave or TDX module TCB is revoked by Intel; a revoked TCB is never accepted.",
  },
  DCAP_EVIDENCE_MISMATCH: {
    stage: "usage",
    description: "The parsed quote handed to verify is not the quote whose bytes were given as evidence.",
  },
});
