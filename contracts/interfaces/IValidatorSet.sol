// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {LoggingProfile, Verdict} from "../libraries/KeepTypes.sol";

/// @title IValidatorSet
/// @notice The validators whose signatures finalize verdicts, the threshold k, and the governance that
/// changes them. Every governance change takes effect at now + governanceDelay(), applied lazily at read
/// time. A validator counts while active and while its own verdict (it runs in a TEE too) is live, or,
/// for bootstrapped validators, until the bootstrap closes.
interface IValidatorSet {
    // ===== Types =====

    /// @notice Everything stored about a validator, with the values in force now.
    /// @dev A view's return value, never stored: ordered for readers.
    // solhint-disable-next-line gas-struct-packing
    struct ValidatorInfo {
        bool registered;
        bool bootstrap;
        bool counting;
        LoggingProfile loggingProfile;
        LoggingProfile pendingLoggingProfile;
        uint64 loggingProfileEffectiveAt;
        uint64 activeFrom;
        uint64 activeUntil;
        bytes32 ownVerdictId;
        uint64 ownVerdictExpiresAt;
        uint32 ownVerdictMeasurementSerial;
        bool ownVerdictRevoked;
        string endpoint;
    }

    // ===== Errors =====

    /// @notice No validator has this address.
    error ValidatorSetUnknownValidator(address validator);
    /// @notice The validator is registered, or its removal is not in effect yet.
    error ValidatorSetValidatorExists(address validator);
    /// @notice The set is full.
    error ValidatorSetTooManyValidators(uint256 max);
    /// @notice An address argument was zero.
    error ValidatorSetZeroAddress();
    /// @notice An endpoint must be 1 to `max` bytes.
    error ValidatorSetEndpointLength(uint256 length, uint256 max);
    /// @notice The threshold must satisfy 1 <= k <= the number of registered validators.
    error ValidatorSetThresholdOutOfRange(uint256 threshold, uint256 registered);
    /// @notice Removing would leave fewer registered validators than the threshold.
    error ValidatorSetRemovalBreaksThreshold(uint256 threshold, uint256 remaining);
    /// @notice The bootstrap is closed or closing; validators must bring their own verdict.
    error ValidatorSetBootstrapClosed(uint64 closesAt);
    /// @notice The governance delay is out of range (0 only where dev is allowed; at most max).
    error ValidatorSetGovernanceDelay(uint64 delay, uint64 min, uint64 max);
    /// @notice The verdict is about another subject than the validator.
    error ValidatorSetVerdictSubjectMismatch(address expected, address actual);
    /// @notice The verdict is for another workload than the designated validator workload.
    error ValidatorSetVerdictWorkloadMismatch(bytes32 expected, bytes32 actual);
    /// @notice No validator workload is designated yet.
    error ValidatorSetNoValidatorWorkload();
    /// @notice The verdict is not finalized, or not live, in the AttestationRegistry.
    error ValidatorSetVerdictNotLive(bytes32 verdictId);
    /// @notice The validator already holds a live verdict issued at the same time or later.
    error ValidatorSetVerdictNotNewer(bytes32 current, uint64 currentIssuedAt, uint64 issuedAt);
    /// @notice Only the named contract may call this hook.
    error ValidatorSetUnauthorizedCaller(address caller, address expected);
    /// @notice The wiring to the AttestationRegistry was already set.
    error ValidatorSetAlreadyWired(address attestationRegistry);
    /// @notice The AttestationRegistry is not wired yet.
    error ValidatorSetNotWired();
    /// @notice Only the deployer may wire the set.
    error ValidatorSetNotDeployer(address caller, address deployer);
    /// @notice The validator's own verdict (or its measurement, or its subject) was revoked: no attached
    /// verdict brings it back, only governance (reinstateValidator).
    error ValidatorSetValidatorRevoked(address validator);
    /// @notice reinstateValidator was called for a validator that is not revoked.
    error ValidatorSetValidatorNotRevoked(address validator);

    // ===== Events =====

