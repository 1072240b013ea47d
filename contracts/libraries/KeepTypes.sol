// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @notice The TEE kinds keepledger knows; the TypeScript names are sgx, tdx, sev-snp, nitro, debug, nvidia-gpu,
/// azure-cvm, arm-cca, cpu-gpu (src/ids/enums.ts TEE_KIND_CODES).
/// @dev Unknown (0) is never valid. Debug is "no TEE at all" and is only accepted by dev policies.
enum TeeKind {
    Unknown,
    Sgx,
    Tdx,
    SevSnp,
    Nitro,
    Debug,
    NvidiaGpu,
    AzureCvm,
    ArmCca,
    CpuGpu
}

/// @notice TCB statuses as Intel's QVL reports them, plus NotApplicable for kinds without one.
/// @dev Unknown (0) and Revoked (7) can never be accepted by a policy nor finalize a verdict.
enum TcbStatus {
    Unknown,
    UpToDate,
    SWHardeningNeeded,
    ConfigurationNeeded,
    ConfigurationAndSWHardeningNeeded,
    OutOfDate,
    OutOfDateConfigurationNeeded,
    Revoked,
    NotApplicable
}

/// @notice How much a validator logs; bound into its own evidence (see KeepBinding.validatorContext).
enum LoggingProfile {
    Production,
    Staging,
    Debug
}

/// @notice A validator-signed statement: `subject` is an attested Keep of `workloadId`.
/// @dev Its EIP-712 struct hash is the verdict id (chain-independent). Field types are plain uint8 for
/// tee and tcbStatus so that an out-of-range value reaches the registry's typed errors instead of
/// failing ABI decoding. freshnessBlock = 0 marks evidence that did not bind a key (see docs/ids.md).
struct Verdict {
    bytes32 workloadId;
    bytes32 measurementHash;
    uint8 tee;
    uint8 tcbStatus;
    address subject;
    bytes32 evidenceHash;
    bytes32 collateralHash;
    uint64 issuedAt;
    uint64 expiresAt;
    uint64 freshnessBlock;
}

/// @notice The per-Keep part of a batched verdict; the rest comes from its VerdictGroup.
/// @dev Calldata and event data only (never stored), so field order follows the Verdict, not packing.
// solhint-disable-next-line gas-struct-packing
struct BatchItem {
    address subject;
    bytes32 evidenceHash;
    uint64 freshnessBlock;
}

/// @notice Verdicts of one batch that share everything but subject, evidence and freshness block.
/// @dev Calldata and event data only (never stored), so field order follows the Verdict, not packing.
// solhint-disable-next-line gas-struct-packing
struct VerdictGroup {
    bytes32 workloadId;
    bytes32 measurementHash;
    uint8 tee;
    uint8 tcbStatus;
    bytes32 collateralHash;
    uint64 issuedAt;
    uint64 expiresAt;
    BatchItem[] items;
}

/// @notice SEV-SNP security patch levels of one product line's minimum REPORTED_TCB.
/// @dev All zero: no minimum for that line. fmc exists on Turin only (must be 0 for Milan and Genoa).
struct SnpTcb {
    uint8 bootloader;
    uint8 tee;
    uint8 snp;
    uint8 microcode;
    uint8 fmc;
}

/// @notice What a policy demands of the launch configuration and firmware beyond the measurement
/// (mirrors LaunchPolicy of src/policy/types.ts; defaults in KeepTypes.DEFAULT_*).
/// @dev snpAllowedVmpls is a bitmask of 1 << VMPL (1..0xF). The DEBUG bits of tdxAllowedTdAttributes
/// (bit 0) and sgxAllowedAttributes (bit 1) are never set: debug is ruled by Policy.dev alone.
/// tdxOwnerConfigDigest = keccak256(MRCONFIGID || MROWNER || MROWNERCONFIG); zero: all three must be zero.
struct LaunchPolicy {
    SnpTcb snpMinTcbMilan;
    SnpTcb snpMinTcbGenoa;
    SnpTcb snpMinTcbTurin;
    uint64 tdxAllowedTdAttributes;
    uint64 tdxAllowedXfam;
    uint64 sgxAllowedAttributes;
    uint16 sgxMinIsvSvn;
    uint8 snpAllowedVmpls;
    bool snpAllowMigrateMa;
    bool snpRequireSmtOff;
    bytes32 tdxOwnerConfigDigest;
}

/// @notice A workload's platform policy (see WorkloadRegistry.schedulePolicy for the rules).
/// @dev allowedTees is a bitmask of 1 << TeeKind, acceptedTcbStatuses of 1 << TcbStatus,
/// deniedAmdProductLines of KeepTypes.AMD_* bits.
struct Policy {
    uint16 allowedTees;
    uint16 acceptedTcbStatuses;
    bool dev;
    bool allowUnboundEvidence;
    uint8 deniedAmdProductLines;
    uint64 maxEvidenceAge;
    uint64 verdictLifetime;
    uint64 tcbGracePeriod;
    string[] deniedAdvisories;
    bytes6[] deniedFmspcs;
    LaunchPolicy launch;
}

