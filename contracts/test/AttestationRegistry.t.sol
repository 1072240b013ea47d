// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

// Test code: long assertion messages, non-strict bounds as specified and low-level calls that observe
// success are the point here, not gas.
// solhint-disable gas-small-strings, gas-strict-inequalities, avoid-low-level-calls

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IAttestationRegistry} from "../interfaces/IAttestationRegistry.sol";
import {BatchMerkle} from "../libraries/BatchMerkle.sol";
import {KeepIds} from "../libraries/KeepIds.sol";
import {BatchItem, TeeKind, Verdict, VerdictGroup} from "../libraries/KeepTypes.sol";
import {KeepFixture} from "./utils/KeepFixture.sol";

/// @notice Invariants of the AttestationRegistry, fuzzed: quorum, expiry, revocation, batches.
contract AttestationRegistryTest is KeepFixture {
    uint256 internal constant VALIDATORS = 8;

    function setUp() public {
        _deployWithWorkload();
        _bootstrap(VALIDATORS, 1);
    }

    // ===== Quorum =====

    /// @notice No verdict finalizes with fewer than k distinct active signers, whatever k, whoever signs
    /// and whoever was removed; and every signature set of at least k active signers does finalize.
    function testFuzzQuorumNeverBelowThreshold(uint8 kSeed, uint8 signerMask, uint8 removedMask) public {
        uint256 removed = popcount(removedMask);
        vm.assume(signerMask != 0 && removed < VALIDATORS);
        uint16 k = uint16(1 + (uint256(kSeed) % (VALIDATORS - removed)));
        validatorSet.setThreshold(k);
        for (uint256 i = 0; i < VALIDATORS; ++i) {
            if ((removedMask >> i) & 1 == 1) validatorSet.removeValidator(_validator(i));
        }
        Verdict memory v = _verdict(address(0xBEEF), kSeed);
        bytes memory signatures = _signVerdict(v, _keysOf(signerMask));
        (bool ok, ) = address(registry).call(
            abi.encodeCall(registry.finalizeVerdict, (v, block.chainid, address(registry), signatures))
        );
        bool enough = popcount(signerMask) >= k && signerMask & removedMask == 0;
        assertEq(ok, enough, "finalizes exactly when at least k active validators signed");
        (bool attested, , ) = registry.isAttested(v.subject, workloadId);
        assertEq(attested, enough, "isAttested follows finalization");
    }

    /// @notice A signer whose own verdict died stops counting, whatever it was resting on.
    function testFuzzDeadOwnVerdictStopsCounting(uint8 cause) public {
        bytes32 validatorWorkload = workloads.registerWorkload("validator", "");
        bytes32 validatorMeasurement = workloads.addMeasurement(
            validatorWorkload,
            1,
            TeeKind.Sgx,
            _sgxValue(bytes32(uint256(0xBA11)))
        );
        validatorSet.setValidatorWorkload(validatorWorkload);
        validatorSet.setThreshold(2);
        Verdict memory own = _verdict(_validator(7), 1);
        own.workloadId = validatorWorkload;
        own.measurementHash = validatorMeasurement;
        bytes32 ownId = _finalize(own, _firstKeys(2));
        validatorSet.attachVerdict(_validator(7), own);
        validatorSet.closeBootstrap();
        // Only validator 7 counts now; a 1-of-1 quorum of it finalizes.
        validatorSet.setThreshold(1);
        uint256[] memory seven = _keysOf(1 << 7);
        _finalize(_verdict(address(0xA), 2), seven);

        uint256 mode = cause % 3;
        if (mode == 0) registry.revokeVerdict(ownId, "compromised");
        else if (mode == 1) workloads.revokeMeasurement(validatorWorkload, validatorMeasurement);
        else vm.warp(own.expiresAt);

        Verdict memory next = _verdict(address(0xB), 3);
        bytes memory signatures = _signVerdict(next, seven);
        vm.expectRevert(
            abi.encodeWithSelector(IAttestationRegistry.AttestationRegistryInactiveValidator.selector, _validator(7))
        );
        registry.finalizeVerdict(next, block.chainid, address(registry), signatures);
        assertFalse(validatorSet.isCounting(_validator(7)), "isCounting agrees");
    }

    // ===== Expiry and revocation =====

    /// @notice isAttested is true exactly until expiresAt.
    function testFuzzExpiryHonoured(uint32 lifetime, uint32 elapsed) public {
        lifetime = uint32(bound(lifetime, 1, 7 days));
        Verdict memory v = _verdict(address(0xCAFE), lifetime);
        v.expiresAt = uint64(_now() + lifetime);
        bytes32 id = _finalize(v, _firstKeys(1));
        _skip(elapsed);
        (bool ok, bytes32 verdictId, uint64 expiresAt) = registry.isAttested(v.subject, workloadId);
        assertEq(ok, elapsed < lifetime, "attested exactly before expiresAt");
        assertEq(verdictId, id, "verdict id");
        assertEq(expiresAt, v.expiresAt, "expiresAt");
        assertEq(registry.isVerdictLive(id), ok, "isVerdictLive agrees");
    }

    /// @notice Revoking a measurement turns off every verdict resting on it, and only those.
    function testFuzzRevokedMeasurementInvalidates(uint8 subjects, uint8 onTdxMask) public {
        uint256 n = bound(subjects, 1, 8);
        for (uint256 i = 0; i < n; ++i) {
            Verdict memory v = _verdict(address(uint160(0x1000 + i)), i);
            if ((onTdxMask >> i) & 1 == 1) {
                v.tee = 2;
                v.measurementHash = tdxMeasurement;
            }
            _finalize(v, _firstKeys(1));
        }
        workloads.revokeMeasurement(workloadId, tdxMeasurement);
        for (uint256 i = 0; i < n; ++i) {
            (bool ok, , ) = registry.isAttested(address(uint160(0x1000 + i)), workloadId);
            assertEq(ok, (onTdxMask >> i) & 1 == 0, "only verdicts on the revoked measurement are off");
        }
    }

    /// @notice A revoked verdict is never attested again, and cannot be re-finalized.
    function testFuzzRevokedVerdictNotAttested(uint32 later) public {
        Verdict memory v = _verdict(address(0xD00D), 7);
        bytes memory signatures = _signVerdict(v, _firstKeys(1));
        bytes32 id = registry.finalizeVerdict(v, block.chainid, address(registry), signatures);
        registry.revokeVerdict(id, "test");
        _skip(later % 1 days);
        (bool ok, , ) = registry.isAttested(v.subject, workloadId);
        assertFalse(ok, "revoked");
        vm.expectRevert(
            abi.encodeWithSelector(IAttestationRegistry.AttestationRegistryVerdictAlreadyFinalized.selector, id)
        );
        registry.finalizeVerdict(v, block.chainid, address(registry), signatures);
    }

    /// @notice isAttested decodes the packed record itself; it must agree with verdictOf (the struct view).
    function testFuzzIsAttestedAgreesWithVerdictOf(uint32 lifetime, uint32 elapsed, uint8 revocation) public {
        lifetime = uint32(bound(lifetime, 1, 7 days));
        Verdict memory v = _verdict(address(0xF00D), elapsed);
        v.expiresAt = uint64(_now() + lifetime);
        bytes32 id = _finalize(v, _firstKeys(1));
        if (revocation % 3 == 1) registry.revokeVerdict(id, "test");
        if (revocation % 3 == 2) workloads.revokeMeasurement(workloadId, sgxMeasurement);
        _skip(elapsed);
        (bool ok, bytes32 verdictId, uint64 expiresAt) = registry.isAttested(v.subject, workloadId);
        IAttestationRegistry.VerdictStatus memory status = registry.verdictOf(id);
        assertEq(verdictId, id, "id");
        assertEq(ok, status.live, "live");
        assertEq(expiresAt, status.expiresAt, "expiresAt");
        assertEq(status.issuedAt, v.issuedAt, "issuedAt");
        assertEq(status.revoked, revocation % 3 == 1, "revoked flag");
        assertEq(status.measurementSerial, 1, "serial of the SGX measurement");
    }

    /// @notice A verdict with a newer issuedAt replaces the latest; an older one does not.
    function testFuzzLatestIsNewestIssued(uint16 olderBy) public {
        vm.assume(olderBy > 0);
        Verdict memory newer = _verdict(address(0xE1), 1);
        _finalize(newer, _firstKeys(1));
        Verdict memory older = _verdict(address(0xE1), 2);
        older.issuedAt = newer.issuedAt - olderBy;
        older.expiresAt = newer.expiresAt + 1 hours;
        _finalize(older, _firstKeys(1));
        (, bytes32 latest, ) = registry.isAttested(address(0xE1), workloadId);
        assertEq(latest, _id(newer), "older verdict does not replace the latest");
        _skip(1);
        Verdict memory newest = _verdict(address(0xE1), 3);
        _finalize(newest, _firstKeys(1));
        (, latest, ) = registry.isAttested(address(0xE1), workloadId);
        assertEq(latest, _id(newest), "newer verdict replaces the latest");
    }

    // ===== Batches =====

    /// @notice The registry's in-assembly leaves and tree equal KeepIds + BatchMerkle, every proof
    /// verifies with OpenZeppelin MerkleProof and materializes into isAttested.
    function testFuzzBatchRootMatchesLibrary(uint8 size, uint8 split, uint256 seed) public {
        uint256 n = bound(size, 1, 40);
        uint256 first = bound(split, 0, n - 1);
        VerdictGroup[] memory groups = new VerdictGroup[](first == 0 ? 1 : 2);
        Verdict memory shared = _verdict(address(0), seed);
        groups[0] = _group(shared, first == 0 ? n : first, 0, seed);
        if (first != 0) {
            shared.measurementHash = tdxMeasurement;
            shared.tee = 2;
            groups[1] = _group(shared, n - first, first, seed);
        }
        bytes32[] memory leaves = new bytes32[](n);
        Verdict[] memory verdicts = _expand(groups);
        for (uint256 i = 0; i < n; ++i) leaves[i] = KeepIds.verdictId(verdicts[i]);
        bytes32 root = BatchMerkle.root(leaves);

        bytes32 batchId = registry.finalizeBatch(
            groups,
            block.chainid,
            address(registry),
            _signBatch(root, uint32(n), _firstKeys(1))
        );
        assertEq(batchId, root, "batch id is the library root");
        assertEq(registry.batchOf(batchId).count, n, "count");

        uint256 pick = seed % n;
        bytes32[] memory proof = BatchMerkle.proof(leaves, pick);
        assertTrue(MerkleProof.verify(proof, root, leaves[pick]), "OZ MerkleProof");
        assertTrue(registry.verifyBatchedVerdict(verdicts[pick], batchId, proof), "verifyBatchedVerdict");
        (bool before, , ) = registry.isAttested(verdicts[pick].subject, workloadId);
        assertFalse(before, "not attested before materialization");
        registry.materializeVerdict(verdicts[pick], batchId, proof);
        (bool afterwards, bytes32 id, ) = registry.isAttested(verdicts[pick].subject, workloadId);
        assertTrue(afterwards, "attested after materialization");
        assertEq(id, leaves[pick], "the materialized verdict is the latest");
    }

    function _group(
        Verdict memory shared,
        uint256 count,
        uint256 offset,
        uint256 seed
    ) internal pure returns (VerdictGroup memory g) {
        g.workloadId = shared.workloadId;
        g.measurementHash = shared.measurementHash;
        g.tee = shared.tee;
        g.tcbStatus = shared.tcbStatus;
        g.collateralHash = shared.collateralHash;
        g.issuedAt = shared.issuedAt;
        g.expiresAt = shared.expiresAt;
        g.items = new BatchItem[](count);
        for (uint256 i = 0; i < count; ++i) {
            g.items[i] = BatchItem({
                subject: address(uint160(0x5000 + offset + i)),
                evidenceHash: keccak256(abi.encode(seed, offset + i)),
                freshnessBlock: shared.freshnessBlock
            });
        }
    }

    function _expand(VerdictGroup[] memory groups) internal pure returns (Verdict[] memory out) {
        uint256 n = 0;
        for (uint256 g = 0; g < groups.length; ++g) n += groups[g].items.length;
        out = new Verdict[](n);
        uint256 k = 0;
        for (uint256 g = 0; g < groups.length; ++g) {
            for (uint256 i = 0; i < groups[g].items.length; ++i) {
                out[k] = Verdict({
                    workloadId: groups[g].workloadId,
                    measurementHash: groups[g].measurementHash,
                    tee: groups[g].tee,
                    tcbStatus: groups[g].tcbStatus,
                    subject: groups[g].items[i].subject,
                    evidenceHash: groups[g].items[i].evidenceHash,
                    collateralHash: groups[g].collateralHash,
                    issuedAt: groups[g].issuedAt,
                    expiresAt: groups[g].expiresAt,
                    freshnessBlock: groups[g].items[i].freshnessBlock
                });
                ++k;
            }
        }
    }

    // ===== Helpers =====

    function popcount(uint256 x) internal pure returns (uint256 count) {
        for (; x != 0; x >>= 1) count += x & 1;
    }

    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        return min + (x % (max - min + 1));
    }
}
