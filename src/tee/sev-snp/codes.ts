import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";

/** Verification errors of SEV-SNP reports (chain and signature failures use the x509 CERT_* / CRL_* codes). */
export const SNP_VERIFY_CODES = defineErrorCodes("verify/sev-snp", {
  SNP_VEK_MISSING: {
    stage: "verification",
    description:
      "The collateral holds no VCEK (or VLEK, when the report says it was VLEK-signed) certificate; fetch it from AMD KDS or post it with the evidence.",
  },
  SNP_VEK_MALFORMED: {
    stage: "verification",
    description:
      "A VCEK/VLEK certificate lacks AMD's KDS extensions (product name, SPLs, hwID or CSP id), encodes them wrongly, or does not certify a P-384 key.",
  },
  SNP_ASK_MISSING: {
    stage: "verification",
    description: "The collateral holds no ASK (or ASVK for a VLEK) that issued the VCEK/VLEK; add the KDS cert_chain for the product line.",
  },
  SNP_PRODUCT_UNDETERMINED: {
    stage: "verification",
    description:
      "The issuing ASK/ASVK is not named SEV-<Milan|Genoa|Turin> or SEV-VLEK-<Milan|Genoa|Turin>, so no product line (and no pinned ARK) can be chosen for the chain.",
  },
  SNP_PRODUCT_MISMATCH: {
    stage: "verification",
    description: "The product line from the report (CPUID or CHIP_ID shape), the issuing ASK's name and the VCEK's productName disagree.",
  },
  SNP_SIGNING_KEY_MISMATCH: {
    stage: "verification",
    description: "The report's KEY_INFO names one key (VCEK or VLEK) but the certificate chain is for the other (ASK vs ASVK).",
  },
  SNP_TCB_MISMATCH: {
    stage: "verification",
    description:
      "The VCEK/VLEK's TCB extensions (blSPL, teeSPL, snpSPL, ucodeSPL, fmcSPL) differ from the report's REPORTED_TCB: the certificate is for another TCB.",
  },
  SNP_HWID_MISMATCH: {
    stage: "verification",
    description:
      "The VCEK's hwID differs from the report's CHIP_ID (all 64 bytes; on Turin the first 8 bytes, the rest being zero): the certificate is for another chip.",
  },
  SNP_EVIDENCE_MISMATCH: {
    stage: "usage",
    description:
      "The evidence bytes handed to the SEV-SNP adapter's verify are not the bytes the report was parsed from; pass the same bytes to parse and verify.",
  },
  SNP_CRL_UNAVAILABLE: {
    stage: "infrastructure",
    description:
      "No collateral source had AMD's CRL for the report's product line (KDS /vcek/v1/{product}/crl or /vlek/v1/{product}/crl), which the SEV-SNP adapter requires; retry when KDS or the collateral directory serves it. Only development networks may set dangerouslyAllowMissingAmdCrl.",
  },
  SNP_REPORT_SIGNATURE_INVALID: {
    stage: "verification",
    description: "The report's ECDSA P-384/SHA-384 signature over bytes 0x000..0x29F does not verify with the VCEK/VLEK key.",
  },
});
