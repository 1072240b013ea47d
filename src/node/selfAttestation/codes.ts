import { defineErrorCodes } from "@keepledger/sdk/internal/errors/index";

/** Error codes of the validator's own evidence providers (src/node/selfAttestation). */
export const SELF_ATTESTATION_CODES = defineErrorCodes("node/selfAttestation", {
  SELF_REPORT_DATA_LENGTH: { stage: "usage", description: "Report data for a TEE report must be exactly 64 bytes." },
  SELF_TSM_UNAVAILABLE: {
    stage: "usage",
    description:
      "The configfs TSM report interface is not there (not a TDX or SEV-SNP guest, configfs not mounted, or no permission); set selfAttestation.root or use another provider.",
  },
  SELF_TSM_PROVIDER_UNKNOWN: { stage: "usage", description: "The configfs TSM provider is neither tdx_guest nor sev_guest." },
  SELF_TSM_RACE: {
    stage: "infrastructure",
    description:
      "Another writer changed the TSM report while the node used it (the generation counter moved); the node retries with a fresh report directory.",
  },
  SELF_EVIDENCE_MISMATCH: {
    stage: "infrastructure",
    description: "The TEE returned evidence that does not carry the report data the node wrote; the node retries.",
  },
  SELF_GRAMINE_UNAVAILABLE: {
    stage: "usage",
    description:
      "Gramine's /dev/attestation interface is not there: the node is not running inside a Gramine SGX enclave with remote attestation enabled.",
  },
  SELF_GRAMINE_ATTESTATION_TYPE: {
    stage: "usage",
    description: 'Gramine reports an attestation type other than dcap (e.g. none): enable sgx.remote_attestation = "dcap" in the manifest.',
  },
  SNP_CERT_TABLE_MALFORMED: {
    stage: "format",
    description:
      "The SEV-SNP certificate table (configfs auxblob) is malformed: an entry points outside the table or it lacks its terminating zero entry.",
  },
});