    /// @notice A validator was added (bootstrap: counts without its own verdict until the bootstrap
    /// closes); it is active from `effectiveAt`.
    event ValidatorAdded(
        address indexed validator,
        uint64 indexed effectiveAt,
        address indexed actor,
        string endpoint,
        LoggingProfile loggingProfile,
        bool bootstrap
    );
    /// @notice A validator was removed; it stops counting at `effectiveAt`.
    event ValidatorRemoved(address indexed validator, uint64 indexed effectiveAt, address indexed actor);
    /// @notice A removed validator's record was dropped to make room (its removal was long in effect).
    event ValidatorPruned(address indexed validator);
    /// @notice The validator changed its endpoint.
    event ValidatorEndpointUpdated(address indexed validator, string endpoint);
    /// @notice A validator's logging profile changes at `effectiveAt`.
    event LoggingProfileScheduled(
        address indexed validator,
        uint64 indexed effectiveAt,
        address indexed actor,
        LoggingProfile loggingProfile
    );
    /// @notice The threshold becomes `threshold` at `effectiveAt`.
    event ThresholdScheduled(uint16 indexed threshold, uint64 indexed effectiveAt, address indexed actor);
    /// @notice The designated validator workload becomes `workloadId` at `effectiveAt`.
    event ValidatorWorkloadScheduled(bytes32 indexed workloadId, uint64 indexed effectiveAt, address indexed actor);
    /// @notice The governance delay becomes `delay` at `effectiveAt`.
    event GovernanceDelayScheduled(uint64 indexed delay, uint64 indexed effectiveAt, address indexed actor);
    /// @notice The bootstrap closes at `closesAt`: bootstrapped validators then need their own verdict.
    event BootstrapCloseScheduled(uint64 indexed closesAt, address indexed actor);
    /// @notice A validator's own verdict was attached.
    event ValidatorVerdictAttached(
        address indexed validator,
        bytes32 indexed verdictId,
        address indexed actor,
        uint64 issuedAt,
        uint64 expiresAt,
        uint32 measurementSerial
    );
    /// @notice A validator's own verdict was revoked, or its measurement was, so the validator stopped counting.
    event ValidatorVerdictInvalidated(address indexed validator, bytes32 indexed verdictId);
    /// @notice Governance lifted a validator's revocation; it counts again once it attaches a live verdict.
    event ValidatorReinstated(address indexed validator, address indexed actor);
    /// @notice The AttestationRegistry was wired (once).
    event AttestationRegistryWired(address indexed attestationRegistry);

    // ===== Governance (GOVERNOR_ROLE, delayed) =====

    /// @notice Adds a validator that counts once active and once its own verdict is attached and live.
    /// @param validator The validator's signing address.
    /// @param endpoint Its URL, 1 to 256 bytes.
    /// @param loggingProfile Its logging profile.
    /// @return effectiveAt When it becomes active.
    function addValidator(
        address validator,
        string calldata endpoint,
        LoggingProfile loggingProfile
    ) external returns (uint64 effectiveAt);

    /// @notice Adds a validator that counts without its own verdict until the bootstrap closes.
    /// @dev Only while closeBootstrap() has not been called.
    /// @param validator The validator's signing address.
    /// @param endpoint Its URL, 1 to 256 bytes.
    /// @param loggingProfile Its logging profile.
    /// @return effectiveAt When it becomes active.
    function bootstrapValidator(
        address validator,
        string calldata endpoint,
        LoggingProfile loggingProfile
    ) external returns (uint64 effectiveAt);

    /// @notice Removes a validator; it stops counting at the returned time.
    /// @dev Reverts when fewer registered validators than the threshold (in force or pending) would remain.
    /// @param validator The validator.
    /// @return effectiveAt When it stops counting.
    function removeValidator(address validator) external returns (uint64 effectiveAt);

    /// @notice Schedules the threshold k (1 <= k <= registered validators); replaces a pending one.
    /// @param k The number of signatures a verdict needs.
    /// @return effectiveAt When k is in force.
    function setThreshold(uint16 k) external returns (uint64 effectiveAt);

    /// @notice Schedules a validator's logging profile; replaces a pending one.
    /// @param validator The validator.
    /// @param loggingProfile The new profile.
    /// @return effectiveAt When the profile is in force.
    function setLoggingProfile(address validator, LoggingProfile loggingProfile) external returns (uint64 effectiveAt);

    /// @notice Schedules the designated validator workload that validators' own verdicts must be for.
    /// @dev Affects later attachVerdict calls; attached verdicts count until they expire or are revoked.
    /// @param workloadId The workload.
    /// @return effectiveAt When it is in force.
    function setValidatorWorkload(bytes32 workloadId) external returns (uint64 effectiveAt);

    /// @notice Schedules a new governance delay, itself delayed by the current one.
    /// @param delay The new delay in seconds (0 only where dev is allowed; at most 30 days).
    /// @return effectiveAt When the new delay is in force.
    function setGovernanceDelay(uint64 delay) external returns (uint64 effectiveAt);

