// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {AttestationRegistry} from "../../AttestationRegistry.sol";
import {ValidatorSet} from "../../ValidatorSet.sol";
import {WorkloadRegistry} from "../../WorkloadRegistry.sol";
import {KeepIds} from "../../libraries/KeepIds.sol";
import {
    KeepTypes,
    LaunchPolicy,
    LoggingProfile,
    Policy,
    TcbStatus,
    TeeKind,
    Verdict
} from "../../libraries/KeepTypes.sol";
import {KeepTest} from "./KeepTest.sol";

/// @title KeepFixture
/// @notice Deploys and wires the three contracts with this test contract as deployer, admin and governor,
/// and signs verdicts with deterministic validator keys.
abstract contract KeepFixture is KeepTest {
    uint256 internal constant VALIDATOR_KEY_BASE = 0xA11CE;
    uint64 internal constant START_TIME = 1_767_225_600;
    uint256 internal constant START_BLOCK = 1000;

    WorkloadRegistry internal workloads;
    ValidatorSet internal validatorSet;
    AttestationRegistry internal registry;

    bytes32 internal workloadId;
    bytes32 internal sgxMeasurement;
    bytes32 internal tdxMeasurement;

    function _deploy(bool dev, uint64 policyDelay, uint64 governanceDelay) internal {
        vm.warp(START_TIME);
        vm.roll(START_BLOCK);
        workloads = new WorkloadRegistry(address(this), address(this), dev, policyDelay, dev ? 0 : 1 days);
        validatorSet = new ValidatorSet(
            address(this),
            address(this),
            dev,
            governanceDelay,
            bytes32(0),
            dev ? 0 : 1 days
        );
        registry = new AttestationRegistry(address(this), address(this), workloads, validatorSet, dev ? 0 : 1 days);
        workloads.setAttestationRegistry(address(registry));
        validatorSet.setAttestationRegistry(address(registry));
    }

    /// @dev Deploys for development (no delays), registers "app" with an SGX and a TDX measurement.
    function _deployWithWorkload() internal {
        _deploy(true, 0, 0);
        workloadId = workloads.registerWorkload("app", "ipfs://app");
        sgxMeasurement = workloads.addMeasurement(workloadId, 1, TeeKind.Sgx, _sgxValue(bytes32(uint256(0xE1))));
        tdxMeasurement = workloads.addMeasurement(workloadId, 1, TeeKind.Tdx, _tdxValue(0x11));
    }

    /// @dev The launch policy registerWorkload gives (KeepTypes.DEFAULT_*).
    function _defaultLaunch() internal pure returns (LaunchPolicy memory launch) {
        launch.snpAllowedVmpls = KeepTypes.DEFAULT_SNP_ALLOWED_VMPLS;
        launch.tdxAllowedTdAttributes = KeepTypes.DEFAULT_TDX_ALLOWED_TD_ATTRIBUTES;
        launch.tdxAllowedXfam = KeepTypes.DEFAULT_TDX_ALLOWED_XFAM;
        launch.sgxAllowedAttributes = KeepTypes.DEFAULT_SGX_ALLOWED_ATTRIBUTES;
    }

    /// @dev The policy registerWorkload gives, as a Policy value.
    function _defaultPolicy() internal pure returns (Policy memory p) {
        p.allowedTees = KeepTypes.DEFAULT_ALLOWED_TEES;
        p.acceptedTcbStatuses = KeepTypes.DEFAULT_ACCEPTED_TCB;
        p.maxEvidenceAge = KeepTypes.DEFAULT_MAX_EVIDENCE_AGE;
        p.verdictLifetime = KeepTypes.DEFAULT_VERDICT_LIFETIME;
        p.launch = _defaultLaunch();
    }

    function _sgxValue(bytes32 mrenclave) internal pure returns (bytes memory) {
        return abi.encodePacked(mrenclave, bytes32(0), uint16(0), uint16(0));
    }

    function _tdxValue(uint8 seed) internal pure returns (bytes memory value) {
        value = new bytes(240);
        for (uint256 i = 0; i < 240; ++i) value[i] = bytes1(uint8(seed + i));
    }

    /// @dev block.timestamp as the chain sees it now (viaIR may cache block.timestamp across a warp).
    function _now() internal view returns (uint256) {
        return vm.getBlockTimestamp();
    }

    /// @dev Moves the clock forward by `seconds_`.
    function _skip(uint256 seconds_) internal {
        vm.warp(_now() + seconds_);
    }

    function _key(uint256 i) internal pure returns (uint256) {
        return VALIDATOR_KEY_BASE + i;
    }

    function _validator(uint256 i) internal pure returns (address) {
        return vm.addr(_key(i));
    }

    /// @dev Bootstraps validators 0..n-1 and sets the threshold.
    function _bootstrap(uint256 n, uint16 k) internal {
        for (uint256 i = 0; i < n; ++i) {
            validatorSet.bootstrapValidator(_validator(i), "https://validator.example", LoggingProfile.Production);
        }
        validatorSet.setThreshold(k);
    }

    /// @dev A verdict on the SGX measurement, issued now, valid one day, fresh as of the previous block.
    function _verdict(address subject, uint256 seed) internal view returns (Verdict memory v) {
        v = Verdict({
            workloadId: workloadId,
            measurementHash: sgxMeasurement,
            tee: uint8(TeeKind.Sgx),
            tcbStatus: uint8(TcbStatus.UpToDate),
            subject: subject,
            evidenceHash: keccak256(abi.encode("evidence", seed)),
            collateralHash: keccak256("collateral"),
            issuedAt: uint64(_now()),
            expiresAt: uint64(_now() + 1 days),
            freshnessBlock: uint64(vm.getBlockNumber() - 1)
        });
    }

    /// @dev Keys of validators whose bit is set in `mask`.
    function _keysOf(uint256 mask) internal pure returns (uint256[] memory keys) {
        uint256 count = 0;
        for (uint256 m = mask; m != 0; m >>= 1) if (m & 1 == 1) ++count;
        keys = new uint256[](count);
        uint256 j = 0;
        for (uint256 i = 0; i < 256 && j < count; ++i) {
            if ((mask >> i) & 1 == 1) {
                keys[j] = _key(i);
                ++j;
            }
        }
    }

    function _firstKeys(uint256 n) internal pure returns (uint256[] memory) {
        return _keysOf((uint256(1) << n) - 1);
    }

    /// @dev 65-byte signatures over `digest`, sorted by ascending signer as the registry wants them.
    function _signDigest(bytes32 digest, uint256[] memory keys) internal pure returns (bytes memory out) {
        uint256[] memory sorted = _sortByAddress(keys);
        for (uint256 i = 0; i < sorted.length; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(sorted[i], digest);
            out = abi.encodePacked(out, r, s, v);
        }
    }

    function _signVerdict(Verdict memory v, uint256[] memory keys) internal view returns (bytes memory) {
        return _signDigest(registry.verdictDigest(v), keys);
    }

    function _signBatch(bytes32 root, uint32 count, uint256[] memory keys) internal view returns (bytes memory) {
        return _signDigest(registry.batchDigest(root, count), keys);
    }

    function _finalize(Verdict memory v, uint256[] memory keys) internal returns (bytes32) {
        return registry.finalizeVerdict(v, block.chainid, address(registry), _signVerdict(v, keys));
    }

    function _sortByAddress(uint256[] memory keys) internal pure returns (uint256[] memory sorted) {
        sorted = new uint256[](keys.length);
        for (uint256 i = 0; i < keys.length; ++i) {
            uint256 key = keys[i];
            uint256 j = i;
            while (j > 0 && vm.addr(sorted[j - 1]) > vm.addr(key)) {
                sorted[j] = sorted[j - 1];
                --j;
            }
            sorted[j] = key;
        }
    }

    function _id(Verdict memory v) internal pure returns (bytes32) {
        return KeepIds.verdictId(v);
    }
}
