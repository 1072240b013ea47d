// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IKeepAdminRules} from "../interfaces/IKeepAdminRules.sol";
import {KeepTypes} from "../libraries/KeepTypes.sol";

/// @title KeepAdminRules
/// @notice AccessControlDefaultAdminRules with keepledger's production floor on the admin delay: the
/// admin role has exactly one holder, moves only by beginDefaultAdminTransfer + acceptDefaultAdminTransfer
/// (after the delay), and a non-dev deployment can neither start with nor change to a delay under
/// KeepTypes.MIN_PRODUCTION_ADMIN_DELAY.
abstract contract KeepAdminRules is IKeepAdminRules, AccessControlDefaultAdminRules {
    uint48 private immutable ADMIN_DELAY_FLOOR;

    /// @param adminDelay The initial admin delay, in seconds.
    /// @param admin The only DEFAULT_ADMIN_ROLE holder.
    /// @param dev Whether this is a development deployment (no floor).
    constructor(uint48 adminDelay, address admin, bool dev) AccessControlDefaultAdminRules(adminDelay, admin) {
        uint48 floor = dev ? 0 : KeepTypes.MIN_PRODUCTION_ADMIN_DELAY;
        ADMIN_DELAY_FLOOR = floor;
        if (adminDelay < floor) revert KeepAdminRulesDelayBelowFloor(adminDelay, floor);
    }

    /// @inheritdoc IKeepAdminRules
    function adminDelayFloor() external view returns (uint48) {
        return ADMIN_DELAY_FLOOR;
    }

    /// @dev Every admin delay change (changeDefaultAdminDelay) is checked against the floor.
    function _changeDefaultAdminDelay(uint48 newDelay) internal virtual override {
        if (newDelay < ADMIN_DELAY_FLOOR) revert KeepAdminRulesDelayBelowFloor(newDelay, ADMIN_DELAY_FLOOR);
        super._changeDefaultAdminDelay(newDelay);
    }
}
