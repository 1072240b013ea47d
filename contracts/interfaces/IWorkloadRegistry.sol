// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Policy, TeeKind} from "../libraries/KeepTypes.sol";
import {VerdictContext} from "../libraries/VerdictContext.sol";

/// @title IWorkloadRegistry
/// @notice Workloads, their approved measurements (in owner-numbered versions, per TEE kind) and their
/// platform policies, scheduled by the owner and activated lazily. Tightening is immediate, loosening is
/// delayed: a policy no looser than the one in force, a measurement revocation and a pending transfer's
/// cancellation take effect at once; a looser policy, a new measurement and an accepted ownership
/// transfer take effect after the registry's policy delay.
interface IWorkloadRegistry {
    // ===== Types =====

    /// @notice A workload as stored.
    /// @dev owner is the owner in force now; pendingOwner is a proposed owner (pendingOwnerEffectiveAt 0) or
    /// one that accepted and takes over at pendingOwnerEffectiveAt.
    struct WorkloadInfo {
        address owner;
        address pendingOwner;
        uint64 registeredAt;
        string name;
        string metadataURI;
        uint64 pendingOwnerEffectiveAt;
    }

    /// @notice A measurement as stored (the value itself is only in the MeasurementAdded event).
    /// @dev A view's return value, never stored: ordered for readers.
    // solhint-disable-next-line gas-struct-packing
    struct MeasurementInfo {
        bool known;
        bool revoked;
        TeeKind tee;
        uint32 version;
        uint32 serial;
        uint64 addedAt;
        uint64 effectiveAt;
    }

    // ===== Errors =====

