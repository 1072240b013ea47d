import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";

/** AMD Key Distribution Service (KDS) client errors. */
export const KDS_CODES = defineErrorCodes("collateral/amd", {
  KDS_UNREACHABLE: {
    stage: "infrastructure",
    description:
      "AMD KDS could not be reached (network error or timeout) after the configured retries; try again later or use offline collateral.",
  },
  KDS_RATE_LIMITED: {
    stage: "infrastructure",
    description:
      "AMD KDS kept answering 429 Too Many Requests, or asked to wait longer than allowed (Retry-After); retry after the time in the details.",
  },
  KDS_HTTP_ERROR: {
    stage: "infrastructure",
    description: "AMD KDS answered with an HTTP error status (a 404 or 400 usually means an unknown chip id or TCB for that product line).",
  },
  KDS_RESPONSE_INVALID: {
    stage: "infrastructure",
    description: "AMD KDS answered with a body that is not the expected certificate, PEM chain or CRL.",
  },
  KDS_REQUEST_UNSUPPORTED: {
    stage: "usage",
    description:
      "The collateral request cannot be served by AMD KDS: not an AMD request, a masked (all-zero) CHIP_ID, or a TCB that does not fit the product line.",
  },
});
