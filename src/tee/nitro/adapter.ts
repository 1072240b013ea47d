import { nitroFacts } from "@keepledger/sdk/internal/tee/nitro/facts";
import { detectNitroDocument } from "./detectNitroDocument.ts";
import { parseNitroDocument, type NitroDocument } from "./parseNitroDocument.ts";
import type { TeeAdapter } from "../adapter.ts";
import { verifyNitroDocument } from "./verifyNitroDocument.ts";

/**
 * AWS Nitro Enclaves attestation documents. The certificate chain is inside
 * the document and AWS's verification procedure checks no CRLs (docs/evidence/nitro.md),
 * so no collateral is ever requested.
 */
export const nitroAdapter: TeeAdapter<"nitro", NitroDocument> = {
  ...nitroFacts,
  // No launch-policy checks for this kind: its measurement is all the policy asks for.
  checkLaunchPolicy: () => {},
  detect: detectNitroDocument,
  parse: (bytes, context) => parseNitroDocument(bytes, { pki: context?.pki }),
  collateralRequests: () => [],
  verify: (doc, context) =>
    verifyNitroDocument(doc, {
      at: context.at,
      ...(context.trustedRoots ? { trustedRoots: context.trustedRoots } : {}),
      context: context.caches,
    }),
};