    /// @notice A workload with this id (same owner, same name) already exists.
    error WorkloadRegistryWorkloadExists(bytes32 workloadId);
    /// @notice No workload has this id.
    error WorkloadRegistryUnknownWorkload(bytes32 workloadId);
    /// @notice Only the workload's owner may do this.
    error WorkloadRegistryNotOwner(bytes32 workloadId, address owner, address caller);
    /// @notice Only the workload's owner or a GOVERNOR_ROLE holder may do this.
    error WorkloadRegistryNotOwnerOrGovernor(bytes32 workloadId, address owner, address caller);
    /// @notice Only the pending owner may accept a workload transfer.
    error WorkloadRegistryNotPendingOwner(bytes32 workloadId, address pendingOwner, address caller);
    /// @notice An address argument was zero.
    error WorkloadRegistryZeroAddress();
    /// @notice A workload name must be 1 to `max` bytes.
    error WorkloadRegistryNameLength(uint256 length, uint256 max);
    /// @notice A metadata URI must be at most `max` bytes.
    error WorkloadRegistryMetadataURILength(uint256 length, uint256 max);
    /// @notice The TEE kind is Unknown (0), which is never valid.
    error WorkloadRegistryInvalidTee(uint8 tee);
    /// @notice Debug measurements and dev policies need a registry deployed with dev policies allowed.
    error WorkloadRegistryDevNotAllowed();
    /// @notice A measurement value has the wrong length for its TEE kind.
    error WorkloadRegistryMeasurementLength(uint8 tee, uint256 expected, uint256 actual);
    /// @notice An SGX measurement must be exactly one mode: an exact MRENCLAVE with zero signer fields, or
    /// a zero MRENCLAVE with a non-zero MRSIGNER (plus product id and minimum ISVSVN).
    error WorkloadRegistrySgxMeasurementMode(bytes32 mrenclave, bytes32 mrsigner, uint16 isvProdId, uint16 minIsvSvn);
    /// @notice The SEV-SNP hasHostData byte must be 0 or 1.
    error WorkloadRegistrySnpHostDataFlag(uint8 flag);
    /// @notice An SEV-SNP measurement without host data must carry 32 zero bytes in the host-data field.
    error WorkloadRegistrySnpHostDataNotZero(bytes32 hostData);
    /// @notice An Arm CCA measurement's algorithm byte must be 1 (sha-256) or 2 (sha-512).
    error WorkloadRegistryArmCcaHashAlgorithm(uint8 algorithm);
    /// @notice With sha-256, the last 32 bytes of the RIM (slot 0) and REM slots (1-4) must be zero.
    error WorkloadRegistryArmCcaPaddingNotZero(uint8 slot);
    /// @notice The workload already has this measurement.
    error WorkloadRegistryMeasurementExists(bytes32 workloadId, bytes32 measurementHash);
    /// @notice The workload has no such measurement.
    error WorkloadRegistryUnknownMeasurement(bytes32 workloadId, bytes32 measurementHash);
    /// @notice The measurement was already revoked.
    error WorkloadRegistryMeasurementAlreadyRevoked(bytes32 workloadId, bytes32 measurementHash);
    /// @notice The registry-wide measurement serial space (uint32) is exhausted.
    error WorkloadRegistrySerialsExhausted();
    /// @notice allowedTees must be non-zero and use only the bits 1 << TeeKind of valid kinds.
    error WorkloadRegistryPolicyAllowedTees(uint16 allowedTees);
    /// @notice The debug TEE kind may only be allowed by a dev policy.
    error WorkloadRegistryPolicyDebugTeeWithoutDev();
    /// @notice acceptedTcbStatuses must be non-zero and never accept Unknown, Revoked or undefined statuses.
    error WorkloadRegistryPolicyTcbStatuses(uint16 acceptedTcbStatuses);
    /// @notice allowUnboundEvidence requires a dev policy.
    error WorkloadRegistryPolicyUnboundWithoutDev();
    /// @notice deniedAmdProductLines may only use the Milan, Genoa and Turin bits.
    error WorkloadRegistryPolicyAmdProductLines(uint8 deniedAmdProductLines);
    /// @notice maxEvidenceAge must be non-zero.
    error WorkloadRegistryPolicyMaxEvidenceAge(uint64 maxEvidenceAge);
    /// @notice verdictLifetime must be in 1..max seconds.
    error WorkloadRegistryPolicyVerdictLifetime(uint64 verdictLifetime, uint64 max);
    /// @notice A policy list has more than `max` entries.
    error WorkloadRegistryPolicyListTooLong(uint256 length, uint256 max);
    /// @notice A denied advisory id must be 1 to `max` bytes.
    error WorkloadRegistryPolicyAdvisoryLength(uint256 index, uint256 length, uint256 max);
    /// @notice The policy delay is out of range (at least 1 day unless dev policies are allowed; at most max).
    error WorkloadRegistryPolicyDelay(uint64 delay, uint64 min, uint64 max);
    /// @notice The measurement was added but is not in force before `effectiveAt` (the policy delay).
    error WorkloadRegistryMeasurementNotYetEffective(bytes32 workloadId, bytes32 measurementHash, uint64 effectiveAt);
    /// @notice The caller already accepted this transfer; it takes effect at `effectiveAt`.
    error WorkloadRegistryOwnershipAlreadyAccepted(bytes32 workloadId, address pendingOwner, uint64 effectiveAt);
    /// @notice launch.snpAllowedVmpls must be non-zero and use only the VMPL bits in `allowed` (VMPL 0..3).
    error WorkloadRegistryPolicySnpVmpls(uint8 snpAllowedVmpls, uint8 allowed);
    /// @notice Only Turin has an FMC component: the Milan and Genoa minimum TCB must have fmc 0.
    error WorkloadRegistryPolicySnpFmcNotTurin(uint8 productLine, uint8 fmc);
    /// @notice launch.tdxAllowedTdAttributes may not hold the DEBUG bit (0): debug is ruled by `dev`.
    error WorkloadRegistryPolicyTdxDebugAttribute(uint64 tdxAllowedTdAttributes);
    /// @notice launch.sgxAllowedAttributes may not hold the DEBUG bit (1): debug is ruled by `dev`.
    error WorkloadRegistryPolicySgxDebugAttribute(uint64 sgxAllowedAttributes);
    /// @notice The wiring to the AttestationRegistry was already set.
    error WorkloadRegistryAlreadyWired(address attestationRegistry);
    /// @notice The AttestationRegistry is not wired yet.
    error WorkloadRegistryNotWired();
    /// @notice Only the deployer may wire the registry.
    error WorkloadRegistryNotDeployer(address caller, address deployer);

    // ===== Events =====

