// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

// Bounds are written as docs/contracts.md states them ("at or after", "at most"), not flipped for gas.
// solhint-disable gas-strict-inequalities

import {KeepAdminRules} from "./access/KeepAdminRules.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IAttestationRegistry} from "./interfaces/IAttestationRegistry.sol";
import {IKeepAttestation} from "./interfaces/IKeepAttestation.sol";
import {IValidatorSet} from "./interfaces/IValidatorSet.sol";
import {IWorkloadRegistry} from "./interfaces/IWorkloadRegistry.sol";
import {BatchMerkle} from "./libraries/BatchMerkle.sol";
import {KeepIds} from "./libraries/KeepIds.sol";
import {BatchItem, KeepTypes, Verdict, VerdictGroup} from "./libraries/KeepTypes.sol";
import {VerdictContext} from "./libraries/VerdictContext.sol";

/// @title AttestationRegistry
/// @notice Finalizes validator-signed verdicts (singly or in Merkle batches), revokes them, and answers
/// isAttested(subject, workloadId).
/// @dev Storage is laid out for isAttested: a pointer (subject, workload) -> latest verdict id, one packed
/// record per verdict (issuedAt, expiresAt, measurement serial, flags) and a bitmap of revoked measurement
/// serials that the WorkloadRegistry pushes into. isAttested is three SLOADs and no external call; a
/// measurement revocation invalidates every verdict resting on it without a loop. See docs/contracts.md.
contract AttestationRegistry is IAttestationRegistry, KeepAdminRules, EIP712 {
    /// @notice Revokes verdicts.
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");

    uint8 private constant FLAG_FINALIZED = 1;
    uint8 private constant FLAG_REVOKED = 2;
    uint8 private constant FLAG_BATCHED = 4;
    uint8 private constant TEE_DEBUG = 5;
    uint8 private constant TCB_REVOKED = 7;
    uint256 private constant SIGNATURE_LENGTH = 65;
    /// @notice Most entries of one revokeVerdicts or revokeSubjectEverywhere call.
    uint256 public constant MAX_REVOCATION_LIST = 256;
    /// @dev Subject revocation markers written into _latest in place of a verdict id: tag << 64 | time.
    /// A verdict id is a keccak hash, so it carries one of these 192-bit tags with probability 2^-191.
    uint256 private constant MARK_REVOKED = type(uint192).max;
    uint256 private constant MARK_LIFTED = type(uint192).max - 1;
    /// @dev Both tags shifted right by one more bit: the test isAttested runs.
    uint256 private constant MARK_ANY = type(uint192).max >> 1;
    uint8 private constant PLATFORM_KIND_MAX = 4;

    // ===== Storage =====

    /// @dev A subject's revocation in every workload: set while revoked, liftedAt after a lift.
    struct SubjectRevocation {
        uint64 revokedAt;
        uint64 liftedAt;
    }

    /// @dev One slot per stored verdict; also holds the revoked flag of verdicts never stored.
    struct VerdictRecord {
        uint64 issuedAt;
        uint64 expiresAt;
        uint32 measurementSerial;
        uint8 flags;
    }

    struct BatchRecord {
        uint32 count;
        uint64 finalizedAt;
    }

    IWorkloadRegistry private immutable WORKLOAD_REGISTRY;
    IValidatorSet private immutable VALIDATOR_SET;

    mapping(bytes32 verdictId => VerdictRecord) private _verdicts;
    mapping(address subject => mapping(bytes32 workloadId => bytes32 verdictId)) private _latest;
    mapping(uint256 word => uint256 bits) private _revokedSerials;
    mapping(bytes32 batchId => BatchRecord) private _batches;
    mapping(address subject => SubjectRevocation) private _subjectRevocations;
    mapping(bytes32 platformKey => uint64 revokedAt) private _platformRevocations;

    /// @param admin Receives DEFAULT_ADMIN_ROLE (manages roles; moves in two steps, see KeepAdminRules).
    /// @param governor Receives GOVERNOR_ROLE.
    /// @param workloadRegistry_ The WorkloadRegistry (its setAttestationRegistry must then name this contract).
    /// @param validatorSet_ The ValidatorSet (its setAttestationRegistry must then name this contract).
    /// @param adminDelay The DEFAULT_ADMIN_ROLE transfer delay (at least 1 day unless dev).
    constructor(
        address admin,
        address governor,
        IWorkloadRegistry workloadRegistry_,
        IValidatorSet validatorSet_,
        uint48 adminDelay
    )
        EIP712("keepledger", "1")
        KeepAdminRules(
            adminDelay,
            admin,
            address(workloadRegistry_) != address(0) && workloadRegistry_.devPoliciesAllowed()
        )
    {
        if (
            admin == address(0) ||
            governor == address(0) ||
            address(workloadRegistry_) == address(0) ||
            address(validatorSet_) == address(0)
        ) revert AttestationRegistryZeroAddress();
        bool workloadDev = workloadRegistry_.devPoliciesAllowed();
        bool validatorDev = validatorSet_.devAllowed();
        if (workloadDev != validatorDev) revert AttestationRegistryDevMismatch(workloadDev, validatorDev);
        WORKLOAD_REGISTRY = workloadRegistry_;
        VALIDATOR_SET = validatorSet_;
        _grantRole(GOVERNOR_ROLE, governor);
    }

    // ===== Finalization =====

    /// @inheritdoc IAttestationRegistry
    function finalizeVerdict(
        Verdict calldata v,
        uint256 chainId,
        address registry,
        bytes calldata signatures
    ) external returns (bytes32 verdictId) {
        _checkDomain(chainId, registry);
        verdictId = KeepIds.verdictIdCalldata(v);
        _checkNotStored(verdictId);
        (uint32 serial, bool allowUnbound) = _checkRules(
            v.workloadId,
            v.measurementHash,
            v.tee,
            v.tcbStatus,
            v.issuedAt,
            v.expiresAt
        );
        _checkSubject(v.subject, v.evidenceHash, v.freshnessBlock, allowUnbound);
        address[] memory signers = _checkSignatures(_hashTypedDataV4(verdictId), signatures);

        _store(verdictId, v.subject, v.workloadId, v.issuedAt, v.expiresAt, serial, FLAG_FINALIZED);
        emit VerdictFinalized(verdictId, v.subject, v.workloadId, v, serial, signers);
    }

    /// @inheritdoc IAttestationRegistry
    function finalizeBatch(
        VerdictGroup[] calldata groups,
        uint256 chainId,
        address registry,
        bytes calldata signatures
    ) external returns (bytes32 batchId) {
        _checkDomain(chainId, registry);
        uint256 count = _countLeaves(groups);
        (bytes32[] memory leaves, uint32[] memory serials) = _expandGroups(groups, count);
        batchId = BatchMerkle.rootInPlace(leaves);
        if (_batches[batchId].count != 0) revert AttestationRegistryBatchAlreadyFinalized(batchId);
        address[] memory signers = _checkSignatures(
            _hashTypedDataV4(KeepIds.batchStructHash(batchId, uint32(count))),
            signatures
        );

        _batches[batchId] = BatchRecord({count: uint32(count), finalizedAt: uint64(block.timestamp)});
        emit BatchFinalized(batchId, uint32(count), uint32(groups.length), signers);
        uint256 firstLeaf = 0;
        for (uint256 g = 0; g < groups.length; ++g) {
            firstLeaf = _emitGroup(batchId, groups[g], g, firstLeaf, serials[g]);
        }
    }

    /// @inheritdoc IAttestationRegistry
    function materializeVerdict(
        Verdict calldata v,
        bytes32 batchId,
        bytes32[] calldata proof
    ) external returns (bytes32 verdictId) {
        verdictId = KeepIds.verdictIdCalldata(v);
        if (_batches[batchId].count == 0) revert AttestationRegistryBatchUnknown(batchId);
        if (!MerkleProof.verifyCalldata(proof, batchId, verdictId)) {
            revert AttestationRegistryInvalidProof(verdictId, batchId);
        }
        _checkNotStored(verdictId);
        if (v.expiresAt <= block.timestamp) {
            revert AttestationRegistryVerdictExpired(v.expiresAt, uint64(block.timestamp));
        }
        IWorkloadRegistry.MeasurementInfo memory m = WORKLOAD_REGISTRY.measurementOf(v.workloadId, v.measurementHash);
        if (m.revoked) revert AttestationRegistryMeasurementRevoked(v.workloadId, v.measurementHash);
        _checkNotRevokedEverywhere(v.subject, v.issuedAt);

        _store(verdictId, v.subject, v.workloadId, v.issuedAt, v.expiresAt, m.serial, FLAG_FINALIZED | FLAG_BATCHED);
        emit VerdictMaterialized(verdictId, batchId, v.subject, v, m.serial);
    }

    /// @inheritdoc IAttestationRegistry
    function verifyBatchedVerdict(
        Verdict calldata v,
        bytes32 batchId,
        bytes32[] calldata proof
    ) external view returns (bool live) {
        bytes32 verdictId = KeepIds.verdictIdCalldata(v);
        if (_batches[batchId].count == 0 || !MerkleProof.verifyCalldata(proof, batchId, verdictId)) return false;
        if (_verdicts[verdictId].flags & FLAG_REVOKED != 0 || v.expiresAt <= block.timestamp) return false;
        if (_subjectBlocked(v.subject, v.workloadId, v.issuedAt)) return false;
        IWorkloadRegistry.MeasurementInfo memory m = WORKLOAD_REGISTRY.measurementOf(v.workloadId, v.measurementHash);
        return m.known && !m.revoked;
    }

    // ===== Revocation =====

    /// @inheritdoc IAttestationRegistry
    function revokeVerdict(bytes32 verdictId, string calldata reason) external onlyRole(GOVERNOR_ROLE) {
        if (!_revokeRecord(verdictId, reason)) revert AttestationRegistryVerdictAlreadyRevoked(verdictId);
    }

    /// @inheritdoc IAttestationRegistry
    function revokeVerdicts(
        bytes32[] calldata verdictIds,
        string calldata reason
    ) external onlyRole(GOVERNOR_ROLE) returns (uint256 revoked) {
        uint256 n = verdictIds.length;
        if (n == 0 || n > MAX_REVOCATION_LIST) revert AttestationRegistryRevocationListLength(n, MAX_REVOCATION_LIST);
        for (uint256 i = 0; i < n; ++i) {
            if (_revokeRecord(verdictIds[i], reason)) ++revoked;
        }
    }

    /// @inheritdoc IAttestationRegistry
    function revokeSubject(
        address subject,
        bytes32 workloadId,
        string calldata reason
    ) external onlyRole(GOVERNOR_ROLE) {
        if (subject == address(0)) revert AttestationRegistryZeroSubject();
        if (workloadId == 0) revert AttestationRegistryZeroWorkload();
        if (!_revokeInWorkload(subject, workloadId, reason)) {
            revert AttestationRegistrySubjectAlreadyRevoked(subject, workloadId);
        }
    }

    /// @inheritdoc IAttestationRegistry
    function revokeSubjectEverywhere(
        address subject,
        bytes32[] calldata workloadIds,
        string calldata reason
    ) external onlyRole(GOVERNOR_ROLE) {
        if (subject == address(0)) revert AttestationRegistryZeroSubject();
        uint256 n = workloadIds.length;
        if (n > MAX_REVOCATION_LIST) revert AttestationRegistryRevocationListLength(n, MAX_REVOCATION_LIST);
        SubjectRevocation storage g = _subjectRevocations[subject];
        if (g.revokedAt != 0) revert AttestationRegistrySubjectAlreadyRevoked(subject, 0);
        g.revokedAt = uint64(block.timestamp);
        emit SubjectRevoked(subject, 0, msg.sender, reason);
        for (uint256 i = 0; i < n; ++i) {
            if (workloadIds[i] != 0) _revokeInWorkload(subject, workloadIds[i], reason);
        }
    }

    /// @inheritdoc IAttestationRegistry
    function liftSubjectRevocation(address subject, bytes32 workloadId) external onlyRole(GOVERNOR_ROLE) {
        uint64 now_ = uint64(block.timestamp);
        if (workloadId == 0) {
            if (_subjectRevocations[subject].revokedAt == 0) revert AttestationRegistrySubjectNotRevoked(subject, 0);
            _subjectRevocations[subject] = SubjectRevocation({revokedAt: 0, liftedAt: now_});
        } else {
            if (uint256(_latest[subject][workloadId]) >> 64 != MARK_REVOKED) {
                revert AttestationRegistrySubjectNotRevoked(subject, workloadId);
            }
            // The workload's revoked marker is what finalizeVerdict and isAttested read for an
            // every-workload revocation (they do not read _subjectRevocations, for gas): it stays until
            // the every-workload revocation is lifted, or the subject would come back (issue 16).
            uint64 everywhereAt = _subjectRevocations[subject].revokedAt;
            if (everywhereAt != 0) revert AttestationRegistrySubjectRevokedEverywhere(subject, everywhereAt);
            _latest[subject][workloadId] = bytes32((MARK_LIFTED << 64) | now_);
        }
        emit SubjectRevocationLifted(subject, workloadId, msg.sender, now_);
    }

    /// @inheritdoc IAttestationRegistry
    function revokePlatform(uint8 kind, bytes32 value, string calldata reason) external onlyRole(GOVERNOR_ROLE) {
        bytes32 key = _platformKey(kind, value);
        if (_platformRevocations[key] != 0) revert AttestationRegistryPlatformAlreadyRevoked(kind, value);
        _platformRevocations[key] = uint64(block.timestamp);
        emit PlatformRevoked(kind, value, msg.sender, reason);
    }

    /// @inheritdoc IAttestationRegistry
    function liftPlatformRevocation(uint8 kind, bytes32 value) external onlyRole(GOVERNOR_ROLE) {
        bytes32 key = _platformKey(kind, value);
        if (_platformRevocations[key] == 0) revert AttestationRegistryPlatformNotRevoked(kind, value);
        delete _platformRevocations[key];
        emit PlatformRevocationLifted(kind, value, msg.sender);
    }

    /// @inheritdoc IAttestationRegistry
    function onMeasurementRevoked(uint32 serial, bytes32 workloadId, bytes32 measurementHash) external {
        if (msg.sender != address(WORKLOAD_REGISTRY)) {
            revert AttestationRegistryUnauthorizedCaller(msg.sender, address(WORKLOAD_REGISTRY));
        }
        _revokedSerials[serial >> 8] |= uint256(1) << (serial & 0xff);
        emit MeasurementSerialRevoked(serial, workloadId, measurementHash);
        VALIDATOR_SET.onMeasurementRevoked(serial);
    }

    // ===== Views =====

    /// @inheritdoc IKeepAttestation
    function isAttested(
        address subject,
        bytes32 workloadId
    ) external view returns (bool ok, bytes32 verdictId, uint64 expiresAt) {
        // What dApps call: three SLOADs (latest pointer, record, revoked-serial word), no external call.
        // The record is decoded in place; VerdictRecord packs issuedAt in bits 0-63, expiresAt 64-127,
        // measurementSerial 128-159 and flags 160-167 (AttestationRegistry.t.sol checks the agreement).
        uint256 latestSlot;
        uint256 verdictsSlot;
        assembly ("memory-safe") {
            latestSlot := _latest.slot
            verdictsSlot := _verdicts.slot
            mstore(0x00, subject)
            mstore(0x20, latestSlot)
            mstore(0x20, keccak256(0x00, 0x40))
            mstore(0x00, workloadId)
            verdictId := sload(keccak256(0x00, 0x40))
        }
        // No verdict, or a subject revocation marker (revoked, or lifted with no verdict since): false,
        // decided from the pointer alone.
        if (verdictId == 0 || uint256(verdictId) >> 65 == MARK_ANY) return (false, 0, 0);
        uint256 packed;
        assembly ("memory-safe") {
            mstore(0x00, verdictId)
            mstore(0x20, verdictsSlot)
            packed := sload(keccak256(0x00, 0x40))
        }
        expiresAt = uint64(packed >> 64);
        ok =
            (packed >> 160) & FLAG_REVOKED == 0 &&
            expiresAt > block.timestamp &&
            !_serialRevoked(uint32(packed >> 128));
    }

    /// @inheritdoc IKeepAttestation
    function isVerdictLive(bytes32 verdictId) external view returns (bool) {
        return _isLive(_verdicts[verdictId]);
    }

    /// @inheritdoc IAttestationRegistry
    function verdictOf(bytes32 verdictId) external view returns (VerdictStatus memory status) {
        VerdictRecord memory r = _verdicts[verdictId];
        status.finalized = r.flags & FLAG_FINALIZED != 0;
        status.revoked = r.flags & FLAG_REVOKED != 0;
        status.batched = r.flags & FLAG_BATCHED != 0;
        status.live = _isLive(r);
        status.measurementSerial = r.measurementSerial;
        status.issuedAt = r.issuedAt;
        status.expiresAt = r.expiresAt;
    }

    /// @inheritdoc IAttestationRegistry
    function batchOf(bytes32 batchId) external view returns (BatchInfo memory) {
        BatchRecord memory b = _batches[batchId];
        return BatchInfo({count: b.count, finalizedAt: b.finalizedAt});
    }

    /// @inheritdoc IAttestationRegistry
    function isMeasurementSerialRevoked(uint32 serial) external view returns (bool) {
        return _serialRevoked(serial);
    }

    /// @inheritdoc IAttestationRegistry
    function isSubjectRevoked(address subject, bytes32 workloadId) external view returns (bool) {
        if (_subjectRevocations[subject].revokedAt != 0) return true;
        return workloadId != 0 && uint256(_latest[subject][workloadId]) >> 64 == MARK_REVOKED;
    }

    /// @inheritdoc IAttestationRegistry
    function platformRevokedAt(uint8 kind, bytes32 value) external view returns (uint64) {
        return _platformRevocations[_platformKey(kind, value)];
    }

    /// @inheritdoc IAttestationRegistry
    function hashVerdict(Verdict calldata v) external pure returns (bytes32) {
        return KeepIds.verdictIdCalldata(v);
    }

    /// @inheritdoc IAttestationRegistry
    function verdictDigest(Verdict calldata v) external view returns (bytes32) {
        return _hashTypedDataV4(KeepIds.verdictIdCalldata(v));
    }

    /// @inheritdoc IAttestationRegistry
    function batchDigest(bytes32 root, uint32 count) external view returns (bytes32) {
        return _hashTypedDataV4(KeepIds.batchStructHash(root, count));
    }

    /// @inheritdoc IAttestationRegistry
    function workloadRegistry() external view returns (address) {
        return address(WORKLOAD_REGISTRY);
    }

    /// @inheritdoc IAttestationRegistry
    function validatorSet() external view returns (address) {
        return address(VALIDATOR_SET);
    }

    // ===== Internals: checks =====

    function _checkDomain(uint256 chainId, address registry) private view {
        if (chainId != block.chainid) revert AttestationRegistryWrongChain(block.chainid, chainId);
        if (registry != address(this)) revert AttestationRegistryWrongRegistry(address(this), registry);
    }

    function _checkNotStored(bytes32 verdictId) private view {
        uint8 flags = _verdicts[verdictId].flags;
        if (flags & FLAG_FINALIZED != 0) revert AttestationRegistryVerdictAlreadyFinalized(verdictId);
        if (flags & FLAG_REVOKED != 0) revert AttestationRegistryVerdictRevoked(verdictId);
    }

    /// @dev The rules shared by a single verdict and a batch group; one call into the WorkloadRegistry.
    function _checkRules(
        bytes32 workloadId,
        bytes32 measurementHash,
        uint8 tee,
        uint8 tcbStatus,
        uint64 issuedAt,
        uint64 expiresAt
    ) private view returns (uint32 serial, bool allowUnbound) {
        if (tee == 0 || tee > KeepTypes.TEE_KIND_MAX) revert AttestationRegistryTeeInvalid(tee);
        if (tcbStatus == 0 || tcbStatus == TCB_REVOKED || tcbStatus > KeepTypes.TCB_STATUS_MAX) {
            revert AttestationRegistryTcbStatusInvalid(tcbStatus);
        }
        if (issuedAt > block.timestamp) revert AttestationRegistryIssuedInFuture(issuedAt, uint64(block.timestamp));
        if (expiresAt <= block.timestamp) revert AttestationRegistryVerdictExpired(expiresAt, uint64(block.timestamp));

        VerdictContext c = WORKLOAD_REGISTRY.verdictContext(workloadId, measurementHash);
        if (!c.measurementKnown()) revert AttestationRegistryMeasurementUnknown(workloadId, measurementHash);
        if (c.measurementRevoked()) revert AttestationRegistryMeasurementRevoked(workloadId, measurementHash);
        if (c.measurementTee() != tee) revert AttestationRegistryMeasurementTeeMismatch(c.measurementTee(), tee);
        if (tee == TEE_DEBUG && !c.dev()) revert AttestationRegistryDebugTeeNotAllowed(workloadId);
        if (c.allowedTees() & (uint16(1) << tee) == 0) revert AttestationRegistryTeeNotAllowed(tee, c.allowedTees());
        uint64 maxExpiresAt = issuedAt + c.verdictLifetime();
        if (expiresAt > maxExpiresAt) revert AttestationRegistryLifetimeTooLong(expiresAt, maxExpiresAt);
        return (c.measurementSerial(), c.allowUnboundEvidence());
    }

    function _checkSubject(
        address subject,
        bytes32 evidenceHash,
        uint64 freshnessBlock,
        bool allowUnbound
    ) private view {
        if (subject == address(0)) revert AttestationRegistryZeroSubject();
        if (freshnessBlock == 0) {
            if (!allowUnbound) revert AttestationRegistryUnboundEvidenceNotAllowed(evidenceHash);
            address expected = KeepIds.unboundSubject(evidenceHash);
            if (subject != expected) revert AttestationRegistryUnboundSubjectMismatch(expected, subject);
        } else if (freshnessBlock >= block.number) {
            revert AttestationRegistryFreshnessBlockInFuture(freshnessBlock, block.number);
        }
    }

    /// @dev Every signature must come from a distinct validator that counts now, sorted ascending, and
    /// there must be at least threshold() of them. One call into the ValidatorSet for all signers.
    function _checkSignatures(
        bytes32 digest,
        bytes calldata signatures
    ) private view returns (address[] memory signers) {
        uint256 length = signatures.length;
        if (length == 0 || length % SIGNATURE_LENGTH != 0) revert AttestationRegistrySignaturesMalformed(length);
        uint256 n = length / SIGNATURE_LENGTH;
        if (n > KeepTypes.MAX_VALIDATORS) revert AttestationRegistryTooManySigners(n, KeepTypes.MAX_VALIDATORS);
        signers = new address[](n);
        address previous = address(0);
        for (uint256 i = 0; i < n; ++i) {
            uint256 offset = i * SIGNATURE_LENGTH;
            (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(
                digest,
                signatures[offset:offset + SIGNATURE_LENGTH]
            );
            if (err != ECDSA.RecoverError.NoError) revert AttestationRegistryInvalidSignature(i);
            if (signer == previous) revert AttestationRegistryDuplicateSigner(signer);
            if (signer < previous) revert AttestationRegistrySignersNotSorted(previous, signer);
            signers[i] = signer;
            previous = signer;
        }
        (uint256 k, uint256 unknownMask, uint256 inactiveMask) = VALIDATOR_SET.signerStatuses(signers);
        if (k == 0) revert AttestationRegistryThresholdNotSet();
        if (n < k) revert AttestationRegistryTooFewSigners(n, k);
        if (unknownMask | inactiveMask != 0) {
            for (uint256 i = 0; i < n; ++i) {
                if (unknownMask & (uint256(1) << i) != 0) revert AttestationRegistryUnknownSigner(signers[i]);
                if (inactiveMask & (uint256(1) << i) != 0) revert AttestationRegistryInactiveValidator(signers[i]);
            }
        }
    }

    // ===== Internals: batches =====

    function _countLeaves(VerdictGroup[] calldata groups) private pure returns (uint256 count) {
        uint256 groupCount = groups.length;
        if (groupCount == 0) revert AttestationRegistryEmptyBatch(0);
        for (uint256 g = 0; g < groupCount; ++g) {
            uint256 items = groups[g].items.length;
            if (items == 0) revert AttestationRegistryEmptyBatch(g);
            count += items;
        }
    }

    function _expandGroups(
        VerdictGroup[] calldata groups,
        uint256 count
    ) private view returns (bytes32[] memory leaves, uint32[] memory serials) {
        leaves = new bytes32[](count);
        serials = new uint32[](groups.length);
        uint256 next = 0;
        for (uint256 g = 0; g < groups.length; ++g) {
            VerdictGroup calldata group = groups[g];
            (uint32 serial, bool allowUnbound) = _checkRules(
                group.workloadId,
                group.measurementHash,
                group.tee,
                group.tcbStatus,
                group.issuedAt,
                group.expiresAt
            );
            serials[g] = serial;
            next = _hashGroupLeaves(group, allowUnbound, leaves, next);
        }
    }

    /// @dev Writes each item's verdict id into leaves[next..]: the shared fields are laid out once in an
    /// EIP-712 encoding buffer and only subject, evidenceHash and freshnessBlock change per item. Items are
    /// read straight from calldata with the ABI decoder's own checks (no high bits in an address or a
    /// uint64; an empty revert otherwise, as the decoder does); _checkSubject runs only when an item is
    /// not plainly fine (zero subject, unbound evidence or a freshness block not in the past).
    function _hashGroupLeaves(
        VerdictGroup calldata group,
        bool allowUnbound,
        bytes32[] memory leaves,
        uint256 next
    ) private view returns (uint256) {
        bytes32[11] memory buffer;
        buffer[0] = KeepIds.VERDICT_TYPEHASH;
        buffer[1] = group.workloadId;
        buffer[2] = group.measurementHash;
        buffer[3] = bytes32(uint256(group.tee));
        buffer[4] = bytes32(uint256(group.tcbStatus));
        buffer[7] = group.collateralHash;
        buffer[8] = bytes32(uint256(group.issuedAt));
        buffer[9] = bytes32(uint256(group.expiresAt));
        BatchItem[] calldata items = group.items;
        uint256 n = items.length;
        for (uint256 i = 0; i < n;) {
            address subject;
            bytes32 evidenceHash;
            uint64 freshnessBlock;
            assembly ("memory-safe") {
                let p := add(items.offset, mul(i, 0x60))
                let s := calldataload(p)
                let f := calldataload(add(p, 0x40))
                if or(shr(160, s), shr(64, f)) {
                    revert(0, 0)
                }
                subject := s
                evidenceHash := calldataload(add(p, 0x20))
                freshnessBlock := f
            }
            if (subject == address(0) || freshnessBlock == 0 || freshnessBlock >= block.number) {
                _checkSubject(subject, evidenceHash, freshnessBlock, allowUnbound);
            }
            assembly ("memory-safe") {
                mstore(add(buffer, 0xa0), subject)
                mstore(add(buffer, 0xc0), evidenceHash)
                mstore(add(buffer, 0x140), freshnessBlock)
                mstore(add(add(leaves, 0x20), shl(5, add(next, i))), keccak256(buffer, 0x160))
            }
            unchecked {
                ++i;
            }
        }
        return next + n;
    }

    /// @dev Emits VerdictGroupFinalized with the group ABI-encoded as the event declares it. The items are
    /// copied verbatim from calldata: _hashGroupLeaves has checked every one of them, and a static-struct
    /// array has the same encoding in calldata and in the event. Returns the next group's first leaf.
    function _emitGroup(
        bytes32 batchId,
        VerdictGroup calldata group,
        uint256 groupIndex,
        uint256 firstLeaf,
        uint32 serial
    ) private returns (uint256) {
        bytes32 topic0 = VerdictGroupFinalized.selector;
        bytes32 workloadId = group.workloadId;
        bytes32 measurementHash = group.measurementHash;
        uint256 tee = group.tee;
        uint256 tcbStatus = group.tcbStatus;
        bytes32 collateralHash = group.collateralHash;
        uint256 issuedAt = group.issuedAt;
        uint256 expiresAt = group.expiresAt;
        BatchItem[] calldata items = group.items;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, groupIndex)
            mstore(add(ptr, 0x20), firstLeaf)
            mstore(add(ptr, 0x40), serial)
            mstore(add(ptr, 0x60), 0x80)
            mstore(add(ptr, 0x80), workloadId)
            mstore(add(ptr, 0xa0), measurementHash)
            mstore(add(ptr, 0xc0), tee)
            mstore(add(ptr, 0xe0), tcbStatus)
            mstore(add(ptr, 0x100), collateralHash)
            mstore(add(ptr, 0x120), issuedAt)
            mstore(add(ptr, 0x140), expiresAt)
            mstore(add(ptr, 0x160), 0x100)
            mstore(add(ptr, 0x180), items.length)
            let size := mul(items.length, 0x60)
            calldatacopy(add(ptr, 0x1a0), items.offset, size)
            log4(ptr, add(0x1a0, size), topic0, batchId, workloadId, measurementHash)
        }
        return firstLeaf + items.length;
    }

    // ===== Internals: storage =====

    function _store(
        bytes32 verdictId,
        address subject,
        bytes32 workloadId,
        uint64 issuedAt,
        uint64 expiresAt,
        uint32 serial,
        uint8 flags
    ) private {
        // The record is written as one word in VerdictRecord's layout (issuedAt bits 0-63, expiresAt 64-127,
        // measurementSerial 128-159, flags 160-167; isAttested reads the same layout): the struct
        // assignment compiled to a read and a write per group of fields. Overwriting the whole slot loses
        // nothing: the record holds nothing else, and _checkNotStored has refused a slot with any flag set.
        // The pointer's slot is hashed once for its read and its write.
        uint256 record =
            uint256(issuedAt) | (uint256(expiresAt) << 64) | (uint256(serial) << 128) | (uint256(flags) << 160);
        uint256 latestSlot;
        bytes32 current;
        assembly ("memory-safe") {
            mstore(0x00, verdictId)
            mstore(0x20, _verdicts.slot)
            sstore(keccak256(0x00, 0x40), record)
            mstore(0x00, subject)
            mstore(0x20, _latest.slot)
            mstore(0x20, keccak256(0x00, 0x40))
            mstore(0x00, workloadId)
            latestSlot := keccak256(0x00, 0x40)
            current := sload(latestSlot)
        }
        uint256 mark = uint256(current) >> 64;
        if (mark == MARK_REVOKED) revert AttestationRegistrySubjectRevoked(subject, workloadId);
        bool replaces;
        if (mark == MARK_LIFTED) {
            uint64 liftedAt = uint64(uint256(current));
            if (issuedAt < liftedAt)
                revert AttestationRegistryIssuedBeforeLift(subject, workloadId, issuedAt, liftedAt);
            replaces = true;
        } else {
            // A newer issuedAt replaces the latest verdict; on a tie the first one stays.
            replaces = current == 0 || _verdicts[current].issuedAt < issuedAt;
        }
        if (replaces) {
            assembly ("memory-safe") {
                sstore(latestSlot, verdictId)
            }
        }
    }

    /// @dev The every-workload revocation, one SLOAD: materializeVerdict pays it; finalizeVerdict does
    /// not (it would break the 120,000 gas target, docs/contracts.md "Revocation").
    function _checkNotRevokedEverywhere(address subject, uint64 issuedAt) private view {
        SubjectRevocation memory g = _subjectRevocations[subject];
        if (g.revokedAt != 0) revert AttestationRegistrySubjectRevoked(subject, 0);
        if (issuedAt < g.liftedAt) revert AttestationRegistryIssuedBeforeLift(subject, 0, issuedAt, g.liftedAt);
    }

    /// @dev Revokes a subject in one workload: revokes its latest verdict there and puts the revoked
    /// marker in the pointer. False when it was already revoked there.
    function _revokeInWorkload(address subject, bytes32 workloadId, string calldata reason) private returns (bool) {
        bytes32 current = _latest[subject][workloadId];
        uint256 mark = uint256(current) >> 64;
        if (mark == MARK_REVOKED) return false;
        if (current != 0 && mark != MARK_LIFTED) _revokeRecord(current, reason);
        _latest[subject][workloadId] = bytes32((MARK_REVOKED << 64) | block.timestamp);
        emit SubjectRevoked(subject, workloadId, msg.sender, reason);
        return true;
    }

    /// @dev Sets a verdict's revoked flag and tells the ValidatorSet; false when it already was revoked.
    function _revokeRecord(bytes32 verdictId, string calldata reason) private returns (bool) {
        VerdictRecord storage r = _verdicts[verdictId];
        if (r.flags & FLAG_REVOKED != 0) return false;
        r.flags |= FLAG_REVOKED;
        emit VerdictRevoked(verdictId, msg.sender, reason);
        VALIDATOR_SET.onVerdictRevoked(verdictId);
        return true;
    }

    /// @dev Whether a verdict for (subject, workloadId) issued at issuedAt could not be stored now.
    function _subjectBlocked(address subject, bytes32 workloadId, uint64 issuedAt) private view returns (bool) {
        SubjectRevocation memory g = _subjectRevocations[subject];
        if (g.revokedAt != 0 || issuedAt < g.liftedAt) return true;
        uint256 current = uint256(_latest[subject][workloadId]);
        uint256 mark = current >> 64;
        return mark == MARK_REVOKED || (mark == MARK_LIFTED && issuedAt < uint64(current));
    }

    function _platformKey(uint8 kind, bytes32 value) private pure returns (bytes32) {
        if (kind == 0 || kind > PLATFORM_KIND_MAX) revert AttestationRegistryPlatformKindInvalid(kind);
        return keccak256(abi.encode(kind, value));
    }

    function _isLive(VerdictRecord memory r) private view returns (bool) {
        return
            r.flags & (FLAG_FINALIZED | FLAG_REVOKED) == FLAG_FINALIZED &&
            r.expiresAt > block.timestamp &&
            !_serialRevoked(r.measurementSerial);
    }

    function _serialRevoked(uint32 serial) private view returns (bool) {
        return (_revokedSerials[serial >> 8] >> (serial & 0xff)) & 1 == 1;
    }
}
