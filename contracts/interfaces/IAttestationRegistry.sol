// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Verdict, VerdictGroup} from "../libraries/KeepTypes.sol";
import {IKeepAttestation} from "./IKeepAttestation.sol";

/// @title IAttestationRegistry
/// @notice Verdicts finalized with k-of-n validator signatures (one at a time or in Merkle batches),
/// their revocation, and the `isAttested` answer dApps read.
interface IAttestationRegistry is IKeepAttestation {
    // ===== Types =====

    /// @notice What the registry stores about a verdict (the full tuple is in the events).
    struct VerdictStatus {
        bool finalized;
        bool revoked;
        bool batched;
        bool live;
        uint32 measurementSerial;
        uint64 issuedAt;
        uint64 expiresAt;
    }

    /// @notice What the registry stores about a batch.
    struct BatchInfo {
        uint32 count;
        uint64 finalizedAt;
    }

    // ===== Errors =====

    /// @notice The signatures were made for another chain.
    error AttestationRegistryWrongChain(uint256 expected, uint256 actual);
    /// @notice The signatures were made for another registry.
    error AttestationRegistryWrongRegistry(address expected, address actual);
    /// @notice This verdict is already stored (replayed signatures, or a second materialization).
    error AttestationRegistryVerdictAlreadyFinalized(bytes32 verdictId);
    /// @notice This verdict was revoked.
    error AttestationRegistryVerdictRevoked(bytes32 verdictId);
    /// @notice This verdict was already revoked.
    error AttestationRegistryVerdictAlreadyRevoked(bytes32 verdictId);
    /// @notice This batch is already finalized (replayed signatures).
    error AttestationRegistryBatchAlreadyFinalized(bytes32 batchId);
    /// @notice The signatures are not a non-empty sequence of 65-byte (r, s, v) chunks.
    error AttestationRegistrySignaturesMalformed(uint256 length);
    /// @notice More signatures than a validator set can have members.
    error AttestationRegistryTooManySigners(uint256 got, uint256 max);
    /// @notice Signature `index` does not recover to an address (bad v, high s, or garbage).
    error AttestationRegistryInvalidSignature(uint256 index);
    /// @notice The same validator signed twice.
    error AttestationRegistryDuplicateSigner(address signer);
    /// @notice Signatures must be sorted by strictly ascending signer address.
    error AttestationRegistrySignersNotSorted(address previous, address signer);
    /// @notice The signer is not a validator of the set.
    error AttestationRegistryUnknownSigner(address signer);
    /// @notice The signer is a validator but does not count now (not yet active, removed, own verdict dead).
    error AttestationRegistryInactiveValidator(address signer);
    /// @notice Fewer signers than the threshold in force.
    error AttestationRegistryTooFewSigners(uint256 got, uint256 threshold);
    /// @notice The validator set has no threshold yet, so nothing can finalize.
    error AttestationRegistryThresholdNotSet();
    /// @notice The verdict's expiresAt is not after the current time.
    error AttestationRegistryVerdictExpired(uint64 expiresAt, uint64 currentTime);
    /// @notice The verdict's issuedAt is after the current time.
    error AttestationRegistryIssuedInFuture(uint64 issuedAt, uint64 currentTime);
    /// @notice expiresAt is beyond issuedAt + the policy's verdictLifetime.
    error AttestationRegistryLifetimeTooLong(uint64 expiresAt, uint64 maxExpiresAt);
    /// @notice The TCB status is Unknown, Revoked or undefined.
    error AttestationRegistryTcbStatusInvalid(uint8 tcbStatus);
    /// @notice The TEE kind is Unknown or undefined.
    error AttestationRegistryTeeInvalid(uint8 tee);
    /// @notice The workload has no such measurement (or the workload is unknown).
    error AttestationRegistryMeasurementUnknown(bytes32 workloadId, bytes32 measurementHash);
    /// @notice The measurement was revoked.
    error AttestationRegistryMeasurementRevoked(bytes32 workloadId, bytes32 measurementHash);
    /// @notice The measurement belongs to another TEE kind than the verdict states.
    error AttestationRegistryMeasurementTeeMismatch(uint8 expected, uint8 actual);
    /// @notice The policy in force does not allow this TEE kind.
    error AttestationRegistryTeeNotAllowed(uint8 tee, uint16 allowedTees);
    /// @notice A debug-TEE verdict needs a dev policy in force.
    error AttestationRegistryDebugTeeNotAllowed(bytes32 workloadId);
    /// @notice The subject is the zero address.
    error AttestationRegistryZeroSubject();
    /// @notice The freshness block is not in the past.
    error AttestationRegistryFreshnessBlockInFuture(uint64 freshnessBlock, uint256 blockNumber);
    /// @notice Unbound evidence (freshnessBlock 0) needs a policy with allowUnboundEvidence.
    error AttestationRegistryUnboundEvidenceNotAllowed(bytes32 evidenceHash);
    /// @notice An unbound verdict's subject must be the pseudo-subject of its evidence hash.
    error AttestationRegistryUnboundSubjectMismatch(address expected, address actual);
    /// @notice A batch needs at least one group and every group at least one item.
    error AttestationRegistryEmptyBatch(uint256 groupIndex);
    /// @notice No batch with this id was finalized.
    error AttestationRegistryBatchUnknown(bytes32 batchId);
    /// @notice The proof does not place the verdict in the batch.
    error AttestationRegistryInvalidProof(bytes32 verdictId, bytes32 batchId);
    /// @notice Only the named contract may call this hook.
    error AttestationRegistryUnauthorizedCaller(address caller, address expected);
    /// @notice An address argument was zero.
    error AttestationRegistryZeroAddress();
    /// @notice The WorkloadRegistry and the ValidatorSet disagree on whether dev policies are allowed.
    error AttestationRegistryDevMismatch(bool workloadRegistry, bool validatorSet);
    /// @notice The subject is revoked for this workload (workloadId 0: in every workload); only
    /// governance lifts it, a fresh verdict never does.
    error AttestationRegistrySubjectRevoked(address subject, bytes32 workloadId);
    /// @notice The subject's revocation is already in place (workloadId 0: in every workload).
    error AttestationRegistrySubjectAlreadyRevoked(address subject, bytes32 workloadId);
    /// @notice The subject is not revoked for this workload (workloadId 0: in every workload).
    error AttestationRegistrySubjectNotRevoked(address subject, bytes32 workloadId);
    /// @notice A subject revoked in every workload cannot have its revocation lifted in one workload: lift
    /// the every-workload revocation (workloadId 0) first.
    error AttestationRegistrySubjectRevokedEverywhere(address subject, uint64 revokedAt);
    /// @notice After a lifted subject revocation only verdicts issued at or after the lift are accepted.
    error AttestationRegistryIssuedBeforeLift(address subject, bytes32 workloadId, uint64 issuedAt, uint64 liftedAt);
    /// @notice The workload id must not be zero here.
    error AttestationRegistryZeroWorkload();
    /// @notice A revocation list must have 1 to `max` entries.
    error AttestationRegistryRevocationListLength(uint256 length, uint256 max);
    /// @notice The platform kind is not one of FMSPC (1), AMD chip id (2), AMD product line (3), TEE kind (4).
    error AttestationRegistryPlatformKindInvalid(uint8 kind);
    /// @notice The platform entry is already revoked.
    error AttestationRegistryPlatformAlreadyRevoked(uint8 kind, bytes32 value);
    /// @notice The platform entry is not revoked.
    error AttestationRegistryPlatformNotRevoked(uint8 kind, bytes32 value);

