/** The SGX part of a workload's launch policy (policy `launch`): allowed ATTRIBUTES and a minimum ISVSVN. */
import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import type { SgxClaims } from "@keepledger/sdk/internal/tee/sgx/claims";
import { bitNames, deny, hex64 } from "../launchPolicyHelpers.ts";

/** Declared under the module "policy/launch" with the other kinds' launch codes (docs/errors.md). */
export const SGX_LAUNCH_CODES = defineErrorCodes("policy/launch", {
  POLICY_SGX_ATTRIBUTES: {
    stage: "policy",
    description:
      "The enclave's ATTRIBUTES.FLAGS has bits the policy does not allow (e.g. PROVISIONKEY, EINITTOKEN_KEY); DEBUG is ruled by the policy's dev flag.",
  },
  POLICY_SGX_ISVSVN_BELOW_MINIMUM: {
    stage: "policy",
    description: "The enclave's ISVSVN is below the policy's minimum: the enclave is an older, superseded release.",
  },
});

export interface SgxLaunchPolicy {
  /** SGX ATTRIBUTES.FLAGS bits that may be set (DEBUG is ruled by `dev`); default INIT | MODE64BIT | KSS | AEXNOTIFY. */
  sgxAllowedAttributes: bigint;
  /** The lowest ISVSVN accepted (default 0). */
  sgxMinIsvSvn: number;
}

/** SGX ATTRIBUTES.FLAGS bits: INIT (0), MODE64BIT (2), KSS (7), AEXNOTIFY (10). */
export const SGX_DEFAULT_ALLOWED_ATTRIBUTES = (1n << 0n) | (1n << 2n) | (1n << 7n) | (1n << 10n);

export function defaultSgxLaunchPolicy(): SgxLaunchPolicy {
  return { sgxAllowedAttributes: SGX_DEFAULT_ALLOWED_ATTRIBUTES, sgxMinIsvSvn: 0 };
}

/** SGX ATTRIBUTES.FLAGS bit 1: ruled by the policy's `dev`, not here. */
const SGX_DEBUG = 1n << 1n;

/** Names of the SGX ATTRIBUTES.FLAGS bits, for messages. */
const SGX_ATTRIBUTE_NAMES: Record<number, string> = {
  0: "INIT",
  1: "DEBUG",
  2: "MODE64BIT",
  4: "PROVISIONKEY",
  5: "EINITTOKEN_KEY",
  6: "CET",
  7: "KSS",
  10: "AEXNOTIFY",
};

/** Throws a PolicyError naming the field, what the evidence has and what the policy allows. */
export function checkSgxLaunchPolicy(evidence: VerifiedEvidence<"sgx">, launch: SgxLaunchPolicy): void {
  checkSgx(evidence.claims, launch);
}

function checkSgx(claims: SgxClaims, launch: SgxLaunchPolicy): void {
  const flags = BigInt(claims.attributes);
  const extra = flags & ~(launch.sgxAllowedAttributes | SGX_DEBUG);
  if (extra !== 0n) {
    deny(
      SGX_LAUNCH_CODES.POLICY_SGX_ATTRIBUTES,
      `ATTRIBUTES.FLAGS has bits the policy does not allow: ${bitNames(extra, SGX_ATTRIBUTE_NAMES).join(", ")}`,
      {
        field: "ATTRIBUTES.FLAGS",
        got: claims.attributes,
        allowed: hex64(launch.sgxAllowedAttributes),
        refused: bitNames(extra, SGX_ATTRIBUTE_NAMES),
      },
    );
  }
  if (claims.isvSvn < launch.sgxMinIsvSvn) {
    deny(SGX_LAUNCH_CODES.POLICY_SGX_ISVSVN_BELOW_MINIMUM, `ISVSVN ${claims.isvSvn} is below the policy's minimum ${launch.sgxMinIsvSvn}`, {
      field: "ISVSVN",
      got: claims.isvSvn,
      min: launch.sgxMinIsvSvn,
    });
  }
}
