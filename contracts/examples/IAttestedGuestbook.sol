// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @title IAttestedGuestbook
/// @notice An example consumer: a guestbook that only attested Keeps of one workload can sign.
interface IAttestedGuestbook {
    /// @notice The signing Keep holds no live verdict for the guestbook's workload.
    error AttestedGuestbookNotAttested(address keep, bytes32 workloadId);
    /// @notice The signature does not recover to the Keep named in the entry.
    error AttestedGuestbookBadSignature(address keep, address recovered);
    /// @notice Entries of a Keep are numbered 0, 1, 2, … to stop replays.
    error AttestedGuestbookBadNonce(uint256 expected, uint256 actual);

    /// @notice An entry signed by an attested Keep was accepted.
    event EntryAccepted(address indexed keep, bytes32 indexed verdictId, uint256 indexed nonce, string text);

    /// @notice Accepts `text` signed by `keep` (EIP-712 `Entry(address keep,string text,uint256 nonce)`
    /// under the domain {name: "AttestedGuestbook", version: "1", chainId, verifyingContract: this}),
    /// only if `keep` is an attested Keep of the guestbook's workload right now. Anyone may relay.
    /// @param keep The Keep's key, as an address.
    /// @param text The entry.
    /// @param nonce The Keep's next nonce (nonceOf(keep)).
    /// @param signature The Keep's 65-byte signature.
    function post(address keep, string calldata text, uint256 nonce, bytes calldata signature) external;

    /// @notice The next nonce `keep` must sign.
    /// @param keep The Keep.
    /// @return The nonce.
    function nonceOf(address keep) external view returns (uint256);

    /// @notice The workload whose Keeps may sign.
    /// @return The workload id.
    function workloadId() external view returns (bytes32);
}