    /// @notice A workload was registered; its default policy follows in a PolicyScheduled event.
    event WorkloadRegistered(bytes32 indexed workloadId, address indexed owner, string name, string metadataURI);
    /// @notice The workload's metadata URI changed.
    event WorkloadMetadataUpdated(bytes32 indexed workloadId, address indexed actor, string metadataURI);
    /// @notice The owner proposed a new owner; it takes over once it accepts.
    event WorkloadOwnershipTransferStarted(
        bytes32 indexed workloadId,
        address indexed owner,
        address indexed pendingOwner
    );
    /// @notice The pending owner accepted: it owns the workload from `effectiveAt` on (now + policy delay;
    /// the workload id does not change). Until then the previous owner governs and may cancel.
    event WorkloadOwnershipTransferred(
        bytes32 indexed workloadId,
        address indexed previousOwner,
        address indexed newOwner,
        uint64 effectiveAt
    );
    /// @notice A measurement was added; verdicts may rest on it from `effectiveAt` on (now + policy delay).
    /// `value` is the packed tuple of its TEE kind (layouts in docs/ids.md).
    event MeasurementAdded(
        bytes32 indexed workloadId,
        bytes32 indexed measurementHash,
        uint32 indexed version,
        TeeKind tee,
        uint32 serial,
        bytes value,
        uint64 effectiveAt
    );
    /// @notice A measurement was revoked: every verdict resting on it stops counting at once.
    event MeasurementRevoked(
        bytes32 indexed workloadId,
        bytes32 indexed measurementHash,
        address indexed actor,
        uint32 serial
    );
    /// @notice A policy was scheduled; it is in force from `effectiveAt` (lazily, no second transaction):
    /// now when it is no looser than the policy in force, otherwise now + policy delay.
    event PolicyScheduled(bytes32 indexed workloadId, Policy policy, uint64 indexed effectiveAt, address indexed actor);
    /// @notice The policy delay was changed, effective at `effectiveAt`.
    event PolicyDelayScheduled(uint64 indexed delay, uint64 indexed effectiveAt, address indexed actor);
    /// @notice The AttestationRegistry was wired (once).
    event AttestationRegistryWired(address indexed attestationRegistry);

    // ===== Workloads =====

    /// @notice Registers a workload owned by the caller, with the default policy in force at once.
    /// @dev Permissionless. workloadId = keccak256(abi.encode(keccak256("keepledger.workload.v1"), owner,
    /// keccak256(bytes(name)))). The default policy allows sgx, tdx, sev-snp and nitro, accepts UpToDate and
    /// NotApplicable, maxEvidenceAge 1 hour, verdictLifetime 7 days, no grace, nothing denied; launch: no
    /// SEV-SNP minimum TCB, VMPL 0 only, no migration agent, SMT allowed, TD attributes SEPT_VE_DISABLE|PKS|KL,
    /// any XFAM, zero owner config, SGX attributes INIT|MODE64BIT|KSS|AEXNOTIFY, minimum ISVSVN 0.
    /// @param name The workload name, 1 to 64 bytes.
    /// @param metadataURI Where its description lives, at most 512 bytes (may be empty).
    /// @return workloadId The new workload's id.
    function registerWorkload(string calldata name, string calldata metadataURI) external returns (bytes32 workloadId);

    /// @notice Replaces the workload's metadata URI (owner only).
    /// @param workloadId The workload.
    /// @param metadataURI The new URI, at most 512 bytes.
    function setWorkloadMetadata(bytes32 workloadId, string calldata metadataURI) external;

    /// @notice Proposes `newOwner` as the workload's owner (owner only); `newOwner` must accept.
    /// @dev Proposing address(0) cancels a pending transfer, also one accepted but not yet in force.
    /// @param workloadId The workload.
    /// @param newOwner The proposed owner.
    function transferWorkloadOwnership(bytes32 workloadId, address newOwner) external;

    /// @notice Accepts a transfer proposed to the caller; it takes effect after the policy delay.
    /// @param workloadId The workload.
    /// @return effectiveAt When the caller becomes the owner.
    function acceptWorkloadOwnership(bytes32 workloadId) external returns (uint64 effectiveAt);

    /// @notice The stored workload.
    /// @param workloadId The workload.
    /// @return The workload (owner is zero when unknown).
    function workloadOf(bytes32 workloadId) external view returns (WorkloadInfo memory);

    // ===== Measurements =====

    /// @notice Approves a measurement of `tee` for release `version` of the workload (owner only), usable by
    /// verdicts from now + policyDelay() on (verdictContext reverts with
    /// WorkloadRegistryMeasurementNotYetEffective before).
    /// @dev The value layouts are checked (typed errors otherwise); Debug only where dev policies are
    /// allowed. measurementHash = keccak256(abi.encodePacked(keccak256("keepledger.measurement.v1"),
    /// uint8(tee), value)). Each measurement gets the next registry-wide serial.
    /// @param workloadId The workload.
    /// @param version The owner's release number.
    /// @param tee The TEE kind.
    /// @param value The packed measurement value.
    /// @return measurementHash The measurement hash.
    function addMeasurement(
        bytes32 workloadId,
        uint32 version,
        TeeKind tee,
        bytes calldata value
    ) external returns (bytes32 measurementHash);

