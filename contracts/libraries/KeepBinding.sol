// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {LoggingProfile} from "./KeepTypes.sol";

/// @title KeepBinding
/// @notice The report-data binding of docs/ids.md: what a Keep puts into its evidence so that the
/// evidence names its key, this chain, this registry and a recent block.
/// @dev SGX/TDX/SEV-SNP/debug REPORTDATA (64 bytes) = bindingHash ‖ 32 zero bytes; Nitro user_data = bindingHash.
library KeepBinding {
    /// @notice A public key was not the 64-byte X‖Y form.
    /// @param length The length given.
    error KeepBindingPublicKeyLength(uint256 length);

    /// @notice Domain tag of the binding hash.
    bytes32 internal constant BINDING_DOMAIN = keccak256("keepledger.binding.v1");
    /// @notice Domain tag of a validator's self-attestation context.
    bytes32 internal constant VALIDATOR_CONTEXT_DOMAIN = keccak256("keepledger.validator-context.v1");

    /// @notice The binding hash a Keep commits to in its evidence.
    /// @param chainId The chain the registry lives on.
    /// @param attestationRegistry The AttestationRegistry address.
    /// @param subjectPublicKey64 The uncompressed secp256k1 public key without the 0x04 prefix (X‖Y).
    /// @param blockHash The hash of the freshness block.
    /// @param context Zero for an ordinary Keep, {validatorContext} for a validator's self-attestation.
    /// @return The binding hash.
    function bindingHash(
        uint256 chainId,
        address attestationRegistry,
        bytes memory subjectPublicKey64,
        bytes32 blockHash,
        bytes32 context
    ) internal pure returns (bytes32) {
        if (subjectPublicKey64.length != 64) revert KeepBindingPublicKeyLength(subjectPublicKey64.length);
        return
            keccak256(
                abi.encode(
                    BINDING_DOMAIN,
                    chainId,
                    attestationRegistry,
                    keccak256(subjectPublicKey64),
                    blockHash,
                    context
                )
            );
    }

    /// @notice The subject address of a public key (the Ethereum address of the key).
    /// @param subjectPublicKey64 The uncompressed secp256k1 public key without the 0x04 prefix (X‖Y).
    /// @return The address.
    function subjectOf(bytes memory subjectPublicKey64) internal pure returns (address) {
        if (subjectPublicKey64.length != 64) revert KeepBindingPublicKeyLength(subjectPublicKey64.length);
        return address(uint160(uint256(keccak256(subjectPublicKey64))));
    }

    /// @notice The binding context of a validator's self-attestation: its logging profile.
    /// @param profile The validator's logging profile.
    /// @return The context value.
    function validatorContext(LoggingProfile profile) internal pure returns (bytes32) {
        return keccak256(abi.encode(VALIDATOR_CONTEXT_DOMAIN, uint8(profile)));
    }

    /// @notice The 64-byte REPORTDATA of SGX, TDX, SEV-SNP and debug evidence for a binding hash.
    /// @param binding The binding hash.
    /// @return The report data: binding ‖ 32 zero bytes.
    function reportData(bytes32 binding) internal pure returns (bytes memory) {
        return abi.encodePacked(binding, bytes32(0));
    }
}
