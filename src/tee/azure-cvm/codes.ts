import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";

/** The measurement codes live beside the (pure) measurement layout. */
export { AZCVM_MEASUREMENT_CODES } from "@keepledger/sdk/internal/tee/azure-cvm/measurement";

/** Format errors of Azure confidential VM evidence (the evidence file, HCL report, runtime data, TPM quote). */
export const AZCVM_FORMAT_CODES = defineErrorCodes("tee/azure-cvm/format", {
  AZCVM_EVIDENCE_JSON_INVALID: {
    stage: "format",
    description:
      "The Azure CVM evidence file is not a JSON object in one of the two accepted layouts (version 1: hcl_report, tpm_quote, vcek/td_quote; unversioned: report, quote, vcek).",
  },
  AZCVM_EVIDENCE_FIELD_INVALID: {
    stage: "format",
    description: "A member of the Azure CVM evidence file is missing, of the wrong type, or not the hex/base64url/byte array it must be.",
  },
  AZCVM_HCL_SIGNATURE_INVALID: { stage: "format", description: "The HCL report does not start with the signature 'HCLA'." },
  AZCVM_HCL_VERSION_UNSUPPORTED: { stage: "format", description: "The HCL report header version is not 1 or 2." },
  AZCVM_HCL_REQUEST_TYPE_UNSUPPORTED: {
    stage: "format",
    description: "The HCL report's request type is not 2 (a hardware report with runtime data), or its status is not 0.",
  },
  AZCVM_HCL_SIZE_INVALID: {
    stage: "format",
    description:
      "The HCL report's sizes disagree: the report must fill the 2600-byte NV index exactly, report_size, the IGVM request data size and the variable data size must add up, and the bytes after them must be zero.",
  },
  AZCVM_HCL_REPORT_TYPE_UNSUPPORTED: {
    stage: "format",
    description: "The IGVM request data names a hardware report type other than 2 (SEV-SNP) or 4 (TDX), or a version other than 1.",
  },
  AZCVM_HCL_HASH_TYPE_UNSUPPORTED: {
    stage: "format",
    description: "The IGVM request data names a runtime data hash other than 1 (SHA-256).",
  },
  AZCVM_HCL_PADDING_NONZERO: {
    stage: "format",
    description: "The hardware report area of the HCL report holds non-zero bytes after the TDX TDREPORT (1024 of 1184 bytes).",
  },
  AZCVM_TDREPORT_INVALID: {
    stage: "format",
    description: "The TDX TDREPORT inside the HCL report is not a TDX report (REPORTTYPE.TYPE is not 0x81).",
  },
  AZCVM_RUNTIME_DATA_INVALID: {
    stage: "format",
    description:
      "The HCL runtime data is not the JSON object the paravisor writes: keys with an RSA 'HCLAkPub' JWK, an optional vm-configuration object and a hex user-data.",
  },
  AZCVM_TPM_ATTEST_INVALID: {
    stage: "format",
    description:
      "The TPM quote message is not a TPMS_ATTEST of type TPM_ST_ATTEST_QUOTE (magic 0xff544347, type 0x8018) or its sizes are inconsistent.",
  },
  AZCVM_TPM_PCR_SELECTION_INVALID: {
    stage: "format",
    description:
      "The TPM quote's PCR selection is unusable: not exactly one SHA-256 bank, a selection of more than 3 bytes, or no PCR selected.",
  },
  AZCVM_TPM_SIGNATURE_INVALID_FORMAT: {
    stage: "format",
    description:
      "The TPM quote signature is neither a bare RSA signature nor a TPMT_SIGNATURE of algorithm RSASSA (0x0014) with SHA-256 (0x000b).",
  },
  AZCVM_PCR_VALUES_INVALID: {
    stage: "format",
    description: "The PCR values are not 24 SHA-256 values (32 bytes each), index 0 to 23.",
  },
  AZCVM_HARDWARE_MISMATCH: {
    stage: "format",
    description:
      "The evidence file carries the wrong companion for its hardware report: a TD quote with an SEV-SNP HCL report, a VCEK with a TDX one, or a TDX HCL report without its TD quote.",
  },
});

/** Verification errors of Azure confidential VM evidence. */
export const AZCVM_VERIFY_CODES = defineErrorCodes("tee/azure-cvm/verify", {
  AZCVM_RUNTIME_DATA_UNBOUND: {
    stage: "verification",
    description:
      "SHA-256 of the HCL runtime data is not the first 32 bytes of the hardware report's REPORT_DATA: the runtime data (and its key) are not the hardware's.",
  },
  AZCVM_SNP_VMPL_INVALID: {
    stage: "verification",
    description:
      "The SEV-SNP report was not requested from VMPL 0, where the Azure paravisor runs: a guest at a less privileged VMPL can put any runtime data hash, and so any attestation key, into its own reports.",
  },
  AZCVM_TD_QUOTE_MISMATCH: {
    stage: "verification",
    description:
      "The TD quote's body is not the TDREPORT of the HCL report (REPORT_DATA, TDINFO or TEE_TCB_INFO differ), or the TDREPORT's TEE_TCB_INFO_HASH or TEE_INFO_HASH is not the SHA-384 of its TEE_TCB_INFO or TDINFO.",
  },
  AZCVM_AK_INVALID: {
    stage: "verification",
    description: "The HCL attestation key (HCLAkPub) in the runtime data is not a usable RSA 2048..4096-bit public key.",
  },
  AZCVM_TPM_QUOTE_SIGNATURE_INVALID: {
    stage: "verification",
    description: "The TPM quote's RSASSA-PKCS1-v1_5/SHA-256 signature does not verify with the HCL attestation key from the runtime data.",
  },
  AZCVM_PCR_DIGEST_MISMATCH: {
    stage: "verification",
    description: "The PCR digest signed in the TPM quote is not SHA-256 of the supplied PCR values for the quote's selection.",
  },
  AZCVM_NONCE_MISMATCH: {
    stage: "verification",
    description: "The TPM quote's extraData (the nonce) is not the expected binding.",
  },
  AZCVM_EVIDENCE_MISMATCH: {
    stage: "usage",
    description: "The Azure CVM adapter was asked to verify bytes other than the evidence it parsed.",
  },
  AZCVM_TDX_TCB_UNKNOWN: {
    stage: "infrastructure",
    description:
      "The TD quote verified (signatures, PCK chain to the Intel root) but the collateral holds no TCB Info, TD QE Identity or CRLs for its FMSPC: the TCB status is unknown without collateral, so the evidence is refused; retry when PCS or a collateral directory has them.",
  },
});
