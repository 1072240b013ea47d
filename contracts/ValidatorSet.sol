// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

// Bounds are written as docs/contracts.md states them ("at or after", "at most"), not flipped for gas.
// solhint-disable gas-strict-inequalities

import {KeepAdminRules} from "./access/KeepAdminRules.sol";
import {IAttestationRegistry} from "./interfaces/IAttestationRegistry.sol";
import {IValidatorSet} from "./interfaces/IValidatorSet.sol";
import {KeepIds} from "./libraries/KeepIds.sol";
import {KeepTypes, LoggingProfile, Verdict} from "./libraries/KeepTypes.sol";

/// @title ValidatorSet
/// @notice The validators, the threshold and their delayed governance. Changes are stored with the time
/// they take effect and resolved at read time, so nothing needs a second transaction.
/// @dev A validator's hot-path facts (active window, bootstrap flag, its own verdict's expiry, measurement
/// serial and revocation) live in one slot, so that checking a signer costs one SLOAD. Revocations of a
/// validator's own verdict or of its measurement are pushed here by the AttestationRegistry, so the
/// slot alone decides whether the validator counts. See docs/contracts.md.
contract ValidatorSet is IValidatorSet, KeepAdminRules {
    /// @notice Governs validators, the threshold, delays, the bootstrap and the validator workload.
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    /// @notice Hard cap of the validator list.
    uint256 public constant MAX_VALIDATORS = KeepTypes.MAX_VALIDATORS;
    /// @notice Longest governance delay.
    uint64 public constant MAX_GOVERNANCE_DELAY = 30 days;
    /// @notice Longest endpoint URL, in bytes.
    uint256 public constant MAX_ENDPOINT_LENGTH = 256;

    uint8 private constant FLAG_REGISTERED = 1;
    uint8 private constant FLAG_BOOTSTRAP = 2;
    uint8 private constant FLAG_OWN_REVOKED = 4;
    uint8 private constant FLAG_IN_LIST = 8;
    uint40 private constant NEVER = type(uint40).max;
    uint256 private constant COUNTING = 0;
    uint256 private constant UNKNOWN = 1;
    uint256 private constant INACTIVE = 2;

    // ===== Storage =====

    /// @dev One slot (27 bytes), read once per signer on the hot path; signerStatuses relies on this order.
    // solhint-disable-next-line gas-struct-packing
    struct ValidatorRecord {
        uint40 activeFrom;
        uint40 activeUntil;
        uint40 ownExpiresAt;
        uint32 ownSerial;
        uint8 flags;
        LoggingProfile profile;
        LoggingProfile pendingProfile;
        uint40 profileEffectiveAt;
    }

    /// @dev One slot, read once per finalization.
    struct Quorum {
        uint16 threshold;
        uint16 pendingThreshold;
        uint40 thresholdEffectiveAt;
        uint40 bootstrapClosesAt;
        uint16 registered;
    }

    struct DelayState {
        uint64 current;
        uint64 pending;
        uint40 effectiveAt;
    }

    struct WorkloadState {
        bytes32 current;
        bytes32 pending;
        uint40 effectiveAt;
    }

    bool private immutable DEV_ALLOWED;
    address private immutable DEPLOYER;

    Quorum private _quorum;
    DelayState private _governanceDelay;
    WorkloadState private _validatorWorkload;
    address[] private _list;
    mapping(address validator => ValidatorRecord) private _records;
    mapping(address validator => string) private _endpoints;
    mapping(address validator => bytes32) private _ownVerdicts;
    mapping(bytes32 verdictId => address) private _verdictHolders;
    IAttestationRegistry private _attestationRegistry;

    /// @param admin Receives DEFAULT_ADMIN_ROLE (manages roles; moves in two steps, see KeepAdminRules).
    /// @param governor Receives GOVERNOR_ROLE.
    /// @param devAllowed_ Whether delays under the production floors are allowed (development deployments).
    /// @param initialGovernanceDelay The governance delay, in force at once.
    /// @param initialValidatorWorkload The designated validator workload, in force at once (may be zero).
    /// @param adminDelay The DEFAULT_ADMIN_ROLE transfer delay (at least 1 day unless dev).
    constructor(
        address admin,
        address governor,
        bool devAllowed_,
        uint64 initialGovernanceDelay,
        bytes32 initialValidatorWorkload,
        uint48 adminDelay
    ) KeepAdminRules(adminDelay, admin, devAllowed_) {
        if (admin == address(0) || governor == address(0)) revert ValidatorSetZeroAddress();
        DEV_ALLOWED = devAllowed_;
        DEPLOYER = msg.sender;
        _checkGovernanceDelay(initialGovernanceDelay);
        _governanceDelay.current = initialGovernanceDelay;
        _validatorWorkload.current = initialValidatorWorkload;
        _grantRole(GOVERNOR_ROLE, governor);
    }

    // ===== Governance =====

    /// @inheritdoc IValidatorSet
    function addValidator(
        address validator,
        string calldata endpoint,
        LoggingProfile loggingProfile
    ) external onlyRole(GOVERNOR_ROLE) returns (uint64 effectiveAt) {
        return _add(validator, endpoint, loggingProfile, false);
    }

    /// @inheritdoc IValidatorSet
    function bootstrapValidator(
        address validator,
        string calldata endpoint,
        LoggingProfile loggingProfile
    ) external onlyRole(GOVERNOR_ROLE) returns (uint64 effectiveAt) {
        uint40 closesAt = _quorum.bootstrapClosesAt;
        if (closesAt != 0) revert ValidatorSetBootstrapClosed(closesAt);
        return _add(validator, endpoint, loggingProfile, true);
    }

    /// @inheritdoc IValidatorSet
    function removeValidator(address validator) external onlyRole(GOVERNOR_ROLE) returns (uint64 effectiveAt) {
        ValidatorRecord storage r = _records[validator];
        if (r.flags & FLAG_REGISTERED == 0) revert ValidatorSetUnknownValidator(validator);
        Quorum memory q = _quorum;
        uint16 remaining = q.registered - 1;
        uint16 needed = _thresholdInForce(q);
        if (q.thresholdEffectiveAt != 0 && q.pendingThreshold > needed) needed = q.pendingThreshold;
        if (needed > remaining) revert ValidatorSetRemovalBreaksThreshold(needed, remaining);

        effectiveAt = _effectiveAt();
        r.flags &= ~FLAG_REGISTERED;
        r.activeUntil = uint40(effectiveAt);
        _quorum.registered = remaining;
        emit ValidatorRemoved(validator, effectiveAt, msg.sender);
    }

    /// @inheritdoc IValidatorSet
    function setThreshold(uint16 k) external onlyRole(GOVERNOR_ROLE) returns (uint64 effectiveAt) {
        Quorum memory q = _quorum;
        if (k == 0 || k > q.registered) revert ValidatorSetThresholdOutOfRange(k, q.registered);
        effectiveAt = _effectiveAt();
        q.threshold = _thresholdInForce(q);
        q.pendingThreshold = k;
        q.thresholdEffectiveAt = uint40(effectiveAt);
        _quorum = q;
        emit ThresholdScheduled(k, effectiveAt, msg.sender);
    }

    /// @inheritdoc IValidatorSet
    function setLoggingProfile(
        address validator,
        LoggingProfile loggingProfile
    ) external onlyRole(GOVERNOR_ROLE) returns (uint64 effectiveAt) {
        ValidatorRecord storage r = _records[validator];
        if (r.flags & FLAG_REGISTERED == 0) revert ValidatorSetUnknownValidator(validator);
        effectiveAt = _effectiveAt();
        r.profile = _profileInForce(r);
        r.pendingProfile = loggingProfile;
        r.profileEffectiveAt = uint40(effectiveAt);
        emit LoggingProfileScheduled(validator, effectiveAt, msg.sender, loggingProfile);
    }

    /// @inheritdoc IValidatorSet
    function setValidatorWorkload(bytes32 workloadId) external onlyRole(GOVERNOR_ROLE) returns (uint64 effectiveAt) {
        effectiveAt = _effectiveAt();
        _validatorWorkload = WorkloadState({
            current: _workloadInForce(),
            pending: workloadId,
            effectiveAt: uint40(effectiveAt)
        });
        emit ValidatorWorkloadScheduled(workloadId, effectiveAt, msg.sender);
    }

    /// @inheritdoc IValidatorSet
    function setGovernanceDelay(uint64 delay) external onlyRole(GOVERNOR_ROLE) returns (uint64 effectiveAt) {
        _checkGovernanceDelay(delay);
        uint64 current = _delayInForce();
        effectiveAt = uint64(block.timestamp) + current;
        _governanceDelay = DelayState({current: current, pending: delay, effectiveAt: uint40(effectiveAt)});
        emit GovernanceDelayScheduled(delay, effectiveAt, msg.sender);
    }

    /// @inheritdoc IValidatorSet
    function closeBootstrap() external onlyRole(GOVERNOR_ROLE) returns (uint64 effectiveAt) {
        uint40 closesAt = _quorum.bootstrapClosesAt;
        if (closesAt != 0) revert ValidatorSetBootstrapClosed(closesAt);
        effectiveAt = _effectiveAt();
        _quorum.bootstrapClosesAt = uint40(effectiveAt);
        emit BootstrapCloseScheduled(effectiveAt, msg.sender);
    }

    // ===== Validators =====

    /// @inheritdoc IValidatorSet
    function setEndpoint(string calldata endpoint) external {
        if (_records[msg.sender].flags & FLAG_REGISTERED == 0) revert ValidatorSetUnknownValidator(msg.sender);
        _checkEndpoint(endpoint);
        _endpoints[msg.sender] = endpoint;
        emit ValidatorEndpointUpdated(msg.sender, endpoint);
    }

    /// @inheritdoc IValidatorSet
    function attachVerdict(address validator, Verdict calldata v) external {
        ValidatorRecord storage r = _records[validator];
        if (r.flags & FLAG_REGISTERED == 0) revert ValidatorSetUnknownValidator(validator);
        // A revocation sticks: only governance lifts it (reinstateValidator), never a fresh verdict.
        if (r.flags & FLAG_OWN_REVOKED != 0) revert ValidatorSetValidatorRevoked(validator);
        if (v.subject != validator) revert ValidatorSetVerdictSubjectMismatch(validator, v.subject);
        bytes32 workloadId = _workloadInForce();
        if (workloadId == 0) revert ValidatorSetNoValidatorWorkload();
        if (v.workloadId != workloadId) revert ValidatorSetVerdictWorkloadMismatch(workloadId, v.workloadId);
        IAttestationRegistry registry = _registry();
        bytes32 verdictId = KeepIds.verdictIdCalldata(v);
        IAttestationRegistry.VerdictStatus memory status = registry.verdictOf(verdictId);
        if (!status.live) revert ValidatorSetVerdictNotLive(verdictId);
        bytes32 current = _ownVerdicts[validator];
        if (current != 0) {
            IAttestationRegistry.VerdictStatus memory held = registry.verdictOf(current);
            if (held.live && status.issuedAt <= held.issuedAt) {
                revert ValidatorSetVerdictNotNewer(current, held.issuedAt, status.issuedAt);
            }
        }

        r.ownExpiresAt = uint40(status.expiresAt);
        r.ownSerial = status.measurementSerial;
        _ownVerdicts[validator] = verdictId;
        _verdictHolders[verdictId] = validator;
        emit ValidatorVerdictAttached(
            validator,
            verdictId,
            msg.sender,
            status.issuedAt,
            status.expiresAt,
            status.measurementSerial
        );
    }

    /// @inheritdoc IValidatorSet
    function reinstateValidator(address validator) external onlyRole(GOVERNOR_ROLE) {
        ValidatorRecord storage r = _records[validator];
        if (r.flags & FLAG_REGISTERED == 0) revert ValidatorSetUnknownValidator(validator);
        if (r.flags & FLAG_OWN_REVOKED == 0) revert ValidatorSetValidatorNotRevoked(validator);
        r.flags &= ~FLAG_OWN_REVOKED;
        // The revoked verdict stays attached but no longer counts: it must be replaced by a live one.
        r.ownExpiresAt = 0;
        emit ValidatorReinstated(validator, msg.sender);
    }

    /// @inheritdoc IValidatorSet
    function onVerdictRevoked(bytes32 verdictId) external {
        _requireRegistryCaller();
        address holder = _verdictHolders[verdictId];
        if (holder != address(0) && _ownVerdicts[holder] == verdictId) {
            ValidatorRecord storage r = _records[holder];
            if (r.flags & FLAG_OWN_REVOKED == 0) {
                r.flags |= FLAG_OWN_REVOKED;
                emit ValidatorVerdictInvalidated(holder, verdictId);
            }
        }
    }

    /// @inheritdoc IValidatorSet
    function onMeasurementRevoked(uint32 serial) external {
        _requireRegistryCaller();
        uint256 n = _list.length;
        for (uint256 i = 0; i < n; ++i) {
            address validator = _list[i];
            ValidatorRecord storage r = _records[validator];
            if (r.ownSerial == serial && r.ownExpiresAt != 0 && r.flags & FLAG_OWN_REVOKED == 0) {
                r.flags |= FLAG_OWN_REVOKED;
                emit ValidatorVerdictInvalidated(validator, _ownVerdicts[validator]);
            }
        }
    }

    // ===== Views =====

    /// @inheritdoc IValidatorSet
    function validators() external view returns (address[] memory out) {
        uint256 n = _list.length;
        out = new address[](n);
        uint256 count = 0;
        for (uint256 i = 0; i < n; ++i) {
            address a = _list[i];
            ValidatorRecord memory r = _records[a];
            if (r.flags & FLAG_REGISTERED != 0 || r.activeUntil > block.timestamp) {
                out[count] = a;
                ++count;
            }
        }
        assembly ("memory-safe") {
            mstore(out, count)
        }
    }

    /// @inheritdoc IValidatorSet
    function validatorOf(address validator) external view returns (ValidatorInfo memory info) {
        ValidatorRecord memory r = _records[validator];
        info.registered = r.flags & FLAG_REGISTERED != 0;
        info.bootstrap = r.flags & FLAG_BOOTSTRAP != 0;
        info.counting = _isCounting(r);
        bool profileChanged = r.profileEffectiveAt != 0 && r.profileEffectiveAt <= block.timestamp;
        info.loggingProfile = profileChanged ? r.pendingProfile : r.profile;
        if (r.profileEffectiveAt > block.timestamp) {
            info.pendingLoggingProfile = r.pendingProfile;
            info.loggingProfileEffectiveAt = r.profileEffectiveAt;
        } else {
            info.pendingLoggingProfile = info.loggingProfile;
        }
        info.activeFrom = r.activeFrom;
        info.activeUntil = r.activeUntil;
        info.ownVerdictId = _ownVerdicts[validator];
        info.ownVerdictExpiresAt = r.ownExpiresAt;
        info.ownVerdictMeasurementSerial = r.ownSerial;
        info.ownVerdictRevoked = r.flags & FLAG_OWN_REVOKED != 0;
        info.endpoint = _endpoints[validator];
    }

    /// @inheritdoc IValidatorSet
    function threshold() external view returns (uint16) {
        return _thresholdInForce(_quorum);
    }

    /// @inheritdoc IValidatorSet
    function pendingThreshold() external view returns (uint16 k, uint64 effectiveAt) {
        Quorum memory q = _quorum;
        if (q.thresholdEffectiveAt > block.timestamp) return (q.pendingThreshold, q.thresholdEffectiveAt);
    }

    /// @inheritdoc IValidatorSet
    function registeredCount() external view returns (uint16) {
        return _quorum.registered;
    }

    /// @inheritdoc IValidatorSet
    function isCounting(address validator) external view returns (bool) {
        return _isCounting(_records[validator]);
    }

    /// @inheritdoc IValidatorSet
    function signerStatuses(
        address[] calldata signers
    ) external view returns (uint256 k, uint256 unknownMask, uint256 inactiveMask) {
        Quorum memory q = _quorum;
        k = _thresholdInForce(q);
        uint256 bootstrapCounts = _bootstrapOpen(q) ? FLAG_BOOTSTRAP : 0;
        uint256 n = signers.length;
        if (n > 256) n = 256;
        // The hot path of every finalization, so it is assembly: one SLOAD per signer and the rule of
        // _status applied to the raw slot. Solidity packs ValidatorRecord from the low-order bytes in
        // declaration order: activeFrom bits 0-39, activeUntil 40-79, ownExpiresAt 80-119, ownSerial
        // 120-151, flags 152-159. ValidatorSet.t.sol fuzzes that this agrees with isCounting().
        assembly ("memory-safe") {
            mstore(0x20, _records.slot)
            let t := timestamp()
            for {
                let i := 0
            } lt(i, n) {
                i := add(i, 1)
            } {
                let signer := calldataload(add(signers.offset, shl(5, i)))
                if shr(160, signer) {
                    revert(0, 0)
                }
                mstore(0x00, signer)
                let packed := sload(keccak256(0x00, 0x40))
                let activeFrom := and(packed, 0xffffffffff)
                switch activeFrom
                case 0 {
                    unknownMask := or(unknownMask, shl(i, 1))
                }
                default {
                    let flags := and(shr(152, packed), 0xff)
                    let inWindow := and(iszero(lt(t, activeFrom)), lt(t, and(shr(40, packed), 0xffffffffff)))
                    let ownLive := and(gt(and(shr(80, packed), 0xffffffffff), t), iszero(and(flags, FLAG_OWN_REVOKED)))
                    let counts := and(inWindow, or(iszero(iszero(and(flags, bootstrapCounts))), ownLive))
                    if iszero(counts) {
                        inactiveMask := or(inactiveMask, shl(i, 1))
                    }
                }
            }
        }
    }

    /// @inheritdoc IValidatorSet
    function validatorWorkload() external view returns (bytes32) {
        return _workloadInForce();
    }

    /// @inheritdoc IValidatorSet
    function governanceDelay() external view returns (uint64) {
        return _delayInForce();
    }

    /// @inheritdoc IValidatorSet
    function bootstrapStatus() external view returns (bool open, uint64 closesAt) {
        Quorum memory q = _quorum;
        return (_bootstrapOpen(q), q.bootstrapClosesAt);
    }

    /// @inheritdoc IValidatorSet
    function devAllowed() external view returns (bool) {
        return DEV_ALLOWED;
    }

    // ===== Wiring =====

    /// @inheritdoc IValidatorSet
    function setAttestationRegistry(address attestationRegistry_) external {
        if (msg.sender != DEPLOYER) revert ValidatorSetNotDeployer(msg.sender, DEPLOYER);
        if (address(_attestationRegistry) != address(0)) {
            revert ValidatorSetAlreadyWired(address(_attestationRegistry));
        }
        if (attestationRegistry_ == address(0)) revert ValidatorSetZeroAddress();
        _attestationRegistry = IAttestationRegistry(attestationRegistry_);
        emit AttestationRegistryWired(attestationRegistry_);
    }

    /// @inheritdoc IValidatorSet
    function attestationRegistry() external view returns (address) {
        return address(_attestationRegistry);
    }

    // ===== Internals =====

    function _add(
        address validator,
        string calldata endpoint,
        LoggingProfile profile,
        bool bootstrap
    ) private returns (uint64 effectiveAt) {
        if (validator == address(0)) revert ValidatorSetZeroAddress();
        _checkEndpoint(endpoint);
        ValidatorRecord memory r = _records[validator];
        if (r.flags & FLAG_REGISTERED != 0 || (r.activeFrom != 0 && r.activeUntil > block.timestamp)) {
            revert ValidatorSetValidatorExists(validator);
        }
        if (r.flags & FLAG_IN_LIST == 0) {
            _makeRoom();
            _list.push(validator);
        }
        effectiveAt = _effectiveAt();
        _records[validator] = ValidatorRecord({
            activeFrom: uint40(effectiveAt),
            activeUntil: NEVER,
            ownExpiresAt: 0,
            ownSerial: 0,
            flags: FLAG_REGISTERED | FLAG_IN_LIST | (bootstrap ? FLAG_BOOTSTRAP : 0),
            profile: profile,
            pendingProfile: profile,
            profileEffectiveAt: 0
        });
        _endpoints[validator] = endpoint;
        delete _ownVerdicts[validator];
        ++_quorum.registered;
        emit ValidatorAdded(validator, effectiveAt, msg.sender, endpoint, profile, bootstrap);
    }

    /// @dev Drops records of validators whose removal is in effect, only when the list is full.
    /// Bounded by MAX_VALIDATORS.
    function _makeRoom() private {
        uint256 n = _list.length;
        if (n < MAX_VALIDATORS) return;
        uint256 i = 0;
        while (i < n) {
            address a = _list[i];
            ValidatorRecord memory r = _records[a];
            if (r.flags & FLAG_REGISTERED == 0 && r.activeUntil <= block.timestamp) {
                _list[i] = _list[n - 1];
                _list.pop();
                --n;
                delete _records[a];
                delete _endpoints[a];
                delete _ownVerdicts[a];
                emit ValidatorPruned(a);
            } else {
                ++i;
            }
        }
        if (n >= MAX_VALIDATORS) revert ValidatorSetTooManyValidators(MAX_VALIDATORS);
    }

    /// @dev The whole counting rule, from the record alone.
    function _status(ValidatorRecord memory r, bool bootstrapOpen) private view returns (uint256) {
        if (r.activeFrom == 0) return UNKNOWN;
        if (block.timestamp < r.activeFrom || block.timestamp >= r.activeUntil) return INACTIVE;
        if (r.flags & FLAG_BOOTSTRAP != 0 && bootstrapOpen) return COUNTING;
        if (r.ownExpiresAt > block.timestamp && r.flags & FLAG_OWN_REVOKED == 0) return COUNTING;
        return INACTIVE;
    }

    function _isCounting(ValidatorRecord memory r) private view returns (bool) {
        return _status(r, _bootstrapOpen(_quorum)) == COUNTING;
    }

    function _requireRegistryCaller() private view {
        address registry = address(_attestationRegistry);
        if (msg.sender != registry || registry == address(0)) {
            revert ValidatorSetUnauthorizedCaller(msg.sender, registry);
        }
    }

    function _registry() private view returns (IAttestationRegistry registry) {
        registry = _attestationRegistry;
        if (address(registry) == address(0)) revert ValidatorSetNotWired();
    }

    function _bootstrapOpen(Quorum memory q) private view returns (bool) {
        return q.bootstrapClosesAt == 0 || block.timestamp < q.bootstrapClosesAt;
    }

    function _thresholdInForce(Quorum memory q) private view returns (uint16) {
        return
            q.thresholdEffectiveAt != 0 && q.thresholdEffectiveAt <= block.timestamp ? q.pendingThreshold : q.threshold;
    }

    function _profileInForce(ValidatorRecord storage r) private view returns (LoggingProfile) {
        uint40 at = r.profileEffectiveAt;
        return at != 0 && at <= block.timestamp ? r.pendingProfile : r.profile;
    }

    function _workloadInForce() private view returns (bytes32) {
        uint40 at = _validatorWorkload.effectiveAt;
        return at != 0 && at <= block.timestamp ? _validatorWorkload.pending : _validatorWorkload.current;
    }

    function _delayInForce() private view returns (uint64) {
        uint40 at = _governanceDelay.effectiveAt;
        return at != 0 && at <= block.timestamp ? _governanceDelay.pending : _governanceDelay.current;
    }

    function _effectiveAt() private view returns (uint64) {
        return uint64(block.timestamp) + _delayInForce();
    }

    function _checkGovernanceDelay(uint64 delay) private view {
        uint64 min = DEV_ALLOWED ? 0 : KeepTypes.MIN_PRODUCTION_GOVERNANCE_DELAY;
        if (delay < min || delay > MAX_GOVERNANCE_DELAY) {
            revert ValidatorSetGovernanceDelay(delay, min, MAX_GOVERNANCE_DELAY);
        }
    }

    function _checkEndpoint(string calldata endpoint) private pure {
        uint256 length = bytes(endpoint).length;
        if (length == 0 || length > MAX_ENDPOINT_LENGTH) revert ValidatorSetEndpointLength(length, MAX_ENDPOINT_LENGTH);
    }
}
