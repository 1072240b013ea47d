// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

// Test code: long assertion messages, non-strict bounds as specified and low-level calls that observe
// success are the point here, not gas.
// solhint-disable gas-small-strings, gas-strict-inequalities, avoid-low-level-calls, max-line-length, gas-calldata-parameters

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {BatchMerkle} from "../libraries/BatchMerkle.sol";
import {KeepBinding} from "../libraries/KeepBinding.sol";
import {KeepIds} from "../libraries/KeepIds.sol";
import {LoggingProfile, Verdict} from "../libraries/KeepTypes.sol";
import {KeepTest} from "./utils/KeepTest.sol";

/// @notice The golden vectors of docs/ids.md, computed by the Solidity libraries. src/ids/golden.test.ts
/// checks the TypeScript side against the same table and that every value here appears in it.
contract IdsGoldenTest is KeepTest {
    address internal constant REGISTRY = 0x5FbDB2315678afecb367f032d93F642f64180aa3;

    function testDomainTags() public pure {
        assertEq(
            KeepIds.WORKLOAD_DOMAIN,
            0xc79f56917cfe7522366da6da71818913ccb3d4bcd7b5219e493b8eae2a2a7928,
            "workload"
        );
        assertEq(
            KeepIds.MEASUREMENT_DOMAIN,
            0x540a6c8fe87d10d0ef7c4941b37f3f6f27a75841bb147d69207a71082f0eed04,
            "measurement"
        );
        assertEq(
            KeepIds.UNBOUND_SUBJECT_DOMAIN,
            0x917aef1a2d0fe5682f9a008abd23de21c36b9f37051b5a19ff94af1e50b19b3e,
            "unbound"
        );
        assertEq(
            KeepBinding.BINDING_DOMAIN,
            0x0f8f2169531e3200be1e03f28b4a64b09429be11ffe4cc7db8c3828c02d683ff,
            "binding"
        );
        assertEq(
            KeepBinding.VALIDATOR_CONTEXT_DOMAIN,
            0x1d28e15b2cb84be7b965a4dd8ea418ff1c3833c8093602420e947fc28b0224ff,
            "validator context"
        );
    }

    function testWorkloadIds() public pure {
        assertEq(
            KeepIds.workloadId(0x70997970C51812dc3A010C7d01b50e0d17dc79C8, "example-workload"),
            0x48cd0897520e60286bb9377688b8d8a1790a256f46c00690155a906d0f44e69e,
            "ascii name"
        );
        assertEq(
            KeepIds.workloadId(0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC, unicode"défi-keep ✓"),
            0xfbfd3e9210bdd5a3c69a71485487a2f6b9050e5976df2f7e8adfc14c05dff4de,
            "utf-8 name"
        );
    }

    function testMeasurementHashes() public pure {
        assertEq(
            KeepIds.measurementHash(
                1,
                hex"101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f000000000000000000000000000000000000000000000000000000000000000000000000"
            ),
            0x0378e85d00e3a6e395ed6271ac00f2388f6f34e8c4fcf3e9994e3eb953593fe0,
            "sgx exact enclave"
        );
        assertEq(
            KeepIds.measurementHash(
                1,
                hex"0000000000000000000000000000000000000000000000000000000000000000404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f12340007"
            ),
            0x0d3085d292a50c83f4f1fd3b0c0529a1036af3091603c62da2417d477fb23eea,
            "sgx signer"
        );
        assertEq(
            KeepIds.measurementHash(2, _tdxValue()),
            0x35f184f3c58cd536dee93c627cd9c1bea4ee944519497c2abb3e494912761576,
            "tdx"
        );
        assertEq(
            KeepIds.measurementHash(3, abi.encodePacked(_seq(0xa0, 48), uint8(0), bytes32(0))),
            0x9d87a8cb21196714e97cb63bb12805663de6c5eec9e55fc9ec9a00d7937e5600,
            "sev-snp without host data"
        );
        assertEq(
            KeepIds.measurementHash(3, abi.encodePacked(_seq(0xa0, 48), uint8(1), _seq(0xd0, 32))),
            0xcb54c443650f396e7f8c580edc97a1df0b934dee3c900e3f168a249a846bc975,
            "sev-snp with host data"
        );
        assertEq(
            KeepIds.measurementHash(4, abi.encodePacked(_seq(0x00, 48), _seq(0x50, 48), _seq(0xa0, 48))),
            0x21a5e6df77407d9bb78a14572fb516810654dc74682e81b6eb5c5efc810e37d1,
            "nitro"
        );
        assertEq(
            KeepIds.measurementHash(5, hex"e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"),
            0xe87de8630ab50c5a7ef3362b3d3675903165b40bd29a39195e89895a1baf93e2,
            "debug"
        );
    }

    function testVerdictIdAndDigests() public pure {
        Verdict memory v = _goldenVerdict();
        bytes32 id = KeepIds.verdictId(v);
        assertEq(id, 0x2992cf410ed26bc3d01a266ee8d547a9fce747b03c2d23ae8a5c34888c1e824b, "verdict id");
        assertEq(
            MessageHashUtils.toTypedDataHash(_domainSeparator(31337), id),
            0x47568d25c08c9221609a30949432617812a188b1cb41144942de50de07c5e895,
            "digest on 31337"
        );
        assertEq(
            MessageHashUtils.toTypedDataHash(_domainSeparator(1), id),
            0xb6c2159522bb1777d190ea81cbabd7fccae102a1d0a33af4b747cb2fa7876077,
            "digest on 1"
        );
    }

    function testBatchTreeProofsAndDigests() public pure {
        bytes32[] memory leaves = _goldenLeaves();
        assertEq(leaves[0], 0x0fe7a1b42e73b728a1c6614782257e2ed501ad0f2add1cbf58d786302b96dc7a, "leaf 0");
        assertEq(leaves[4], 0xc51f1c67a1c72bf2bbd9410c33c928fb20ca7f5ec483d02eac35c6724f602a9e, "leaf 4");
        bytes32 root = BatchMerkle.root(leaves);
        assertEq(root, 0x96c0e79fdce0d9e96930390c97d8f6cbdd32e070583af3afdd8f2974a68d47be, "root");

        bytes32[] memory proof0 = BatchMerkle.proof(leaves, 0);
        assertEq(proof0.length, 3, "proof 0 length");
        assertEq(proof0[1], 0x57276ce7e149c937dad1db98a78b37d6a2caf81c6ecdf8e89776c7ea55422377, "proof 0 level 1");
        bytes32[] memory proof4 = BatchMerkle.proof(leaves, 4);
        assertEq(proof4.length, 1, "the odd last leaf is carried up: one sibling");
        assertEq(proof4[0], 0xb4346681e079226a5a6d82ee4a0d8688e093ed8b4e881145110b0a9b2e40d59d, "proof 4");
        for (uint256 i = 0; i < leaves.length; ++i) {
            assertTrue(MerkleProof.verify(BatchMerkle.proof(leaves, i), root, leaves[i]), "OZ MerkleProof verifies");
        }

        bytes32 structHash = KeepIds.batchStructHash(root, 5);
        assertEq(
            MessageHashUtils.toTypedDataHash(_domainSeparator(31337), structHash),
            0x7e116528a331153c24846826cabded847688301b08a153c85a3e781f0a3b73dd,
            "batch digest on 31337"
        );
        assertEq(
            MessageHashUtils.toTypedDataHash(_domainSeparator(1), structHash),
            0x57d6558e22181db007c203cb9e1d1e772700fba439bad4313b9c41cec5cab541,
            "batch digest on 1"
        );
    }

    function testUnboundSubjects() public pure {
        assertEq(
            KeepIds.unboundSubject(0x7778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f90919293949596),
            0x89572fB73f7Cf989644BcfD05c399c004794994C,
            "unbound subject"
        );
        assertEq(
            KeepIds.unboundSubject(bytes32(0)),
            0xF4E3491aD8B043Ebe4cbbb77f38B846578C88F8c,
            "unbound subject of zero"
        );
    }

    function testBindings() public pure {
        bytes memory key =
            hex"79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8";
        bytes32 blockHash = 0xb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf;
        assertEq(KeepBinding.subjectOf(key), 0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf, "subject of key");
        bytes32 keep = KeepBinding.bindingHash(31337, REGISTRY, key, blockHash, bytes32(0));
        assertEq(keep, 0x8371623ba700f0d764593f42ddc5e6e4e2923eb80760d1d1ea39d2c80df84cd7, "keep binding");
        assertEq(
            KeepBinding.reportData(keep),
            hex"8371623ba700f0d764593f42ddc5e6e4e2923eb80760d1d1ea39d2c80df84cd70000000000000000000000000000000000000000000000000000000000000000",
            "report data"
        );
        bytes32 context = KeepBinding.validatorContext(LoggingProfile.Production);
        assertEq(context, 0x3e68a82a9147c07489c8319761b9b91369735932cdad3cde62e7927f06ad8218, "production context");
        assertEq(
            KeepBinding.bindingHash(31337, REGISTRY, key, blockHash, context),
            0x90ca92b7300e9ee0f0f689b2b4902c8aa951f79f9fd089db54be378d63077631,
            "validator binding"
        );
        assertEq(
            KeepBinding.validatorContext(LoggingProfile.Staging),
            0x03662bd5b977948ec50d1b83a5f9ab9c7529f1d17a5efc0b322a0974866a7ff4,
            "staging context"
        );
        assertEq(
            KeepBinding.validatorContext(LoggingProfile.Debug),
            0x866e681607a845b313e9295f7d267cfbf3e1674e1aeef88bd823be0f6401ffac,
            "debug context"
        );
    }

    // ===== Library errors =====

    /// @notice A key that is not the 64-byte X‖Y form is refused, not hashed.
    function testFuzzBindingRefusesOtherKeyLengths(uint8 length) public {
        vm.assume(length != 64);
        bytes memory key = new bytes(length);
        vm.expectRevert(abi.encodeWithSelector(KeepBinding.KeepBindingPublicKeyLength.selector, uint256(length)));
        this.bindingOf(key);
        vm.expectRevert(abi.encodeWithSelector(KeepBinding.KeepBindingPublicKeyLength.selector, uint256(length)));
        this.subjectOf(key);
    }

    /// @notice The tree refuses no leaves and proofs past the end.
    function testBatchMerkleErrors() public {
        vm.expectRevert(abi.encodeWithSelector(BatchMerkle.BatchMerkleEmpty.selector));
        this.rootOf(new bytes32[](0));
        vm.expectRevert(abi.encodeWithSelector(BatchMerkle.BatchMerkleIndexOutOfRange.selector, 3, 3));
        this.proofOf(new bytes32[](3), 3);
    }

    function bindingOf(bytes memory key) external pure returns (bytes32) {
        return KeepBinding.bindingHash(1, REGISTRY, key, bytes32(0), bytes32(0));
    }

    function subjectOf(bytes memory key) external pure returns (address) {
        return KeepBinding.subjectOf(key);
    }

    function rootOf(bytes32[] memory leaves) external pure returns (bytes32) {
        return BatchMerkle.root(leaves);
    }

    function proofOf(bytes32[] memory leaves, uint256 index) external pure returns (bytes32[] memory) {
        return BatchMerkle.proof(leaves, index);
    }

    // ===== The inputs of docs/ids.md =====

    function _goldenVerdict() internal pure returns (Verdict memory) {
        return
            Verdict({
                workloadId: 0x48cd0897520e60286bb9377688b8d8a1790a256f46c00690155a906d0f44e69e,
                measurementHash: 0x35f184f3c58cd536dee93c627cd9c1bea4ee944519497c2abb3e494912761576,
                tee: 2,
                tcbStatus: 1,
                subject: 0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf,
                evidenceHash: 0x7778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f90919293949596,
                collateralHash: 0x333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152,
                issuedAt: 1767225600,
                expiresAt: 1767830400,
                freshnessBlock: 21000000
            });
    }

    /// @dev The batch group: the golden verdict's shared fields, subjects 1..5, evidence seq(0x80 + i),
    /// freshness block 21000000 - i.
    function _goldenLeaves() internal pure returns (bytes32[] memory leaves) {
        leaves = new bytes32[](5);
        Verdict memory v = _goldenVerdict();
        for (uint256 i = 0; i < 5; ++i) {
            v.subject = address(uint160(i + 1));
            v.evidenceHash = bytes32(_seq(uint8(0x80 + i), 32));
            v.freshnessBlock = uint64(21000000 - i);
            leaves[i] = KeepIds.verdictId(v);
        }
    }

    function _domainSeparator(uint256 chainId) internal pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                    keccak256("keepledger"),
                    keccak256("1"),
                    chainId,
                    REGISTRY
                )
            );
    }

    function _tdxValue() internal pure returns (bytes memory) {
        return abi.encodePacked(_seq(0x01, 48), _seq(0x31, 48), _seq(0x61, 48), _seq(0x91, 48), new bytes(48));
    }

    /// @dev Bytes start, start+1, ... (mod 256), as docs/ids.md's seq().
    function _seq(uint8 start, uint256 n) internal pure returns (bytes memory out) {
        out = new bytes(n);
        for (uint256 i = 0; i < n; ++i) out[i] = bytes1(uint8((uint256(start) + i) & 0xff));
    }
}
