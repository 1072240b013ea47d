// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IAttestationRequests} from "./interfaces/IAttestationRequests.sol";

/// @title AttestationRequests
/// @notice Evidence posted on-chain for the validators to verify (see IAttestationRequests). A separate
/// contract from the AttestationRegistry: requests are an optional intake path, and keeping them apart
/// leaves the registry's hot paths and storage untouched.
contract AttestationRequests is IAttestationRequests {
    /// @notice The longest evidence accepted (TDX quotes with certification data are about 5 KiB).
    uint256 public constant MAX_EVIDENCE_LENGTH = 32_768;

    uint256 private _requestCount;

    /// @inheritdoc IAttestationRequests
    function requestAttestation(
        bytes32 workloadId,
        bytes calldata evidence,
        bytes calldata publicKey,
        uint64 freshnessBlock
    ) external returns (uint256 requestId) {
        if (evidence.length == 0 || evidence.length > MAX_EVIDENCE_LENGTH) {
            revert AttestationRequestsEvidenceLength(evidence.length, MAX_EVIDENCE_LENGTH);
        }
        if (publicKey.length != 0 && publicKey.length != 64 && publicKey.length != 65) {
            revert AttestationRequestsPublicKeyLength(publicKey.length);
        }
        if (publicKey.length == 65 && publicKey[0] != 0x04) revert AttestationRequestsPublicKeyPrefix(publicKey[0]);
        if ((publicKey.length == 0) != (freshnessBlock == 0)) {
            revert AttestationRequestsBindingIncomplete(publicKey.length, freshnessBlock);
        }
        // solhint-disable-next-line gas-strict-inequalities
        if (freshnessBlock >= block.number)
            revert AttestationRequestsFreshnessBlockInFuture(freshnessBlock, block.number);
        requestId = ++_requestCount;
        emit AttestationRequested(requestId, workloadId, msg.sender, evidence, publicKey, freshnessBlock);
    }

    /// @inheritdoc IAttestationRequests
    function requestCount() external view returns (uint256) {
        return _requestCount;
    }
}
