import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";

export const NVIDIA_COLLATERAL_CODES = defineErrorCodes("collateral/nvidia", {
  NVIDIA_COLLATERAL_UNAVAILABLE: {
    stage: "infrastructure",
    description:
      "NVIDIA's RIM service or OCSP responder could not be reached or answered with an error; the same request may succeed later (or put the RIMs and OCSP responses in a collateral directory).",
  },
  NVIDIA_COLLATERAL_MALFORMED: {
    stage: "infrastructure",
    description:
      'NVIDIA\'s RIM service answered with something that is not its RIM JSON (`{"rim": base64 SWID tag}`), or the OCSP responder with something that is not a DER OCSP response.',
  },
  NVIDIA_COLLATERAL_REQUEST_UNSUPPORTED: {
    stage: "usage",
    description: "The NVIDIA collateral provider was asked for another vendor's collateral.",
  },
});
