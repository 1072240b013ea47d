// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

// Bounds are written as docs/key-release.md states them ("at or after", "at most"), not flipped for gas.
// solhint-disable gas-strict-inequalities

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {KeepAdminRules} from "./access/KeepAdminRules.sol";
import {IAttestationRegistry} from "./interfaces/IAttestationRegistry.sol";
import {IKeyRegistry} from "./interfaces/IKeyRegistry.sol";
import {IValidatorSet} from "./interfaces/IValidatorSet.sol";
import {IWorkloadRegistry} from "./interfaces/IWorkloadRegistry.sol";
import {BatchMerkle} from "./libraries/BatchMerkle.sol";
import {KeepIds} from "./libraries/KeepIds.sol";
import {KeepTypes, TeeKind, Verdict} from "./libraries/KeepTypes.sol";
import {VerdictContext} from "./libraries/VerdictContext.sol";

/// @title KeyRegistry
/// @notice Key versions split t-of-n among validators, their release policy, the validators' key-service
/// keys, the release check and the release receipts (docs/key-release.md).
/// @dev Keys belong to a workload and are managed by the workload's owner in force (a workload transfer
/// carries its keys). Release policies follow the WorkloadRegistry's rule and delay: tightening is
/// immediate, loosening waits for its policy delay. Nothing here loops over a growable set: shareholders
/// are capped at KeepTypes.MAX_VALIDATORS and receipt batches at MAX_RECEIPTS.
contract KeyRegistry is IKeyRegistry, KeepAdminRules {
    /// @notice May retire any key version (incident response).
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    /// @notice keccak256("keepledger.key.v1"): the key id's domain.
    bytes32 public constant KEY_DOMAIN = keccak256("keepledger.key.v1");
    /// @notice The type hash of a receipt leaf.
    // solhint-disable-next-line gas-small-strings
    bytes32 public constant RECEIPT_TYPEHASH = keccak256(
        // solhint-disable-next-line gas-small-strings
        "ReleaseReceipt(address validator,bytes32 keyId,uint32 version,address subject,uint64 releasedAt,bytes32 requestHash)"
    );
    /// @notice Longest key name, in bytes.
    uint256 public constant MAX_NAME_LENGTH = 64;
    /// @notice Most receipts in one batch.
    uint256 public constant MAX_RECEIPTS = 512;

    // ===== Storage =====

    struct KeyRecord {
        bytes32 workloadId;
        uint32 latestVersion;
        uint40 createdAt;
    }

    struct VersionRecord {
        uint16 threshold;
        uint40 createdAt;
        uint40 retiredAt;
        bytes32 shareCommitment;
        address[] shareholders;
    }

    /// @dev One policy in two slots; effectiveAt 0 in the pending slot: nothing pending.
    struct StoredReleasePolicy {
        bytes32 secondWorkloadId;
        uint16 acceptedTcbStatuses;
        bool allowDebug;
        uint40 effectiveAt;
    }

    struct KeyServiceRecord {
        bytes32 publicKey;
        uint40 setAt;
    }

    struct ReceiptBatchRecord {
        address validator;
        uint32 count;
        uint40 committedAt;
    }

    bool private immutable DEV_ALLOWED;
    IWorkloadRegistry private immutable WORKLOADS;
    IAttestationRegistry private immutable ATTESTATIONS;
    IValidatorSet private immutable VALIDATORS;

    mapping(bytes32 keyId => KeyRecord) private _keys;
    mapping(bytes32 keyId => string) private _names;
    mapping(bytes32 keyId => mapping(uint32 version => VersionRecord)) private _versions;
    mapping(bytes32 keyId => StoredReleasePolicy) private _currentPolicies;
    mapping(bytes32 keyId => StoredReleasePolicy) private _pendingPolicies;
    mapping(address validator => KeyServiceRecord) private _keyServiceKeys;
    mapping(bytes32 root => ReceiptBatchRecord) private _receiptBatches;

    /// @param admin Receives DEFAULT_ADMIN_ROLE (two-step transfer, see KeepAdminRules).
    /// @param governor Receives GOVERNOR_ROLE.
    /// @param attestationRegistry_ The AttestationRegistry; its WorkloadRegistry and ValidatorSet are used.
    /// @param adminDelay The DEFAULT_ADMIN_ROLE transfer delay (at least 1 day unless dev policies are allowed).
    constructor(
        address admin,
        address governor,
        IAttestationRegistry attestationRegistry_,
        uint48 adminDelay
    )
        KeepAdminRules(
            adminDelay,
            admin,
            IWorkloadRegistry(attestationRegistry_.workloadRegistry()).devPoliciesAllowed()
        )
    {
        if (admin == address(0) || governor == address(0)) revert KeyRegistryZeroAddress();
        ATTESTATIONS = attestationRegistry_;
        WORKLOADS = IWorkloadRegistry(attestationRegistry_.workloadRegistry());
        VALIDATORS = IValidatorSet(attestationRegistry_.validatorSet());
        DEV_ALLOWED = WORKLOADS.devPoliciesAllowed();
        _grantRole(GOVERNOR_ROLE, governor);
    }

    // ===== Keys =====

    /// @inheritdoc IKeyRegistry
    function createKey(
        bytes32 workloadId,
        string calldata name,
        ReleasePolicy calldata policy,
        uint16 threshold,
        address[] calldata shareholders,
        bytes32[] calldata shareHashes
    ) external returns (bytes32 keyId) {
        _requireWorkloadOwner(workloadId);
        uint256 nameLength = bytes(name).length;
        if (nameLength == 0 || nameLength > MAX_NAME_LENGTH) revert KeyRegistryBadName(nameLength, MAX_NAME_LENGTH);
        keyId = keccak256(abi.encode(KEY_DOMAIN, workloadId, keccak256(bytes(name))));
        if (_keys[keyId].createdAt != 0) revert KeyRegistryKeyExists(keyId);
        _checkPolicy(workloadId, policy);
        _keys[keyId] = KeyRecord({workloadId: workloadId, latestVersion: 0, createdAt: uint40(block.timestamp)});
        _names[keyId] = name;
        emit KeyCreated(keyId, workloadId, name, msg.sender);
        _currentPolicies[keyId] = _toStored(policy, uint40(block.timestamp));
        emit ReleasePolicyScheduled(keyId, policy, uint64(block.timestamp), msg.sender);
        _addVersion(keyId, threshold, shareholders, shareHashes);
    }

    /// @inheritdoc IKeyRegistry
    function rotateKey(
        bytes32 keyId,
        uint16 threshold,
        address[] calldata shareholders,
        bytes32[] calldata shareHashes
    ) external returns (uint32 version) {
        _requireWorkloadOwner(_knownKey(keyId).workloadId);
        version = _addVersion(keyId, threshold, shareholders, shareHashes);
    }

    /// @inheritdoc IKeyRegistry
    function retireVersion(bytes32 keyId, uint32 version) external {
        KeyRecord storage key = _knownKey(keyId);
        if (WORKLOADS.workloadOf(key.workloadId).owner != msg.sender && !hasRole(GOVERNOR_ROLE, msg.sender)) {
            revert KeyRegistryNotOwnerOrGovernor(keyId, msg.sender);
        }
        VersionRecord storage record = _knownVersion(keyId, key, version);
        if (record.retiredAt != 0) revert KeyRegistryVersionRetired(keyId, version);
        record.retiredAt = uint40(block.timestamp);
        emit KeyVersionRetired(keyId, version, msg.sender);
    }

    /// @inheritdoc IKeyRegistry
    function setReleasePolicy(bytes32 keyId, ReleasePolicy calldata policy) external returns (uint64 effectiveAt) {
        bytes32 workloadId = _knownKey(keyId).workloadId;
        _requireWorkloadOwner(workloadId);
        _checkPolicy(workloadId, policy);
        uint64 delay = WORKLOADS.policyDelay();
        if (delay != 0 && _noLooser(policy, _policyInForce(keyId))) delay = 0;
        effectiveAt = uint64(block.timestamp) + delay;
        StoredReleasePolicy storage pending = _pendingPolicies[keyId];
        if (delay == 0) {
            // In force at once; it replaces anything pending (scheduled against an older policy).
            _currentPolicies[keyId] = _toStored(policy, uint40(effectiveAt));
            delete _pendingPolicies[keyId];
        } else {
            if (pending.effectiveAt != 0 && pending.effectiveAt <= block.timestamp) {
                _currentPolicies[keyId] = pending;
            }
            _pendingPolicies[keyId] = _toStored(policy, uint40(effectiveAt));
        }
        emit ReleasePolicyScheduled(keyId, policy, effectiveAt, msg.sender);
    }

    /// @inheritdoc IKeyRegistry
    function keyOf(bytes32 keyId) external view returns (KeyInfo memory info) {
        KeyRecord storage key = _keys[keyId];
        info = KeyInfo({
            workloadId: key.workloadId,
            latestVersion: key.latestVersion,
            createdAt: key.createdAt,
            name: _names[keyId]
        });
    }

    /// @inheritdoc IKeyRegistry
    function versionOf(bytes32 keyId, uint32 version) external view returns (KeyVersionInfo memory info) {
        VersionRecord storage record = _versions[keyId][version];
        info = KeyVersionInfo({
            threshold: record.threshold,
            createdAt: record.createdAt,
            retiredAt: record.retiredAt,
            shareCommitment: record.shareCommitment,
            shareholders: record.shareholders
        });
    }

    /// @inheritdoc IKeyRegistry
    function releasePolicyOf(bytes32 keyId) external view returns (ReleasePolicy memory policy, uint64 effectiveAt) {
        StoredReleasePolicy storage inForce = _policyInForce(keyId);
        policy = _fromStored(inForce);
        effectiveAt = inForce.effectiveAt;
    }

    /// @inheritdoc IKeyRegistry
    function pendingReleasePolicyOf(
        bytes32 keyId
    ) external view returns (ReleasePolicy memory policy, uint64 effectiveAt) {
        StoredReleasePolicy storage pending = _pendingPolicies[keyId];
        if (pending.effectiveAt > block.timestamp) {
            policy = _fromStored(pending);
            effectiveAt = pending.effectiveAt;
        }
    }

    /// @inheritdoc IKeyRegistry
    function liveShareholders(bytes32 keyId, uint32 version) external view returns (uint16 live, uint16 threshold) {
        VersionRecord storage record = _versions[keyId][version];
        threshold = record.threshold;
        address[] storage holders = record.shareholders;
        uint256 n = holders.length;
        for (uint256 i = 0; i < n; ++i) {
            if (VALIDATORS.isCounting(holders[i])) ++live;
        }
    }

    // ===== Release =====

    /// @inheritdoc IKeyRegistry
    function releaseCheck(bytes32 keyId, uint32 version, Verdict calldata v) external view returns (ReleaseRefusal) {
        KeyRecord storage key = _keys[keyId];
        if (key.createdAt == 0) return ReleaseRefusal.UnknownKey;
        if (version == 0 || version > key.latestVersion) return ReleaseRefusal.UnknownVersion;
        if (_versions[keyId][version].retiredAt != 0) return ReleaseRefusal.VersionRetired;
        StoredReleasePolicy storage policy = _policyInForce(keyId);
        if (
            v.workloadId != key.workloadId &&
            (policy.secondWorkloadId == bytes32(0) || v.workloadId != policy.secondWorkloadId)
        ) return ReleaseRefusal.WrongWorkload;
        if (ATTESTATIONS.isSubjectRevoked(v.subject, v.workloadId)) return ReleaseRefusal.SubjectRevoked;
        (bool live, bytes32 latest, ) = ATTESTATIONS.isAttested(v.subject, v.workloadId);
        if (!live) return ReleaseRefusal.NoLiveVerdict;
        if (KeepIds.verdictIdCalldata(v) != latest) return ReleaseRefusal.VerdictMismatch;
        if (v.tcbStatus > KeepTypes.TCB_STATUS_MAX || (policy.acceptedTcbStatuses >> v.tcbStatus) & 1 == 0) {
            return ReleaseRefusal.TcbStatus;
        }
        if (!policy.allowDebug) {
            if (v.tee == uint8(TeeKind.Debug)) return ReleaseRefusal.Debug;
            VerdictContext context = WORKLOADS.verdictContext(v.workloadId, v.measurementHash);
            if (context.dev()) return ReleaseRefusal.Debug;
        }
        return ReleaseRefusal.None;
    }

    // ===== Key-service keys =====

    /// @inheritdoc IKeyRegistry
    function setKeyServiceKey(bytes32 publicKey) external {
        if (!VALIDATORS.validatorOf(msg.sender).registered) revert KeyRegistryNotValidator(msg.sender);
        if (publicKey == bytes32(0)) revert KeyRegistryZeroKeyServiceKey();
        _keyServiceKeys[msg.sender] = KeyServiceRecord({publicKey: publicKey, setAt: uint40(block.timestamp)});
        emit KeyServiceKeySet(msg.sender, publicKey);
    }

    /// @inheritdoc IKeyRegistry
    function keyServiceKeyOf(address validator) external view returns (bytes32 publicKey, uint64 setAt, bool attested) {
        KeyServiceRecord storage record = _keyServiceKeys[validator];
        publicKey = record.publicKey;
        setAt = record.setAt;
        if (publicKey == bytes32(0)) return (publicKey, setAt, false);
        bytes32 own = VALIDATORS.validatorOf(validator).ownVerdictId;
        if (own == bytes32(0)) return (publicKey, setAt, false);
        IAttestationRegistry.VerdictStatus memory status = ATTESTATIONS.verdictOf(own);
        attested = status.live && status.issuedAt >= setAt;
    }

    // ===== Receipts =====

    /// @inheritdoc IKeyRegistry
    function commitReleaseReceipts(ReleaseReceipt[] calldata receipts) external returns (bytes32 root) {
        if (!VALIDATORS.isCounting(msg.sender)) revert KeyRegistryNotCountingValidator(msg.sender);
        uint256 n = receipts.length;
        if (n == 0 || n > MAX_RECEIPTS) revert KeyRegistryBadReceiptCount(n, MAX_RECEIPTS);
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) {
            ReleaseReceipt calldata r = receipts[i];
            if (r.releasedAt > block.timestamp) {
                revert KeyRegistryReceiptInFuture(i, r.releasedAt, uint64(block.timestamp));
            }
            leaves[i] = _leaf(msg.sender, r);
        }
        root = BatchMerkle.rootInPlace(leaves);
        if (_receiptBatches[root].count != 0) revert KeyRegistryReceiptBatchExists(root);
        _receiptBatches[root] = ReceiptBatchRecord({
            validator: msg.sender,
            count: uint32(n),
            committedAt: uint40(block.timestamp)
        });
        emit ReleaseReceiptsCommitted(root, msg.sender, uint32(n), receipts);
    }

    /// @inheritdoc IKeyRegistry
    function receiptBatchOf(bytes32 root) external view returns (ReceiptBatch memory) {
        ReceiptBatchRecord storage batch = _receiptBatches[root];
        return ReceiptBatch({validator: batch.validator, count: batch.count, committedAt: batch.committedAt});
    }

    /// @inheritdoc IKeyRegistry
    function verifyReleaseReceipt(
        address validator,
        ReleaseReceipt calldata receipt,
        bytes32 root,
        bytes32[] calldata proof
    ) external view returns (bool) {
        ReceiptBatchRecord storage batch = _receiptBatches[root];
        if (batch.count == 0 || batch.validator != validator) return false;
        return MerkleProof.verifyCalldata(proof, root, _leaf(validator, receipt));
    }

    /// @inheritdoc IKeyRegistry
    function receiptLeaf(address validator, ReleaseReceipt calldata receipt) external pure returns (bytes32) {
        return _leaf(validator, receipt);
    }

    // ===== Internals =====

    function _leaf(address validator, ReleaseReceipt calldata r) private pure returns (bytes32) {
        return
            keccak256(
                abi.encode(RECEIPT_TYPEHASH, validator, r.keyId, r.version, r.subject, r.releasedAt, r.requestHash)
            );
    }

    function _addVersion(
        bytes32 keyId,
        uint16 threshold,
        address[] calldata shareholders,
        bytes32[] calldata shareHashes
    ) private returns (uint32 version) {
        uint256 n = shareholders.length;
        if (n > KeepTypes.MAX_VALIDATORS || shareHashes.length != n) {
            revert KeyRegistryBadShareholders(n, shareHashes.length, KeepTypes.MAX_VALIDATORS);
        }
        if (threshold < 2 || threshold > n) revert KeyRegistryBadThreshold(threshold, n);
        for (uint256 i = 0; i < n; ++i) {
            address holder = shareholders[i];
            // n ≤ 64: the quadratic duplicate check is bounded.
            for (uint256 j = 0; j < i; ++j) {
                if (shareholders[j] == holder) revert KeyRegistryDuplicateShareholder(holder);
            }
            if (_keyServiceKeys[holder].publicKey == bytes32(0) || !VALIDATORS.validatorOf(holder).registered) {
                revert KeyRegistryNotKeyService(holder);
            }
            if (shareHashes[i] == bytes32(0)) revert KeyRegistryZeroShareHash(i);
        }
        KeyRecord storage key = _keys[keyId];
        version = key.latestVersion + 1;
        key.latestVersion = version;
        bytes32 commitment = keccak256(abi.encodePacked(shareHashes));
        VersionRecord storage record = _versions[keyId][version];
        record.threshold = threshold;
        record.createdAt = uint40(block.timestamp);
        record.shareCommitment = commitment;
        record.shareholders = shareholders;
        emit KeyVersionCreated(keyId, version, threshold, shareholders, shareHashes, commitment);
    }

    function _checkPolicy(bytes32 workloadId, ReleasePolicy calldata p) private view {
        uint16 accepted = p.acceptedTcbStatuses;
        if (accepted == 0 || accepted & ~KeepTypes.TCB_ACCEPTABLE != 0) revert KeyRegistryBadTcbStatuses(accepted);
        if (p.allowDebug && !DEV_ALLOWED) revert KeyRegistryDebugNotAllowed();
        bytes32 second = p.secondWorkloadId;
        if (second != bytes32(0) && (second == workloadId || WORKLOADS.workloadOf(second).registeredAt == 0)) {
            revert KeyRegistryBadSecondWorkload(second);
        }
    }

    /// @dev No looser: a subset of the TCB statuses, debug not newly allowed, the second workload kept or dropped.
    function _noLooser(ReleasePolicy calldata p, StoredReleasePolicy storage inForce) private view returns (bool) {
        return
            p.acceptedTcbStatuses & ~inForce.acceptedTcbStatuses == 0 &&
            (!p.allowDebug || inForce.allowDebug) &&
            (p.secondWorkloadId == bytes32(0) || p.secondWorkloadId == inForce.secondWorkloadId);
    }

    function _policyInForce(bytes32 keyId) private view returns (StoredReleasePolicy storage) {
        StoredReleasePolicy storage pending = _pendingPolicies[keyId];
        if (pending.effectiveAt != 0 && pending.effectiveAt <= block.timestamp) return pending;
        return _currentPolicies[keyId];
    }

    function _requireWorkloadOwner(bytes32 workloadId) private view {
        IWorkloadRegistry.WorkloadInfo memory workload = WORKLOADS.workloadOf(workloadId);
        if (workload.registeredAt == 0) revert KeyRegistryUnknownWorkload(workloadId);
        if (workload.owner != msg.sender) revert KeyRegistryNotOwner(workloadId, workload.owner, msg.sender);
    }

    function _knownKey(bytes32 keyId) private view returns (KeyRecord storage key) {
        key = _keys[keyId];
        if (key.createdAt == 0) revert KeyRegistryUnknownKey(keyId);
    }

    function _knownVersion(
        bytes32 keyId,
        KeyRecord storage key,
        uint32 version
    ) private view returns (VersionRecord storage) {
        if (version == 0 || version > key.latestVersion) revert KeyRegistryUnknownVersion(keyId, version);
        return _versions[keyId][version];
    }

    function _toStored(ReleasePolicy calldata p, uint40 effectiveAt) private pure returns (StoredReleasePolicy memory) {
        return
            StoredReleasePolicy({
                secondWorkloadId: p.secondWorkloadId,
                acceptedTcbStatuses: p.acceptedTcbStatuses,
                allowDebug: p.allowDebug,
                effectiveAt: effectiveAt
            });
    }

    function _fromStored(StoredReleasePolicy storage s) private view returns (ReleasePolicy memory) {
        return
            ReleasePolicy({
                secondWorkloadId: s.secondWorkloadId,
                acceptedTcbStatuses: s.acceptedTcbStatuses,
                allowDebug: s.allowDebug
            });
    }
}