    /// @notice Closes the bootstrap (one-way): after the delay, bootstrapped validators need their own verdict.
    /// @return effectiveAt When the bootstrap closes.
    function closeBootstrap() external returns (uint64 effectiveAt);

    // ===== Validators =====

    /// @notice Replaces the caller's own endpoint (the caller must be a registered validator).
    /// @param endpoint The new URL, 1 to 256 bytes.
    function setEndpoint(string calldata endpoint) external;

    /// @notice Attaches a validator's own verdict; anyone may call.
    /// @dev Checks v.subject == validator, v.workloadId == the designated validator workload in force,
    /// and that the verdict is finalized and live in the AttestationRegistry. Replaces an attached verdict
    /// only if that one is dead or the new one was issued later.
    /// @param validator The validator.
    /// @param v The validator's verdict.
    function attachVerdict(address validator, Verdict calldata v) external;

    /// @notice Lifts a validator's revocation (GOVERNOR_ROLE). A revoked validator (its own verdict, its
    /// measurement or its subject revoked) stays revoked through any attachVerdict until this is called;
    /// it then counts again once a live verdict is attached.
    /// @param validator The validator.
    function reinstateValidator(address validator) external;

    /// @notice Hook for the AttestationRegistry: a verdict was revoked.
    /// @param verdictId The verdict id.
    function onVerdictRevoked(bytes32 verdictId) external;

    /// @notice Hook for the AttestationRegistry: a measurement was revoked; validators whose own verdict
    /// rests on it stop counting.
    /// @dev Loops over the validator list, which is capped at MAX_VALIDATORS.
    /// @param serial The revoked measurement's serial.
    function onMeasurementRevoked(uint32 serial) external;

    // ===== Views =====

    /// @notice The validators with a live record: registered, or removed but not yet out.
    /// @return The addresses (at most MAX_VALIDATORS).
    function validators() external view returns (address[] memory);

    /// @notice Everything about a validator, with the values in force now.
    /// @param validator The validator.
    /// @return The info (registered false and activeFrom 0 when unknown).
    function validatorOf(address validator) external view returns (ValidatorInfo memory);

    /// @notice The threshold k in force now (0 until governance sets one).
    /// @return The threshold.
    function threshold() external view returns (uint16);

    /// @notice The scheduled threshold not yet in force.
    /// @return k The pending threshold (0 when none).
    /// @return effectiveAt When it comes into force (0 when none).
    function pendingThreshold() external view returns (uint16 k, uint64 effectiveAt);

    /// @notice How many validators are registered (not removed), the bound of the threshold.
    /// @return The count.
    function registeredCount() external view returns (uint16);

    /// @notice Whether a validator's signature counts now.
    /// @param validator The validator.
    /// @return True while active and its own verdict is live (or it is bootstrapped and the bootstrap open).
    function isCounting(address validator) external view returns (bool);

    /// @notice The threshold in force and which signers do not count, in one call for the AttestationRegistry.
    /// @dev Bit i of a mask stands for signers[i]; at most 256 signers.
    /// @param signers The signer addresses.
    /// @return k The threshold in force.
    /// @return unknownMask Signers that are not validators of the set.
    /// @return inactiveMask Validators that do not count now (not yet active, removed, own verdict dead).
    function signerStatuses(
        address[] calldata signers
    ) external view returns (uint256 k, uint256 unknownMask, uint256 inactiveMask);

    /// @notice The designated validator workload in force now (zero when none).
    /// @return The workload id.
    function validatorWorkload() external view returns (bytes32);

    /// @notice The governance delay in force now.
    /// @return The delay in seconds.
    function governanceDelay() external view returns (uint64);

    /// @notice Whether bootstrapped validators still count without their own verdict.
    /// @return open True before closeBootstrap() takes effect.
    /// @return closesAt When it closes (0 when not scheduled).
    function bootstrapStatus() external view returns (bool open, uint64 closesAt);

    /// @notice Whether this set was deployed for development (a zero governance delay allowed).
    /// @return True for development deployments.
    function devAllowed() external view returns (bool);

    // ===== Wiring =====

    /// @notice Wires the AttestationRegistry (deployer only, once).
    /// @param attestationRegistry The AttestationRegistry.
    function setAttestationRegistry(address attestationRegistry) external;

    /// @notice The wired AttestationRegistry (zero before wiring).
    /// @return The address.
    function attestationRegistry() external view returns (address);
}
