// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Vm} from "./Vm.sol";

/// @title KeepTest
/// @notice A tiny test base: the cheatcode handle and assertions that revert with what differed.
abstract contract KeepTest {
    /// @notice An assertion failed.
    error AssertionFailed(string what, bytes32 got, bytes32 want);

    // solhint-disable-next-line const-name-snakecase
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    function assertTrue(bool condition, string memory what) internal pure {
        if (!condition) revert AssertionFailed(what, bytes32(0), bytes32(uint256(1)));
    }

    function assertFalse(bool condition, string memory what) internal pure {
        if (condition) revert AssertionFailed(what, bytes32(uint256(1)), bytes32(0));
    }

    function assertEq(bytes32 got, bytes32 want, string memory what) internal pure {
        if (got != want) revert AssertionFailed(what, got, want);
    }

    function assertEq(uint256 got, uint256 want, string memory what) internal pure {
        if (got != want) revert AssertionFailed(what, bytes32(got), bytes32(want));
    }

    function assertEq(address got, address want, string memory what) internal pure {
        if (got != want) revert AssertionFailed(what, bytes32(uint256(uint160(got))), bytes32(uint256(uint160(want))));
    }

    function assertEq(bool got, bool want, string memory what) internal pure {
        if (got != want) revert AssertionFailed(what, bytes32(uint256(got ? 1 : 0)), bytes32(uint256(want ? 1 : 0)));
    }

    function assertEq(bytes memory got, bytes memory want, string memory what) internal pure {
        if (keccak256(got) != keccak256(want)) revert AssertionFailed(what, keccak256(got), keccak256(want));
    }

    /// @notice The revert data of a low-level call must be exactly `want` (a custom error with arguments).
    function assertRevertData(bool success, bytes memory got, bytes memory want, string memory what) internal pure {
        assertFalse(success, what);
        assertEq(got, want, what);
    }
}
