// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @title IKeepAdminRules
/// @notice The DEFAULT_ADMIN_ROLE rules every keepledger contract with an admin shares: the admin moves in
/// two steps (OpenZeppelin AccessControlDefaultAdminRules: begin, then accept after the admin delay), and
/// a production (non-dev) deployment never runs with an admin delay under the floor.
interface IKeepAdminRules {
    /// @notice The admin delay is under the production floor (`min`; 0 on dev deployments).
    error KeepAdminRulesDelayBelowFloor(uint48 delay, uint48 min);

    /// @notice The lowest admin delay this deployment accepts (0 on dev deployments).
    /// @return The floor, in seconds.
    function adminDelayFloor() external view returns (uint48);
}
