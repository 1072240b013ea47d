// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {KeepHandler} from "./InvariantsHandler.t.sol";
import {KeepTest} from "./utils/KeepTest.sol";

/// @notice Stateful invariant fuzzing (forge-style, run by Hardhat's EDR): random sequences of the
/// handler's actions — governance, workload registration, finalization, revocation, time jumps — and
/// after every call the promises of docs/contracts.md and docs/governance.md, checked against the
/// handler's model. Figures and how each invariant was shown to fail: docs/contracts.md, "Invariants
/// under stateful fuzzing".
contract InvariantsTest is KeepTest {
    /// @notice forge-std's StdInvariant.FuzzSelector: which functions of a target the fuzzer calls.
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    KeepHandler internal handler;

    function setUp() public {
        handler = new KeepHandler();
    }

    /// @notice Only the handler is called (not the contracts it deployed: it holds their roles).
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @notice The handler's actions (its checks and getters are not actions).
    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        bytes4[] memory s = new bytes4[](8);
        s[0] = KeepHandler.warp.selector;
        s[1] = KeepHandler.roll.selector;
        s[2] = KeepHandler.finalizeVerdict.selector;
        s[3] = KeepHandler.finalizeBatch.selector;
        s[4] = KeepHandler.materializeVerdict.selector;
        s[5] = KeepHandler.replayVerdict.selector;
        s[6] = KeepHandler.governance.selector;
        s[7] = KeepHandler.revocation.selector;
        targets = new FuzzSelector[](1);
        targets[0] = FuzzSelector(address(handler), s);
    }

    /// @notice Every promise, after every call (one campaign checks them all; each assertion names its
    /// invariant).
    function invariantContractsKeepTheirPromises() public view {
        handler.checkExpiryAndLiveness();
        handler.checkQuorum();
        handler.checkDelays();
        handler.checkRevocations();
        handler.checkThresholdRange();
    }
}
