// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Verdict} from "../libraries/KeepTypes.sol";

/// @title IKeyRegistry
/// @notice Attested key release (docs/key-release.md): secrets split t-of-n among validators, released by
/// each validator only to a Keep that holds a live verdict satisfying the key's release policy. This
/// registry records the key versions and their release policy, the validators' key-service keys, the
/// on-chain release check every validator runs, and the validators' release receipts as Merkle roots.
/// Tightening is immediate, loosening waits for the WorkloadRegistry's policy delay.
interface IKeyRegistry {
    // ===== Types =====

    /// @notice Who may receive a key.
    /// @dev acceptedTcbStatuses is a bitmask of 1 << TcbStatus, never Unknown or Revoked. allowDebug only
    /// on deployments that allow dev policies; false refuses debug Keep verdicts and verdicts of a workload
    /// whose policy in force is a dev policy. secondWorkloadId: Keeps of this workload may receive the key
    /// too (0: none).
    struct ReleasePolicy {
        bytes32 secondWorkloadId;
        uint16 acceptedTcbStatuses;
        bool allowDebug;
    }

    /// @notice A key as stored.
    struct KeyInfo {
        bytes32 workloadId;
        uint32 latestVersion;
        uint64 createdAt;
        string name;
    }

    /// @notice One version of a key: split t-of-n for `shareholders`, in share order (share i + 1 to
    /// shareholders[i]). shareCommitment = keccak256(abi.encodePacked(shareHashes)).
    struct KeyVersionInfo {
        uint16 threshold;
        uint64 createdAt;
        uint64 retiredAt;
        bytes32 shareCommitment;
        address[] shareholders;
    }

    /// @notice A validator's record of one release; the validator is whoever commits it.
    struct ReleaseReceipt {
        bytes32 keyId;
        uint32 version;
        address subject;
        uint64 releasedAt;
        bytes32 requestHash;
    }

    /// @notice A committed batch of receipts.
    struct ReceiptBatch {
        address validator;
        uint32 count;
        uint64 committedAt;
    }

    /// @notice Why releaseCheck refuses (None: the release is allowed).
    enum ReleaseRefusal {
        None,
        UnknownKey,
        UnknownVersion,
        VersionRetired,
        WrongWorkload,
        SubjectRevoked,
        NoLiveVerdict,
        VerdictMismatch,
        TcbStatus,
        Debug
    }

    // ===== Errors =====

    /// @notice A key with this id (same workload, same name) already exists.
    error KeyRegistryKeyExists(bytes32 keyId);
    /// @notice No key has this id.
    error KeyRegistryUnknownKey(bytes32 keyId);
    /// @notice The key has no such version.
    error KeyRegistryUnknownVersion(bytes32 keyId, uint32 version);
    /// @notice The version is already retired.
    error KeyRegistryVersionRetired(bytes32 keyId, uint32 version);
    /// @notice Only the owner of the key's workload may do this.
    error KeyRegistryNotOwner(bytes32 workloadId, address owner, address caller);
    /// @notice Only the workload's owner or a GOVERNOR_ROLE holder may do this.
    error KeyRegistryNotOwnerOrGovernor(bytes32 keyId, address caller);
    /// @notice No workload has this id.
    error KeyRegistryUnknownWorkload(bytes32 workloadId);
    /// @notice The name is empty or longer than MAX_NAME_LENGTH.
    error KeyRegistryBadName(uint256 length, uint256 max);
    /// @notice The threshold must be at least 2 and at most the number of shareholders.
    error KeyRegistryBadThreshold(uint16 threshold, uint256 shareholders);
    /// @notice More shareholders than MAX_SHAREHOLDERS, or share hashes not one per shareholder.
    error KeyRegistryBadShareholders(uint256 shareholders, uint256 shareHashes, uint256 max);
    /// @notice A shareholder appears twice.
    error KeyRegistryDuplicateShareholder(address validator);
    /// @notice A shareholder is not a registered validator with a key-service key.
    error KeyRegistryNotKeyService(address validator);
    /// @notice A share hash is zero.
    error KeyRegistryZeroShareHash(uint256 index);
    /// @notice The accepted TCB statuses are empty or include Unknown, Revoked or an unknown status.
    error KeyRegistryBadTcbStatuses(uint16 acceptedTcbStatuses);
    /// @notice allowDebug on a deployment that does not allow dev policies.
    error KeyRegistryDebugNotAllowed();
    /// @notice The second workload is unknown or the key's own workload.
    error KeyRegistryBadSecondWorkload(bytes32 secondWorkloadId);
    /// @notice Only a registered validator may set a key-service key.
    error KeyRegistryNotValidator(address caller);
    /// @notice A key-service public key cannot be zero.
    error KeyRegistryZeroKeyServiceKey();
    /// @notice Only a counting validator may commit receipts.
    error KeyRegistryNotCountingValidator(address caller);
    /// @notice A receipt batch holds 1..MAX_RECEIPTS receipts.
    error KeyRegistryBadReceiptCount(uint256 count, uint256 max);
    /// @notice A receipt names a release in the future.
    error KeyRegistryReceiptInFuture(uint256 index, uint64 releasedAt, uint64 now_);
    /// @notice This batch of receipts was committed already.
    error KeyRegistryReceiptBatchExists(bytes32 root);
    /// @notice A constructor argument is the zero address.
    error KeyRegistryZeroAddress();

