// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

// Test code: long assertion messages and non-strict bounds as specified are the point here, not gas.
// solhint-disable gas-small-strings, gas-strict-inequalities

import {KeyRegistry} from "../KeyRegistry.sol";
import {IKeyRegistry} from "../interfaces/IKeyRegistry.sol";
import {BatchMerkle} from "../libraries/BatchMerkle.sol";
import {KeepTypes, Policy, TcbStatus, TeeKind, Verdict} from "../libraries/KeepTypes.sol";
import {KeepFixture} from "./utils/KeepFixture.sol";

/// @notice Invariants of the KeyRegistry, fuzzed: a release is allowed only for the subject's live,
/// unrevoked latest verdict of the key's workload(s) under the policy in force; retired versions never
/// release; tightening is immediate and loosening waits; every committed receipt proves against its root.
contract KeyRegistryTest is KeepFixture {
    address internal constant KEEP = address(0xC0FFEE);
    uint256 internal constant SHAREHOLDERS = 4;

    KeyRegistry internal keys;
    bytes32 internal otherWorkload;

    function setUp() public {
        _deployWithWorkload();
        _setUpKeys(true);
    }

    /// @dev Bootstraps the shareholders and deploys the KeyRegistry; a production deployment waits out
    /// the governance delay first so that the validators and the threshold are in force.
    function _setUpKeys(bool dev) internal {
        _bootstrap(SHAREHOLDERS, 2);
        if (!dev) _skip(1 days);
        keys = new KeyRegistry(address(this), address(this), registry, dev ? 0 : 1 days);
        for (uint256 i = 0; i < SHAREHOLDERS; ++i) {
            vm.prank(_validator(i));
            keys.setKeyServiceKey(keccak256(abi.encode("kem", i)));
        }
        otherWorkload = workloads.registerWorkload("other", "ipfs://other");
    }

    function _holders() internal pure returns (address[] memory holders, bytes32[] memory hashes) {
        holders = new address[](SHAREHOLDERS);
        hashes = new bytes32[](SHAREHOLDERS);
        for (uint256 i = 0; i < SHAREHOLDERS; ++i) {
            holders[i] = _validator(i);
            hashes[i] = keccak256(abi.encode("share", i));
        }
    }

    function _policy(uint16 accepted) internal pure returns (IKeyRegistry.ReleasePolicy memory) {
        return IKeyRegistry.ReleasePolicy({secondWorkloadId: 0, acceptedTcbStatuses: accepted, allowDebug: false});
    }

    function _createKey(uint16 accepted) internal returns (bytes32 keyId) {
        (address[] memory holders, bytes32[] memory hashes) = _holders();
        keyId = keys.createKey(workloadId, "data key", _policy(accepted), 3, holders, hashes);
    }

    function _check(bytes32 keyId, Verdict memory v) internal view returns (IKeyRegistry.ReleaseRefusal) {
        return keys.releaseCheck(keyId, 1, v);
    }

    // ===== Release =====

    /// @notice A live latest verdict releases until it expires, and never after; an older verdict of
    /// the same subject, a revoked subject and another workload's verdict never release.
    function testFuzzReleaseOnlyForLiveLatestVerdict(uint32 elapsed, uint8 cause) public {
        bytes32 keyId = _createKey(KeepTypes.DEFAULT_ACCEPTED_TCB);
        Verdict memory v = _verdict(KEEP, 1);
        _finalize(v, _firstKeys(2));
        assertEq(uint256(_check(keyId, v)), uint256(IKeyRegistry.ReleaseRefusal.None), "live verdict releases");

        uint256 step = cause % 4;
        if (step == 0) {
            _skip(elapsed);
            bool live = _now() < v.expiresAt;
            IKeyRegistry.ReleaseRefusal want =
                live ? IKeyRegistry.ReleaseRefusal.None : IKeyRegistry.ReleaseRefusal.NoLiveVerdict;
            assertEq(uint256(_check(keyId, v)), uint256(want), "expiry is honoured");
        } else if (step == 1) {
            registry.revokeSubject(KEEP, workloadId, "leaked");
            assertEq(uint256(_check(keyId, v)), uint256(IKeyRegistry.ReleaseRefusal.SubjectRevoked), "revoked");
        } else if (step == 2) {
            _skip(1 + (elapsed % 1 hours));
            vm.roll(vm.getBlockNumber() + 2);
            Verdict memory newer = _verdict(KEEP, 2);
            _finalize(newer, _firstKeys(2));
            assertEq(
                uint256(_check(keyId, v)),
                uint256(IKeyRegistry.ReleaseRefusal.VerdictMismatch),
                "only the latest verdict counts"
            );
            assertEq(uint256(_check(keyId, newer)), uint256(IKeyRegistry.ReleaseRefusal.None), "the newer one does");
        } else {
            Verdict memory other = v;
            other.workloadId = otherWorkload;
            assertEq(uint256(_check(keyId, other)), uint256(IKeyRegistry.ReleaseRefusal.WrongWorkload), "workload");
        }
    }

    /// @notice A verdict whose TCB status the release policy does not accept never releases; a debug Keep
    /// verdict never releases without allowDebug.
    function testFuzzTcbAndDebugRefused(uint8 status) public {
        status = uint8(1 + (status % 8));
        vm.assume(status != uint8(TcbStatus.Revoked));
        uint16 accepted = uint16(1) << uint8(TcbStatus.UpToDate);
        bytes32 keyId = _createKey(accepted);
        Verdict memory v = _verdict(KEEP, status);
        v.tcbStatus = status;
        _finalize(v, _firstKeys(2));
        IKeyRegistry.ReleaseRefusal want =
            status == uint8(TcbStatus.UpToDate)
                ? IKeyRegistry.ReleaseRefusal.None
                : IKeyRegistry.ReleaseRefusal.TcbStatus;
        assertEq(uint256(_check(keyId, v)), uint256(want), "TCB status");

        Verdict memory debugKeep = _verdict(address(0xD0D0), status);
        debugKeep.tee = uint8(TeeKind.Debug);
        debugKeep.tcbStatus = uint8(TcbStatus.UpToDate);
        // Checked before the chain is asked about it: the verdict need not be stored for this refusal to
        // be reached, so store it to reach the debug rule rather than NoLiveVerdict.
        workloads.schedulePolicy(workloadId, _devPolicy());
        debugKeep.measurementHash = workloads.addMeasurement(
            workloadId,
            2,
            TeeKind.Debug,
            abi.encodePacked(keccak256("debug"))
        );
        _finalize(debugKeep, _firstKeys(2));
        assertEq(uint256(_check(keyId, debugKeep)), uint256(IKeyRegistry.ReleaseRefusal.Debug), "debug never");
    }

    /// @notice A retired version never releases, whatever the verdict; other versions still do.
    function testFuzzRetiredNeverReleases(uint8 rotations, uint8 retired) public {
        bytes32 keyId = _createKey(KeepTypes.DEFAULT_ACCEPTED_TCB);
        (address[] memory holders, bytes32[] memory hashes) = _holders();
        uint32 latest = 1 + uint32(rotations % 5);
        for (uint32 i = 2; i <= latest; ++i) assertEq(keys.rotateKey(keyId, 2, holders, hashes), i, "next version");
        uint32 gone = 1 + uint32(retired % latest);
        keys.retireVersion(keyId, gone);
        Verdict memory v = _verdict(KEEP, 1);
        _finalize(v, _firstKeys(2));
        for (uint32 version = 1; version <= latest; ++version) {
            IKeyRegistry.ReleaseRefusal want =
                version == gone ? IKeyRegistry.ReleaseRefusal.VersionRetired : IKeyRegistry.ReleaseRefusal.None;
            assertEq(uint256(keys.releaseCheck(keyId, version, v)), uint256(want), "retired or not");
        }
        assertEq(
            uint256(keys.releaseCheck(keyId, latest + 1, v)),
            uint256(IKeyRegistry.ReleaseRefusal.UnknownVersion),
            "unknown version"
        );
    }

    /// @notice t is at least 2 and at most n; anything else is refused.
    function testFuzzThresholdBounds(uint16 threshold) public {
        (address[] memory holders, bytes32[] memory hashes) = _holders();
        if (threshold < 2 || threshold > SHAREHOLDERS) {
            vm.expectRevert(
                abi.encodeWithSelector(IKeyRegistry.KeyRegistryBadThreshold.selector, threshold, SHAREHOLDERS)
            );
        }
        keys.createKey(workloadId, "k", _policy(KeepTypes.DEFAULT_ACCEPTED_TCB), threshold, holders, hashes);
    }

    // ===== Governance =====

    /// @notice With a policy delay, a policy no looser than the one in force is in force at once; any
    /// other waits for the delay, and the old policy stays in force until then.
    function testFuzzTightenNowLoosenLater(uint16 fromMask, uint16 toMask) public {
        _deploy(false, 1 days, 1 days);
        workloadId = workloads.registerWorkload("app", "ipfs://app");
        _setUpKeys(false);
        fromMask = fromMask & KeepTypes.TCB_ACCEPTABLE;
        toMask = toMask & KeepTypes.TCB_ACCEPTABLE;
        vm.assume(fromMask != 0 && toMask != 0);
        bytes32 keyId = _createKey(fromMask);
        uint64 effectiveAt = keys.setReleasePolicy(keyId, _policy(toMask));
        bool tighter = toMask & ~fromMask == 0;
        assertEq(effectiveAt, tighter ? _now() : _now() + 1 days, "effectiveAt");
        (IKeyRegistry.ReleasePolicy memory inForce, ) = keys.releasePolicyOf(keyId);
        assertEq(inForce.acceptedTcbStatuses, tighter ? toMask : fromMask, "in force now");
        _skip(1 days);
        (inForce, ) = keys.releasePolicyOf(keyId);
        assertEq(inForce.acceptedTcbStatuses, toMask, "in force after the delay");
    }

    /// @notice Adding a second workload is a loosening; dropping it is a tightening.
    function testSecondWorkloadAddedLaterDroppedAtOnce() public {
        _deploy(false, 1 days, 1 days);
        workloadId = workloads.registerWorkload("app", "ipfs://app");
        _setUpKeys(false);
        bytes32 keyId = _createKey(KeepTypes.DEFAULT_ACCEPTED_TCB);
        IKeyRegistry.ReleasePolicy memory shared = _policy(KeepTypes.DEFAULT_ACCEPTED_TCB);
        shared.secondWorkloadId = otherWorkload;
        assertEq(keys.setReleasePolicy(keyId, shared), _now() + 1 days, "adding waits");
        _skip(1 days);
        (IKeyRegistry.ReleasePolicy memory inForce, ) = keys.releasePolicyOf(keyId);
        assertEq(inForce.secondWorkloadId, otherWorkload, "added after the delay");
        assertEq(keys.setReleasePolicy(keyId, _policy(KeepTypes.DEFAULT_ACCEPTED_TCB)), _now(), "dropping is at once");
    }

    // ===== Receipts =====

    /// @notice Every receipt of a committed batch proves against its root for its validator, and for no
    /// other validator.
    function testFuzzReceiptsProve(uint8 count, uint8 index) public {
        uint256 n = 1 + (uint256(count) % 40);
        uint256 at = index % n;
        IKeyRegistry.ReleaseReceipt[] memory receipts = new IKeyRegistry.ReleaseReceipt[](n);
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) {
            receipts[i] = IKeyRegistry.ReleaseReceipt({
                keyId: keccak256(abi.encode("key", i % 3)),
                version: uint32(1 + (i % 2)),
                subject: address(uint160(0x1000 + i)),
                releasedAt: uint64(_now()),
                requestHash: keccak256(abi.encode("request", i))
            });
            leaves[i] = keys.receiptLeaf(_validator(0), receipts[i]);
        }
        vm.prank(_validator(0));
        bytes32 root = keys.commitReleaseReceipts(receipts);
        assertEq(root, BatchMerkle.root(leaves), "root over the leaves in order");
        bytes32[] memory proof = BatchMerkle.proof(leaves, at);
        assertTrue(keys.verifyReleaseReceipt(_validator(0), receipts[at], root, proof), "the receipt proves");
        assertFalse(keys.verifyReleaseReceipt(_validator(1), receipts[at], root, proof), "not for another validator");
        IKeyRegistry.ReceiptBatch memory batch = keys.receiptBatchOf(root);
        assertEq(batch.count, n, "count");
        assertEq(batch.validator, _validator(0), "validator");
    }

    /// @notice Only counting validators commit receipts.
    function testStrangerCannotCommitReceipts() public {
        IKeyRegistry.ReleaseReceipt[] memory receipts = new IKeyRegistry.ReleaseReceipt[](1);
        vm.expectRevert(abi.encodeWithSelector(IKeyRegistry.KeyRegistryNotCountingValidator.selector, address(this)));
        keys.commitReleaseReceipts(receipts);
    }

    function _devPolicy() internal pure returns (Policy memory p) {
        p = _defaultPolicy();
        p.dev = true;
        p.allowedTees = KeepTypes.TEES_ALL;
    }
}
