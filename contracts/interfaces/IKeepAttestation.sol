// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @title IKeepAttestation
/// @notice What a dApp needs to ask: "is this key an attested Keep of workload W, right now?"
interface IKeepAttestation {
    /// @notice Whether `subject` holds a live verdict for `workloadId`.
    /// @dev Reads the latest verdict (highest issuedAt) recorded for the pair and honours its expiry, its
    /// revocation and the revocation of the measurement it rests on. Batched verdicts count once
    /// materialized. When not ok, verdictId and expiresAt still describe the latest verdict (zero if none).
    /// @param subject The Keep's key, as an address.
    /// @param workloadId The workload.
    /// @return ok True while the latest verdict is live.
    /// @return verdictId The latest verdict's id.
    /// @return expiresAt When the latest verdict expires.
    function isAttested(
        address subject,
        bytes32 workloadId
    ) external view returns (bool ok, bytes32 verdictId, uint64 expiresAt);

    /// @notice Whether a verdict stored on-chain (finalized or materialized) is live now.
    /// @param verdictId The verdict id.
    /// @return True when stored, not expired, not revoked and its measurement not revoked.
    function isVerdictLive(bytes32 verdictId) external view returns (bool);
}
