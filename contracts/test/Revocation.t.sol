// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

// Test code: long assertion messages and low-level calls that observe success are the point here, not gas.
// solhint-disable gas-small-strings, gas-strict-inequalities, avoid-low-level-calls

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IAttestationRegistry} from "../interfaces/IAttestationRegistry.sol";
import {IValidatorSet} from "../interfaces/IValidatorSet.sol";
import {BatchMerkle} from "../libraries/BatchMerkle.sol";
import {KeepIds} from "../libraries/KeepIds.sol";
import {BatchItem, TeeKind, Verdict, VerdictGroup} from "../libraries/KeepTypes.sol";
import {KeepFixture} from "./utils/KeepFixture.sol";
import {Stranger} from "./utils/Stranger.sol";

/// @notice Revocation that sticks (issue 10): subject revocations per workload and everywhere, refused
/// re-attestation, governance-only lifting, and validators that a fresh attachVerdict does not revive.
contract RevocationTest is KeepFixture {
    address internal constant KEEP = address(0xC0FFEE);

    function setUp() public {
        _deployWithWorkload();
        _bootstrap(8, 1);
    }

    // ===== Per workload =====

    /// @notice After revokeSubject, isAttested is false, the latest verdict is dead, and a fresh verdict
    /// signed by the quorum at any later time is refused with SubjectRevoked.
    function testFuzzRevokedSubjectCannotReattest(uint32 later, uint8 seed) public {
        bytes32 id = _finalize(_verdict(KEEP, seed), _firstKeys(1));
        registry.revokeSubject(KEEP, workloadId, "key leaked");
        _assertNotAttested(KEEP, workloadId);
        assertFalse(registry.isVerdictLive(id), "the latest verdict was revoked with the subject");
        assertTrue(registry.isSubjectRevoked(KEEP, workloadId), "isSubjectRevoked");

        _skip(1 + (later % 30 days));
        vm.roll(vm.getBlockNumber() + 2);
        Verdict memory fresh = _verdict(KEEP, uint256(seed) + 1);
        bytes memory signatures = _signVerdict(fresh, _firstKeys(1));
        vm.expectRevert(
            abi.encodeWithSelector(IAttestationRegistry.AttestationRegistrySubjectRevoked.selector, KEEP, workloadId)
        );
        registry.finalizeVerdict(fresh, block.chainid, address(registry), signatures);
        _assertNotAttested(KEEP, workloadId);
    }

    /// @notice A batched verdict of a revoked subject neither verifies nor materializes.
    function testRevokedSubjectBatchedVerdictRefused() public {
        (Verdict memory v, bytes32 batchId, bytes32[] memory proof) = _batchOf(KEEP);
        assertTrue(registry.verifyBatchedVerdict(v, batchId, proof), "live before the revocation");
        registry.revokeSubject(KEEP, workloadId, "key leaked");
        assertFalse(registry.verifyBatchedVerdict(v, batchId, proof), "verifyBatchedVerdict honours it");
        vm.expectRevert(
            abi.encodeWithSelector(IAttestationRegistry.AttestationRegistrySubjectRevoked.selector, KEEP, workloadId)
        );
        registry.materializeVerdict(v, batchId, proof);
        _assertNotAttested(KEEP, workloadId);
    }

    // ===== Everywhere =====

    /// @notice revokeSubjectEverywhere turns isAttested off in the listed workloads, refuses fresh verdicts
    /// there and refuses materializing the subject's verdicts in any workload.
    function testFuzzRevokedEverywhere(uint8 seed) public {
        bytes32 other = workloads.registerWorkload("other", "ipfs://other");
        bytes32 otherMeasurement = workloads.addMeasurement(other, 1, TeeKind.Sgx, _sgxValue(bytes32(uint256(0x07))));
        Verdict memory inOther = _verdict(KEEP, seed);
        inOther.workloadId = other;
        inOther.measurementHash = otherMeasurement;
        bytes32 first = _finalize(_verdict(KEEP, uint256(seed) + 1), _firstKeys(1));
        bytes32 second = _finalize(inOther, _firstKeys(1));

        bytes32[] memory listed = new bytes32[](2);
        listed[0] = workloadId;
        listed[1] = other;
        registry.revokeSubjectEverywhere(KEEP, listed, "host compromised");
        _assertNotAttested(KEEP, workloadId);
        _assertNotAttested(KEEP, other);
        assertFalse(registry.isVerdictLive(first) || registry.isVerdictLive(second), "both latest verdicts revoked");
        assertTrue(registry.isSubjectRevoked(KEEP, 0), "revoked everywhere");
        assertTrue(registry.isSubjectRevoked(KEEP, keccak256("never seen")), "in any workload");

        _skip(60);
        Verdict memory fresh = _verdict(KEEP, uint256(seed) + 2);
        bytes memory signatures = _signVerdict(fresh, _firstKeys(1));
        vm.expectRevert(
            abi.encodeWithSelector(IAttestationRegistry.AttestationRegistrySubjectRevoked.selector, KEEP, workloadId)
        );
        registry.finalizeVerdict(fresh, block.chainid, address(registry), signatures);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAttestationRegistry.AttestationRegistrySubjectAlreadyRevoked.selector,
                KEEP,
                bytes32(0)
            )
        );
        registry.revokeSubjectEverywhere(KEEP, listed, "again");
    }

    /// @notice The every-workload revocation reaches batched verdicts in workloads that were not listed.
    function testRevokedEverywhereRefusesUnlistedMaterialization() public {
        (Verdict memory v, bytes32 batchId, bytes32[] memory proof) = _batchOf(KEEP);
        registry.revokeSubjectEverywhere(KEEP, new bytes32[](0), "host compromised");
        assertFalse(registry.verifyBatchedVerdict(v, batchId, proof), "verifyBatchedVerdict honours it");
        vm.expectRevert(
            abi.encodeWithSelector(IAttestationRegistry.AttestationRegistrySubjectRevoked.selector, KEEP, bytes32(0))
        );
        registry.materializeVerdict(v, batchId, proof);
    }

    /// @notice Issue 16, as a property: whatever governance does to the subject's revocation in the listed
    /// workload while the every-workload revocation stands (the lift may be tried), no fresh verdict is
    /// stored for the subject there and isAttested stays false.
    function testFuzzRevokedEverywhereNeverComesBack(uint32 later, uint8 seed, bool tryLift) public {
        _finalize(_verdict(KEEP, seed), _firstKeys(1));
        bytes32[] memory listed = new bytes32[](1);
        listed[0] = workloadId;
        registry.revokeSubjectEverywhere(KEEP, listed, "host compromised");
        _skip(1 + (later % 30 days));
        vm.roll(vm.getBlockNumber() + 2);
        if (tryLift) {
            (bool lifted, ) = address(registry).call(
                abi.encodeCall(registry.liftSubjectRevocation, (KEEP, workloadId))
            );
            lifted; // refused or not, what counts is what follows
        }
        _skip(1);
        vm.roll(vm.getBlockNumber() + 2);
        Verdict memory fresh = _verdict(KEEP, uint256(seed) + 1);
        bytes memory signatures = _signVerdict(fresh, _firstKeys(1));
        (bool stored, ) = address(registry).call(
            abi.encodeCall(registry.finalizeVerdict, (fresh, block.chainid, address(registry), signatures))
        );
        assertFalse(stored, "a fresh verdict is refused while the subject is revoked everywhere");
        _assertNotAttested(KEEP, workloadId);
        assertTrue(registry.isSubjectRevoked(KEEP, workloadId), "isSubjectRevoked");
    }

    /// @notice Issue 16: while a subject is revoked everywhere, lifting its revocation in one workload is
    /// refused (AttestationRegistrySubjectRevokedEverywhere), so the workload's revoked marker stays and
    /// neither isAttested nor finalizeVerdict brings the subject back. Once governance has lifted the
    /// every-workload revocation, the per-workload lift works and a verdict issued after both counts.
    function testFuzzEverywhereRevocationSurvivesWorkloadLift(uint32 later, uint8 seed) public {
        _finalize(_verdict(KEEP, seed), _firstKeys(1));
        bytes32[] memory listed = new bytes32[](1);
        listed[0] = workloadId;
        registry.revokeSubjectEverywhere(KEEP, listed, "host compromised");
        uint64 revokedAt = uint64(_now());

        _skip(1 + (later % 30 days));
        vm.roll(vm.getBlockNumber() + 2);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAttestationRegistry.AttestationRegistrySubjectRevokedEverywhere.selector,
                KEEP,
                revokedAt
            )
        );
        registry.liftSubjectRevocation(KEEP, workloadId);
        assertTrue(registry.isSubjectRevoked(KEEP, workloadId), "still revoked in the workload");

        Verdict memory fresh = _verdict(KEEP, uint256(seed) + 1);
        bytes memory signatures = _signVerdict(fresh, _firstKeys(1));
        vm.expectRevert(
            abi.encodeWithSelector(IAttestationRegistry.AttestationRegistrySubjectRevoked.selector, KEEP, workloadId)
        );
        registry.finalizeVerdict(fresh, block.chainid, address(registry), signatures);
        _assertNotAttested(KEEP, workloadId);

        // The way back: the every-workload revocation first, then the workload's.
        registry.liftSubjectRevocation(KEEP, 0);
        assertTrue(registry.isSubjectRevoked(KEEP, workloadId), "the workload's revocation outlives the global lift");
        vm.expectRevert(
            abi.encodeWithSelector(IAttestationRegistry.AttestationRegistrySubjectRevoked.selector, KEEP, workloadId)
        );
        registry.finalizeVerdict(fresh, block.chainid, address(registry), signatures);
        registry.liftSubjectRevocation(KEEP, workloadId);
        _skip(1);
        vm.roll(vm.getBlockNumber() + 2);
        _finalize(_verdict(KEEP, uint256(seed) + 2), _firstKeys(1));
        (bool attested, , ) = registry.isAttested(KEEP, workloadId);
        assertTrue(attested, "a verdict issued after both lifts counts");
    }

    // ===== Lifting =====

    /// @notice Only GOVERNOR_ROLE lifts; after a lift, verdicts issued before it stay refused and verdicts
    /// issued from it on count.
    function testOnlyGovernanceLifts() public {
        Verdict memory before = _verdict(KEEP, 1);
        _finalize(_verdict(KEEP, 2), _firstKeys(1));
        registry.revokeSubject(KEEP, workloadId, "key leaked");
        Stranger stranger = new Stranger();
        (bool ok, bytes memory data) = stranger.lift(registry, KEEP, workloadId);
        assertFalse(ok, "a stranger cannot lift");
        assertEq(
            bytes4(data),
            IAccessControl.AccessControlUnauthorizedAccount.selector,
            "AccessControlUnauthorizedAccount"
        );
        assertTrue(registry.isSubjectRevoked(KEEP, workloadId), "still revoked");

        _skip(10);
        vm.roll(vm.getBlockNumber() + 2);
        registry.liftSubjectRevocation(KEEP, workloadId);
        assertFalse(registry.isSubjectRevoked(KEEP, workloadId), "lifted");
        _assertNotAttested(KEEP, workloadId);
        bytes memory signatures = _signVerdict(before, _firstKeys(1));
        vm.expectRevert(
            abi.encodeWithSelector(
                IAttestationRegistry.AttestationRegistryIssuedBeforeLift.selector,
                KEEP,
                workloadId,
                before.issuedAt,
                uint64(_now())
            )
        );
        registry.finalizeVerdict(before, block.chainid, address(registry), signatures);
        _finalize(_verdict(KEEP, 3), _firstKeys(1));
        (bool attested, , ) = registry.isAttested(KEEP, workloadId);
        assertTrue(attested, "a verdict issued after the lift counts");
    }

    /// @notice Any sequence of fresh verdicts, revocations, lifts and time never makes isAttested true
    /// while the subject is revoked, and every fresh verdict is refused exactly while it is revoked.
    function testFuzzSequences(uint256 ops) public {
        bool revoked = false;
        bool everywhere = false;
        bool live = false;
        for (uint256 step = 0; step < 12; ++step) {
            uint256 op = (ops >> (step * 3)) & 7;
            _skip(1 + ((ops >> (step * 5 + 40)) & 0xffff));
            vm.roll(vm.getBlockNumber() + 1);
            if (op <= 2) {
                Verdict memory v = _verdict(KEEP, step);
                bytes memory signatures = _signVerdict(v, _firstKeys(1));
                (bool ok, ) = address(registry).call(
                    abi.encodeCall(registry.finalizeVerdict, (v, block.chainid, address(registry), signatures))
                );
                assertEq(ok, !revoked, "a fresh verdict is stored exactly while the subject is not revoked");
                if (ok) live = true;
            } else if (op == 3 && !revoked) {
                registry.revokeSubject(KEEP, workloadId, "fuzz");
                revoked = true;
                live = false;
            } else if (op == 4 && !everywhere) {
                bytes32[] memory listed = new bytes32[](1);
                listed[0] = workloadId;
                (bool ok, ) = address(registry).call(
                    abi.encodeCall(registry.revokeSubjectEverywhere, (KEEP, listed, "fuzz"))
                );
                assertTrue(ok, "revokeSubjectEverywhere");
                everywhere = true;
                revoked = true;
                live = false;
            } else if (op == 5 && revoked) {
                if (everywhere) registry.liftSubjectRevocation(KEEP, 0);
                (bool ok, ) = address(registry).call(
                    abi.encodeCall(registry.liftSubjectRevocation, (KEEP, workloadId))
                );
                assertTrue(ok || !registry.isSubjectRevoked(KEEP, workloadId), "lifted in the workload");
                everywhere = false;
                revoked = false;
            } else if (op == 6 && !revoked) {
                (bool ok, ) = address(registry).call(
                    abi.encodeCall(registry.liftSubjectRevocation, (KEEP, workloadId))
                );
                assertFalse(ok, "nothing to lift");
            }
            (bool attested, , ) = registry.isAttested(KEEP, workloadId);
            if (revoked) assertFalse(attested, "never attested while revoked");
            else assertEq(attested ? 1 : 0, live && _latestLive() ? 1 : 0, "attested exactly with a live verdict");
            assertEq(registry.isSubjectRevoked(KEEP, workloadId) ? 1 : 0, revoked ? 1 : 0, "isSubjectRevoked");
        }
    }

    // ===== Validators =====

    /// @notice A validator whose own verdict, measurement or subject was revoked stays revoked through
    /// attachVerdict (anyone may call it) until governance reinstates it.
    function testFuzzRevokedValidatorStaysRevoked(uint8 cause) public {
        bytes32 validatorWorkload = workloads.registerWorkload("validator", "");
        bytes32 m1 = workloads.addMeasurement(validatorWorkload, 1, TeeKind.Sgx, _sgxValue(bytes32(uint256(0xBA11))));
        bytes32 m2 = workloads.addMeasurement(validatorWorkload, 2, TeeKind.Sgx, _sgxValue(bytes32(uint256(0xBA12))));
        validatorSet.setValidatorWorkload(validatorWorkload);
        address seven = _validator(7);
        Verdict memory own = _ownVerdict(seven, validatorWorkload, m1, 1);
        bytes32 ownId = _finalize(own, _firstKeys(1));
        validatorSet.attachVerdict(seven, own);

        uint256 mode = cause % 3;
        if (mode == 0) registry.revokeVerdict(ownId, "compromised");
        else if (mode == 1) workloads.revokeMeasurement(validatorWorkload, m1);
        else registry.revokeSubject(seven, validatorWorkload, "validator key leaked");
        assertTrue(validatorSet.validatorOf(seven).ownVerdictRevoked, "revoked");

        _skip(60);
        vm.roll(vm.getBlockNumber() + 2);
        Verdict memory next = _ownVerdict(seven, validatorWorkload, m2, 2);
        if (mode == 2) registry.liftSubjectRevocation(seven, validatorWorkload);
        _finalize(next, _firstKeys(1));
        vm.expectRevert(abi.encodeWithSelector(IValidatorSet.ValidatorSetValidatorRevoked.selector, seven));
        validatorSet.attachVerdict(seven, next);
        assertTrue(validatorSet.validatorOf(seven).ownVerdictRevoked, "still revoked after attachVerdict");

        Stranger stranger = new Stranger();
        (bool ok, ) = stranger.reinstate(validatorSet, seven);
        assertFalse(ok, "a stranger cannot reinstate");
        validatorSet.reinstateValidator(seven);
        validatorSet.attachVerdict(seven, next);
        validatorSet.closeBootstrap();
        assertTrue(validatorSet.isCounting(seven), "counts again after governance reinstated it and it re-attached");
    }

    // ===== Helpers =====

    function _assertNotAttested(address subject, bytes32 workload) internal view {
        (bool ok, , ) = registry.isAttested(subject, workload);
        assertFalse(ok, "not attested");
    }

    function _latestLive() internal view returns (bool) {
        (, bytes32 id, ) = registry.isAttested(KEEP, workloadId);
        return id != 0 && registry.isVerdictLive(id);
    }

    function _ownVerdict(
        address validator,
        bytes32 workload,
        bytes32 measurement,
        uint256 seed
    ) internal view returns (Verdict memory v) {
        v = _verdict(validator, seed);
        v.workloadId = workload;
        v.measurementHash = measurement;
    }

    /// @dev A two-verdict batch whose first verdict is about `subject`; returns that verdict and its proof.
    function _batchOf(address subject) internal returns (Verdict memory v, bytes32 batchId, bytes32[] memory proof) {
        v = _verdict(subject, 42);
        Verdict memory w = _verdict(address(0xD1), 43);
        VerdictGroup[] memory groups = new VerdictGroup[](1);
        groups[0].workloadId = v.workloadId;
        groups[0].measurementHash = v.measurementHash;
        groups[0].tee = v.tee;
        groups[0].tcbStatus = v.tcbStatus;
        groups[0].collateralHash = v.collateralHash;
        groups[0].issuedAt = v.issuedAt;
        groups[0].expiresAt = v.expiresAt;
        groups[0].items = new BatchItem[](2);
        groups[0].items[0] = BatchItem({
            subject: v.subject,
            evidenceHash: v.evidenceHash,
            freshnessBlock: v.freshnessBlock
        });
        groups[0].items[1] = BatchItem({
            subject: w.subject,
            evidenceHash: w.evidenceHash,
            freshnessBlock: w.freshnessBlock
        });
        bytes32[] memory leaves = new bytes32[](2);
        leaves[0] = KeepIds.verdictId(v);
        leaves[1] = KeepIds.verdictId(w);
        bytes32 root = BatchMerkle.root(leaves);
        batchId = registry.finalizeBatch(groups, block.chainid, address(registry), _signBatch(root, 2, _firstKeys(1)));
        proof = BatchMerkle.proof(leaves, 0);
    }
}
