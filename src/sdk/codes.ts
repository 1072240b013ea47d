import { defineErrorCodes } from "../errors/catalogue.ts";

export const SDK_CODES = defineErrorCodes("sdk", {
  SDK_REGISTRY_UNKNOWN: {
    stage: "usage",
    description: "No AttestationRegistry address is known for this chain: pass { registry } (from the deployment JSON).",
  },
  SDK_PROVIDER_INVALID: {
    stage: "usage",
    description: "The provider is neither an EIP-1193 provider, a viem public client nor an http(s) JSON-RPC URL.",
  },
});
