// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @title IAttestationRequests
/// @notice On-chain requests for attestation: a Keep (or anyone on its behalf) posts its evidence and the
/// key it binds; validator nodes pick the request up from the event, verify the evidence off-chain like an
/// HTTP submission and finalize the verdict in the AttestationRegistry. Nothing is stored but a counter.
interface IAttestationRequests {
    // ===== Errors =====

    /// @notice The evidence must be 1 to `max` bytes.
    error AttestationRequestsEvidenceLength(uint256 length, uint256 max);
    /// @notice A public key is 64 bytes (X‖Y) or 65 bytes (0x04‖X‖Y), or empty for unbound evidence.
    error AttestationRequestsPublicKeyLength(uint256 length);
    /// @notice A 65-byte public key must start with 0x04 (uncompressed).
    error AttestationRequestsPublicKeyPrefix(bytes1 prefix);
    /// @notice Bound evidence names both a key and a freshness block; unbound evidence (dev only) neither.
    error AttestationRequestsBindingIncomplete(uint256 publicKeyLength, uint64 freshnessBlock);
    /// @notice The freshness block must be an earlier block than the request's.
    error AttestationRequestsFreshnessBlockInFuture(uint64 freshnessBlock, uint256 blockNumber);

    // ===== Events =====

    /// @notice Attestation was requested; validator nodes process it like an HTTP submission.
    /// @param requestId The request's number (1, 2, …).
    /// @param workloadId The workload the Keep claims to run.
    /// @param requester Who sent the request.
    /// @param evidence The raw evidence bytes.
    /// @param publicKey The subject's secp256k1 key (64 or 65 bytes), empty for unbound evidence.
    /// @param freshnessBlock The block whose hash the evidence binds, 0 for unbound evidence.
    event AttestationRequested(
        uint256 indexed requestId,
        bytes32 indexed workloadId,
        address indexed requester,
        bytes evidence,
        bytes publicKey,
        uint64 freshnessBlock
    );

    // ===== Requests =====

    /// @notice Asks the validators to verify `evidence` for `workloadId`; anyone may call.
    /// @dev Checks only the shape (lengths, the binding's two halves, a past freshness block); validators
    /// verify everything else off-chain and refuse what does not verify. Collateral comes from the
    /// validators' own collateral sources.
    /// @param workloadId The workload.
    /// @param evidence The raw evidence, 1 to MAX_EVIDENCE_LENGTH bytes.
    /// @param publicKey The bound key, 64 or 65 bytes; empty for unbound evidence.
    /// @param freshnessBlock The bound block's number (before this block); 0 for unbound evidence.
    /// @return requestId The request's number.
    function requestAttestation(
        bytes32 workloadId,
        bytes calldata evidence,
        bytes calldata publicKey,
        uint64 freshnessBlock
    ) external returns (uint256 requestId);

    /// @notice How many requests were made (the last request id).
    /// @return The count.
    function requestCount() external view returns (uint256);
}
