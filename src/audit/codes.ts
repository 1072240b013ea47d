import { defineErrorCodes } from "@keepledger/sdk/internal/errors/index";

/** Error codes of `keepledger audit`. */
export const AUDIT_CODES = defineErrorCodes("audit", {
  AUDIT_VERDICT_ID: {
    stage: "usage",
    description: "The verdict id to audit is not 32 bytes of hex (0x followed by 64 hex digits).",
  },
  AUDIT_EVIDENCE_LINK: {
    stage: "usage",
    description:
      "The evidence store's record of a verdict's binding inputs is malformed (an unknown binding context); the store was not written by a keepledger node.",
  },
  AUDIT_VERDICT_NOT_FOUND: {
    stage: "usage",
    description:
      "No VerdictFinalized or VerdictGroupFinalized event of this deployment carries the verdict id; check the id, the RPC and the deployment file.",
  },
});
