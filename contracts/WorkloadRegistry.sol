// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

// Bounds are written as docs/contracts.md states them ("at or after", "at most"), not flipped for gas.
// solhint-disable gas-strict-inequalities

import {KeepAdminRules} from "./access/KeepAdminRules.sol";
import {IAttestationRegistry} from "./interfaces/IAttestationRegistry.sol";
import {IWorkloadRegistry} from "./interfaces/IWorkloadRegistry.sol";
import {KeepIds} from "./libraries/KeepIds.sol";
import {KeepTypes, LaunchPolicy, Policy, SnpTcb, TeeKind} from "./libraries/KeepTypes.sol";
import {VerdictContext, VerdictContextLib} from "./libraries/VerdictContext.sol";

/// @title WorkloadRegistry
/// @notice Workloads, their approved measurements and their scheduled platform policies.
/// @dev Storage is laid out for the AttestationRegistry's hot path (verdictContext): one slot for the
/// measurement record and one slot for the policy in force (PolicyCore), plus a second only while a
/// scheduled policy is pending or newly in force. The launch policy and the lists live beside the core
/// and are never read by verdictContext. Tightening is immediate, loosening waits for the policy delay:
/// a policy no looser than the one in force in every field is in force at once, any other one, a new
/// measurement and an accepted ownership transfer take effect after the delay. See docs/contracts.md.
contract WorkloadRegistry is IWorkloadRegistry, KeepAdminRules {
    /// @notice Governs measurement revocation override and the policy delay.
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    /// @notice Longest workload name, in bytes.
    uint256 public constant MAX_NAME_LENGTH = 64;
    /// @notice Longest metadata URI, in bytes.
    uint256 public constant MAX_METADATA_URI_LENGTH = 512;
    /// @notice Longest denied-advisory id, in bytes.
    uint256 public constant MAX_ADVISORY_LENGTH = 64;
    /// @notice Longest policy delay.
    uint64 public constant MAX_POLICY_DELAY = 30 days;

    uint8 private constant FLAG_DEV = 1;
    uint8 private constant FLAG_UNBOUND = 2;
    /// @dev Set on the current policy while the pending slot holds a scheduled policy.
    uint8 private constant FLAG_HAS_PENDING = 4;

    // ===== Storage =====

    struct WorkloadRecord {
        address owner;
        uint40 registeredAt;
    }

    /// @dev One slot. effectiveAt is 0 while the transfer is only proposed, then the time it takes effect.
    struct PendingOwner {
        address account;
        uint40 effectiveAt;
    }

    /// @dev One slot (20 bytes). effectiveAt: when verdicts may rest on it (addedAt + policy delay).
    // solhint-disable-next-line gas-struct-packing
    struct MeasurementRecord {
        uint32 serial;
        uint32 version;
        TeeKind tee;
        bool revoked;
        uint40 addedAt;
        uint40 effectiveAt;
    }

    /// @dev One slot: everything the hot path reads. verdictLifetime fits 32 bits (capped at 365 days).
    struct PolicyCore {
        uint16 allowedTees;
        uint16 acceptedTcbStatuses;
        uint8 flags;
        uint8 deniedAmdProductLines;
        uint32 verdictLifetime;
        uint40 effectiveAt;
        uint64 maxEvidenceAge;
        uint64 tcbGracePeriod;
    }

    struct StoredPolicy {
        PolicyCore core;
        string[] deniedAdvisories;
        bytes6[] deniedFmspcs;
        LaunchPolicy launch;
    }

    struct DelayState {
        uint64 current;
        uint64 pending;
        uint40 effectiveAt;
    }

    bool private immutable DEV_POLICIES_ALLOWED;
    address private immutable DEPLOYER;

    mapping(bytes32 workloadId => WorkloadRecord) private _workloads;
    mapping(bytes32 workloadId => PendingOwner) private _pendingOwners;
    mapping(bytes32 workloadId => string) private _names;
    mapping(bytes32 workloadId => string) private _metadataURIs;
    mapping(bytes32 workloadId => mapping(bytes32 measurementHash => MeasurementRecord)) private _measurements;
    mapping(bytes32 workloadId => StoredPolicy) private _currentPolicies;
    mapping(bytes32 workloadId => StoredPolicy) private _pendingPolicies;
    uint32 private _measurementCount;
    DelayState private _policyDelay;
    IAttestationRegistry private _attestationRegistry;

    /// @param admin Receives DEFAULT_ADMIN_ROLE (manages roles; moves in two steps, see KeepAdminRules).
    /// @param governor Receives GOVERNOR_ROLE.
    /// @param devPoliciesAllowed_ Whether dev policies, Debug measurements and delays under the production
    /// floors are allowed.
    /// @param initialPolicyDelay The policy delay, in force at once (at least 1 day unless dev).
    /// @param adminDelay The DEFAULT_ADMIN_ROLE transfer delay (at least 1 day unless dev).
    constructor(
        address admin,
        address governor,
        bool devPoliciesAllowed_,
        uint64 initialPolicyDelay,
        uint48 adminDelay
    ) KeepAdminRules(adminDelay, admin, devPoliciesAllowed_) {
        if (admin == address(0) || governor == address(0)) revert WorkloadRegistryZeroAddress();
        DEV_POLICIES_ALLOWED = devPoliciesAllowed_;
        DEPLOYER = msg.sender;
        _checkPolicyDelay(initialPolicyDelay, devPoliciesAllowed_);
        _policyDelay.current = initialPolicyDelay;
        _grantRole(GOVERNOR_ROLE, governor);
    }

    // ===== Workloads =====

    /// @inheritdoc IWorkloadRegistry
    function registerWorkload(string calldata name, string calldata metadataURI) external returns (bytes32 workloadId) {
        uint256 nameLength = bytes(name).length;
        if (nameLength == 0 || nameLength > MAX_NAME_LENGTH) {
            revert WorkloadRegistryNameLength(nameLength, MAX_NAME_LENGTH);
        }
        _checkMetadataURI(metadataURI);
        workloadId = KeepIds.workloadId(msg.sender, name);
        if (_workloads[workloadId].owner != address(0)) revert WorkloadRegistryWorkloadExists(workloadId);

        _workloads[workloadId] = WorkloadRecord({owner: msg.sender, registeredAt: uint40(block.timestamp)});
        _names[workloadId] = name;
        if (bytes(metadataURI).length != 0) _metadataURIs[workloadId] = metadataURI;
        emit WorkloadRegistered(workloadId, msg.sender, name, metadataURI);

        _currentPolicies[workloadId].core = PolicyCore({
            allowedTees: KeepTypes.DEFAULT_ALLOWED_TEES,
            acceptedTcbStatuses: KeepTypes.DEFAULT_ACCEPTED_TCB,
            flags: 0,
            deniedAmdProductLines: 0,
            verdictLifetime: uint32(KeepTypes.DEFAULT_VERDICT_LIFETIME),
            effectiveAt: uint40(block.timestamp),
            maxEvidenceAge: KeepTypes.DEFAULT_MAX_EVIDENCE_AGE,
            tcbGracePeriod: 0
        });
        LaunchPolicy storage launch = _currentPolicies[workloadId].launch;
        launch.tdxAllowedTdAttributes = KeepTypes.DEFAULT_TDX_ALLOWED_TD_ATTRIBUTES;
        launch.tdxAllowedXfam = KeepTypes.DEFAULT_TDX_ALLOWED_XFAM;
        launch.sgxAllowedAttributes = KeepTypes.DEFAULT_SGX_ALLOWED_ATTRIBUTES;
        launch.snpAllowedVmpls = KeepTypes.DEFAULT_SNP_ALLOWED_VMPLS;
        emit PolicyScheduled(
            workloadId,
            _readPolicy(_currentPolicies[workloadId]),
            uint64(block.timestamp),
            msg.sender
        );
    }

    /// @inheritdoc IWorkloadRegistry
    function setWorkloadMetadata(bytes32 workloadId, string calldata metadataURI) external {
        _requireOwner(workloadId);
        _checkMetadataURI(metadataURI);
        _metadataURIs[workloadId] = metadataURI;
        emit WorkloadMetadataUpdated(workloadId, msg.sender, metadataURI);
    }

    /// @inheritdoc IWorkloadRegistry
    function transferWorkloadOwnership(bytes32 workloadId, address newOwner) external {
        address owner = _requireOwner(workloadId);
        // An accepted transfer that is already in force is written down before the slot is reused.
        _workloads[workloadId].owner = owner;
        _pendingOwners[workloadId] = PendingOwner({account: newOwner, effectiveAt: 0});
        emit WorkloadOwnershipTransferStarted(workloadId, owner, newOwner);
    }

    /// @inheritdoc IWorkloadRegistry
    function acceptWorkloadOwnership(bytes32 workloadId) external returns (uint64 effectiveAt) {
        if (_workloads[workloadId].owner == address(0)) revert WorkloadRegistryUnknownWorkload(workloadId);
        address previous = _ownerOf(workloadId);
        PendingOwner memory pending = _pendingOwners[workloadId];
        if (pending.effectiveAt != 0 && pending.effectiveAt <= block.timestamp) pending.account = address(0);
        if (pending.account == address(0) || msg.sender != pending.account) {
            revert WorkloadRegistryNotPendingOwner(workloadId, pending.account, msg.sender);
        }
        if (pending.effectiveAt != 0) {
            revert WorkloadRegistryOwnershipAlreadyAccepted(workloadId, pending.account, pending.effectiveAt);
        }
        uint64 delay = _delayInForce(_policyDelay);
        effectiveAt = uint64(block.timestamp) + delay;
        if (delay == 0) {
            _workloads[workloadId].owner = msg.sender;
            delete _pendingOwners[workloadId];
        } else {
            _pendingOwners[workloadId].effectiveAt = uint40(effectiveAt);
        }
        emit WorkloadOwnershipTransferred(workloadId, previous, msg.sender, effectiveAt);
    }

    /// @inheritdoc IWorkloadRegistry
    function workloadOf(bytes32 workloadId) external view returns (WorkloadInfo memory info) {
        WorkloadRecord memory w = _workloads[workloadId];
        PendingOwner memory pending = _pendingOwners[workloadId];
        info.owner = w.owner;
        if (pending.effectiveAt != 0 && pending.effectiveAt <= block.timestamp) {
            info.owner = pending.account;
        } else {
            info.pendingOwner = pending.account;
            info.pendingOwnerEffectiveAt = pending.effectiveAt;
        }
        info.registeredAt = w.registeredAt;
        info.name = _names[workloadId];
        info.metadataURI = _metadataURIs[workloadId];
    }

    // ===== Measurements =====

    /// @inheritdoc IWorkloadRegistry
    function addMeasurement(
        bytes32 workloadId,
        uint32 version,
        TeeKind tee,
        bytes calldata value
    ) external returns (bytes32 measurementHash) {
        _requireOwner(workloadId);
        _checkMeasurementValue(tee, value);
        measurementHash = KeepIds.measurementHash(uint8(tee), value);
        MeasurementRecord storage m = _measurements[workloadId][measurementHash];
        if (m.serial != 0) revert WorkloadRegistryMeasurementExists(workloadId, measurementHash);
        uint32 serial = _measurementCount;
        if (serial == type(uint32).max) revert WorkloadRegistrySerialsExhausted();
        unchecked {
            ++serial;
        }
        _measurementCount = serial;
        uint64 effectiveAt = uint64(block.timestamp) + _delayInForce(_policyDelay);
        _measurements[workloadId][measurementHash] = MeasurementRecord({
            serial: serial,
            version: version,
            tee: tee,
            revoked: false,
            addedAt: uint40(block.timestamp),
            effectiveAt: uint40(effectiveAt)
        });
        emit MeasurementAdded(workloadId, measurementHash, version, tee, serial, value, effectiveAt);
    }

    /// @inheritdoc IWorkloadRegistry
    function revokeMeasurement(bytes32 workloadId, bytes32 measurementHash) external {
        if (_workloads[workloadId].owner == address(0)) revert WorkloadRegistryUnknownWorkload(workloadId);
        address owner = _ownerOf(workloadId);
        if (msg.sender != owner && !hasRole(GOVERNOR_ROLE, msg.sender)) {
            revert WorkloadRegistryNotOwnerOrGovernor(workloadId, owner, msg.sender);
        }
        MeasurementRecord storage m = _measurements[workloadId][measurementHash];
        uint32 serial = m.serial;
        if (serial == 0) revert WorkloadRegistryUnknownMeasurement(workloadId, measurementHash);
        if (m.revoked) revert WorkloadRegistryMeasurementAlreadyRevoked(workloadId, measurementHash);
        IAttestationRegistry registry = _attestationRegistry;
        if (address(registry) == address(0)) revert WorkloadRegistryNotWired();

        m.revoked = true;
        emit MeasurementRevoked(workloadId, measurementHash, msg.sender, serial);
        registry.onMeasurementRevoked(serial, workloadId, measurementHash);
    }

    /// @inheritdoc IWorkloadRegistry
    function measurementOf(
        bytes32 workloadId,
        bytes32 measurementHash
    ) external view returns (MeasurementInfo memory info) {
        MeasurementRecord memory m = _measurements[workloadId][measurementHash];
        info.known = m.serial != 0;
        info.revoked = m.revoked;
        info.tee = m.tee;
        info.version = m.version;
        info.serial = m.serial;
        info.addedAt = m.addedAt;
        info.effectiveAt = m.effectiveAt;
    }

    /// @inheritdoc IWorkloadRegistry
    function measurementCount() external view returns (uint32) {
        return _measurementCount;
    }

    // ===== Policies =====

    /// @inheritdoc IWorkloadRegistry
    function schedulePolicy(bytes32 workloadId, Policy calldata p) external returns (uint64 effectiveAt) {
        _requireOwner(workloadId);
        _checkPolicy(p);
        StoredPolicy storage current = _currentPolicies[workloadId];
        StoredPolicy storage pending = _pendingPolicies[workloadId];
        uint64 delay = _delayInForce(_policyDelay);
        if (delay != 0 && _noLooser(p, _policyInForce(workloadId))) delay = 0;
        effectiveAt = uint64(block.timestamp) + delay;
        if (delay == 0) {
            // In force at once (no delay, or no looser than the policy in force): it becomes the current
            // policy and replaces anything pending.
            _writePolicy(current, p, effectiveAt);
        } else {
            if (current.core.flags & FLAG_HAS_PENDING != 0 && pending.core.effectiveAt <= block.timestamp) {
                _copyPolicy(pending, current);
            }
            _writePolicy(pending, p, effectiveAt);
            current.core.flags |= FLAG_HAS_PENDING;
        }
        emit PolicyScheduled(workloadId, p, effectiveAt, msg.sender);
    }

    /// @inheritdoc IWorkloadRegistry
    function policyOf(bytes32 workloadId) external view returns (Policy memory policy, uint64 effectiveAt) {
        StoredPolicy storage inForce = _policyInForce(workloadId);
        policy = _readPolicy(inForce);
        effectiveAt = inForce.core.effectiveAt;
    }

    /// @inheritdoc IWorkloadRegistry
    function pendingPolicyOf(bytes32 workloadId) external view returns (Policy memory policy, uint64 effectiveAt) {
        StoredPolicy storage pending = _pendingPolicies[workloadId];
        if (
            _currentPolicies[workloadId].core.flags & FLAG_HAS_PENDING != 0 &&
            pending.core.effectiveAt > block.timestamp
        ) {
            policy = _readPolicy(pending);
            effectiveAt = pending.core.effectiveAt;
        }
    }

    /// @inheritdoc IWorkloadRegistry
    function policyDelay() external view returns (uint64) {
        return _delayInForce(_policyDelay);
    }

    /// @inheritdoc IWorkloadRegistry
    function setPolicyDelay(uint64 delay) external onlyRole(GOVERNOR_ROLE) returns (uint64 effectiveAt) {
        _checkPolicyDelay(delay, DEV_POLICIES_ALLOWED);
        uint64 current = _delayInForce(_policyDelay);
        effectiveAt = uint64(block.timestamp) + current;
        _policyDelay = DelayState({current: current, pending: delay, effectiveAt: uint40(effectiveAt)});
        emit PolicyDelayScheduled(delay, effectiveAt, msg.sender);
    }

    /// @inheritdoc IWorkloadRegistry
    function devPoliciesAllowed() external view returns (bool) {
        return DEV_POLICIES_ALLOWED;
    }

    /// @inheritdoc IWorkloadRegistry
    function verdictContext(bytes32 workloadId, bytes32 measurementHash) external view returns (VerdictContext) {
        MeasurementRecord memory m = _measurements[workloadId][measurementHash];
        if (m.effectiveAt > block.timestamp) {
            revert WorkloadRegistryMeasurementNotYetEffective(workloadId, measurementHash, m.effectiveAt);
        }
        PolicyCore memory core = _policyInForce(workloadId).core;
        return
            VerdictContextLib.pack(
                m.serial,
                uint8(m.tee),
                m.revoked,
                core.allowedTees,
                core.flags & FLAG_DEV != 0,
                core.flags & FLAG_UNBOUND != 0,
                core.verdictLifetime
            );
    }

    // ===== Wiring =====

    /// @inheritdoc IWorkloadRegistry
    function setAttestationRegistry(address attestationRegistry_) external {
        if (msg.sender != DEPLOYER) revert WorkloadRegistryNotDeployer(msg.sender, DEPLOYER);
        if (address(_attestationRegistry) != address(0)) {
            revert WorkloadRegistryAlreadyWired(address(_attestationRegistry));
        }
        if (attestationRegistry_ == address(0)) revert WorkloadRegistryZeroAddress();
        _attestationRegistry = IAttestationRegistry(attestationRegistry_);
        emit AttestationRegistryWired(attestationRegistry_);
    }

    /// @inheritdoc IWorkloadRegistry
    function attestationRegistry() external view returns (address) {
        return address(_attestationRegistry);
    }

    // ===== Internals =====

    function _requireOwner(bytes32 workloadId) private view returns (address owner) {
        if (_workloads[workloadId].owner == address(0)) revert WorkloadRegistryUnknownWorkload(workloadId);
        owner = _ownerOf(workloadId);
        if (msg.sender != owner) revert WorkloadRegistryNotOwner(workloadId, owner, msg.sender);
    }

    /// @dev The owner in force: an accepted transfer counts from its effectiveAt on (resolved lazily).
    function _ownerOf(bytes32 workloadId) private view returns (address) {
        PendingOwner memory pending = _pendingOwners[workloadId];
        if (pending.effectiveAt != 0 && pending.effectiveAt <= block.timestamp) return pending.account;
        return _workloads[workloadId].owner;
    }

    function _checkMetadataURI(string calldata metadataURI) private pure {
        if (bytes(metadataURI).length > MAX_METADATA_URI_LENGTH) {
            revert WorkloadRegistryMetadataURILength(bytes(metadataURI).length, MAX_METADATA_URI_LENGTH);
        }
    }

    function _checkPolicyDelay(uint64 delay, bool dev) private pure {
        uint64 min = dev ? 0 : KeepTypes.MIN_PRODUCTION_POLICY_DELAY;
        if (delay < min || delay > MAX_POLICY_DELAY) revert WorkloadRegistryPolicyDelay(delay, min, MAX_POLICY_DELAY);
    }

    function _delayInForce(DelayState storage d) private view returns (uint64) {
        uint40 at = d.effectiveAt;
        return at != 0 && at <= block.timestamp ? d.pending : d.current;
    }

    /// @dev Value layouts (docs/ids.md): Sgx mrenclave‖mrsigner‖isvProdId(BE16)‖minIsvSvn(BE16);
    /// Tdx mrtd‖rtmr0..3 (48 each); SevSnp measurement(48)‖hasHostData(1)‖hostData(32);
    /// Nitro pcr0‖pcr1‖pcr2 (48 each); Debug measurement(32); NvidiaGpu driverRimDigest‖vbiosRimDigest (48 each);
    /// AzureCvm hardware(1)‖hardwareMeasurement(48)‖pcrMask(BE32)‖pcrDigest(32) = 85;
    /// ArmCca alg(1)‖RIM‖REM0..3‖personalization (64 each) = 385; CpuGpu cpuKind(1)‖cpuMeasurementHash(32)‖
    /// minGpus(1)‖gpuRimSetDigest(32)‖2 GPU models(64)‖minDriver(8)‖minVbios(8) = 146 (fields checked off-chain).
    function _checkMeasurementValue(TeeKind tee, bytes calldata value) private view {
        if (tee == TeeKind.Unknown) revert WorkloadRegistryInvalidTee(uint8(tee));
        uint256 expected;
        if (tee == TeeKind.Sgx) expected = 68;
        else if (tee == TeeKind.Tdx) expected = 240;
        else if (tee == TeeKind.SevSnp) expected = 81;
        else if (tee == TeeKind.Nitro) expected = 144;
        else if (tee == TeeKind.Debug) expected = 32;
        else if (tee == TeeKind.NvidiaGpu) expected = 96;
        else if (tee == TeeKind.AzureCvm) expected = 85;
        else if (tee == TeeKind.ArmCca) expected = 385;
        else if (tee == TeeKind.CpuGpu) expected = 146;
        else revert WorkloadRegistryInvalidTee(uint8(tee));
        if (tee == TeeKind.Debug && !DEV_POLICIES_ALLOWED) revert WorkloadRegistryDevNotAllowed();
        if (value.length != expected) revert WorkloadRegistryMeasurementLength(uint8(tee), expected, value.length);

        if (tee == TeeKind.Sgx) {
            bytes32 mrenclave = bytes32(value[0:32]);
            bytes32 mrsigner = bytes32(value[32:64]);
            uint16 isvProdId = uint16(bytes2(value[64:66]));
            uint16 minIsvSvn = uint16(bytes2(value[66:68]));
            bool exactEnclave = mrenclave != 0 && mrsigner == 0 && isvProdId == 0 && minIsvSvn == 0;
            bool bySigner = mrenclave == 0 && mrsigner != 0;
            if (!exactEnclave && !bySigner) {
                revert WorkloadRegistrySgxMeasurementMode(mrenclave, mrsigner, isvProdId, minIsvSvn);
            }
        } else if (tee == TeeKind.SevSnp) {
            uint8 flag = uint8(value[48]);
            if (flag > 1) revert WorkloadRegistrySnpHostDataFlag(flag);
            bytes32 hostData = bytes32(value[49:81]);
            if (flag == 0 && hostData != 0) revert WorkloadRegistrySnpHostDataNotZero(hostData);
        } else if (tee == TeeKind.ArmCca) {
            // One measurement, one value: the algorithm is known and sha-256 digests are zero-padded.
            uint8 algorithm = uint8(value[0]);
            if (algorithm != 1 && algorithm != 2) revert WorkloadRegistryArmCcaHashAlgorithm(algorithm);
            if (algorithm == 1) {
                for (uint256 i = 0; i < 5; ++i) {
                    uint256 pad = 33 + i * 64;
                    if (bytes32(value[pad:pad + 32]) != 0) revert WorkloadRegistryArmCcaPaddingNotZero(uint8(i));
                }
            }
        }
    }

    function _checkPolicy(Policy calldata p) private view {
        bool dev = p.dev;
        if (dev && !DEV_POLICIES_ALLOWED) revert WorkloadRegistryDevNotAllowed();
        if (p.allowedTees == 0 || p.allowedTees & ~KeepTypes.TEES_ALL != 0) {
            revert WorkloadRegistryPolicyAllowedTees(p.allowedTees);
        }
        if (p.allowedTees & KeepTypes.TEE_DEBUG_BIT != 0 && !dev) revert WorkloadRegistryPolicyDebugTeeWithoutDev();
        if (p.acceptedTcbStatuses == 0 || p.acceptedTcbStatuses & ~KeepTypes.TCB_ACCEPTABLE != 0) {
            revert WorkloadRegistryPolicyTcbStatuses(p.acceptedTcbStatuses);
        }
        if (p.allowUnboundEvidence && !dev) revert WorkloadRegistryPolicyUnboundWithoutDev();
        if (p.deniedAmdProductLines & ~KeepTypes.AMD_ALL != 0) {
            revert WorkloadRegistryPolicyAmdProductLines(p.deniedAmdProductLines);
        }
        if (p.maxEvidenceAge == 0) revert WorkloadRegistryPolicyMaxEvidenceAge(p.maxEvidenceAge);
        if (p.verdictLifetime == 0 || p.verdictLifetime > KeepTypes.MAX_VERDICT_LIFETIME) {
            revert WorkloadRegistryPolicyVerdictLifetime(p.verdictLifetime, KeepTypes.MAX_VERDICT_LIFETIME);
        }
        uint256 advisories = p.deniedAdvisories.length;
        if (advisories > KeepTypes.MAX_POLICY_LIST) {
            revert WorkloadRegistryPolicyListTooLong(advisories, KeepTypes.MAX_POLICY_LIST);
        }
        if (p.deniedFmspcs.length > KeepTypes.MAX_POLICY_LIST) {
            revert WorkloadRegistryPolicyListTooLong(p.deniedFmspcs.length, KeepTypes.MAX_POLICY_LIST);
        }
        for (uint256 i = 0; i < advisories; ++i) {
            uint256 length = bytes(p.deniedAdvisories[i]).length;
            if (length == 0 || length > MAX_ADVISORY_LENGTH) {
                revert WorkloadRegistryPolicyAdvisoryLength(i, length, MAX_ADVISORY_LENGTH);
            }
        }
        _checkLaunchPolicy(p.launch);
    }

    function _checkLaunchPolicy(LaunchPolicy calldata launch) private pure {
        uint8 vmpls = launch.snpAllowedVmpls;
        if (vmpls == 0 || vmpls & ~KeepTypes.SNP_VMPLS_ALL != 0) {
            revert WorkloadRegistryPolicySnpVmpls(vmpls, KeepTypes.SNP_VMPLS_ALL);
        }
        if (launch.snpMinTcbMilan.fmc != 0)
            revert WorkloadRegistryPolicySnpFmcNotTurin(KeepTypes.AMD_MILAN, launch.snpMinTcbMilan.fmc);
        if (launch.snpMinTcbGenoa.fmc != 0)
            revert WorkloadRegistryPolicySnpFmcNotTurin(KeepTypes.AMD_GENOA, launch.snpMinTcbGenoa.fmc);
        if (launch.tdxAllowedTdAttributes & KeepTypes.TDX_TD_ATTRIBUTE_DEBUG != 0) {
            revert WorkloadRegistryPolicyTdxDebugAttribute(launch.tdxAllowedTdAttributes);
        }
        if (launch.sgxAllowedAttributes & KeepTypes.SGX_ATTRIBUTE_DEBUG != 0) {
            revert WorkloadRegistryPolicySgxDebugAttribute(launch.sgxAllowedAttributes);
        }
    }

    // ===== Tighten or loosen =====

    /// @dev Whether `p` is no looser than `cur` in every field (then it may be in force at once).
    function _noLooser(Policy calldata p, StoredPolicy storage cur) private view returns (bool) {
        PolicyCore memory c = cur.core;
        if (p.allowedTees & ~c.allowedTees != 0) return false;
        if (p.acceptedTcbStatuses & ~c.acceptedTcbStatuses != 0) return false;
        if (p.dev && c.flags & FLAG_DEV == 0) return false;
        if (p.allowUnboundEvidence && c.flags & FLAG_UNBOUND == 0) return false;
        if (c.deniedAmdProductLines & ~p.deniedAmdProductLines != 0) return false;
        if (p.maxEvidenceAge > c.maxEvidenceAge) return false;
        if (p.verdictLifetime > c.verdictLifetime) return false;
        if (p.tcbGracePeriod > c.tcbGracePeriod) return false;
        if (!_advisoriesSuperset(p.deniedAdvisories, cur.deniedAdvisories)) return false;
        if (!_fmspcsSuperset(p.deniedFmspcs, cur.deniedFmspcs)) return false;
        return _launchNoLooser(p.launch, cur.launch);
    }

    function _launchNoLooser(LaunchPolicy calldata p, LaunchPolicy storage c) private view returns (bool) {
        if (!_tcbAtLeast(p.snpMinTcbMilan, c.snpMinTcbMilan)) return false;
        if (!_tcbAtLeast(p.snpMinTcbGenoa, c.snpMinTcbGenoa)) return false;
        if (!_tcbAtLeast(p.snpMinTcbTurin, c.snpMinTcbTurin)) return false;
        if (p.snpAllowedVmpls & ~c.snpAllowedVmpls != 0) return false;
        if (p.snpAllowMigrateMa && !c.snpAllowMigrateMa) return false;
        if (!p.snpRequireSmtOff && c.snpRequireSmtOff) return false;
        if (p.tdxAllowedTdAttributes & ~c.tdxAllowedTdAttributes != 0) return false;
        if (p.tdxAllowedXfam & ~c.tdxAllowedXfam != 0) return false;
        if (p.tdxOwnerConfigDigest != c.tdxOwnerConfigDigest) return false;
        if (p.sgxAllowedAttributes & ~c.sgxAllowedAttributes != 0) return false;
        return p.sgxMinIsvSvn >= c.sgxMinIsvSvn;
    }

    function _tcbAtLeast(SnpTcb calldata p, SnpTcb storage c) private view returns (bool) {
        return
            p.bootloader >= c.bootloader &&
            p.tee >= c.tee &&
            p.snp >= c.snp &&
            p.microcode >= c.microcode &&
            p.fmc >= c.fmc;
    }

    /// @dev Bounded: both lists hold at most KeepTypes.MAX_POLICY_LIST entries.
    function _advisoriesSuperset(string[] calldata next, string[] storage cur) private view returns (bool) {
        uint256 n = next.length;
        bytes32[] memory hashes = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) hashes[i] = keccak256(bytes(next[i]));
        uint256 m = cur.length;
        for (uint256 j = 0; j < m; ++j) {
            bytes32 h = keccak256(bytes(cur[j]));
            bool found = false;
            for (uint256 i = 0; i < n && !found; ++i) found = hashes[i] == h;
            if (!found) return false;
        }
        return true;
    }

    /// @dev Bounded: both lists hold at most KeepTypes.MAX_POLICY_LIST entries.
    function _fmspcsSuperset(bytes6[] calldata next, bytes6[] storage cur) private view returns (bool) {
        uint256 m = cur.length;
        for (uint256 j = 0; j < m; ++j) {
            bytes6 f = cur[j];
            bool found = false;
            for (uint256 i = 0; i < next.length && !found; ++i) found = next[i] == f;
            if (!found) return false;
        }
        return true;
    }

    function _policyInForce(bytes32 workloadId) private view returns (StoredPolicy storage) {
        StoredPolicy storage current = _currentPolicies[workloadId];
        if (current.core.flags & FLAG_HAS_PENDING != 0) {
            StoredPolicy storage pending = _pendingPolicies[workloadId];
            if (pending.core.effectiveAt <= block.timestamp) return pending;
        }
        return current;
    }

    function _writePolicy(StoredPolicy storage sp, Policy calldata p, uint64 effectiveAt) private {
        uint8 flags = 0;
        if (p.dev) flags |= FLAG_DEV;
        if (p.allowUnboundEvidence) flags |= FLAG_UNBOUND;
        sp.core = PolicyCore({
            allowedTees: p.allowedTees,
            acceptedTcbStatuses: p.acceptedTcbStatuses,
            flags: flags,
            deniedAmdProductLines: p.deniedAmdProductLines,
            verdictLifetime: uint32(p.verdictLifetime),
            effectiveAt: uint40(effectiveAt),
            maxEvidenceAge: p.maxEvidenceAge,
            tcbGracePeriod: p.tcbGracePeriod
        });
        delete sp.deniedAdvisories;
        delete sp.deniedFmspcs;
        for (uint256 i = 0; i < p.deniedAdvisories.length; ++i) sp.deniedAdvisories.push(p.deniedAdvisories[i]);
        for (uint256 i = 0; i < p.deniedFmspcs.length; ++i) sp.deniedFmspcs.push(p.deniedFmspcs[i]);
        sp.launch = p.launch;
    }

    function _copyPolicy(StoredPolicy storage from, StoredPolicy storage to) private {
        PolicyCore memory core = from.core;
        core.flags &= ~FLAG_HAS_PENDING;
        to.core = core;
        delete to.deniedAdvisories;
        delete to.deniedFmspcs;
        for (uint256 i = 0; i < from.deniedAdvisories.length; ++i) to.deniedAdvisories.push(from.deniedAdvisories[i]);
        for (uint256 i = 0; i < from.deniedFmspcs.length; ++i) to.deniedFmspcs.push(from.deniedFmspcs[i]);
        to.launch = from.launch;
    }

    function _readPolicy(StoredPolicy storage sp) private view returns (Policy memory p) {
        PolicyCore memory core = sp.core;
        p.allowedTees = core.allowedTees;
        p.acceptedTcbStatuses = core.acceptedTcbStatuses;
        p.dev = core.flags & FLAG_DEV != 0;
        p.allowUnboundEvidence = core.flags & FLAG_UNBOUND != 0;
        p.deniedAmdProductLines = core.deniedAmdProductLines;
        p.maxEvidenceAge = core.maxEvidenceAge;
        p.verdictLifetime = core.verdictLifetime;
        p.tcbGracePeriod = core.tcbGracePeriod;
        p.deniedAdvisories = sp.deniedAdvisories;
        p.deniedFmspcs = sp.deniedFmspcs;
        p.launch = sp.launch;
    }
}
