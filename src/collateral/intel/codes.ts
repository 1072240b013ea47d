import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";

export const PCS_CODES = defineErrorCodes("collateral/intel", {
  PCS_UNAVAILABLE: {
    stage: "infrastructure",
    description: "Intel PCS or the PCCS could not be reached, timed out, or answered with a server error; retry later.",
  },
  PCS_RATE_LIMITED: {
    stage: "infrastructure",
    description: "Intel PCS or the PCCS answered 429 Too Many Requests; retry after the delay it asks for.",
  },
  PCS_RESPONSE_INVALID: {
    stage: "infrastructure",
    description: "Intel PCS or the PCCS answered 200 with a body or issuer-chain header that is not the expected collateral.",
  },
  PCS_FMSPC_UNKNOWN: {
    stage: "verification",
    description:
      "Intel PCS (or the PCCS) has no TCB Info for the platform's FMSPC (404): the platform is unknown to Intel; retrying does not help.",
  },
  PCS_REQUEST_REJECTED: {
    stage: "usage",
    description: "Intel PCS or the PCCS rejected the request (4xx): check the base URL, the API version and the PCCS configuration.",
  },
  PCS_REQUEST_UNSUPPORTED: {
    stage: "usage",
    description: "The Intel PCS provider was asked for collateral of another vendor.",
  },
});