    // ===== Events =====

    /// @notice A verdict finalized on its own, with the validators that signed it (ascending).
    event VerdictFinalized(
        bytes32 indexed verdictId,
        address indexed subject,
        bytes32 indexed workloadId,
        Verdict verdict,
        uint32 measurementSerial,
        address[] signers
    );
    /// @notice A batch finalized: `count` verdicts under Merkle root `batchId`, signed by `signers`.
    /// @dev One VerdictGroupFinalized event per group follows, carrying every verdict's fields.
    event BatchFinalized(bytes32 indexed batchId, uint32 count, uint32 groupCount, address[] signers);
    /// @notice A group of a batch: leaves firstLeaf .. firstLeaf + items.length - 1 are its verdicts in order.
    event VerdictGroupFinalized(
        bytes32 indexed batchId,
        bytes32 indexed workloadId,
        bytes32 indexed measurementHash,
        uint32 groupIndex,
        uint32 firstLeaf,
        uint32 measurementSerial,
        VerdictGroup group
    );
    /// @notice A batched verdict was stored so that isAttested sees it.
    event VerdictMaterialized(
        bytes32 indexed verdictId,
        bytes32 indexed batchId,
        address indexed subject,
        Verdict verdict,
        uint32 measurementSerial
    );
    /// @notice A verdict was revoked by governance.
    event VerdictRevoked(bytes32 indexed verdictId, address indexed actor, string reason);
    /// @notice The WorkloadRegistry revoked a measurement; verdicts resting on its serial stop counting.
    event MeasurementSerialRevoked(uint32 indexed serial, bytes32 indexed workloadId, bytes32 indexed measurementHash);
    /// @notice Governance revoked a subject in one workload (workloadId 0: in every workload). Its latest
    /// verdict there was revoked with it (a VerdictRevoked event precedes this one when it had one).
    event SubjectRevoked(address indexed subject, bytes32 indexed workloadId, address indexed actor, string reason);
    /// @notice Governance lifted a subject revocation; verdicts issued from `liftedAt` on count again.
    event SubjectRevocationLifted(
        address indexed subject,
        bytes32 indexed workloadId,
        address indexed actor,
        uint64 liftedAt
    );
    /// @notice Governance put a platform on the revocation list every validator enforces on new evidence.
    event PlatformRevoked(uint8 indexed kind, bytes32 indexed value, address indexed actor, string reason);
    /// @notice Governance took a platform off the revocation list.
    event PlatformRevocationLifted(uint8 indexed kind, bytes32 indexed value, address indexed actor);

