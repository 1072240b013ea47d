// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

// Test code: long assertion messages and low-level calls that observe success are the point here, not gas.
// solhint-disable gas-small-strings, avoid-low-level-calls

import {CpakAllowList} from "../CpakAllowList.sol";
import {ICpakAllowList} from "../interfaces/ICpakAllowList.sol";
import {KeepFixture} from "./utils/KeepFixture.sol";

/// @notice Issue 12: the per-workload allow-list of Arm CCA platform attestation keys (CPAKs). Allowing a
/// key loosens the policy (in force after the policy delay), disallowing it tightens (at once); owner and
/// governance rights as for measurements (the WorkloadRegistry's owner and GOVERNOR_ROLE); events; the
/// list stays bounded and dense.
contract CpakAllowListTest is KeepFixture {
    CpakAllowList internal cpaks;

    uint64 internal constant DELAY = 1 days;
    address internal constant STRANGER = address(0x5757);
    bytes32 internal constant CPAK_A = keccak256("cpak a");
    bytes32 internal constant CPAK_B = keccak256("cpak b");

    event CpakAllowed(bytes32 indexed workloadId, bytes32 indexed cpakId, uint64 effectiveAt, address indexed actor);
    event CpakDisallowed(bytes32 indexed workloadId, bytes32 indexed cpakId, address indexed actor);

    function setUp() public {
        _deploy(false, DELAY, DELAY);
        workloadId = workloads.registerWorkload("cca", "ipfs://cca");
        cpaks = new CpakAllowList(workloads);
    }

    /// @notice Allowing is delayed by the policy delay in force, and says so in its event and view.
    function testFuzzAllowIsDelayed(bytes32 cpakId, uint32 wait) public {
        vm.assume(cpakId != 0);
        uint64 now_ = uint64(_now());
        vm.expectEmit(true, true, true, true, address(cpaks));
        emit CpakAllowed(workloadId, cpakId, now_ + DELAY, address(this));
        uint64 effectiveAt = cpaks.allowCpak(workloadId, cpakId);
        assertEq(effectiveAt, now_ + DELAY, "effective after the policy delay");

        ICpakAllowList.CpakInfo memory info = cpaks.cpakOf(workloadId, cpakId);
        assertTrue(info.listed, "listed");
        assertEq(info.addedAt, now_, "addedAt");
        assertEq(info.effectiveAt, now_ + DELAY, "effectiveAt");
        (bytes32[] memory ids, uint64[] memory ats) = cpaks.cpaksOf(workloadId);
        assertEq(ids.length, 1, "one entry");
        assertEq(ids[0], cpakId, "the id");
        assertEq(ats[0], now_ + DELAY, "its effectiveAt");

        // Time does not change the entry: in force is effectiveAt <= now, read by the validators.
        _skip(wait);
        assertEq(cpaks.cpakOf(workloadId, cpakId).effectiveAt, now_ + DELAY, "effectiveAt is fixed");
    }

    /// @notice The list follows the WorkloadRegistry: its policy delay in force at the call (a pending change
    /// does not apply yet), and an ownership transfer once it took effect.
    function testAllowUsesTheDelayInForce() public {
        workloads.setPolicyDelay(3 days);
        uint64 now_ = uint64(_now());
        assertEq(cpaks.allowCpak(workloadId, CPAK_A), now_ + DELAY, "the old delay while the change is pending");
        _skip(DELAY);
        now_ = uint64(_now());
        assertEq(cpaks.allowCpak(workloadId, CPAK_B), now_ + 3 days, "the new delay once in force");

        workloads.transferWorkloadOwnership(workloadId, STRANGER);
        vm.prank(STRANGER);
        uint64 takesOver = workloads.acceptWorkloadOwnership(workloadId);
        cpaks.disallowCpak(workloadId, CPAK_B); // still the owner until the transfer takes effect
        vm.warp(takesOver);
        vm.prank(STRANGER);
        cpaks.allowCpak(workloadId, CPAK_B);
        vm.expectRevert(
            abi.encodeWithSelector(ICpakAllowList.CpakAllowListNotOwner.selector, workloadId, STRANGER, address(this))
        );
        cpaks.allowCpak(workloadId, keccak256("cpak c"));
        assertEq(address(cpaks.workloadRegistry()), address(workloads), "governed by the WorkloadRegistry");
    }

    /// @notice Disallowing is immediate (also for a pending entry), by the owner or a governor, with its
    /// event; the key can be allowed again, with a fresh delay.
    function testDisallowIsImmediate() public {
        cpaks.allowCpak(workloadId, CPAK_A);
        cpaks.allowCpak(workloadId, CPAK_B);
        _skip(DELAY + 1);

        vm.expectEmit(true, true, true, true, address(cpaks));
        emit CpakDisallowed(workloadId, CPAK_A, address(this));
        cpaks.disallowCpak(workloadId, CPAK_A);
        assertFalse(cpaks.cpakOf(workloadId, CPAK_A).listed, "gone at once");
        (bytes32[] memory ids, ) = cpaks.cpaksOf(workloadId);
        assertEq(ids.length, 1, "one left");
        assertEq(ids[0], CPAK_B, "the other one moved into its place");
        assertTrue(cpaks.cpakOf(workloadId, CPAK_B).listed, "the other one stays");

        uint64 now_ = uint64(_now());
        assertEq(cpaks.allowCpak(workloadId, CPAK_A), now_ + DELAY, "allowed again: delayed again");
        cpaks.disallowCpak(workloadId, CPAK_A);
        assertFalse(cpaks.cpakOf(workloadId, CPAK_A).listed, "a pending entry is removed at once too");
        cpaks.disallowCpak(workloadId, CPAK_B);
        (ids, ) = cpaks.cpaksOf(workloadId);
        assertEq(ids.length, 0, "empty");
    }

    /// @notice Only the owner allows; the owner or GOVERNOR_ROLE disallows; a stranger neither.
    function testRights() public {
        vm.prank(STRANGER);
        vm.expectRevert(
            abi.encodeWithSelector(ICpakAllowList.CpakAllowListNotOwner.selector, workloadId, address(this), STRANGER)
        );
        cpaks.allowCpak(workloadId, CPAK_A);

        cpaks.allowCpak(workloadId, CPAK_A);
        vm.prank(STRANGER);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICpakAllowList.CpakAllowListNotOwnerOrGovernor.selector,
                workloadId,
                address(this),
                STRANGER
            )
        );
        cpaks.disallowCpak(workloadId, CPAK_A);

        // A governor of the WorkloadRegistry that is not the owner: a workload registered by someone else.
        vm.prank(STRANGER);
        bytes32 theirs = workloads.registerWorkload("theirs", "");
        vm.prank(STRANGER);
        cpaks.allowCpak(theirs, CPAK_B);
        vm.expectEmit(true, true, true, true, address(cpaks));
        emit CpakDisallowed(theirs, CPAK_B, address(this));
        cpaks.disallowCpak(theirs, CPAK_B);
        assertFalse(cpaks.cpakOf(theirs, CPAK_B).listed, "a governor disallowed it");
    }

    /// @notice Typed refusals: zero id, a duplicate, an unknown one, an unknown workload, a full list.
    function testRefusals() public {
        vm.expectRevert(abi.encodeWithSelector(ICpakAllowList.CpakAllowListZeroCpak.selector));
        cpaks.allowCpak(workloadId, bytes32(0));

        cpaks.allowCpak(workloadId, CPAK_A);
        vm.expectRevert(abi.encodeWithSelector(ICpakAllowList.CpakAllowListCpakExists.selector, workloadId, CPAK_A));
        cpaks.allowCpak(workloadId, CPAK_A);

        vm.expectRevert(abi.encodeWithSelector(ICpakAllowList.CpakAllowListUnknownCpak.selector, workloadId, CPAK_B));
        cpaks.disallowCpak(workloadId, CPAK_B);

        bytes32 unknown = keccak256("no such workload");
        vm.expectRevert(abi.encodeWithSelector(ICpakAllowList.CpakAllowListUnknownWorkload.selector, unknown));
        cpaks.disallowCpak(unknown, CPAK_A);

        uint256 max = cpaks.MAX_CPAKS();
        for (uint256 i = 1; i < max; ++i) cpaks.allowCpak(workloadId, bytes32(i));
        vm.expectRevert(abi.encodeWithSelector(ICpakAllowList.CpakAllowListFull.selector, workloadId, max));
        cpaks.allowCpak(workloadId, CPAK_B);
    }

    /// @notice Any sequence of allows and disallows keeps the list dense, duplicate-free and equal to the
    /// set of listed entries, each with the effectiveAt of its latest allow.
    function testFuzzListStaysConsistent(uint256 ops) public {
        bool[4] memory model;
        uint64[4] memory effectiveAt;
        for (uint256 step = 0; step < 24; ++step) {
            uint256 op = (ops >> (step * 3)) & 7;
            uint256 k = op & 3;
            bytes32 id = bytes32(k + 1);
            _skip(1 + ((ops >> (step * 2 + 80)) & 3) * 6 hours);
            if (op < 4) {
                (bool ok, ) = address(cpaks).call(abi.encodeCall(cpaks.allowCpak, (workloadId, id)));
                assertEq(ok, !model[k], "allow succeeds exactly when not listed");
                if (ok) {
                    model[k] = true;
                    effectiveAt[k] = uint64(_now()) + DELAY;
                }
            } else {
                (bool ok, ) = address(cpaks).call(abi.encodeCall(cpaks.disallowCpak, (workloadId, id)));
                assertEq(ok, model[k], "disallow succeeds exactly when listed");
                model[k] = false;
            }
            (bytes32[] memory ids, uint64[] memory ats) = cpaks.cpaksOf(workloadId);
            uint256 listed = 0;
            for (uint256 j = 0; j < 4; ++j) {
                ICpakAllowList.CpakInfo memory info = cpaks.cpakOf(workloadId, bytes32(j + 1));
                assertEq(info.listed, model[j], "cpakOf equals the model");
                if (model[j]) {
                    ++listed;
                    assertEq(info.effectiveAt, effectiveAt[j], "effectiveAt of the latest allow");
                }
            }
            assertEq(ids.length, listed, "cpaksOf holds exactly the listed entries");
            for (uint256 i = 0; i < ids.length; ++i) {
                uint256 j = uint256(ids[i]) - 1;
                assertTrue(j < 4 && model[j], "only listed entries");
                assertEq(ats[i], effectiveAt[j], "cpaksOf effectiveAt");
                for (uint256 i2 = i + 1; i2 < ids.length; ++i2) assertTrue(ids[i] != ids[i2], "no duplicates");
            }
        }
    }
}
