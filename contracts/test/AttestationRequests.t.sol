// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

// Test code: long assertion messages and low-level calls that observe success are the point here, not gas.
// solhint-disable gas-small-strings, avoid-low-level-calls, gas-strict-inequalities

import {AttestationRequests} from "../AttestationRequests.sol";
import {IAttestationRequests} from "../interfaces/IAttestationRequests.sol";
import {KeepTest} from "./utils/KeepTest.sol";

/// @notice The shape rules of on-chain attestation requests, fuzzed.
contract AttestationRequestsTest is KeepTest {
    bytes32 internal constant WORKLOAD = bytes32(uint256(0xABC));

    AttestationRequests internal requests;

    function setUp() public {
        vm.roll(100);
        requests = new AttestationRequests();
    }

    function _call(
        bytes memory evidence,
        bytes memory publicKey,
        uint64 freshnessBlock
    ) internal returns (bool ok, bytes memory data) {
        bytes memory request = abi.encodeCall(
            requests.requestAttestation,
            (WORKLOAD, evidence, publicKey, freshnessBlock)
        );
        (ok, data) = address(requests).call(request);
    }

    function testNumbersRequestsFromOne() public {
        assertEq(requests.requestCount(), 0, "no request yet");
        assertEq(requests.requestAttestation(WORKLOAD, hex"01", new bytes(64), 99), 1, "first id");
        assertEq(requests.requestAttestation(WORKLOAD, hex"02", "", 0), 2, "unbound request");
        bytes memory prefixed = new bytes(65);
        prefixed[0] = 0x04;
        assertEq(requests.requestAttestation(WORKLOAD, hex"03", prefixed, 1), 3, "65-byte key");
        assertEq(requests.requestCount(), 3, "count");
    }

    function testFuzzEvidenceLength(uint256 lengthSeed) public {
        uint256 length = lengthSeed % (requests.MAX_EVIDENCE_LENGTH() * 2);
        (bool ok, bytes memory data) = _call(new bytes(length), "", 0);
        if (length == 0 || length > requests.MAX_EVIDENCE_LENGTH()) {
            assertRevertData(
                ok,
                data,
                abi.encodeWithSelector(
                    IAttestationRequests.AttestationRequestsEvidenceLength.selector,
                    length,
                    requests.MAX_EVIDENCE_LENGTH()
                ),
                "evidence length"
            );
        } else {
            assertTrue(ok, "evidence within bounds is accepted");
        }
    }

    function testFuzzPublicKeyLength(uint8 length) public {
        bytes memory key = new bytes(length);
        if (length == 65) key[0] = 0x04;
        (bool ok, bytes memory data) = _call(hex"01", key, length == 0 ? 0 : 50);
        if (length == 0 || length == 64 || length == 65) {
            assertTrue(ok, "a 64- or 65-byte key, or none, is accepted");
        } else {
            assertRevertData(
                ok,
                data,
                abi.encodeWithSelector(IAttestationRequests.AttestationRequestsPublicKeyLength.selector, length),
                "key length"
            );
        }
    }

    function testUncompressedPrefix() public {
        bytes memory key = new bytes(65);
        key[0] = 0x02;
        (bool ok, bytes memory data) = _call(hex"01", key, 50);
        assertRevertData(
            ok,
            data,
            abi.encodeWithSelector(IAttestationRequests.AttestationRequestsPublicKeyPrefix.selector, bytes1(0x02)),
            "prefix"
        );
    }

    function testBindingHasBothHalves() public {
        (bool ok, bytes memory data) = _call(hex"01", new bytes(64), 0);
        assertRevertData(
            ok,
            data,
            abi.encodeWithSelector(IAttestationRequests.AttestationRequestsBindingIncomplete.selector, 64, 0),
            "key without block"
        );
        (ok, data) = _call(hex"01", "", 7);
        assertRevertData(
            ok,
            data,
            abi.encodeWithSelector(IAttestationRequests.AttestationRequestsBindingIncomplete.selector, 0, 7),
            "block without key"
        );
    }

    function testFuzzFreshnessBlockInThePast(uint64 freshnessBlock) public {
        vm.assume(freshnessBlock != 0);
        uint256 blockNumber = vm.getBlockNumber();
        (bool ok, bytes memory data) = _call(hex"01", new bytes(64), freshnessBlock);
        if (freshnessBlock < blockNumber) {
            assertTrue(ok, "a past block is accepted");
        } else {
            assertRevertData(
                ok,
                data,
                abi.encodeWithSelector(
                    IAttestationRequests.AttestationRequestsFreshnessBlockInFuture.selector,
                    freshnessBlock,
                    blockNumber
                ),
                "future block"
            );
        }
    }
}