    // ===== Finalization =====

    /// @notice Finalizes one verdict signed by at least threshold() counting validators; anyone may relay.
    /// @dev The caller states the EIP-712 domain the signatures were made under; it must be this chain
    /// and this registry. Signatures are 65-byte (r, s, v) chunks sorted by strictly ascending signer.
    /// Every signer must count now. The verdict must satisfy the workload's policy in force (see
    /// docs/contracts.md for the full list of rules and their errors).
    /// @param v The verdict.
    /// @param chainId The chain id of the signing domain.
    /// @param registry The verifying contract of the signing domain.
    /// @param signatures The concatenated signatures.
    /// @return verdictId The verdict id.
    function finalizeVerdict(
        Verdict calldata v,
        uint256 chainId,
        address registry,
        bytes calldata signatures
    ) external returns (bytes32 verdictId);

    /// @notice Finalizes a batch of verdicts under one set of signatures over VerdictBatch(root, count).
    /// @dev Expands every item of every group to its verdict id, builds the Merkle tree over them in order
    /// (docs/ids.md), checks the signatures over the root and stores the root only. The same per-verdict
    /// rules as finalizeVerdict apply per group and per item. Verdicts count in isAttested once materialized.
    /// @param groups The verdict groups.
    /// @param chainId The chain id of the signing domain.
    /// @param registry The verifying contract of the signing domain.
    /// @param signatures The concatenated signatures.
    /// @return batchId The Merkle root.
    function finalizeBatch(
        VerdictGroup[] calldata groups,
        uint256 chainId,
        address registry,
        bytes calldata signatures
    ) external returns (bytes32 batchId);

    /// @notice Stores a batched verdict so that isAttested sees it; anyone may call.
    /// @param v The verdict.
    /// @param batchId The batch it was finalized in.
    /// @param proof Its Merkle proof in that batch.
    /// @return verdictId The verdict id.
    function materializeVerdict(
        Verdict calldata v,
        bytes32 batchId,
        bytes32[] calldata proof
    ) external returns (bytes32 verdictId);

    /// @notice Whether a batched verdict is proven by `proof` and live now (not expired, not revoked, its
    /// measurement not revoked), whether or not it was materialized.
    /// @param v The verdict.
    /// @param batchId The batch.
    /// @param proof Its Merkle proof.
    /// @return live False also when the batch is unknown or the proof does not verify.
    function verifyBatchedVerdict(
        Verdict calldata v,
        bytes32 batchId,
        bytes32[] calldata proof
    ) external view returns (bool live);

    // ===== Revocation =====

    /// @notice Revokes a verdict (GOVERNOR_ROLE); works for any id, including batched verdicts not yet
    /// materialized (they can then never be materialized).
    /// @param verdictId The verdict id.
    /// @param reason Why, for the record.
    function revokeVerdict(bytes32 verdictId, string calldata reason) external;

    /// @notice Revokes up to MAX_REVOCATION_LIST verdicts at once (GOVERNOR_ROLE), e.g. every live verdict
    /// on a revoked platform; ids already revoked are skipped.
    /// @param verdictIds The verdict ids (1 to MAX_REVOCATION_LIST).
    /// @param reason Why, for the record.
    /// @return revoked How many ids were newly revoked.
    function revokeVerdicts(bytes32[] calldata verdictIds, string calldata reason) external returns (uint256 revoked);

    /// @notice Revokes a subject in one workload (GOVERNOR_ROLE): isAttested answers false, its latest
    /// verdict there is revoked, and no verdict for the pair is stored again (finalizeVerdict,
    /// materializeVerdict) until governance lifts the revocation.
    /// @param subject The subject (a Keep's key address).
    /// @param workloadId The workload (non-zero).
    /// @param reason Why, for the record.
    function revokeSubject(address subject, bytes32 workloadId, string calldata reason) external;