    /// @notice Revokes a measurement (owner or GOVERNOR_ROLE); verdicts resting on it stop counting at once.
    /// @param workloadId The workload.
    /// @param measurementHash The measurement.
    function revokeMeasurement(bytes32 workloadId, bytes32 measurementHash) external;

    /// @notice The stored measurement.
    /// @param workloadId The workload.
    /// @param measurementHash The measurement.
    /// @return The measurement (known is false when absent).
    function measurementOf(bytes32 workloadId, bytes32 measurementHash) external view returns (MeasurementInfo memory);

    /// @notice How many measurements were ever added (the last serial handed out).
    /// @return The count.
    function measurementCount() external view returns (uint32);

    // ===== Policies =====

    /// @notice Schedules a policy for the workload (owner only): in force at once if it is no looser than
    /// the policy in force in every field, otherwise from now + policyDelay().
    /// @dev Replaces a pending policy that is not yet in force. No looser means: allowedTees, acceptedTcbStatuses,
    /// VMPLs, TD attributes, XFAM and SGX attributes subsets; dev, allowUnboundEvidence and
    /// snpAllowMigrateMa not newly set, snpRequireSmtOff not newly cleared; denied lists and product lines
    /// supersets; maxEvidenceAge, verdictLifetime, tcbGracePeriod not larger; every SEV-SNP minimum TCB
    /// component and sgxMinIsvSvn not lower; tdxOwnerConfigDigest unchanged. Rules: allowedTees non-zero,
    /// valid kinds only, Debug only with dev; acceptedTcbStatuses non-zero and never Unknown or Revoked;
    /// dev and allowUnboundEvidence (which needs dev) only where dev policies are allowed; verdictLifetime in
    /// 1..365 days; maxEvidenceAge non-zero; lists at most 32 entries; snpAllowedVmpls in 1..0xF; fmc only
    /// on Turin; no DEBUG bit in the TDX and SGX attribute masks.
    /// @param workloadId The workload.
    /// @param p The policy.
    /// @return effectiveAt When the policy comes into force.
    function schedulePolicy(bytes32 workloadId, Policy calldata p) external returns (uint64 effectiveAt);

    /// @notice The policy in force at block.timestamp.
    /// @param workloadId The workload.
    /// @return policy The policy.
    /// @return effectiveAt Since when it is in force.
    function policyOf(bytes32 workloadId) external view returns (Policy memory policy, uint64 effectiveAt);

    /// @notice The scheduled policy that is not in force yet, if any.
    /// @param workloadId The workload.
    /// @return policy The pending policy (all zero when none).
    /// @return effectiveAt When it comes into force (0 when none is pending).
    function pendingPolicyOf(bytes32 workloadId) external view returns (Policy memory policy, uint64 effectiveAt);

    /// @notice The policy delay in force now.
    /// @return The delay, in seconds.
    function policyDelay() external view returns (uint64);

    /// @notice Schedules a new policy delay (GOVERNOR_ROLE), effective after the current policy delay.
    /// @param delay The new delay, in seconds (at least 1 day unless dev policies are allowed; at most 30 days).
    /// @return effectiveAt When the new delay is in force.
    function setPolicyDelay(uint64 delay) external returns (uint64 effectiveAt);

    /// @notice Whether this registry was deployed allowing dev policies and Debug measurements.
    /// @return True for development registries.
    function devPoliciesAllowed() external view returns (bool);

    /// @notice Measurement status and the policy in force, as the AttestationRegistry checks a verdict.
    /// @dev Reverts with WorkloadRegistryMeasurementNotYetEffective for a measurement added less than the
    /// policy delay ago. One word (layout in libraries/VerdictContext.sol): the call is on the hot path of
    /// every finalization, and a struct cost it an eight-word ABI encoding and decoding.
    /// @param workloadId The workload.
    /// @param measurementHash The measurement.
    /// @return The context, packed; read it with VerdictContextLib.
    function verdictContext(bytes32 workloadId, bytes32 measurementHash) external view returns (VerdictContext);

    // ===== Wiring =====

    /// @notice Wires the AttestationRegistry that receives measurement revocations (deployer only, once).
    /// @param attestationRegistry The AttestationRegistry.
    function setAttestationRegistry(address attestationRegistry) external;

    /// @notice The wired AttestationRegistry (zero before wiring).
    /// @return The address.
    function attestationRegistry() external view returns (address);
}
