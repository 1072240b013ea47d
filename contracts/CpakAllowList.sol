// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ICpakAllowList} from "./interfaces/ICpakAllowList.sol";
import {IWorkloadRegistry} from "./interfaces/IWorkloadRegistry.sol";

/// @title CpakAllowList
/// @notice The per-workload allow-list of Arm CCA platform attestation keys (see ICpakAllowList).
/// @dev A contract of its own rather than functions on the WorkloadRegistry: the registry is 500 bytes
/// under the 24,576-byte code limit, and nothing on the verdict path reads the list. It keeps no roles of
/// its own: ownership, GOVERNOR_ROLE and the policy delay are the WorkloadRegistry's, read when called.
contract CpakAllowList is ICpakAllowList {
    /// @notice Most CPAK identities on one workload's list (cpaksOf returns them all).
    uint256 public constant MAX_CPAKS = 32;
    /// @notice The WorkloadRegistry's governor role.
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");

    /// @dev One slot. index: the entry's position in _lists plus one (0: not listed).
    struct CpakRecord {
        uint40 addedAt;
        uint40 effectiveAt;
        uint8 index;
    }

    IWorkloadRegistry private immutable WORKLOADS;

    mapping(bytes32 workloadId => mapping(bytes32 cpakId => CpakRecord)) private _cpaks;
    mapping(bytes32 workloadId => bytes32[]) private _lists;

    /// @param workloadRegistry_ The WorkloadRegistry that governs the lists.
    constructor(IWorkloadRegistry workloadRegistry_) {
        if (address(workloadRegistry_) == address(0)) revert CpakAllowListZeroAddress();
        WORKLOADS = workloadRegistry_;
    }

    /// @inheritdoc ICpakAllowList
    function allowCpak(bytes32 workloadId, bytes32 cpakId) external returns (uint64 effectiveAt) {
        address owner = _ownerOf(workloadId);
        if (msg.sender != owner) revert CpakAllowListNotOwner(workloadId, owner, msg.sender);
        if (cpakId == 0) revert CpakAllowListZeroCpak();
        if (_cpaks[workloadId][cpakId].index != 0) revert CpakAllowListCpakExists(workloadId, cpakId);
        bytes32[] storage list = _lists[workloadId];
        // solhint-disable-next-line gas-strict-inequalities
        if (list.length >= MAX_CPAKS) revert CpakAllowListFull(workloadId, MAX_CPAKS);
        // Trusting another platform key loosens the policy: delayed like a new measurement.
        effectiveAt = uint64(block.timestamp) + WORKLOADS.policyDelay();
        list.push(cpakId);
        _cpaks[workloadId][cpakId] = CpakRecord({
            addedAt: uint40(block.timestamp),
            effectiveAt: uint40(effectiveAt),
            index: uint8(list.length)
        });
        emit CpakAllowed(workloadId, cpakId, effectiveAt, msg.sender);
    }

    /// @inheritdoc ICpakAllowList
    function disallowCpak(bytes32 workloadId, bytes32 cpakId) external {
        address owner = _ownerOf(workloadId);
        if (msg.sender != owner && !IAccessControl(address(WORKLOADS)).hasRole(GOVERNOR_ROLE, msg.sender)) {
            revert CpakAllowListNotOwnerOrGovernor(workloadId, owner, msg.sender);
        }
        uint256 index = _cpaks[workloadId][cpakId].index;
        if (index == 0) revert CpakAllowListUnknownCpak(workloadId, cpakId);
        // Swap with the last entry and pop: the list stays dense and bounded.
        bytes32[] storage list = _lists[workloadId];
        bytes32 last = list[list.length - 1];
        if (last != cpakId) {
            list[index - 1] = last;
            _cpaks[workloadId][last].index = uint8(index);
        }
        list.pop();
        delete _cpaks[workloadId][cpakId];
        emit CpakDisallowed(workloadId, cpakId, msg.sender);
    }

    /// @inheritdoc ICpakAllowList
    function cpakOf(bytes32 workloadId, bytes32 cpakId) external view returns (CpakInfo memory info) {
        CpakRecord memory c = _cpaks[workloadId][cpakId];
        info.listed = c.index != 0;
        info.addedAt = c.addedAt;
        info.effectiveAt = c.effectiveAt;
    }

    /// @inheritdoc ICpakAllowList
    function cpaksOf(
        bytes32 workloadId
    ) external view returns (bytes32[] memory cpakIds, uint64[] memory effectiveAts) {
        cpakIds = _lists[workloadId];
        uint256 n = cpakIds.length;
        effectiveAts = new uint64[](n);
        for (uint256 i = 0; i < n; ++i) {
            effectiveAts[i] = _cpaks[workloadId][cpakIds[i]].effectiveAt;
        }
    }

    /// @inheritdoc ICpakAllowList
    function workloadRegistry() external view returns (IWorkloadRegistry) {
        return WORKLOADS;
    }

    /// @dev The owner in force now (a transfer counts once it took effect, as in the WorkloadRegistry).
    function _ownerOf(bytes32 workloadId) private view returns (address owner) {
        owner = WORKLOADS.workloadOf(workloadId).owner;
        if (owner == address(0)) revert CpakAllowListUnknownWorkload(workloadId);
    }
}
