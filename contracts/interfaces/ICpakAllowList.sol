// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IWorkloadRegistry} from "./IWorkloadRegistry.sol";

/// @title ICpakAllowList
/// @notice Per workload, the Arm CCA platform attestation keys (CPAKs) its validators may accept. Arm CCA
/// has no public vendor PKI to pin: a platform is trusted because the workload's policy lists the key that
/// signs its platform tokens. Only the key's identity is on-chain (docs/ids.md, "CPAK identity": sha256 of
/// its SubjectPublicKeyInfo DER); the key itself is collateral. Governed like the workload's policy, by the
/// WorkloadRegistry's owner, GOVERNOR_ROLE and policy delay: allowing a key loosens the policy and waits
/// for the policy delay, disallowing tightens it and is immediate. The chain does not read the list when
/// it finalizes verdicts (validators apply it), so verdicts already finalized are never affected.
interface ICpakAllowList {
    /// @notice An allowed CPAK of a workload, as stored (a view's return value).
    struct CpakInfo {
        bool listed;
        uint64 addedAt;
        uint64 effectiveAt;
    }

    /// @notice A CPAK identity must not be zero.
    error CpakAllowListZeroCpak();
    /// @notice The CPAK identity is already on the workload's list (in force or pending).
    error CpakAllowListCpakExists(bytes32 workloadId, bytes32 cpakId);
    /// @notice The CPAK identity is not on the workload's list.
    error CpakAllowListUnknownCpak(bytes32 workloadId, bytes32 cpakId);
    /// @notice The workload's list already holds `max` entries.
    error CpakAllowListFull(bytes32 workloadId, uint256 max);
    /// @notice The workload is not registered in the WorkloadRegistry.
    error CpakAllowListUnknownWorkload(bytes32 workloadId);
    /// @notice Only the workload's owner may allow a CPAK.
    error CpakAllowListNotOwner(bytes32 workloadId, address owner, address caller);
    /// @notice Only the workload's owner or a GOVERNOR_ROLE holder of the WorkloadRegistry may disallow one.
    error CpakAllowListNotOwnerOrGovernor(bytes32 workloadId, address owner, address caller);
    /// @notice The WorkloadRegistry address was zero.
    error CpakAllowListZeroAddress();

    /// @notice A CPAK identity was put on the workload's list; validators accept platform tokens it signs
    /// from `effectiveAt` (now + the policy delay in force) on.
    event CpakAllowed(bytes32 indexed workloadId, bytes32 indexed cpakId, uint64 effectiveAt, address indexed actor);
    /// @notice A CPAK identity was taken off the workload's list, at once.
    event CpakDisallowed(bytes32 indexed workloadId, bytes32 indexed cpakId, address indexed actor);

    /// @notice Allows a CPAK for the workload (its owner in the WorkloadRegistry only), from now +
    /// the WorkloadRegistry's policyDelay() on.
    /// @param workloadId The workload.
    /// @param cpakId sha256 of the CPAK's SubjectPublicKeyInfo DER.
    /// @return effectiveAt When validators start accepting it.
    function allowCpak(bytes32 workloadId, bytes32 cpakId) external returns (uint64 effectiveAt);

    /// @notice Takes a CPAK off the workload's list, at once, also a pending one (the workload's owner or a
    /// GOVERNOR_ROLE holder of the WorkloadRegistry).
    /// @param workloadId The workload.
    /// @param cpakId The CPAK identity.
    function disallowCpak(bytes32 workloadId, bytes32 cpakId) external;

    /// @notice One entry of the workload's list.
    /// @param workloadId The workload.
    /// @param cpakId The CPAK identity.
    /// @return The entry (listed is false when absent; in force when effectiveAt <= block.timestamp).
    function cpakOf(bytes32 workloadId, bytes32 cpakId) external view returns (CpakInfo memory);

    /// @notice The workload's list, entries in force and pending (at most MAX_CPAKS).
    /// @param workloadId The workload.
    /// @return cpakIds The identities.
    /// @return effectiveAts When each one is (or was) in force from.
    function cpaksOf(bytes32 workloadId) external view returns (bytes32[] memory cpakIds, uint64[] memory effectiveAts);

    /// @notice The WorkloadRegistry whose owners, governors and policy delay govern the list.
    /// @return The WorkloadRegistry.
    function workloadRegistry() external view returns (IWorkloadRegistry);
}
