import type { TeeAdapter } from "../adapter.ts";
import { cpaksFromCollateral } from "./cpak.ts";
import { detectCcaToken } from "./detectCcaToken.ts";
import { armCcaFacts } from "@keepledger/sdk/internal/tee/arm-cca/facts";
import { parseCcaToken, type CcaToken } from "./parseCcaToken.ts";
import { verifyCcaToken } from "./verifyCcaToken.ts";
import { toHex } from "@keepledger/sdk/internal/util/bytes";

/**
 * Arm CCA attestation tokens (docs/evidence/arm-cca.md). There is no vendor PKI: the platform token must be
 * signed by a CPAK given as collateral (an offline directory recognizes PEM, JWK and Veraison trust-anchor
 * files by content). A published test CPAK or an unsecured lifecycle yields `debug: true`, which only dev
 * policies accept.
 */
export const armCcaAdapter: TeeAdapter<"arm-cca", CcaToken> = {
  ...armCcaFacts,
  // No launch-policy checks of its own: the realm measurement is what the policy approves, the platform
  // is judged by its endorsement (the CPAK) and the debug rule.
  checkLaunchPolicy: () => {},
  detect: detectCcaToken,
  parse: (bytes) => parseCcaToken(bytes),
  collateralRequests: (token) => [
    {
      vendor: "arm",
      implementationId: toHex(token.platform.claims.implementationId),
      instanceId: toHex(token.platform.claims.instanceId),
    },
  ],
  verify: (token, context) =>
    verifyCcaToken(token, {
      at: context.at,
      trustedCpaks: cpaksFromCollateral(context.collateral, context.caches?.cpaks),
      ...(context.caches ? { signatureCache: context.caches.pki.signatures, keyCache: context.caches.evidenceKeys } : {}),
    }),
};