    // ===== Events =====

    /// @notice A key was created (its version 1 follows in KeyVersionCreated).
    event KeyCreated(bytes32 indexed keyId, bytes32 indexed workloadId, string name, address indexed actor);
    /// @notice A version of a key was recorded: share i + 1 is held by shareholders[i] and hashes to
    /// shareHashes[i] (keccak256(abi.encode(keyId, version, i + 1, share))).
    event KeyVersionCreated(
        bytes32 indexed keyId,
        uint32 indexed version,
        uint16 threshold,
        address[] shareholders,
        bytes32[] shareHashes,
        bytes32 shareCommitment
    );
    /// @notice A version was retired: no honest validator releases it any more.
    event KeyVersionRetired(bytes32 indexed keyId, uint32 indexed version, address indexed actor);
    /// @notice A release policy was scheduled; in force from `effectiveAt` (now when no looser).
    event ReleasePolicyScheduled(
        bytes32 indexed keyId,
        ReleasePolicy policy,
        uint64 indexed effectiveAt,
        address indexed actor
    );
    /// @notice A validator published its key-service (HPKE X25519) public key.
    event KeyServiceKeySet(address indexed validator, bytes32 publicKey);
    /// @notice A validator committed a batch of release receipts; `root` is their Merkle root.
    event ReleaseReceiptsCommitted(
        bytes32 indexed root,
        address indexed validator,
        uint32 count,
        ReleaseReceipt[] receipts
    );

    // ===== Keys =====

    /// @notice Creates a key of `workloadId` with its version 1 (workload owner only).
    /// @param workloadId The workload whose Keeps may receive the key.
    /// @param name The key's name, unique within the workload (1..MAX_NAME_LENGTH bytes).
    /// @param policy The release policy, in force at once.
    /// @param threshold t: shares needed to recombine (2 ≤ t ≤ shareholders).
    /// @param shareholders The validators holding the shares, in share order.
    /// @param shareHashes keccak256(abi.encode(keyId, 1, i + 1, share)) per shareholder.
    /// @return keyId keccak256(abi.encode(KEY_DOMAIN, workloadId, keccak256(name))).
    function createKey(
        bytes32 workloadId,
        string calldata name,
        ReleasePolicy calldata policy,
        uint16 threshold,
        address[] calldata shareholders,
        bytes32[] calldata shareHashes
    ) external returns (bytes32 keyId);

    /// @notice Records the next version of a key, re-split for `shareholders` (workload owner only).
    /// @param keyId The key.
    /// @param threshold t of the new version.
    /// @param shareholders The validators holding the new shares, in share order.
    /// @param shareHashes keccak256(abi.encode(keyId, version, i + 1, share)) per shareholder.
    /// @return version The new version.
    function rotateKey(
        bytes32 keyId,
        uint16 threshold,
        address[] calldata shareholders,
        bytes32[] calldata shareHashes
    ) external returns (uint32 version);

    /// @notice Retires a version at once and for good (workload owner or GOVERNOR_ROLE).
    /// @param keyId The key.
    /// @param version The version.
    function retireVersion(bytes32 keyId, uint32 version) external;

    /// @notice Schedules a release policy: in force at once when no looser than the one in force (a subset
    /// of its TCB statuses, debug not newly allowed, the second workload kept or dropped), otherwise after
    /// the WorkloadRegistry's policy delay (workload owner only).
    /// @param keyId The key.
    /// @param policy The new release policy.
    /// @return effectiveAt When it is in force.
    function setReleasePolicy(bytes32 keyId, ReleasePolicy calldata policy) external returns (uint64 effectiveAt);