/// @title KeepTypes
/// @notice Constants shared by the keepledger contracts and mirrored in src/ids/enums.ts.
library KeepTypes {
    /// @notice The largest valid TeeKind value (CpuGpu).
    uint8 internal constant TEE_KIND_MAX = 9;
    /// @notice The largest valid TcbStatus value (NotApplicable).
    uint8 internal constant TCB_STATUS_MAX = 8;

    /// @notice AMD product-line bits of Policy.deniedAmdProductLines.
    uint8 internal constant AMD_MILAN = 1;
    uint8 internal constant AMD_GENOA = 2;
    uint8 internal constant AMD_TURIN = 4;
    uint8 internal constant AMD_ALL = 7;

    /// @notice Every valid TEE bit: sgx, tdx, sev-snp, nitro, debug, nvidia-gpu (0x40), azure-cvm (0x80), arm-cca
    /// (0x100: allowedTees is 16 bits wide), cpu-gpu (0x200).
    uint16 internal constant TEES_ALL = 0x3fe;
    /// @notice The TEE bit of the Debug kind.
    uint16 internal constant TEE_DEBUG_BIT = 0x20;
    /// @notice Default allowed TEEs: every kind with a hardware root (sgx, tdx, sev-snp, nitro, nvidia-gpu, azure-cvm,
    /// arm-cca, cpu-gpu), as src/policy/types.ts defaultPolicy derives it from the kinds' facts; a verdict still needs a
    /// measurement of its own kind approved for the workload (a cpu-gpu one names its CPU part and GPU requirements).
    uint16 internal constant DEFAULT_ALLOWED_TEES = 0x3de;

    /// @notice Every TCB-status bit a policy may accept: 1..8 minus Revoked (7).
    uint16 internal constant TCB_ACCEPTABLE = 0x17e;
    /// @notice Default accepted TCB statuses: UpToDate and NotApplicable.
    uint16 internal constant DEFAULT_ACCEPTED_TCB = 0x102;

    /// @notice Default maximum evidence age: 1 hour.
    uint64 internal constant DEFAULT_MAX_EVIDENCE_AGE = 1 hours;
    /// @notice Default verdict lifetime: 7 days.
    uint64 internal constant DEFAULT_VERDICT_LIFETIME = 7 days;
    /// @notice Hard cap of Policy.verdictLifetime.
    uint64 internal constant MAX_VERDICT_LIFETIME = 365 days;
    /// @notice Hard cap of the validator set (and so of the signatures on one verdict or batch).
    uint256 internal constant MAX_VALIDATORS = 64;
    /// @notice Hard cap of each Policy list (deniedAdvisories, deniedFmspcs).
    uint256 internal constant MAX_POLICY_LIST = 32;

    /// @notice Default LaunchPolicy.snpAllowedVmpls: VMPL 0 only.
    uint8 internal constant DEFAULT_SNP_ALLOWED_VMPLS = 1;
    /// @notice Every VMPL bit (VMPL 0..3).
    uint8 internal constant SNP_VMPLS_ALL = 0x0f;
    /// @notice Default TDX TD_ATTRIBUTES allowed: SEPT_VE_DISABLE (28), PKS (30), KL (31).
    uint64 internal constant DEFAULT_TDX_ALLOWED_TD_ATTRIBUTES = (1 << 28) | (1 << 30) | (1 << 31);
    /// @notice The TD_ATTRIBUTES.DEBUG bit (ruled by Policy.dev, never by the mask).
    uint64 internal constant TDX_TD_ATTRIBUTE_DEBUG = 1;
    /// @notice Default TDX XFAM allowed: every bit (XFAM selects CPU features, not isolation).
    uint64 internal constant DEFAULT_TDX_ALLOWED_XFAM = type(uint64).max;
    /// @notice Default SGX ATTRIBUTES.FLAGS allowed: INIT (0), MODE64BIT (2), KSS (7), AEXNOTIFY (10).
    uint64 internal constant DEFAULT_SGX_ALLOWED_ATTRIBUTES = (1 << 0) | (1 << 2) | (1 << 7) | (1 << 10);
    /// @notice The SGX ATTRIBUTES.FLAGS DEBUG bit (ruled by Policy.dev, never by the mask).
    uint64 internal constant SGX_ATTRIBUTE_DEBUG = 2;

    /// @notice Lowest policy delay of a production (non-dev) WorkloadRegistry: 1 day.
    uint64 internal constant MIN_PRODUCTION_POLICY_DELAY = 1 days;
    /// @notice Lowest governance delay of a production (non-dev) ValidatorSet: 1 day.
    uint64 internal constant MIN_PRODUCTION_GOVERNANCE_DELAY = 1 days;
    /// @notice Lowest DEFAULT_ADMIN_ROLE transfer delay of a production (non-dev) deployment: 1 day.
    uint48 internal constant MIN_PRODUCTION_ADMIN_DELAY = 1 days;
}
