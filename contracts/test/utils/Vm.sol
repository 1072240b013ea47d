// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @title Vm
/// @notice The subset of the Foundry cheatcode interface these tests use; Hardhat's Solidity test
/// runner (EDR) serves it at 0x7109709ECfa91a80626fF3989D68f67F5b1DD12D. There is no forge-std here.
// solhint-disable-next-line interface-starts-with-i
interface Vm {
    /// @notice Sets block.timestamp.
    function warp(uint256 timestamp) external;
    /// @notice Sets block.number.
    function roll(uint256 blockNumber) external;
    /// @notice The current block.timestamp. Use it instead of block.timestamp after warp: with viaIR the
    /// optimizer may reuse a timestamp read before the warp.
    function getBlockTimestamp() external view returns (uint256);
    /// @notice The current block.number (see getBlockTimestamp).
    function getBlockNumber() external view returns (uint256);
    /// @notice The next call comes from `sender`.
    function prank(address sender) external;
    /// @notice The next call must revert with exactly `revertData`.
    function expectRevert(bytes calldata revertData) external;
    /// @notice Signs a digest with a private key.
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    /// @notice The address of a private key.
    function addr(uint256 privateKey) external pure returns (address);
    /// @notice The next call must emit, from `emitter`, the event emitted right after this one (the topics
    /// and data flagged are compared).
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData, address emitter) external;
    /// @notice Discards a fuzz run whose inputs do not satisfy `condition`.
    function assume(bool condition) external pure;
}
