// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

// Test code: long assertion messages, non-strict bounds as specified and low-level calls that observe
// success are the point here, not gas.
// solhint-disable gas-small-strings, gas-strict-inequalities, avoid-low-level-calls

import {IValidatorSet} from "../interfaces/IValidatorSet.sol";
import {KeepTypes, LoggingProfile, TeeKind, Verdict} from "../libraries/KeepTypes.sol";
import {KeepFixture} from "./utils/KeepFixture.sol";

/// @notice Invariants of the ValidatorSet, fuzzed: governance delays and the counting rule.
contract ValidatorSetTest is KeepFixture {
    string internal constant ENDPOINT = "https://validator.example";

    /// @notice Nothing a governor schedules takes effect before its effectiveAt, and all of it does at it.
    function testFuzzNothingTakesEffectBeforeEffectiveAt(uint32 delaySeed, uint32 probeSeed) public {
        uint64 delay = uint64(bound(delaySeed, KeepTypes.MIN_PRODUCTION_GOVERNANCE_DELAY, 30 days - 1));
        _deploy(false, 1 days, delay);
        address v0 = _validator(0);
        address v1 = _validator(1);
        uint256 t0 = _now();

        uint64 at = validatorSet.bootstrapValidator(v0, ENDPOINT, LoggingProfile.Production);
        assertEq(at, t0 + delay, "bootstrap effectiveAt");
        assertEq(validatorSet.addValidator(v1, ENDPOINT, LoggingProfile.Production), at, "add effectiveAt");
        assertEq(validatorSet.setThreshold(1), at, "threshold effectiveAt");
        assertEq(validatorSet.setLoggingProfile(v0, LoggingProfile.Staging), at, "profile effectiveAt");
        assertEq(validatorSet.setValidatorWorkload(bytes32(uint256(7))), at, "workload effectiveAt");
        assertEq(validatorSet.setGovernanceDelay(delay + 1), at, "a delay change waits for the current delay");

        vm.warp(t0 + (probeSeed % delay));
        assertFalse(validatorSet.isCounting(v0), "not active before effectiveAt");
        assertEq(validatorSet.threshold(), 0, "threshold before");
        (uint16 pendingK, uint64 pendingAt) = validatorSet.pendingThreshold();
        assertEq(pendingK, 1, "pending threshold visible");
        assertEq(pendingAt, at, "pending threshold effectiveAt");
        assertEq(
            uint8(validatorSet.validatorOf(v0).loggingProfile),
            uint8(LoggingProfile.Production),
            "profile before"
        );
        assertEq(validatorSet.validatorWorkload(), bytes32(0), "workload before");
        assertEq(validatorSet.governanceDelay(), delay, "delay before");

        vm.warp(at);
        assertTrue(validatorSet.isCounting(v0), "bootstrapped validator counts at effectiveAt");
        assertFalse(validatorSet.isCounting(v1), "an added validator also needs its own verdict");
        assertEq(validatorSet.threshold(), 1, "threshold at");
        assertEq(uint8(validatorSet.validatorOf(v0).loggingProfile), uint8(LoggingProfile.Staging), "profile at");
        assertEq(validatorSet.validatorWorkload(), bytes32(uint256(7)), "workload at");
        assertEq(validatorSet.governanceDelay(), delay + 1, "delay at");

        // The bootstrap closes and the removal happens one (new) delay later, not before.
        uint64 closesAt = validatorSet.closeBootstrap();
        assertEq(closesAt, at + delay + 1, "close effectiveAt uses the new delay");
        vm.warp(closesAt);
        uint64 removedAt = validatorSet.removeValidator(v1);
        vm.warp(closesAt - 1);
        assertTrue(validatorSet.isCounting(v0), "bootstrap still open before closesAt");
        vm.warp(closesAt);
        assertFalse(validatorSet.isCounting(v0), "bootstrap closed at closesAt");
        vm.warp(removedAt - 1);
        assertEq(validatorSet.validators().length, 2, "a removed validator is listed until its removal takes effect");
        vm.warp(removedAt);
        assertEq(validatorSet.validators().length, 1, "and then dropped from the list");
    }

    /// @notice signerStatuses (assembly over the raw slot) and isCounting (Solidity over the struct)
    /// agree for every validator, through random governance, attachments, revocations and time.
    function testFuzzSignerStatusesAgreeWithIsCounting(uint256 seed) public {
        _deployWithWorkload();
        bytes32 validatorWorkload = workloads.registerWorkload("validator", "");
        bytes32 measurement = workloads.addMeasurement(
            validatorWorkload,
            1,
            TeeKind.Sgx,
            _sgxValue(bytes32(uint256(0xBA)))
        );
        validatorSet.setValidatorWorkload(validatorWorkload);
        _bootstrap(4, 2);
        validatorSet.setGovernanceDelay(uint64(seed % 3 days));
        // Validators 4..7 join with their own verdicts of random lifetimes.
        bytes32[8] memory own;
        for (uint256 i = 4; i < 8; ++i) {
            validatorSet.addValidator(_validator(i), ENDPOINT, LoggingProfile.Production);
            Verdict memory v = _verdict(_validator(i), i);
            v.workloadId = validatorWorkload;
            v.measurementHash = measurement;
            v.expiresAt = uint64(_now() + 1 + (uint256(keccak256(abi.encode(seed, i))) % 2 days));
            own[i] = _finalize(v, _firstKeys(2));
            validatorSet.attachVerdict(_validator(i), v);
        }
        for (uint256 step = 0; step < 12; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            uint256 who = r % 8;
            uint256 op = (r >> 8) % 6;
            if (op == 0 && validatorSet.validatorOf(_validator(who)).registered && validatorSet.registeredCount() > 2) {
                validatorSet.removeValidator(_validator(who));
            } else if (op == 1 && who > 3) {
                if (!registry.verdictOf(own[who]).revoked) registry.revokeVerdict(own[who], "fuzz");
            } else if (op == 2) {
                (, uint64 closesAt) = validatorSet.bootstrapStatus();
                if (closesAt == 0) validatorSet.closeBootstrap();
            } else if (op == 3 && step == 11 && !workloads.measurementOf(validatorWorkload, measurement).revoked) {
                workloads.revokeMeasurement(validatorWorkload, measurement);
            } else {
                _skip((r >> 16) % 1 days);
            }
            _assertAgreement();
        }
    }

    function _assertAgreement() internal view {
        address[] memory one = new address[](1);
        for (uint256 i = 0; i < 9; ++i) {
            one[0] = _validator(i);
            (, uint256 unknown, uint256 inactive) = validatorSet.signerStatuses(one);
            bool counting = validatorSet.isCounting(one[0]);
            assertEq(unknown | inactive == 0, counting, "signerStatuses agrees with isCounting");
            assertEq(unknown == 1, validatorSet.validatorOf(one[0]).activeFrom == 0, "unknown means no record");
        }
    }

    /// @notice The threshold always stays within 1..registered validators.
    function testFuzzThresholdStaysInRange(uint8 n, uint8 k, uint8 removals) public {
        _deploy(true, 0, 0);
        uint256 count = bound(n, 1, 10);
        for (uint256 i = 0; i < count; ++i)
            validatorSet.addValidator(_validator(i), ENDPOINT, LoggingProfile.Production);
        uint16 want = uint16(bound(k, 0, count + 2));
        (bool ok, ) = address(validatorSet).call(abi.encodeCall(validatorSet.setThreshold, (want)));
        assertEq(ok, want >= 1 && want <= count, "setThreshold accepts exactly 1..registered");
        for (uint256 i = 0; i < bound(removals, 0, count); ++i) {
            (ok, ) = address(validatorSet).call(abi.encodeCall(validatorSet.removeValidator, (_validator(i))));
            uint16 k_ = validatorSet.threshold();
            assertTrue(k_ <= validatorSet.registeredCount(), "threshold never exceeds the registered count");
            if (!ok) {
                assertEq(validatorSet.registeredCount(), k_, "a removal is refused only when it would break k");
            }
        }
    }

    /// @notice The list is capped; removed validators whose removal is in effect make room.
    function testCapAndPruning() public {
        _deploy(true, 0, 0);
        uint256 cap = validatorSet.MAX_VALIDATORS();
        for (uint256 i = 0; i < cap; ++i) validatorSet.addValidator(_validator(i), ENDPOINT, LoggingProfile.Production);
        vm.expectRevert(abi.encodeWithSelector(IValidatorSet.ValidatorSetTooManyValidators.selector, cap));
        validatorSet.addValidator(_validator(cap), ENDPOINT, LoggingProfile.Production);
        validatorSet.removeValidator(_validator(3));
        validatorSet.addValidator(_validator(cap), ENDPOINT, LoggingProfile.Production);
        assertEq(validatorSet.validators().length, cap, "full again");
        assertEq(validatorSet.validatorOf(_validator(3)).activeFrom, 0, "the pruned record is gone");
    }

    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        return min + (x % (max - min + 1));
    }
}
