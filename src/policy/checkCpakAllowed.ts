/**
 * Arm CCA has no vendor PKI to pin: a platform is trusted because the workload's on-chain policy lists
 * the identity of the CPAK (platform attestation key) that signed its platform token (docs/contracts.md,
 * "CpakAllowList"). Which kinds need a listed key, and which key endorsed the evidence, is the kind's
 * fact (`listedPlatformKey`); the key itself comes from collateral and was checked by verification; this
 * only decides whether the workload trusts it. Keys published as test keys are listed like any other,
 * and their evidence is still debug (only dev policies accept it).
 */
import { PolicyError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import type { Hex } from "@keepledger/sdk/internal/util/bytes";
import { factsOf, type KindFacts } from "@keepledger/sdk/internal/tee/kindFacts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { POLICY_CODES } from "./codes.ts";

/** Throws POLICY_CPAK_NOT_ALLOWED when evidence of a kind without a vendor PKI was endorsed by a key the workload does not list. */
export function checkCpakAllowed(evidence: Pick<VerifiedEvidence, "tee" | "platform">, allowedCpaks: readonly Hex[]): void {
  const keyOf = (factsOf(evidence.tee) as KindFacts).listedPlatformKey;
  if (keyOf === undefined) return;
  const id = keyOf(evidence.platform);
  if (id !== null && allowedCpaks.some((a) => a.toLowerCase() === id)) return;
  throw new PolicyError(
    POLICY_CODES.POLICY_CPAK_NOT_ALLOWED,
    `the platform token is signed by CPAK ${id ?? "(unknown)"}, which the workload's policy does not list`,
    { details: { cpakId: id, allowed: [...allowedCpaks] } },
  );
}
