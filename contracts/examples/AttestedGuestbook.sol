// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IKeepAttestation} from "../interfaces/IKeepAttestation.sol";
import {IAttestedGuestbook} from "./IAttestedGuestbook.sol";

/// @title AttestedGuestbook
/// @notice Example consumer of IKeepAttestation: a message counts only if an attested Keep signed it.
/// @dev The Keep's key never leaves its TEE; the verdict says the key belongs to an attested Keep of the
/// workload, so a valid signature by that key is a statement made by code the workload owner approved.
contract AttestedGuestbook is IAttestedGuestbook, EIP712 {
    // solhint-disable-next-line gas-small-strings
    bytes32 private constant ENTRY_TYPEHASH = keccak256("Entry(address keep,string text,uint256 nonce)");

    IKeepAttestation private immutable ATTESTATION;
    bytes32 private immutable WORKLOAD_ID;

    mapping(address keep => uint256) private _nonces;

    /// @param attestation The keepledger AttestationRegistry (or anything implementing IKeepAttestation).
    /// @param workloadId_ The workload whose Keeps may sign.
    constructor(IKeepAttestation attestation, bytes32 workloadId_) EIP712("AttestedGuestbook", "1") {
        ATTESTATION = attestation;
        WORKLOAD_ID = workloadId_;
    }

    /// @inheritdoc IAttestedGuestbook
    function post(address keep, string calldata text, uint256 nonce, bytes calldata signature) external {
        uint256 expected = _nonces[keep];
        if (nonce != expected) revert AttestedGuestbookBadNonce(expected, nonce);
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(ENTRY_TYPEHASH, keep, keccak256(bytes(text)), nonce)));
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err != ECDSA.RecoverError.NoError || recovered != keep) {
            revert AttestedGuestbookBadSignature(keep, recovered);
        }
        (bool ok, bytes32 verdictId, ) = ATTESTATION.isAttested(keep, WORKLOAD_ID);
        if (!ok) revert AttestedGuestbookNotAttested(keep, WORKLOAD_ID);

        _nonces[keep] = expected + 1;
        emit EntryAccepted(keep, verdictId, nonce, text);
    }

    /// @inheritdoc IAttestedGuestbook
    function nonceOf(address keep) external view returns (uint256) {
        return _nonces[keep];
    }

    /// @inheritdoc IAttestedGuestbook
    function workloadId() external view returns (bytes32) {
        return WORKLOAD_ID;
    }
}
