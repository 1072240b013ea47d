// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @notice What the AttestationRegistry needs to check a verdict, as WorkloadRegistry.verdictContext
/// returns it: the measurement's status and the policy in force, packed into one word so that the call
/// on the hot path of every finalization returns, and decodes, a single uint256 instead of an
/// eight-field struct.
/// @dev Bits: measurementSerial 0-31 (0: the workload has no such measurement), measurementTee 32-39,
/// measurementRevoked 40, dev 41, allowUnboundEvidence 42, allowedTees 48-63 (a bitmask of 1 << TeeKind),
/// verdictLifetime 64-127. Every other bit is zero. The policy fields are those of the policy in force
/// at block.timestamp. Read it through VerdictContextLib, never by hand.
type VerdictContext is uint256;

using VerdictContextLib for VerdictContext global;

/// @title VerdictContextLib
/// @notice Packs and reads a VerdictContext (layout above).
library VerdictContextLib {
    uint256 private constant TEE_SHIFT = 32;
    uint256 private constant REVOKED_BIT = 1 << 40;
    uint256 private constant ALLOWED_TEES_SHIFT = 48;
    uint256 private constant DEV_BIT = 1 << 41;
    uint256 private constant UNBOUND_BIT = 1 << 42;
    uint256 private constant LIFETIME_SHIFT = 64;

    /// @notice Packs a context.
    /// @param measurementSerial_ The measurement's serial (0 for a measurement the workload does not have).
    /// @param measurementTee_ The measurement's TEE kind.
    /// @param measurementRevoked_ Whether the measurement is revoked.
    /// @param allowedTees_ The policy's allowed TEE kinds (bitmask of 1 << TeeKind).
    /// @param dev_ Whether the policy is a dev policy.
    /// @param allowUnboundEvidence_ Whether the policy accepts evidence that binds no key.
    /// @param verdictLifetime_ The policy's longest verdict lifetime, in seconds.
    /// @return The packed context.
    function pack(
        uint32 measurementSerial_,
        uint8 measurementTee_,
        bool measurementRevoked_,
        uint16 allowedTees_,
        bool dev_,
        bool allowUnboundEvidence_,
        uint64 verdictLifetime_
    ) internal pure returns (VerdictContext) {
        uint256 word =
            uint256(measurementSerial_) |
                (uint256(measurementTee_) << TEE_SHIFT) |
                (uint256(allowedTees_) << ALLOWED_TEES_SHIFT) |
                (uint256(verdictLifetime_) << LIFETIME_SHIFT);
        if (measurementRevoked_) word |= REVOKED_BIT;
        if (dev_) word |= DEV_BIT;
        if (allowUnboundEvidence_) word |= UNBOUND_BIT;
        return VerdictContext.wrap(word);
    }

    /// @notice Whether the workload has the measurement.
    function measurementKnown(VerdictContext c) internal pure returns (bool) {
        return measurementSerial(c) != 0;
    }

    /// @notice The measurement's serial (0 when unknown).
    function measurementSerial(VerdictContext c) internal pure returns (uint32) {
        return uint32(VerdictContext.unwrap(c));
    }

    /// @notice The measurement's TEE kind.
    function measurementTee(VerdictContext c) internal pure returns (uint8) {
        return uint8(VerdictContext.unwrap(c) >> TEE_SHIFT);
    }

    /// @notice Whether the measurement is revoked.
    function measurementRevoked(VerdictContext c) internal pure returns (bool) {
        return VerdictContext.unwrap(c) & REVOKED_BIT != 0;
    }

    /// @notice The allowed TEE kinds of the policy in force (bitmask of 1 << TeeKind).
    function allowedTees(VerdictContext c) internal pure returns (uint16) {
        return uint16(VerdictContext.unwrap(c) >> ALLOWED_TEES_SHIFT);
    }

    /// @notice Whether the policy in force is a dev policy.
    function dev(VerdictContext c) internal pure returns (bool) {
        return VerdictContext.unwrap(c) & DEV_BIT != 0;
    }

    /// @notice Whether the policy in force accepts evidence that binds no key.
    function allowUnboundEvidence(VerdictContext c) internal pure returns (bool) {
        return VerdictContext.unwrap(c) & UNBOUND_BIT != 0;
    }

    /// @notice The longest verdict lifetime of the policy in force, in seconds.
    function verdictLifetime(VerdictContext c) internal pure returns (uint64) {
        return uint64(VerdictContext.unwrap(c) >> LIFETIME_SHIFT);
    }
}
