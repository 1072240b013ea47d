/**
 * Contract refusals in words: a CHAIN_REVERTED error names the contract's custom error; the CLI adds what
 * it means and what to do, so that nobody has to look the selector up in docs/contracts.md.
 */
import { UsageError, type KeepledgerError } from "@keepledger/sdk/internal/errors/index";
import { CHAIN_CODES } from "@keepledger/sdk/internal/chain/codes";
import { tcbStatusesOfMask } from "@keepledger/sdk/internal/ids/index";

type Explainer = (args: readonly unknown[]) => string;

const s = (v: unknown): string => String(v);
const GOVERNOR_ROLE = "0x7935bd0ae54bc31f548c14dba4d37c5c64b3f8ca900cb468fb8abd54d5894f55";

/** What each custom error the governance commands can meet means, and what to do about it. */
const EXPLAIN: Record<string, Explainer> = {
  WorkloadRegistryUnknownWorkload: ([id]) =>
    `no workload ${s(id)} is registered; check the id (\`keepledger workload add\` prints it) and --deployment`,
  WorkloadRegistryNotOwner: ([id, owner, caller]) =>
    `${s(caller)} is not the owner of workload ${s(id)} (the owner is ${s(owner)}); use the owner's key`,
  WorkloadRegistryNotOwnerOrGovernor: ([id, owner, caller]) =>
    `${s(caller)} is neither the owner of workload ${s(id)} (${s(owner)}) nor a governor; use the owner's or a governor's key`,
  WorkloadRegistryNotPendingOwner: ([id, pending, caller]) =>
    `${s(caller)} is not the pending owner of workload ${s(id)} (${/^0x0{40}$/.test(s(pending)) ? "no transfer was started" : `the transfer is to ${s(pending)}`}); use that account's key`,
  WorkloadRegistryWorkloadExists: ([id]) =>
    `this account already registered a workload of that name (${s(id)}); pick another name or use that id`,
  WorkloadRegistryNameLength: ([got, max]) => `a workload name is 1 to ${s(max)} bytes, got ${s(got)}`,
  WorkloadRegistryMetadataURILength: ([got, max]) => `a metadata URI is at most ${s(max)} bytes, got ${s(got)}`,
  WorkloadRegistryDevNotAllowed: () =>
    "this registry was deployed without dev policies: debug measurements and dev policies are refused (deploy with --dev for development)",
  WorkloadRegistryMeasurementLength: ([tee, want, got]) => `a measurement value of TEE kind ${s(tee)} is ${s(want)} bytes, got ${s(got)}`,
  WorkloadRegistrySgxMeasurementMode: () =>
    "an SGX measurement is an exact --mrenclave, or --mrsigner (with --isv-prod-id/--min-isv-svn) and no mrenclave",
  WorkloadRegistrySnpHostDataFlag: ([flag]) => `the SEV-SNP hasHostData byte must be 0 or 1, got ${s(flag)}`,
  WorkloadRegistrySnpHostDataNotZero: () => "SEV-SNP host data was given without the hasHostData flag",
  WorkloadRegistryArmCcaHashAlgorithm: ([alg]) => `the Arm CCA algorithm byte must be 1 (sha-256) or 2 (sha-512), got ${s(alg)}`,
  WorkloadRegistryArmCcaPaddingNotZero: ([slot]) =>
    `the Arm CCA measurement's slot ${s(slot)} (0 RIM, 1-4 REM0-3) holds a sha-256 digest but its last 32 bytes are not zero`,
  WorkloadRegistryMeasurementExists: ([id, hash]) => `measurement ${s(hash)} is already approved for workload ${s(id)}`,
  WorkloadRegistryUnknownMeasurement: ([id, hash]) =>
    `measurement ${s(hash)} was never added to workload ${s(id)}; \`keepledger workload measure\` prints the hashes it adds`,
  WorkloadRegistryMeasurementAlreadyRevoked: ([, hash]) => `measurement ${s(hash)} is already revoked`,
  WorkloadRegistryPolicyAllowedTees: ([mask]) => `the policy must allow at least one known TEE kind (allowedTees mask ${s(mask)})`,
  WorkloadRegistryPolicyDebugTeeWithoutDev: () => 'allowing the "debug" TEE kind needs a dev policy ("dev": true / --dev)',
  WorkloadRegistryPolicyTcbStatuses: ([mask]) =>
    `acceptedTcbStatuses must name at least one status and never Revoked (got ${tcbStatusesOfMask(Number(mask)).join(", ") || "none"})`,
  WorkloadRegistryPolicyUnboundWithoutDev: () => 'allowUnboundEvidence needs a dev policy ("dev": true)',
  WorkloadRegistryPolicyAmdProductLines: ([mask]) => `deniedAmdProductLines has unknown bits (${s(mask)}); use Milan, Genoa, Turin`,
  WorkloadRegistryPolicyMaxEvidenceAge: () => "maxEvidenceAge must be at least 1 second",
  WorkloadRegistryPolicyVerdictLifetime: ([got, max]) => `verdictLifetime must be 1 to ${s(max)} seconds, got ${s(got)}`,
  WorkloadRegistryPolicyListTooLong: ([got, max]) => `a denied list holds at most ${s(max)} entries, got ${s(got)}`,
  WorkloadRegistryPolicyAdvisoryLength: ([i, got, max]) => `denied advisory #${s(i)} must be 1 to ${s(max)} bytes, got ${s(got)}`,
  ValidatorSetUnknownValidator: ([v]) => `${s(v)} is not a registered validator; \`keepledger validator list\` shows them`,
  ValidatorSetValidatorExists: ([v]) => `${s(v)} is already a validator (or its removal has not taken effect yet)`,
  ValidatorSetTooManyValidators: ([max]) => `the validator set is full (${s(max)}); remove one first`,
  ValidatorSetZeroAddress: () => "the zero address cannot be a validator",
  ValidatorSetEndpointLength: ([got, max]) => `the endpoint URL must be 1 to ${s(max)} bytes, got ${s(got)}`,
  ValidatorSetThresholdOutOfRange: ([k, n]) =>
    `the threshold must be between 1 and the number of registered validators (${s(n)}), got ${s(k)}; add validators first`,
  ValidatorSetRemovalBreaksThreshold: ([k, remaining]) =>
    `removing it would leave ${s(remaining)} validators for a threshold of ${s(k)}; lower the threshold first (\`keepledger validator threshold\`)`,
  ValidatorSetBootstrapClosed: () => "the bootstrap is closed; add validators with `keepledger validator add`",
  AccessControlUnauthorizedAccount: ([account, role]) =>
    `${s(account)} lacks the ${s(role).toLowerCase() === GOVERNOR_ROLE ? "GOVERNOR_ROLE" : `role ${s(role)}`}; use a governor's key`,
  ValidatorSetValidatorNotRevoked: ([v]) => `validator ${s(v)} is not revoked; nothing to reinstate`,
  AttestationRegistrySubjectAlreadyRevoked: ([subject, w]) =>
    `${s(subject)} is already revoked ${/^0x0{64}$/.test(s(w)) ? "in every workload" : `in workload ${s(w)}`}; \`keepledger revoke lift subject\` lifts it`,
  AttestationRegistrySubjectNotRevoked: ([subject, w]) =>
    `${s(subject)} is not revoked ${/^0x0{64}$/.test(s(w)) ? "in every workload" : `in workload ${s(w)}`}; nothing to lift`,
  AttestationRegistrySubjectRevokedEverywhere: ([subject]) =>
    `${s(subject)} is revoked in every workload; lift that first (\`keepledger revoke lift subject --everywhere\`), then the workload's revocation`,
  CpakAllowListCpakExists: ([id, cpak]) =>
    `CPAK ${s(cpak)} is already on the allow-list of workload ${s(id)} (in force or pending); \`keepledger workload cpak ${s(id)}\` shows it`,
  CpakAllowListUnknownCpak: ([id, cpak]) => `CPAK ${s(cpak)} is not on the allow-list of workload ${s(id)}; nothing to disallow`,
  CpakAllowListFull: ([id, max]) => `workload ${s(id)} already allows ${s(max)} CPAKs; disallow one first`,
  CpakAllowListUnknownWorkload: ([id]) =>
    `no workload ${s(id)} is registered; check the id (\`keepledger workload add\` prints it) and --deployment`,
  CpakAllowListNotOwner: ([id, owner, caller]) =>
    `${s(caller)} is not the owner of workload ${s(id)} (the owner is ${s(owner)}); only the owner allows a CPAK`,
  CpakAllowListNotOwnerOrGovernor: ([id, owner, caller]) =>
    `${s(caller)} is neither the owner of workload ${s(id)} (${s(owner)}) nor a governor; use the owner's or a governor's key`,
  AttestationRegistryZeroWorkload: () => "name a workload with --workload, or use --everywhere",
  AttestationRegistryRevocationListLength: ([got, max]) => `one transaction takes 1 to ${s(max)} entries, got ${s(got)}`,
  AttestationRegistryPlatformAlreadyRevoked: () => "this platform is already on the revocation list",
  AttestationRegistryPlatformNotRevoked: () => "this platform is not on the revocation list; nothing to lift",
};

/**
 * The same refusal with a message that explains it: `<what> refused: <ErrorName>: <explanation>`. Other
 * errors pass through unchanged. The code stays CHAIN_REVERTED and details.errorName the contract's name.
 */
export function explainRevert(error: unknown, what: string): unknown {
  const e = error as KeepledgerError;
  if (typeof e !== "object" || e === null || e.code !== CHAIN_CODES.CHAIN_REVERTED) return error;
  const name = String(e.details.errorName ?? "");
  const args = (e.details.args ?? []) as readonly unknown[];
  const explain = EXPLAIN[name];
  const text = explain ? explain(args) : "see docs/contracts.md for this error";
  return new UsageError(CHAIN_CODES.CHAIN_REVERTED, `${what} refused by the contract: ${name}: ${text}`, {
    details: e.details,
    cause: error,
  });
}
