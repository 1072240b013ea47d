// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @title BatchMerkle
/// @notice The batch Merkle tree of docs/ids.md: leaves in order, each level hashes adjacent pairs with
/// the sorted-pair keccak of OpenZeppelin `Hashes.commutativeKeccak256`, and an odd last node is
/// carried up unchanged. Proofs therefore verify with OpenZeppelin `MerkleProof`.
library BatchMerkle {
    /// @notice A tree needs at least one leaf.
    error BatchMerkleEmpty();
    /// @notice A proof was asked for a leaf index outside the tree.
    /// @param index The index asked for.
    /// @param count The number of leaves.
    error BatchMerkleIndexOutOfRange(uint256 index, uint256 count);

    /// @notice The root over `nodes`, computed in place: the array's contents are destroyed.
    /// @dev In place and in assembly because a 256-verdict batch hashes 255 pairs; see docs/contracts.md.
    /// @param nodes The leaves, in order.
    /// @return result The Merkle root (the leaf itself for a single leaf).
    function rootInPlace(bytes32[] memory nodes) internal pure returns (bytes32 result) {
        if (nodes.length == 0) revert BatchMerkleEmpty();
        assembly ("memory-safe") {
            let base := add(nodes, 0x20)
            for {
                let n := mload(nodes)
            } gt(n, 1) {} {
                let half := shr(1, n)
                for {
                    let i := 0
                } lt(i, half) {
                    i := add(i, 1)
                } {
                    let a := mload(add(base, shl(6, i)))
                    let b := mload(add(base, add(shl(6, i), 0x20)))
                    switch lt(a, b)
                    case 1 {
                        mstore(0x00, a)
                        mstore(0x20, b)
                    }
                    default {
                        mstore(0x00, b)
                        mstore(0x20, a)
                    }
                    mstore(add(base, shl(5, i)), keccak256(0x00, 0x40))
                }
                if and(n, 1) {
                    mstore(add(base, shl(5, half)), mload(add(base, shl(5, sub(n, 1)))))
                    half := add(half, 1)
                }
                n := half
            }
            result := mload(base)
        }
    }

    /// @notice The root over `leaves`, leaving the array intact.
    /// @param leaves The leaves, in order.
    /// @return The Merkle root.
    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        bytes32[] memory copy = new bytes32[](leaves.length);
        for (uint256 i = 0; i < leaves.length; ++i) copy[i] = leaves[i];
        return rootInPlace(copy);
    }

    /// @notice The proof of leaf `index`: the sibling at each level that has one, bottom up.
    /// @param leaves The leaves, in order.
    /// @param index The leaf to prove.
    /// @return siblings The sibling hashes, for OpenZeppelin `MerkleProof.verify`.
    function proof(bytes32[] memory leaves, uint256 index) internal pure returns (bytes32[] memory siblings) {
        uint256 n = leaves.length;
        // solhint-disable-next-line gas-strict-inequalities
        if (index >= n) revert BatchMerkleIndexOutOfRange(index, n);
        bytes32[] memory level = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) level[i] = leaves[i];
        bytes32[] memory path = new bytes32[](256);
        uint256 depth = 0;
        while (n > 1) {
            uint256 sibling = index ^ 1;
            if (sibling < n) {
                path[depth] = level[sibling];
                ++depth;
            }
            uint256 half = n / 2;
            for (uint256 i = 0; i < half; ++i) level[i] = _pair(level[2 * i], level[2 * i + 1]);
            if (n % 2 == 1) {
                level[half] = level[n - 1];
                ++half;
            }
            n = half;
            index /= 2;
        }
        siblings = new bytes32[](depth);
        for (uint256 i = 0; i < depth; ++i) siblings[i] = path[i];
    }

    function _pair(bytes32 a, bytes32 b) private pure returns (bytes32) {
        return a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
    }
}
