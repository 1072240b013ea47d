// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

// Test code: long assertion messages, non-strict bounds as specified and low-level calls that observe
// success are the point here, not gas.
// solhint-disable gas-small-strings, gas-strict-inequalities, avoid-low-level-calls

import {IWorkloadRegistry} from "../interfaces/IWorkloadRegistry.sol";
import {KeepIds} from "../libraries/KeepIds.sol";
import {KeepTypes, Policy, TeeKind} from "../libraries/KeepTypes.sol";
import {VerdictContext, VerdictContextLib} from "../libraries/VerdictContext.sol";
import {KeepFixture} from "./utils/KeepFixture.sol";

/// @notice Invariants of the WorkloadRegistry, fuzzed: measurement layouts and policy delays.
contract WorkloadRegistryTest is KeepFixture {
    /// @dev By TeeKind code.
    uint256[10] internal lengths = [0, 68, 240, 81, 144, 32, 96, 85, 385, 146];
    uint8[9] internal kinds = [1, 2, 3, 4, 5, 6, 7, 8, 9];

    function setUp() public {
        _deployWithWorkload();
    }

    /// @notice Every kind accepts exactly its own value length.
    function testFuzzMeasurementLengthIsChecked(uint8 teeSeed, uint16 length) public {
        uint8 tee = kinds[teeSeed % kinds.length];
        uint256 want = lengths[tee];
        length = uint16(length % 400);
        vm.assume(length != want);
        vm.expectRevert(
            abi.encodeWithSelector(IWorkloadRegistry.WorkloadRegistryMeasurementLength.selector, tee, want, length)
        );
        workloads.addMeasurement(workloadId, 2, TeeKind(tee), new bytes(length));
    }

    /// @notice An Azure CVM measurement (hardware ‖ measurement ‖ PCR mask ‖ PCR digest, 85 bytes) is accepted and hashed
    /// like every kind's; the old kinds' lengths are unchanged (testFuzzMeasurementLengthIsChecked).
    function testAzureCvmMeasurementAccepted(bytes32 digest) public {
        bytes memory value = abi.encodePacked(uint8(1), new bytes(48), uint32(0x890), digest);
        assertEq(value.length, 85, "layout length");
        bytes32 h = workloads.addMeasurement(workloadId, 2, TeeKind.AzureCvm, value);
        assertEq(h, KeepIds.measurementHash(7, value), "measurement hash");
    }

    /// @notice An SGX measurement is accepted exactly when it is one of the two modes.
    function testFuzzSgxExactlyOneMode(
        bytes32 mrenclave,
        bytes32 mrsigner,
        uint16 prodId,
        uint16 minSvn,
        uint8 shape
    ) public {
        if (shape % 4 == 0) mrenclave = 0;
        if (shape % 4 == 1) mrsigner = 0;
        if (shape % 4 == 1 && shape % 8 < 4) (prodId, minSvn) = (0, 0);
        bytes memory value = abi.encodePacked(mrenclave, mrsigner, prodId, minSvn);
        bool exact = mrenclave != 0 && mrsigner == 0 && prodId == 0 && minSvn == 0;
        bool bySigner = mrenclave == 0 && mrsigner != 0;
        (bool ok, bytes memory ret) = address(workloads).call(
            abi.encodeCall(workloads.addMeasurement, (workloadId, 3, TeeKind.Sgx, value))
        );
        assertEq(ok, exact || bySigner, "exactly one mode");
        if (ok) assertEq(abi.decode(ret, (bytes32)), KeepIds.measurementHash(1, value), "measurement hash");
    }

    /// @notice SEV-SNP: the host-data flag is 0 or 1, and host data is zero when the flag is 0.
    function testFuzzSnpHostData(uint8 flag, bytes32 hostData, bool zeroHostData) public {
        if (zeroHostData) hostData = 0;
        flag = flag % 3;
        bytes memory value = abi.encodePacked(new bytes(48), flag, hostData);
        (bool ok, ) = address(workloads).call(
            abi.encodeCall(workloads.addMeasurement, (workloadId, 4, TeeKind.SevSnp, value))
        );
        assertEq(ok, flag == 1 || (flag == 0 && hostData == 0), "host data rules");
    }

    /// @notice A looser policy is not in force before effectiveAt and is from then on; a policy
    /// scheduled after that one took effect leaves it in force until its own effectiveAt.
    function testFuzzPolicyDelayHolds(uint32 delaySeed, uint32 probeSeed) public {
        uint64 delay = uint64(bound(delaySeed, KeepTypes.MIN_PRODUCTION_POLICY_DELAY, 30 days));
        _deploy(false, delay, 1 days);
        bytes32 id = workloads.registerWorkload("app", "");
        Policy memory p = _policy(7 days - 1);
        p.maxEvidenceAge = 2 hours; // looser than the default hour: waits for the delay
        uint256 t0 = _now();
        uint64 at = workloads.schedulePolicy(id, p);
        assertEq(at, t0 + delay, "effectiveAt");

        vm.warp(t0 + (probeSeed % delay));
        (Policy memory inForce, uint64 since) = workloads.policyOf(id);
        assertEq(inForce.verdictLifetime, KeepTypes.DEFAULT_VERDICT_LIFETIME, "default still in force");
        assertEq(since, t0, "default in force since registration");
        (Policy memory pending, uint64 pendingAt) = workloads.pendingPolicyOf(id);
        assertEq(pending.verdictLifetime, 7 days - 1, "pending visible");
        assertEq(pendingAt, at, "pending effectiveAt");
        assertEq(
            workloads.verdictContext(id, 0).verdictLifetime(),
            KeepTypes.DEFAULT_VERDICT_LIFETIME,
            "hot path agrees"
        );

        vm.warp(at);
        (inForce, since) = workloads.policyOf(id);
        assertEq(inForce.verdictLifetime, 7 days - 1, "scheduled policy in force at effectiveAt");
        assertEq(inForce.deniedAdvisories.length, 1, "with its lists");
        assertEq(inForce.launch.snpAllowedVmpls, 1, "with its launch policy");
        assertEq(since, at, "since effectiveAt");
        assertEq(workloads.verdictContext(id, 0).verdictLifetime(), 7 days - 1, "hot path agrees");
        (, pendingAt) = workloads.pendingPolicyOf(id);
        assertEq(pendingAt, 0, "nothing pending");

        Policy memory looser = _policy(2 days);
        looser.maxEvidenceAge = 3 hours;
        uint64 at2 = workloads.schedulePolicy(id, looser);
        vm.warp(at2 - 1);
        (inForce, ) = workloads.policyOf(id);
        assertEq(inForce.verdictLifetime, 7 days - 1, "the first stays in force");
        assertEq(inForce.deniedFmspcs[0], bytes6(0x00906ed50000), "lists copied along");
        vm.warp(at2);
        (inForce, ) = workloads.policyOf(id);
        assertEq(inForce.verdictLifetime, 2 days, "the second at its effectiveAt");
    }

    /// @notice verdictContext's one word says what measurementOf and policyOf say: the hot path agrees with
    /// the views for known, unknown and revoked measurements of two kinds and any valid policy.
    function testFuzzVerdictContextAgreesWithViews(
        uint8 tees,
        bool dev,
        bool unbound,
        uint32 lifetime,
        uint8 which
    ) public {
        Policy memory p = _policy(uint64(bound(lifetime, 1, KeepTypes.MAX_VERDICT_LIFETIME)));
        p.dev = dev;
        p.allowUnboundEvidence = dev && unbound;
        p.allowedTees = tees & (dev ? KeepTypes.TEES_ALL : KeepTypes.DEFAULT_ALLOWED_TEES);
        if (p.allowedTees == 0) p.allowedTees = KeepTypes.DEFAULT_ALLOWED_TEES;
        workloads.schedulePolicy(workloadId, p);
        bytes32 measurementHash = which % 2 == 0 ? sgxMeasurement : tdxMeasurement;
        if (which % 3 == 1) measurementHash = keccak256("not a measurement of this workload");
        if (which % 3 == 2) workloads.revokeMeasurement(workloadId, measurementHash);

        VerdictContext c = workloads.verdictContext(workloadId, measurementHash);
        IWorkloadRegistry.MeasurementInfo memory m = workloads.measurementOf(workloadId, measurementHash);
        (Policy memory inForce, ) = workloads.policyOf(workloadId);
        assertEq(c.measurementKnown(), m.known, "known");
        assertEq(c.measurementSerial(), m.serial, "serial");
        assertEq(c.measurementTee(), uint8(m.tee), "tee");
        assertEq(c.measurementRevoked(), m.revoked, "revoked");
        assertEq(c.allowedTees(), inForce.allowedTees, "allowedTees");
        assertEq(c.dev(), inForce.dev, "dev");
        assertEq(c.allowUnboundEvidence(), inForce.allowUnboundEvidence, "allowUnboundEvidence");
        assertEq(c.verdictLifetime(), inForce.verdictLifetime, "verdictLifetime");
    }

    /// @notice A packed VerdictContext reads back every field, whatever the others hold.
    function testFuzzVerdictContextRoundTrip(
        uint32 serial,
        uint8 tee,
        bool revoked,
        uint16 allowedTees,
        bool dev,
        bool unbound,
        uint64 lifetime
    ) public pure {
        VerdictContext c = VerdictContextLib.pack(serial, tee, revoked, allowedTees, dev, unbound, lifetime);
        assertEq(c.measurementKnown(), serial != 0, "known");
        assertEq(c.measurementSerial(), serial, "serial");
        assertEq(c.measurementTee(), tee, "tee");
        assertEq(c.measurementRevoked(), revoked, "revoked");
        assertEq(c.allowedTees(), allowedTees, "allowedTees");
        assertEq(c.dev(), dev, "dev");
        assertEq(c.allowUnboundEvidence(), unbound, "allowUnboundEvidence");
        assertEq(c.verdictLifetime(), lifetime, "verdictLifetime");
        assertEq(VerdictContext.unwrap(c) >> 128, 0, "nothing above verdictLifetime");
    }

    /// @notice An Arm CCA measurement is its 385-byte packed value, refused under another kind's length; a policy
    /// may allow the kind (bit 8).
    function testArmCcaMeasurementAndPolicyBit() public {
        bytes memory value = new bytes(385);
        value[0] = 0x01;
        bytes32 hash = workloads.addMeasurement(workloadId, 4, TeeKind.ArmCca, value);
        assertEq(hash, KeepIds.measurementHash(uint8(TeeKind.ArmCca), value), "measurement hash");
        vm.expectRevert(
            abi.encodeWithSelector(
                IWorkloadRegistry.WorkloadRegistryMeasurementLength.selector,
                uint8(TeeKind.AzureCvm),
                85,
                385
            )
        );
        workloads.addMeasurement(workloadId, 5, TeeKind.AzureCvm, value);
        Policy memory p = _policy(1 days);
        p.allowedTees = uint16(1) << uint8(TeeKind.ArmCca);
        workloads.schedulePolicy(workloadId, p);
        assertEq(
            KeepTypes.DEFAULT_ALLOWED_TEES & (uint16(1) << uint8(TeeKind.ArmCca)),
            0x100,
            "default allows arm-cca"
        );
    }

    /// @notice A CPU + GPU measurement is its 146-byte packed value (its fields are checked off-chain), refused under
    /// another kind's length; a policy may allow the kind (bit 9), and the default does.
    function testCpuGpuMeasurementAndPolicyBit(bytes32 cpuHash, bytes32 rimSet) public {
        bytes memory value = abi.encodePacked(uint8(2), cpuHash, uint8(1), rimSet, new bytes(64), new bytes(16));
        assertEq(value.length, 146, "layout length");
        bytes32 hash = workloads.addMeasurement(workloadId, 4, TeeKind.CpuGpu, value);
        assertEq(hash, KeepIds.measurementHash(uint8(TeeKind.CpuGpu), value), "measurement hash");
        vm.expectRevert(
            abi.encodeWithSelector(
                IWorkloadRegistry.WorkloadRegistryMeasurementLength.selector,
                uint8(TeeKind.NvidiaGpu),
                96,
                146
            )
        );
        workloads.addMeasurement(workloadId, 5, TeeKind.NvidiaGpu, value);
        Policy memory p = _policy(1 days);
        p.allowedTees = uint16(1) << uint8(TeeKind.CpuGpu);
        workloads.schedulePolicy(workloadId, p);
        assertEq(
            KeepTypes.DEFAULT_ALLOWED_TEES & (uint16(1) << uint8(TeeKind.CpuGpu)),
            0x200,
            "default allows cpu-gpu"
        );
        assertEq(KeepTypes.TEE_KIND_MAX, uint8(TeeKind.CpuGpu), "the largest kind");
    }

    /// @notice Policy masks: allowed exactly when non-zero, valid kinds only, never Unknown/Revoked TCB.
    function testFuzzPolicyMasks(uint16 allowedTees, uint16 accepted) public {
        Policy memory p = _policy(1 days);
        p.allowedTees = allowedTees;
        p.acceptedTcbStatuses = accepted;
        p.dev = true;
        (bool ok, ) = address(workloads).call(abi.encodeCall(workloads.schedulePolicy, (workloadId, p)));
        bool teesOk = allowedTees != 0 && allowedTees & ~KeepTypes.TEES_ALL == 0;
        bool tcbOk = accepted != 0 && accepted & ~KeepTypes.TCB_ACCEPTABLE == 0;
        assertEq(ok, teesOk && tcbOk, "mask rules");
    }

    function _policy(uint64 lifetime) internal pure returns (Policy memory p) {
        p.allowedTees = KeepTypes.DEFAULT_ALLOWED_TEES;
        p.acceptedTcbStatuses = KeepTypes.DEFAULT_ACCEPTED_TCB;
        p.maxEvidenceAge = 1 hours;
        p.verdictLifetime = lifetime;
        p.deniedAdvisories = new string[](1);
        p.deniedAdvisories[0] = "INTEL-SA-00615";
        p.deniedFmspcs = new bytes6[](1);
        p.deniedFmspcs[0] = bytes6(0x00906ed50000);
        p.launch = _defaultLaunch();
    }

    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        return min + (x % (max - min + 1));
    }
}
