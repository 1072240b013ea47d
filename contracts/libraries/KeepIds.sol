// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Verdict} from "./KeepTypes.sol";

/// @title KeepIds
/// @notice The identifiers of docs/ids.md, computed exactly as src/ids/ computes them in TypeScript.
/// @dev Golden vectors for every function here are checked by contracts/test/IdsGolden.t.sol and by
/// src/ids/golden.test.ts against the same table in docs/ids.md.
library KeepIds {
    /// @notice Domain tag of workload ids.
    bytes32 internal constant WORKLOAD_DOMAIN = keccak256("keepledger.workload.v1");
    /// @notice Domain tag of measurement hashes.
    bytes32 internal constant MEASUREMENT_DOMAIN = keccak256("keepledger.measurement.v1");
    /// @notice Domain tag of the key-less pseudo-subject of unbound evidence.
    bytes32 internal constant UNBOUND_SUBJECT_DOMAIN = keccak256("keepledger.unbound-subject.v1");

    // solhint-disable gas-small-strings
    /// @notice EIP-712 type hash of Verdict; the verdict id is the struct hash under it.
    bytes32 internal constant VERDICT_TYPEHASH = keccak256(
        "Verdict(bytes32 workloadId,bytes32 measurementHash,uint8 tee,uint8 tcbStatus,address subject,"
        "bytes32 evidenceHash,bytes32 collateralHash,uint64 issuedAt,uint64 expiresAt,uint64 freshnessBlock)"
    );
    /// @notice EIP-712 type hash of VerdictBatch, what validators sign for a batch.
    bytes32 internal constant VERDICT_BATCH_TYPEHASH = keccak256("VerdictBatch(bytes32 root,uint32 count)");
    // solhint-enable gas-small-strings

    /// @notice The id of the workload `name` registered by `owner` (owner-scoped: names cannot be squatted).
    /// @param owner The registering owner.
    /// @param name The workload's name as registered.
    /// @return The workload id.
    function workloadId(address owner, string memory name) internal pure returns (bytes32) {
        return keccak256(abi.encode(WORKLOAD_DOMAIN, owner, keccak256(bytes(name))));
    }

    /// @notice The hash of a measurement value of a TEE kind (the value layouts are in docs/ids.md).
    /// @param tee The TEE kind as its uint8 value.
    /// @param value The packed measurement value.
    /// @return The measurement hash.
    function measurementHash(uint8 tee, bytes memory value) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(MEASUREMENT_DOMAIN, tee, value));
    }

    /// @notice The verdict id: the EIP-712 struct hash of `v` (no domain, so the same on every chain).
    /// @param v The verdict.
    /// @return The verdict id.
    function verdictId(Verdict memory v) internal pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    VERDICT_TYPEHASH,
                    v.workloadId,
                    v.measurementHash,
                    v.tee,
                    v.tcbStatus,
                    v.subject,
                    v.evidenceHash,
                    v.collateralHash,
                    v.issuedAt,
                    v.expiresAt,
                    v.freshnessBlock
                )
            );
    }

    /// @notice {verdictId} for a verdict in calldata (no copy to memory).
    /// @param v The verdict.
    /// @return The verdict id.
    function verdictIdCalldata(Verdict calldata v) internal pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    VERDICT_TYPEHASH,
                    v.workloadId,
                    v.measurementHash,
                    v.tee,
                    v.tcbStatus,
                    v.subject,
                    v.evidenceHash,
                    v.collateralHash,
                    v.issuedAt,
                    v.expiresAt,
                    v.freshnessBlock
                )
            );
    }

    /// @notice The EIP-712 struct hash of VerdictBatch(root, count).
    /// @param root The batch Merkle root (the batch id).
    /// @param count The number of verdicts (leaves) in the batch.
    /// @return The struct hash.
    function batchStructHash(bytes32 root, uint32 count) internal pure returns (bytes32) {
        return keccak256(abi.encode(VERDICT_BATCH_TYPEHASH, root, count));
    }

    /// @notice The pseudo-subject of a verdict over unbound evidence: an address no key can sign for.
    /// @param evidenceHash keccak256 of the raw evidence bytes.
    /// @return The pseudo-subject address.
    function unboundSubject(bytes32 evidenceHash) internal pure returns (address) {
        return address(uint160(uint256(keccak256(abi.encode(UNBOUND_SUBJECT_DOMAIN, evidenceHash)))));
    }
}
