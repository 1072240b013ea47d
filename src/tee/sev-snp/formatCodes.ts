import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";

/** Format errors of the SEV-SNP ATTESTATION_REPORT parser (SEV-SNP Firmware ABI, Table "ATTESTATION_REPORT"). */
export const SNP_FORMAT_CODES = defineErrorCodes("evidence/sev-snp", {
  SNP_REPORT_VERSION_UNSUPPORTED: {
    stage: "format",
    description: "The SEV-SNP report VERSION is not 2, 3 or 5, the versions keepledger parses.",
  },
  SNP_SIGNATURE_ALGORITHM_UNSUPPORTED: {
    stage: "format",
    description: "The SEV-SNP report SIGNATURE_ALGO is not 1 (ECDSA P-384 with SHA-384), the only algorithm the ABI defines.",
  },
  SNP_RESERVED_NONZERO: {
    stage: "format",
    description: "A field of the SEV-SNP report that the ABI reserves as must-be-zero holds a non-zero byte.",
  },
  SNP_POLICY_INVALID: {
    stage: "format",
    description: "The guest POLICY has reserved bit 17 clear or a reserved bit 26..63 set; firmware never launches such a guest.",
  },
  SNP_SIGNING_KEY_UNSUPPORTED: {
    stage: "format",
    description: "KEY_INFO.SIGNING_KEY is not 0 (VCEK) or 1 (VLEK): the report is unsigned (7) or names a reserved key.",
  },
  SNP_PRODUCT_UNKNOWN: {
    stage: "format",
    description: "The report's CPUID family/model is not an AMD product line keepledger knows (Milan, Genoa, Turin).",
  },
  SNP_SIGNATURE_MALFORMED: {
    stage: "format",
    description: "A signature component R or S is not a P-384 scalar: its zero padding above 48 bytes holds non-zero bytes.",
  },
});
