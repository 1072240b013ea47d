// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IKeepAttestation} from "../interfaces/IKeepAttestation.sol";

/// @title IsAttestedGasProbe
/// @notice Measures the gas of one isAttested call, for bench/gas.ts. Called with eth_call, so the
/// registry's account and slots are cold, as in a real transaction's first read.
/// @dev The window between the two gasleft() readings holds only the STATICCALL: the cold account access,
/// the registry's execution and returning. Encoding the arguments and decoding the answer happen outside
/// it (a Solidity consumer adds roughly 200 gas for those). eth_estimateGas of a whole transaction would
/// add the 21,000 intrinsic gas and calldata (see docs/contracts.md).
contract IsAttestedGasProbe {
    /// @notice The gas one isAttested call costs, measured with gasleft() around the STATICCALL.
    /// @param registry The registry.
    /// @param subject The subject to ask about.
    /// @param workloadId The workload to ask about.
    /// @return gasUsed Gas between just before and just after the call.
    /// @return ok What isAttested answered.
    function measure(
        IKeepAttestation registry,
        address subject,
        bytes32 workloadId
    ) external view returns (uint256 gasUsed, bool ok) {
        return _measure(registry, subject, workloadId);
    }

    /// @notice The gas of a first (cold) and a second (warm) isAttested call in the same call frame.
    /// @param registry The registry.
    /// @param subject The subject to ask about.
    /// @param workloadId The workload to ask about.
    /// @return cold Gas of the first call.
    /// @return warm Gas of the second call, with the account and slots already accessed.
    function measureTwice(
        IKeepAttestation registry,
        address subject,
        bytes32 workloadId
    ) external view returns (uint256 cold, uint256 warm) {
        (cold, ) = _measure(registry, subject, workloadId);
        (warm, ) = _measure(registry, subject, workloadId);
    }

    function _measure(
        IKeepAttestation registry,
        address subject,
        bytes32 workloadId
    ) private view returns (uint256 gasUsed, bool ok) {
        bytes memory data = abi.encodeCall(IKeepAttestation.isAttested, (subject, workloadId));
        bool success;
        uint256 before;
        uint256 remaining;
        assembly ("memory-safe") {
            before := gas()
            success := staticcall(gas(), registry, add(data, 0x20), mload(data), 0, 0)
            remaining := gas()
        }
        if (success) (ok, , ) = abi.decode(_returnData(), (bool, bytes32, uint64));
        gasUsed = before - remaining;
    }

    function _returnData() private pure returns (bytes memory out) {
        assembly ("memory-safe") {
            out := mload(0x40)
            mstore(out, returndatasize())
            returndatacopy(add(out, 0x20), 0, returndatasize())
            mstore(0x40, add(add(out, 0x20), returndatasize()))
        }
    }
}