    /// @notice Revokes a subject in every workload (GOVERNOR_ROLE): the workloads listed (those it holds
    /// verdicts in, found by the tooling from the registry index) are revoked as by revokeSubject, so
    /// isAttested answers false and finalizeVerdict refuses it there at once; materializeVerdict refuses
    /// it in any workload. Their per-workload revocations cannot be lifted while this one stands.
    /// @param subject The subject.
    /// @param workloadIds The workloads it is attested in (0 to MAX_REVOCATION_LIST; revoked ones skipped).
    /// @param reason Why, for the record.
    function revokeSubjectEverywhere(address subject, bytes32[] calldata workloadIds, string calldata reason) external;

    /// @notice Lifts a subject revocation (GOVERNOR_ROLE); workloadId 0 lifts the every-workload
    /// revocation only (the per-workload ones it wrote are lifted one by one, afterwards: a per-workload
    /// lift is refused with AttestationRegistrySubjectRevokedEverywhere while the subject is revoked
    /// everywhere). Only verdicts issued at or after the lift are accepted for the subject afterwards.
    /// @param subject The subject.
    /// @param workloadId The workload, or 0 for every workload.
    function liftSubjectRevocation(address subject, bytes32 workloadId) external;

    /// @notice Puts a platform on the revocation list (GOVERNOR_ROLE). Validators refuse new evidence from
    /// it; verdicts already finalized on it are revoked with revokeVerdicts (docs/governance.md).
    /// @param kind 1 FMSPC, 2 AMD chip id, 3 AMD product line, 4 TEE kind (docs/contracts.md gives the value encoding).
    /// @param value The platform value.
    /// @param reason Why, for the record.
    function revokePlatform(uint8 kind, bytes32 value, string calldata reason) external;

    /// @notice Takes a platform off the revocation list (GOVERNOR_ROLE).
    /// @param kind The platform kind.
    /// @param value The platform value.
    function liftPlatformRevocation(uint8 kind, bytes32 value) external;

    /// @notice Hook for the WorkloadRegistry: a measurement serial was revoked.
    /// @param serial The measurement's serial.
    /// @param workloadId The workload.
    /// @param measurementHash The measurement.
    function onMeasurementRevoked(uint32 serial, bytes32 workloadId, bytes32 measurementHash) external;

    // ===== Views =====

    /// @notice What the registry stores about a verdict.
    /// @param verdictId The verdict id.
    /// @return The status (all false/zero for an unknown id).
    function verdictOf(bytes32 verdictId) external view returns (VerdictStatus memory);

    /// @notice What the registry stores about a batch.
    /// @param batchId The batch id (its Merkle root).
    /// @return The batch (count 0 when unknown).
    function batchOf(bytes32 batchId) external view returns (BatchInfo memory);

    /// @notice Whether a measurement serial was revoked.
    /// @param serial The serial.
    /// @return True when revoked.
    function isMeasurementSerialRevoked(uint32 serial) external view returns (bool);

    /// @notice Whether a subject is revoked in a workload (workloadId 0: in every workload).
    /// @param subject The subject.
    /// @param workloadId The workload, or 0.
    /// @return revoked True when revoked; a revocation in every workload also answers true for each workload.
    function isSubjectRevoked(address subject, bytes32 workloadId) external view returns (bool revoked);

    /// @notice When a platform was put on the revocation list.
    /// @param kind The platform kind.
    /// @param value The platform value.
    /// @return revokedAt The time, or 0 when not revoked.
    function platformRevokedAt(uint8 kind, bytes32 value) external view returns (uint64 revokedAt);

    /// @notice The verdict id of `v` (its EIP-712 struct hash).
    /// @param v The verdict.
    /// @return The verdict id.
    function hashVerdict(Verdict calldata v) external pure returns (bytes32);

    /// @notice The EIP-712 digest validators sign for `v` under this registry's domain.
    /// @param v The verdict.
    /// @return The digest.
    function verdictDigest(Verdict calldata v) external view returns (bytes32);

    /// @notice The EIP-712 digest validators sign for a batch under this registry's domain.
    /// @param root The batch Merkle root.
    /// @param count The number of verdicts in the batch.
    /// @return The digest.
    function batchDigest(bytes32 root, uint32 count) external view returns (bytes32);

    /// @notice The WorkloadRegistry this registry reads.
    /// @return The address.
    function workloadRegistry() external view returns (address);

    /// @notice The ValidatorSet this registry reads.
    /// @return The address.
    function validatorSet() external view returns (address);
}
