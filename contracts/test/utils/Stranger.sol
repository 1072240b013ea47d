// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

// Low-level calls that observe success are the point of this helper.
// solhint-disable avoid-low-level-calls

import {IAttestationRegistry} from "../../interfaces/IAttestationRegistry.sol";
import {IValidatorSet} from "../../interfaces/IValidatorSet.sol";

/// @notice Someone without GOVERNOR_ROLE, to show that only governance lifts a revocation.
contract Stranger {
    /// @notice Tries to lift a subject revocation.
    /// @param registry The registry.
    /// @param subject The subject.
    /// @param workloadId The workload.
    /// @return ok Whether the call succeeded.
    /// @return data What it returned or reverted with.
    function lift(
        IAttestationRegistry registry,
        address subject,
        bytes32 workloadId
    ) external returns (bool ok, bytes memory data) {
        return address(registry).call(abi.encodeCall(registry.liftSubjectRevocation, (subject, workloadId)));
    }

    /// @notice Tries to reinstate a validator.
    /// @param set The validator set.
    /// @param validator The validator.
    /// @return ok Whether the call succeeded.
    /// @return data What it returned or reverted with.
    function reinstate(IValidatorSet set, address validator) external returns (bool ok, bytes memory data) {
        return address(set).call(abi.encodeCall(set.reinstateValidator, (validator)));
    }
}