    /// @notice A key.
    /// @param keyId The key.
    /// @return The key (workloadId 0 when unknown).
    function keyOf(bytes32 keyId) external view returns (KeyInfo memory);

    /// @notice A version of a key.
    /// @param keyId The key.
    /// @param version The version.
    /// @return The version (createdAt 0 when unknown).
    function versionOf(bytes32 keyId, uint32 version) external view returns (KeyVersionInfo memory);

    /// @notice The release policy in force now, and since when.
    /// @param keyId The key.
    /// @return policy The policy in force.
    /// @return effectiveAt Since when.
    function releasePolicyOf(bytes32 keyId) external view returns (ReleasePolicy memory policy, uint64 effectiveAt);

    /// @notice A scheduled release policy not yet in force (effectiveAt 0: none).
    /// @param keyId The key.
    /// @return policy The pending policy.
    /// @return effectiveAt When it takes effect.
    function pendingReleasePolicyOf(
        bytes32 keyId
    ) external view returns (ReleasePolicy memory policy, uint64 effectiveAt);

    /// @notice How many of a version's shareholders count in the ValidatorSet now (fewer than t: at risk).
    /// @param keyId The key.
    /// @param version The version.
    /// @return live Shareholders that count.
    /// @return threshold The version's t.
    function liveShareholders(bytes32 keyId, uint32 version) external view returns (uint16 live, uint16 threshold);

    // ===== Release =====

    /// @notice Whether `v.subject` may receive `keyId` version `version` now. Every validator calls it
    /// at the current block before releasing its share.
    /// @dev v must be the subject's latest verdict (the one isAttested names) for the key's workload or
    /// second workload; its TCB status must be accepted; debug only when the release policy allows it.
    /// @param keyId The key.
    /// @param version The version.
    /// @param v The Keep's latest verdict.
    /// @return The first reason to refuse, or None.
    function releaseCheck(bytes32 keyId, uint32 version, Verdict calldata v) external view returns (ReleaseRefusal);

    // ===== Key-service keys =====

    /// @notice Publishes the caller's key-service public key (registered validators only). It is
    /// attested once the validator's own verdict is issued at or after now (docs/key-release.md).
    /// @param publicKey The HPKE DHKEM(X25519) public key.
    function setKeyServiceKey(bytes32 publicKey) external;

    /// @notice A validator's key-service key.
    /// @param validator The validator.
    /// @return publicKey The key (0: none).
    /// @return setAt When it was published.
    /// @return attested Whether the validator's own live verdict was issued at or after setAt.
    function keyServiceKeyOf(address validator) external view returns (bytes32 publicKey, uint64 setAt, bool attested);

    // ===== Receipts =====

    /// @notice Commits a batch of the caller's release receipts (counting validators only) and returns
    /// their Merkle root over receiptLeaf(msg.sender, receipt) in order.
    /// @param receipts 1..MAX_RECEIPTS receipts, none in the future.
    /// @return root The Merkle root.
    function commitReleaseReceipts(ReleaseReceipt[] calldata receipts) external returns (bytes32 root);

    /// @notice A committed batch (count 0 when unknown).
    /// @param root The batch's Merkle root.
    /// @return The batch.
    function receiptBatchOf(bytes32 root) external view returns (ReceiptBatch memory);

    /// @notice Whether a receipt by `validator` is in the committed batch `root`.
    /// @param validator The validator that released.
    /// @param receipt The receipt.
    /// @param root The batch root.
    /// @param proof The Merkle proof (OpenZeppelin MerkleProof, sorted pairs).
    /// @return True when the batch exists, was committed by `validator` and holds the receipt.
    function verifyReleaseReceipt(
        address validator,
        ReleaseReceipt calldata receipt,
        bytes32 root,
        bytes32[] calldata proof
    ) external view returns (bool);

    /// @notice The Merkle leaf of a receipt: keccak256(abi.encode(RECEIPT_TYPEHASH, validator, keyId,
    /// version, subject, releasedAt, requestHash)).
    /// @param validator The validator that released.
    /// @param receipt The receipt.
    /// @return The leaf.
    function receiptLeaf(address validator, ReleaseReceipt calldata receipt) external pure returns (bytes32);
}
