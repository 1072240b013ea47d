// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

// Test code: long assertion messages and non-strict bounds as specified are the point here, not gas.
// solhint-disable gas-small-strings, gas-strict-inequalities, gas-increment-by-one

import {IAccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/IAccessControlDefaultAdminRules.sol";
import {AttestationRegistry} from "../AttestationRegistry.sol";
import {ValidatorSet} from "../ValidatorSet.sol";
import {WorkloadRegistry} from "../WorkloadRegistry.sol";
import {IKeepAdminRules} from "../interfaces/IKeepAdminRules.sol";
import {IValidatorSet} from "../interfaces/IValidatorSet.sol";
import {IWorkloadRegistry} from "../interfaces/IWorkloadRegistry.sol";
import {KeepTypes, Policy, SnpTcb, TeeKind, Verdict} from "../libraries/KeepTypes.sol";
import {KeepFixture} from "./utils/KeepFixture.sol";

/// @notice Tightening is immediate, loosening is delayed; delays have production floors; the admin moves
/// in two steps. Fuzzed over the field that changes, the delay and the moment probed.
contract GovernanceTest is KeepFixture {
    /// @dev How many single-field loosenings _loosen knows.
    uint8 internal constant LOOSENINGS = 22;
    /// @dev How many single-field tightenings _tighten knows (one bit each in a mask).
    uint8 internal constant TIGHTENINGS = 20;

    // ===== Policies =====

    /// @notice A policy looser than the one in force in any single field never takes effect before the
    /// policy delay, and does at its effectiveAt.
    function testFuzzLooserPolicyNeverBeforeDelay(uint8 fieldSeed, uint32 delaySeed, uint32 probeSeed) public {
        uint64 delay = uint64(bound(delaySeed, 1, 30 days));
        bytes32 id = _workloadWithBase(delay);
        Policy memory base = _base();
        Policy memory looser = _loosen(_base(), fieldSeed % LOOSENINGS);
        uint256 t0 = _now();
        uint64 at = workloads.schedulePolicy(id, looser);
        assertEq(at, t0 + delay, "a looser policy waits for the delay");

        vm.warp(t0 + (probeSeed % delay));
        (Policy memory inForce, uint64 since) = workloads.policyOf(id);
        assertEq(keccak256(abi.encode(inForce)), keccak256(abi.encode(base)), "the stricter policy stays in force");
        assertEq(since, t0, "in force since it was set");
        (Policy memory pending, uint64 pendingAt) = workloads.pendingPolicyOf(id);
        assertEq(keccak256(abi.encode(pending)), keccak256(abi.encode(looser)), "the looser one is visible as pending");
        assertEq(pendingAt, at, "with its effectiveAt");

        vm.warp(at);
        (inForce, ) = workloads.policyOf(id);
        assertEq(keccak256(abi.encode(inForce)), keccak256(abi.encode(looser)), "in force at effectiveAt");
    }

    /// @notice A policy no looser than the one in force in every field (any mix of tightenings) is in
    /// force at once, and replaces a looser policy still pending.
    function testFuzzTighterPolicyIsImmediate(uint32 mask, uint32 delaySeed, bool loosePending) public {
        uint64 delay = uint64(bound(delaySeed, 1, 30 days));
        bytes32 id = _workloadWithBase(delay);
        if (loosePending) workloads.schedulePolicy(id, _loosen(_base(), 5));
        Policy memory tighter = _base();
        for (uint8 i = 0; i < TIGHTENINGS; ++i) {
            if ((mask >> i) & 1 == 1) tighter = _tighten(tighter, i);
        }
        uint256 t0 = _now();
        assertEq(workloads.schedulePolicy(id, tighter), t0, "in force at once");
        (Policy memory inForce, uint64 since) = workloads.policyOf(id);
        assertEq(keccak256(abi.encode(inForce)), keccak256(abi.encode(tighter)), "the tighter policy is in force");
        assertEq(since, t0, "since now");
        (, uint64 pendingAt) = workloads.pendingPolicyOf(id);
        assertEq(pendingAt, 0, "nothing pending any more");
        _skip(delay);
        (inForce, ) = workloads.policyOf(id);
        assertEq(keccak256(abi.encode(inForce)), keccak256(abi.encode(tighter)), "and stays in force");
    }

    // ===== Measurements and owners =====

    /// @notice A new measurement cannot carry a verdict before its effectiveAt (typed error naming it); it
    /// can from then on. Revoking is immediate, also before effectiveAt.
    function testFuzzNewMeasurementUnusableBeforeEffectiveAt(uint32 delaySeed, uint32 probeSeed) public {
        uint64 delay = uint64(bound(delaySeed, 1, 30 days));
        _deploy(true, delay, 0);
        _bootstrap(3, 2);
        workloadId = workloads.registerWorkload("app", "");
        uint256 t0 = _now();
        sgxMeasurement = workloads.addMeasurement(workloadId, 1, TeeKind.Sgx, _sgxValue(bytes32(uint256(0xE1))));
        uint64 at = uint64(t0 + delay);
        assertEq(workloads.measurementOf(workloadId, sgxMeasurement).effectiveAt, at, "effectiveAt stored");

        vm.warp(t0 + (probeSeed % delay));
        vm.roll(START_BLOCK + 1);
        Verdict memory v = _verdict(address(0xBEEF), 1);
        bytes memory signatures = _signVerdict(v, _firstKeys(2));
        bytes memory notYet = abi.encodeWithSelector(
            IWorkloadRegistry.WorkloadRegistryMeasurementNotYetEffective.selector,
            workloadId,
            sgxMeasurement,
            at
        );
        vm.expectRevert(notYet);
        workloads.verdictContext(workloadId, sgxMeasurement);
        vm.expectRevert(notYet);
        registry.finalizeVerdict(v, block.chainid, address(registry), signatures);

        vm.warp(at);
        v = _verdict(address(0xBEEF), 2);
        _finalize(v, _firstKeys(2));
        (bool attested, , ) = registry.isAttested(address(0xBEEF), workloadId);
        assertTrue(attested, "usable at effectiveAt");
    }

    /// @notice An accepted ownership transfer takes effect after the policy delay; until then the previous
    /// owner governs (and may cancel).
    function testFuzzOwnershipAcceptanceWaitsForDelay(uint32 delaySeed, uint32 probeSeed) public {
        uint64 delay = uint64(bound(delaySeed, KeepTypes.MIN_PRODUCTION_POLICY_DELAY, 30 days));
        _deploy(false, delay, 1 days);
        bytes32 id = workloads.registerWorkload("app", "");
        address next = address(0xB0B);
        workloads.transferWorkloadOwnership(id, next);
        uint256 t0 = _now();
        vm.prank(next);
        uint64 at = workloads.acceptWorkloadOwnership(id);
        assertEq(at, t0 + delay, "effective after the delay");

        vm.warp(t0 + (probeSeed % delay));
        IWorkloadRegistry.WorkloadInfo memory info = workloads.workloadOf(id);
        assertEq(info.owner, address(this), "the previous owner still owns it");
        assertEq(info.pendingOwner, next, "the new owner is pending");
        assertEq(info.pendingOwnerEffectiveAt, at, "with its effectiveAt");
        vm.prank(next);
        vm.expectRevert(
            abi.encodeWithSelector(IWorkloadRegistry.WorkloadRegistryNotOwner.selector, id, address(this), next)
        );
        workloads.setWorkloadMetadata(id, "ipfs://mine");

        vm.warp(at);
        info = workloads.workloadOf(id);
        assertEq(info.owner, next, "owner at effectiveAt");
        assertEq(info.pendingOwner, address(0), "nothing pending");
        vm.prank(next);
        workloads.setWorkloadMetadata(id, "ipfs://mine");
    }

    // ===== Floors and admin =====

    /// @notice A production deployment refuses a policy, governance or admin delay under the floor, at
    /// construction and in the setters; a dev deployment accepts it.
    function testFuzzProductionDelaysHaveAFloor(uint32 delaySeed) public {
        uint64 delay = delaySeed % KeepTypes.MIN_PRODUCTION_POLICY_DELAY;
        uint48 adminDelay = uint48(delay);
        uint48 adminFloor = KeepTypes.MIN_PRODUCTION_ADMIN_DELAY;
        bytes memory policyFloor = abi.encodeWithSelector(
            IWorkloadRegistry.WorkloadRegistryPolicyDelay.selector,
            delay,
            KeepTypes.MIN_PRODUCTION_POLICY_DELAY,
            30 days
        );
        bytes memory governanceFloor = abi.encodeWithSelector(
            IValidatorSet.ValidatorSetGovernanceDelay.selector,
            delay,
            KeepTypes.MIN_PRODUCTION_GOVERNANCE_DELAY,
            30 days
        );
        bytes memory adminBelow = abi.encodeWithSelector(
            IKeepAdminRules.KeepAdminRulesDelayBelowFloor.selector,
            adminDelay,
            adminFloor
        );

        vm.expectRevert(policyFloor);
        new WorkloadRegistry(address(this), address(this), false, delay, adminFloor);
        vm.expectRevert(adminBelow);
        new WorkloadRegistry(address(this), address(this), false, 1 days, adminDelay);
        vm.expectRevert(governanceFloor);
        new ValidatorSet(address(this), address(this), false, delay, bytes32(0), adminFloor);
        vm.expectRevert(adminBelow);
        new ValidatorSet(address(this), address(this), false, 1 days, bytes32(0), adminDelay);

        _deploy(false, 1 days, 1 days);
        vm.expectRevert(adminBelow);
        new AttestationRegistry(address(this), address(this), workloads, validatorSet, adminDelay);
        vm.expectRevert(policyFloor);
        workloads.setPolicyDelay(delay);
        vm.expectRevert(governanceFloor);
        validatorSet.setGovernanceDelay(delay);
        address[3] memory contracts = [address(workloads), address(validatorSet), address(registry)];
        for (uint256 i = 0; i < 3; ++i) {
            assertEq(IKeepAdminRules(contracts[i]).adminDelayFloor(), adminFloor, "production floor");
            vm.expectRevert(adminBelow);
            IAccessControlDefaultAdminRules(contracts[i]).changeDefaultAdminDelay(adminDelay);
        }

        _deploy(true, delay, delay);
        workloads.setPolicyDelay(delay);
        validatorSet.setGovernanceDelay(delay);
        new AttestationRegistry(address(this), address(this), workloads, validatorSet, adminDelay);
        assertEq(IKeepAdminRules(address(registry)).adminDelayFloor(), 0, "no floor on dev deployments");
    }

    /// @notice DEFAULT_ADMIN_ROLE is never granted in one step; begin + accept works only after the delay.
    function testFuzzAdminMovesInTwoSteps(uint160 adminSeed, uint32 waitSeed) public {
        address next = address(uint160(bound(adminSeed, 0x10000, type(uint160).max)));
        _deploy(false, 1 days, 1 days);
        address[3] memory contracts = [address(workloads), address(validatorSet), address(registry)];
        for (uint256 i = 0; i < 3; ++i) {
            IAccessControlDefaultAdminRules c = IAccessControlDefaultAdminRules(contracts[i]);
            vm.expectRevert(
                abi.encodeWithSelector(IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminRules.selector)
            );
            c.grantRole(bytes32(0), next);

            uint256 t0 = _now();
            c.beginDefaultAdminTransfer(next);
            (address pending, uint48 schedule) = c.pendingDefaultAdmin();
            assertEq(pending, next, "pending admin");
            assertEq(schedule, t0 + 1 days, "after the admin delay");
            vm.warp(t0 + (waitSeed % (1 days + 1)));
            vm.prank(next);
            vm.expectRevert(
                abi.encodeWithSelector(
                    IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminDelay.selector,
                    schedule
                )
            );
            c.acceptDefaultAdminTransfer();
            assertEq(c.defaultAdmin(), address(this), "the old admin until accepted after the delay");

            vm.warp(uint256(schedule) + 1);
            vm.prank(next);
            c.acceptDefaultAdminTransfer();
            assertEq(c.defaultAdmin(), next, "the new admin");
            assertFalse(c.hasRole(bytes32(0), address(this)), "the old admin lost the role");
            vm.warp(t0);
        }
    }

    // ===== Helpers =====

    /// @dev A dev deployment (so dev and unbound can be loosened) with a policy delay, and a workload whose
    /// policy in force is _base() (stricter than the default in every field, so in force at once).
    function _workloadWithBase(uint64 delay) internal returns (bytes32 id) {
        _deploy(true, delay, 0);
        id = workloads.registerWorkload("app", "");
        assertEq(workloads.schedulePolicy(id, _base()), _now(), "the base policy is tighter than the default");
    }

    function _base() internal pure returns (Policy memory p) {
        p = _defaultPolicy();
        p.allowedTees = 0x0c;
        p.acceptedTcbStatuses = 0x02;
        p.deniedAmdProductLines = KeepTypes.AMD_MILAN;
        p.maxEvidenceAge = 30 minutes;
        p.verdictLifetime = 1 days;
        p.deniedAdvisories = new string[](2);
        p.deniedAdvisories[0] = "INTEL-SA-00615";
        p.deniedAdvisories[1] = "INTEL-SA-00657";
        p.deniedFmspcs = new bytes6[](2);
        p.deniedFmspcs[0] = bytes6(0x00906ed50000);
        p.deniedFmspcs[1] = bytes6(0x00a06f000000);
        p.launch.snpMinTcbMilan = SnpTcb({bootloader: 3, tee: 0, snp: 8, microcode: 115, fmc: 0});
        p.launch.snpMinTcbGenoa = SnpTcb({bootloader: 9, tee: 0, snp: 23, microcode: 72, fmc: 0});
        p.launch.snpMinTcbTurin = SnpTcb({bootloader: 1, tee: 1, snp: 1, microcode: 1, fmc: 1});
        p.launch.snpRequireSmtOff = true;
        p.launch.tdxAllowedTdAttributes = 1 << 28;
        p.launch.tdxAllowedXfam = 0xff;
        p.launch.sgxAllowedAttributes = 0x05;
        p.launch.sgxMinIsvSvn = 2;
    }

    function _loosen(Policy memory p, uint8 field) internal pure returns (Policy memory) {
        if (field == 0) p.allowedTees |= 0x10;
        else if (field == 1) p.acceptedTcbStatuses |= 0x04;
        else if (field == 2) p.dev = true;
        else if (field == 3) (p.dev, p.allowUnboundEvidence) = (true, true);
        else if (field == 4) p.deniedAmdProductLines = 0;
        else if (field == 5) p.maxEvidenceAge += 1;
        else if (field == 6) p.verdictLifetime += 1;
        else if (field == 7) p.tcbGracePeriod = 1;
        else if (field == 8) p.deniedAdvisories = _one("INTEL-SA-00615");
        else if (field == 9) p.deniedAdvisories[1] = "INTEL-SA-00999";
        else if (field == 10) p.deniedFmspcs = new bytes6[](1);
        else if (field == 11) p.launch.snpMinTcbGenoa.bootloader -= 1;
        else if (field == 12) p.launch.snpMinTcbMilan.microcode -= 1;
        else if (field == 13) p.launch.snpMinTcbTurin.fmc = 0;
        else if (field == 14) p.launch.snpAllowedVmpls = 3;
        else if (field == 15) p.launch.snpAllowMigrateMa = true;
        else if (field == 16) p.launch.snpRequireSmtOff = false;
        else if (field == 17) p.launch.tdxAllowedTdAttributes |= 1 << 30;
        else if (field == 18) p.launch.tdxAllowedXfam |= 0x100;
        else if (field == 19) p.launch.tdxOwnerConfigDigest = keccak256("owner config");
        else if (field == 20) p.launch.sgxAllowedAttributes |= 0x80;
        else p.launch.sgxMinIsvSvn -= 1;
        return p;
    }

    function _tighten(Policy memory p, uint8 field) internal pure returns (Policy memory) {
        if (field == 0) p.allowedTees = 0x08;
        else if (field == 1) p.acceptedTcbStatuses = 0x02;
        else if (field == 2) p.deniedAmdProductLines = KeepTypes.AMD_ALL;
        else if (field == 3) p.maxEvidenceAge -= 1;
        else if (field == 4) p.verdictLifetime -= 1;
        else if (field == 5) (p.deniedAdvisories, p.deniedFmspcs) = (_three(p.deniedAdvisories), p.deniedFmspcs);
        else if (field == 6) p.deniedFmspcs = _reversedPlusOne(p.deniedFmspcs);
        else if (field == 7) p.launch.snpMinTcbMilan.bootloader += 1;
        else if (field == 8) p.launch.snpMinTcbGenoa.snp += 1;
        else if (field == 9) p.launch.snpMinTcbTurin.fmc += 1;
        else if (field == 10) p.launch.snpMinTcbTurin.tee += 1;
        else if (field == 11) p.launch.snpRequireSmtOff = true;
        else if (field == 12) p.launch.tdxAllowedTdAttributes = 0;
        else if (field == 13) p.launch.tdxAllowedXfam = 0x0f;
        else if (field == 14) p.launch.sgxAllowedAttributes = 0x01;
        else if (field == 15) p.launch.sgxMinIsvSvn += 7;
        else if (field == 16) p.launch.snpMinTcbGenoa.microcode += 1;
        else if (field == 17) p.launch.snpMinTcbMilan.tee += 1;
        else if (field == 18) p.launch.snpMinTcbTurin.bootloader += 1;
        else p.launch.snpMinTcbGenoa.bootloader += 1;
        return p;
    }

    function _one(string memory a) internal pure returns (string[] memory list) {
        list = new string[](1);
        list[0] = a;
    }

    /// @dev The same advisories in another order, plus a third.
    function _three(string[] memory two) internal pure returns (string[] memory list) {
        list = new string[](3);
        list[0] = "INTEL-SA-00999";
        list[1] = two[1];
        list[2] = two[0];
    }

    /// @dev The same FMSPCs in another order, plus a third.
    function _reversedPlusOne(bytes6[] memory two) internal pure returns (bytes6[] memory list) {
        list = new bytes6[](3);
        list[0] = two[1];
        list[1] = bytes6(0x00606a000000);
        list[2] = two[0];
    }

    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        return min + (x % (max - min + 1));
    }
}
