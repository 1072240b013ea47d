// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

// Test code: the handler's calls may revert (a short quorum, an expired verdict); it records what succeeded.
// solhint-disable gas-small-strings, gas-strict-inequalities, gas-increment-by-one, no-empty-blocks, max-states-count
// solhint-disable gas-struct-packing

import {IAttestationRegistry} from "../interfaces/IAttestationRegistry.sol";
import {IWorkloadRegistry} from "../interfaces/IWorkloadRegistry.sol";
import {BatchMerkle} from "../libraries/BatchMerkle.sol";
import {KeepIds} from "../libraries/KeepIds.sol";
import {BatchItem, LoggingProfile, Policy, TcbStatus, TeeKind, Verdict, VerdictGroup} from "../libraries/KeepTypes.sol";
import {KeepFixture} from "./utils/KeepFixture.sol";

/// @title KeepHandler
/// @notice Drives random sequences of governance, registration, finalization, revocation and time jumps
/// against a production-style deployment (1-day delays) that it owns and governs, and keeps a model of
/// what the contracts promise: the delayed values in force, the validators that count, the k in force,
/// each verdict's signers, revocations and the latest verdict per subject. Invariants.t.sol compares the
/// chain with the model after every call.
/// @dev A call that reverts is part of the campaign (a short quorum must revert); the model changes only
/// when the chain accepted the call, and records what was in force then, so a check the chain skipped
/// shows up as a recorded fact that breaks an invariant.
contract KeepHandler is KeepFixture {
    /// @notice Validator keys 0..POOL-1 may be added; keys POOL and POOL+1 never are (outsiders).
    uint256 internal constant POOL = 6;
    uint256 internal constant KEYS = POOL + 2;
    uint256 internal constant SUBJECTS = 3;
    uint256 internal constant MAX_MEASUREMENTS = 5;
    uint64 internal constant INITIAL_DELAY = 1 days;
    uint8 internal constant SGX_BIT = uint8(1) << uint8(TeeKind.Sgx);

    // ===== Model =====

    struct DelayModel {
        uint64 current;
        uint64 pending;
        uint64 effectiveAt;
    }

    struct PolicyModel {
        uint16 allowedTees;
        uint64 verdictLifetime;
        uint64 maxEvidenceAge;
        uint64 effectiveAt;
    }

    struct ValidatorModel {
        uint64 activeFrom;
        uint64 activeUntil;
        bool bootstrap;
    }

    struct MeasurementModel {
        bytes32 hash;
        uint64 effectiveAt;
        bool revoked;
    }

    /// @notice What was true when a verdict was stored (finalized alone, or materialized from a batch).
    struct StoredVerdict {
        bytes32 id;
        uint8 subjectIndex;
        uint8 measurementIndex;
        bool batched;
        uint64 issuedAt;
        uint64 expiresAt;
        uint32 signerMask; // bits over the KEYS keys
        uint32 countingMask; // the model's counting validators when the signatures were checked
        uint16 k; // the model's k in force then
        uint64 measurementEffectiveAt;
        bool measurementRevokedThen;
        bool subjectBlockedThen; // per-workload or every-workload revocation in force, or issued before a lift
        uint16 allowedTeesThen;
        uint64 lifetimeThen;
        uint64 checkedAt; // when the signatures and the measurement's effectiveAt were checked
        uint64 seq; // the model's step when it was stored
    }

    struct PendingBatched {
        Verdict v;
        bytes32 batchId;
        bytes32[] proof;
        uint32 signerMask;
        uint32 countingMask;
        uint16 k;
        uint64 measurementEffectiveAt;
        bool measurementRevokedThen;
        uint16 allowedTeesThen;
        uint64 lifetimeThen;
        uint64 checkedAt;
        bool materialized;
    }

    struct SubjectModel {
        bytes32 latest; // 0: none, or a revoked / lifted marker
        bool revokedHere; // per-workload revocation in force
        uint64 liftMarkerAt; // the pointer holds a lifted marker of this time
        bool revokedEverywhere;
        uint64 everywhereLiftedAt;
    }

    DelayModel internal _policyDelayModel;
    DelayModel internal _governanceDelayModel;
    PolicyModel internal _policyCurrent;
    PolicyModel internal _policyPending;
    bool internal _hasPendingPolicy;
    uint16 internal _kCurrent;
    uint16 internal _kPending;
    uint64 internal _kEffectiveAt;
    ValidatorModel[POOL] internal _validators;
    MeasurementModel[] internal _measurements;
    SubjectModel[SUBJECTS] internal _subjects;
    mapping(bytes32 verdictId => bool) internal _revoked;
    mapping(bytes32 verdictId => uint256 indexPlusOne) internal _storedIndex;
    mapping(uint8 kind => mapping(uint8 value => bool)) internal _platformRevoked;

    StoredVerdict[] internal _stored;
    Verdict[] internal _storedTuples;
    PendingBatched[] internal _pending;

    /// @notice Stores of a verdict id the model had already stored (a replay the chain accepted).
    uint256 public duplicateStores;
    /// @notice Per-workload lifts the chain accepted while the subject was revoked everywhere (issue 16).
    uint256 public workloadLiftsWhileRevokedEverywhere;
    uint256 public attempts;
    uint256 public successes;
    uint256 internal _nonce;
    uint64 internal _seq;
    mapping(bytes32 verdictId => uint64) internal _revokedSeq;

    constructor() {
        _deploy(false, INITIAL_DELAY, INITIAL_DELAY);
        _policyDelayModel.current = INITIAL_DELAY;
        _governanceDelayModel.current = INITIAL_DELAY;
        workloadId = workloads.registerWorkload("app", "ipfs://app");
        (Policy memory p, uint64 effectiveAt) = workloads.policyOf(workloadId);
        _policyCurrent = PolicyModel(p.allowedTees, p.verdictLifetime, p.maxEvidenceAge, effectiveAt);
        _addMeasurement();
        for (uint256 i = 0; i < 4; ++i) _addValidator(i, true);
        _setThreshold(2);
        _skip(INITIAL_DELAY + 1);
        vm.roll(vm.getBlockNumber() + 10);
    }

    // ===== Actions: time =====

    /// @notice Moves the clock forward: one time in four by up to three days (verdicts expire, delays pass),
    /// otherwise by up to two hours; the block number moves with it.
    function warp(uint256 seconds_) external {
        _skip(1 + (seconds_ % 4 == 0 ? (seconds_ >> 2) % 3 days : (seconds_ >> 2) % 2 hours));
        vm.roll(vm.getBlockNumber() + 1);
    }

    /// @notice Mines up to 50 blocks without moving the clock.
    function roll(uint256 blocks) external {
        vm.roll(vm.getBlockNumber() + 1 + (blocks % 50));
    }

    // ===== Dispatchers (the fuzzer picks target selectors uniformly; these weigh the actions) =====

    /// @notice One governance or workload-owner action: policies, delays, validators, k, measurements.
    function governance(uint256 action, uint256 seed) external {
        action %= 8;
        if (action == 0) schedulePolicy(seed);
        else if (action == 1) setPolicyDelay(seed);
        else if (action == 2) setGovernanceDelay(seed);
        else if (action == 3) addValidator(seed, (seed >> 128) % 2 == 0);
        else if (action == 4) removeValidator(seed);
        else if (action == 5) setThreshold(seed);
        else if (action == 6) addMeasurement();
        else revokeMeasurement(seed);
    }

    /// @notice One revocation or lift: verdicts (stored or batched), subjects, platforms.
    function revocation(uint256 action, uint256 seed) external {
        action %= 7;
        if (action == 0) revokeVerdict(seed, (seed >> 128) % 2 == 0);
        else if (action == 1) revokeSubject(seed);
        else if (action == 2) revokeSubjectEverywhere(seed);
        else if (action == 3) liftSubjectRevocation(seed, (seed >> 128) % 2 == 0);
        else if (action == 4) revokePlatform(seed);
        else if (action == 5) liftPlatformRevocation(seed);
        else revokeVerdict(seed, false);
    }

    // ===== Actions: governance =====

    /// @notice Schedules a policy that tightens or loosens the allowed TEEs, lifetime and evidence age.
    function schedulePolicy(uint256 seed) public {
        uint8[4] memory tees = [SGX_BIT, SGX_BIT | 0x04, 0x1e, 0x04];
        uint64[4] memory lifetimes = [uint64(30 minutes), 2 hours, 1 days, 7 days];
        uint64[3] memory ages = [uint64(30 minutes), 1 hours, 2 hours];
        Policy memory p = _defaultPolicy();
        p.allowedTees = tees[seed % 4];
        p.verdictLifetime = lifetimes[(seed >> 8) % 4];
        p.maxEvidenceAge = ages[(seed >> 16) % 3];
        uint64 now_ = uint64(_now());
        PolicyModel memory inForce = _policyInForce();
        bool looser =
            (p.allowedTees & ~inForce.allowedTees) != 0 ||
                p.verdictLifetime > inForce.verdictLifetime ||
                p.maxEvidenceAge > inForce.maxEvidenceAge;
        uint64 delay = _resolve(_policyDelayModel, now_);
        try workloads.schedulePolicy(workloadId, p) {
            PolicyModel memory next = PolicyModel(p.allowedTees, p.verdictLifetime, p.maxEvidenceAge, now_);
            if (!looser || delay == 0) {
                _policyCurrent = next;
                _hasPendingPolicy = false;
            } else {
                if (_hasPendingPolicy && _policyPending.effectiveAt <= now_) _policyCurrent = _policyPending;
                next.effectiveAt = now_ + delay;
                _policyPending = next;
                _hasPendingPolicy = true;
            }
        } catch {}
    }

    /// @notice Schedules a new policy delay (1 to 3 days; itself delayed by the delay in force).
    function setPolicyDelay(uint256 seed) public {
        uint64 delay = uint64(1 days + (seed % 3) * 1 days);
        uint64 now_ = uint64(_now());
        try workloads.setPolicyDelay(delay) {
            _schedule(_policyDelayModel, delay, now_);
        } catch {}
    }

    /// @notice Schedules a new governance delay (1 to 3 days; itself delayed by the delay in force).
    function setGovernanceDelay(uint256 seed) public {
        uint64 delay = uint64(1 days + (seed % 3) * 1 days);
        uint64 now_ = uint64(_now());
        try validatorSet.setGovernanceDelay(delay) {
            _schedule(_governanceDelayModel, delay, now_);
        } catch {}
    }

    /// @notice Adds a validator: bootstrapped (counts from activeFrom) or plain (counts only with an own
    /// verdict, which this campaign never attaches, so it never counts).
    function addValidator(uint256 index, bool bootstrap) public {
        _addValidator(index % POOL, bootstrap);
    }

    /// @notice Removes a validator (it counts until the delay has passed).
    function removeValidator(uint256 index) public {
        uint256 i = index % POOL;
        uint64 now_ = uint64(_now());
        try validatorSet.removeValidator(_validator(i)) {
            _validators[i].activeUntil = now_ + _resolve(_governanceDelayModel, now_);
        } catch {}
    }

    /// @notice Schedules a threshold of 1..POOL+1 (out of range ones must revert).
    function setThreshold(uint256 k) public {
        _setThreshold(uint16(1 + (k % (POOL + 1))));
    }

    // ===== Actions: workloads =====

    /// @notice Approves a new SGX measurement (usable after the policy delay).
    function addMeasurement() public {
        if (_measurements.length < MAX_MEASUREMENTS) _addMeasurement();
    }

    /// @notice Revokes a measurement (at once).
    function revokeMeasurement(uint256 index) public {
        uint256 i = index % _measurements.length;
        try workloads.revokeMeasurement(workloadId, _measurements[i].hash) {
            _measurements[i].revoked = true;
        } catch {}
    }

    // ===== Actions: verdicts =====

    /// @notice Finalizes one verdict with a valid quorum, a short one, or arbitrary signers.
    function finalizeVerdict(
        uint256 subjectSeed,
        uint256 measurementSeed,
        uint256 signerSeed,
        uint256 timeSeed
    ) external {
        uint8 s = uint8(subjectSeed % SUBJECTS);
        uint8 m = uint8(measurementSeed % _measurements.length);
        Verdict memory v = _newVerdict(s, m, timeSeed);
        (uint32 signerMask, uint32 countingMask, uint16 k) = _pickSigners(signerSeed);
        bytes memory signatures = _signVerdict(v, _keysOf(signerMask));
        ++attempts;
        try registry.finalizeVerdict(v, block.chainid, address(registry), signatures) returns (bytes32 id) {
            ++successes;
            StoredVerdict memory r = _record(id, s, m, false, v);
            r.signerMask = signerMask;
            r.countingMask = countingMask;
            r.k = k;
            r.measurementEffectiveAt = _measurements[m].effectiveAt;
            r.measurementRevokedThen = _measurements[m].revoked;
            PolicyModel memory p = _policyInForce();
            r.allowedTeesThen = p.allowedTees;
            r.lifetimeThen = p.verdictLifetime;
            r.checkedAt = uint64(_now());
            _push(r, v);
        } catch {}
    }

    /// @notice Finalizes a two-verdict batch (subjects s and s+1); materialization is a separate action.
    function finalizeBatch(
        uint256 subjectSeed,
        uint256 measurementSeed,
        uint256 signerSeed,
        uint256 timeSeed
    ) external {
        uint8 m = uint8(measurementSeed % _measurements.length);
        Verdict[2] memory vs;
        bytes32[] memory leaves = new bytes32[](2);
        VerdictGroup[] memory groups = new VerdictGroup[](1);
        for (uint256 i = 0; i < 2; ++i) {
            vs[i] = _newVerdict(uint8((subjectSeed + i) % SUBJECTS), m, timeSeed);
            leaves[i] = KeepIds.verdictId(vs[i]);
        }
        groups[0] = VerdictGroup({
            workloadId: workloadId,
            measurementHash: vs[0].measurementHash,
            tee: vs[0].tee,
            tcbStatus: vs[0].tcbStatus,
            collateralHash: vs[0].collateralHash,
            issuedAt: vs[0].issuedAt,
            expiresAt: vs[0].expiresAt,
            items: new BatchItem[](2)
        });
        for (uint256 i = 0; i < 2; ++i) {
            groups[0].items[i] = BatchItem(vs[i].subject, vs[i].evidenceHash, vs[i].freshnessBlock);
        }
        (uint32 signerMask, uint32 countingMask, uint16 k) = _pickSigners(signerSeed);
        bytes memory signatures = _signBatch(BatchMerkle.root(leaves), 2, _keysOf(signerMask));
        ++attempts;
        try registry.finalizeBatch(groups, block.chainid, address(registry), signatures) returns (bytes32 batchId) {
            ++successes;
            PolicyModel memory p = _policyInForce();
            for (uint256 i = 0; i < 2; ++i) {
                PendingBatched storage b = _pending.push();
                b.v = vs[i];
                b.batchId = batchId;
                b.proof = BatchMerkle.proof(leaves, i);
                b.signerMask = signerMask;
                b.countingMask = countingMask;
                b.k = k;
                b.measurementEffectiveAt = _measurements[m].effectiveAt;
                b.measurementRevokedThen = _measurements[m].revoked;
                b.allowedTeesThen = p.allowedTees;
                b.lifetimeThen = p.verdictLifetime;
                b.checkedAt = uint64(_now());
            }
        } catch {}
    }

    /// @notice Materializes a batched verdict (anyone may; it must be refused when revoked or expired).
    function materializeVerdict(uint256 index) external {
        if (_pending.length == 0) return;
        PendingBatched storage b = _pending[index % _pending.length];
        Verdict memory v = b.v;
        uint8 s = _subjectIndex(v.subject);
        uint8 m = _measurementIndex(v.measurementHash);
        try registry.materializeVerdict(v, b.batchId, b.proof) returns (bytes32 id) {
            StoredVerdict memory r = _record(id, s, m, true, v);
            r.signerMask = b.signerMask;
            r.countingMask = b.countingMask;
            r.k = b.k;
            r.measurementEffectiveAt = b.measurementEffectiveAt;
            r.measurementRevokedThen = b.measurementRevokedThen || _measurements[m].revoked;
            r.allowedTeesThen = b.allowedTeesThen;
            r.lifetimeThen = b.lifetimeThen;
            r.checkedAt = b.checkedAt;
            b.materialized = true;
            _push(r, v);
        } catch {}
    }

    /// @notice Replays a stored verdict with a fresh valid quorum: it must be refused.
    function replayVerdict(uint256 index, uint256 signerSeed) external {
        if (_storedTuples.length == 0) return;
        Verdict memory v = _storedTuples[index % _storedTuples.length];
        (uint32 signerMask, , ) = _pickSigners(signerSeed & ~uint256(3));
        try registry.finalizeVerdict(v, block.chainid, address(registry), _signVerdict(v, _keysOf(signerMask))) {
            ++duplicateStores;
        } catch {}
    }

    // ===== Actions: revocation =====

    /// @notice Revokes a stored or batched verdict by id.
    function revokeVerdict(uint256 index, bool fromBatch) public {
        bytes32 id;
        if (fromBatch && _pending.length != 0) id = KeepIds.verdictId(_pending[index % _pending.length].v);
        else if (_stored.length != 0) id = _stored[index % _stored.length].id;
        else return;
        try registry.revokeVerdict(id, "invariant campaign") {
            _markRevoked(id);
        } catch {}
    }

    /// @notice Revokes a subject in the workload (its latest verdict with it).
    function revokeSubject(uint256 subjectSeed) public {
        uint8 s = uint8(subjectSeed % SUBJECTS);
        try registry.revokeSubject(_subject(s), workloadId, "invariant campaign") {
            _revokeHere(s);
        } catch {}
    }

    /// @notice Revokes a subject everywhere, listing the workload.
    function revokeSubjectEverywhere(uint256 subjectSeed) public {
        uint8 s = uint8(subjectSeed % SUBJECTS);
        bytes32[] memory ids = new bytes32[](1);
        ids[0] = workloadId;
        try registry.revokeSubjectEverywhere(_subject(s), ids, "invariant campaign") {
            _subjects[s].revokedEverywhere = true;
            if (!_subjects[s].revokedHere) _revokeHere(s);
        } catch {}
    }

    /// @notice Lifts a subject's revocation in the workload, or everywhere (a lift in the workload while the
    /// subject is revoked everywhere must be refused; the model records one the chain accepted).
    function liftSubjectRevocation(uint256 subjectSeed, bool everywhere) public {
        uint8 s = uint8(subjectSeed % SUBJECTS);
        uint64 now_ = uint64(_now());
        try registry.liftSubjectRevocation(_subject(s), everywhere ? bytes32(0) : workloadId) {
            SubjectModel storage sm = _subjects[s];
            if (everywhere) {
                sm.revokedEverywhere = false;
                sm.everywhereLiftedAt = now_;
            } else {
                if (sm.revokedEverywhere) ++workloadLiftsWhileRevokedEverywhere;
                sm.revokedHere = false;
                sm.liftMarkerAt = now_;
            }
        } catch {}
    }

    /// @notice Puts a platform (kind 1..4, one of two values) on the revocation list.
    function revokePlatform(uint256 seed) public {
        (uint8 kind, uint8 value) = _platform(seed);
        try registry.revokePlatform(kind, bytes32(uint256(value)), "invariant campaign") {
            _platformRevoked[kind][value] = true;
        } catch {}
    }

    /// @notice Lifts a platform revocation.
    function liftPlatformRevocation(uint256 seed) public {
        (uint8 kind, uint8 value) = _platform(seed);
        try registry.liftPlatformRevocation(kind, bytes32(uint256(value))) {
            _platformRevoked[kind][value] = false;
        } catch {}
    }

    // ===== Checks (called by Invariants.t.sol; each reverts with AssertionFailed naming the invariant) =====

    /// @notice No verdict is live past its expiry, and a stored verdict is live exactly when the model says.
    function checkExpiryAndLiveness() external view {
        uint256 now_ = _now();
        for (uint256 i = 0; i < _stored.length; ++i) {
            StoredVerdict memory r = _stored[i];
            bool live = registry.isVerdictLive(r.id);
            if (live) assertTrue(now_ < r.expiresAt, "expiry: isVerdictLive past expiresAt");
            IAttestationRegistry.VerdictStatus memory st = registry.verdictOf(r.id);
            assertEq(st.expiresAt, r.expiresAt, "expiry: stored expiresAt");
            assertEq(live, _modelLive(r, now_), "liveness: isVerdictLive equals the model");
        }
        for (uint8 s = 0; s < SUBJECTS; ++s) {
            (bool ok, , uint64 expiresAt) = registry.isAttested(_subject(s), workloadId);
            if (ok) assertTrue(now_ < expiresAt, "expiry: isAttested past expiresAt");
        }
    }

    /// @notice Every stored verdict had at least k counting signers, all of them counting, with k >= 1.
    function checkQuorum() external view {
        for (uint256 i = 0; i < _stored.length; ++i) {
            StoredVerdict memory r = _stored[i];
            assertTrue(r.k >= 1, "quorum: a threshold was in force");
            assertTrue(_popcount(r.signerMask & r.countingMask) >= r.k, "quorum: at least k counting signers");
            assertEq(r.signerMask & ~r.countingMask, 0, "quorum: every signer was counting");
        }
        assertEq(duplicateStores, 0, "quorum: no verdict stored twice (replay)");
    }

    /// @notice The delayed values in force are the model's: nothing took effect before proposal + delay,
    /// a tighter policy took effect at once.
    function checkDelays() external view {
        uint64 now_ = uint64(_now());
        assertEq(workloads.policyDelay(), _resolve(_policyDelayModel, now_), "delay: policy delay in force");
        assertEq(validatorSet.governanceDelay(), _resolve(_governanceDelayModel, now_), "delay: governance delay");
        (Policy memory p, uint64 effectiveAt) = workloads.policyOf(workloadId);
        PolicyModel memory want = _policyInForce();
        assertEq(p.allowedTees, want.allowedTees, "delay: policy in force (allowedTees)");
        assertEq(p.verdictLifetime, want.verdictLifetime, "delay: policy in force (verdictLifetime)");
        assertEq(p.maxEvidenceAge, want.maxEvidenceAge, "delay: policy in force (maxEvidenceAge)");
        assertEq(effectiveAt, want.effectiveAt, "delay: policy in force (effectiveAt)");
        assertTrue(effectiveAt <= now_, "delay: the policy in force is in effect");
        assertEq(validatorSet.threshold(), _kInForce(now_), "delay: threshold in force");
        for (uint256 i = 0; i < POOL; ++i) {
            assertEq(validatorSet.isCounting(_validator(i)), _modelCounting(i, now_), "delay: validator counting");
        }
        for (uint256 i = 0; i < _measurements.length; ++i) {
            MeasurementModel memory mm = _measurements[i];
            IWorkloadRegistry.MeasurementInfo memory info = workloads.measurementOf(workloadId, mm.hash);
            assertEq(info.effectiveAt, mm.effectiveAt, "delay: measurement effectiveAt");
            assertEq(info.revoked, mm.revoked, "revocation: measurement revoked");
        }
        for (uint256 i = 0; i < _stored.length; ++i) {
            StoredVerdict memory r = _stored[i];
            assertTrue(r.measurementEffectiveAt <= r.checkedAt, "delay: measurement used before its effectiveAt");
            assertTrue(r.allowedTeesThen & SGX_BIT != 0, "delay: TEE allowed by the policy in force");
            assertTrue(r.expiresAt - r.issuedAt <= r.lifetimeThen, "delay: lifetime within the policy in force");
        }
    }

    /// @notice Revoked verdicts, measurements and subjects never read live; a revoked subject never gets
    /// a verdict stored; isAttested answers the latest verdict exactly; the platform list is the model's.
    function checkRevocations() external view {
        uint256 now_ = _now();
        for (uint256 i = 0; i < _stored.length; ++i) {
            StoredVerdict memory r = _stored[i];
            if (_revoked[r.id] || _measurements[r.measurementIndex].revoked) {
                assertFalse(registry.isVerdictLive(r.id), "revocation: a revoked verdict reads live");
            }
            assertFalse(r.measurementRevokedThen, "revocation: stored on a revoked measurement");
            assertFalse(r.subjectBlockedThen, "revocation: stored for a revoked subject (or before a lift)");
            assertFalse(_revokedBeforeStore(r), "revocation: stored after its id was revoked");
        }
        assertEq(workloadLiftsWhileRevokedEverywhere, 0, "revocation: lifted in a workload while revoked everywhere");
        for (uint8 s = 0; s < SUBJECTS; ++s) {
            SubjectModel memory sm = _subjects[s];
            (bool ok, bytes32 id, ) = registry.isAttested(_subject(s), workloadId);
            // The every-workload revocation reaches isAttested and finalizeVerdict through the per-workload
            // one it writes for each listed workload, which stays while it stands (docs/contracts.md,
            // Revocation); a verdict finalized meanwhile shows up as subjectBlockedThen above.
            if (sm.revokedHere) assertFalse(ok, "revocation: a revoked subject is attested");
            if (sm.revokedEverywhere) {
                assertFalse(ok, "revocation: a subject revoked everywhere is attested");
                assertTrue(sm.revokedHere, "revocation: revoked everywhere but lifted in its workload");
            }
            assertEq(
                registry.isSubjectRevoked(_subject(s), workloadId),
                sm.revokedHere || sm.revokedEverywhere,
                "revocation: isSubjectRevoked"
            );
            bool want = sm.latest != 0 && _modelLive(_stored[_storedIndex[sm.latest] - 1], now_);
            assertEq(ok, want, "revocation: isAttested equals the model's latest verdict");
            if (ok) assertEq(id, sm.latest, "revocation: isAttested answers the latest verdict");
        }
        for (uint8 kind = 1; kind <= 4; ++kind) {
            for (uint8 value = 0; value < 2; ++value) {
                bool onList = registry.platformRevokedAt(kind, bytes32(uint256(value))) != 0;
                assertEq(onList, _platformRevoked[kind][value], "revocation: platform list");
            }
        }
    }

    /// @notice 1 <= k <= registered validators, for the k in force and a pending one.
    function checkThresholdRange() external view {
        uint16 registered = validatorSet.registeredCount();
        uint16 k = validatorSet.threshold();
        assertTrue(k >= 1 && k <= registered, "threshold: 1 <= k <= registered");
        (uint16 pending, uint64 at) = validatorSet.pendingThreshold();
        if (at != 0) assertTrue(pending >= 1 && pending <= registered, "threshold: pending k <= registered");
    }

    /// @notice How many verdicts the model holds (for the campaign's figures).
    function storedCount() external view returns (uint256) {
        return _stored.length;
    }

    // ===== Internals =====

    function _addMeasurement() internal {
        uint64 now_ = uint64(_now());
        bytes32 hash = workloads.addMeasurement(
            workloadId,
            1,
            TeeKind.Sgx,
            _sgxValue(bytes32(0xE000 + _measurements.length))
        );
        _measurements.push(MeasurementModel(hash, now_ + _resolve(_policyDelayModel, now_), false));
    }

    function _addValidator(uint256 i, bool bootstrap) internal {
        uint64 now_ = uint64(_now());
        address v = _validator(i);
        bool ok;
        if (bootstrap) {
            try validatorSet.bootstrapValidator(v, "https://validator.example", LoggingProfile.Production) {
                ok = true;
            } catch {}
        } else {
            try validatorSet.addValidator(v, "https://validator.example", LoggingProfile.Production) {
                ok = true;
            } catch {}
        }
        if (ok) {
            _validators[i] = ValidatorModel(now_ + _resolve(_governanceDelayModel, now_), type(uint64).max, bootstrap);
        }
    }

    function _setThreshold(uint16 k) internal {
        uint64 now_ = uint64(_now());
        try validatorSet.setThreshold(k) {
            _kCurrent = _kInForce(now_);
            _kPending = k;
            _kEffectiveAt = now_ + _resolve(_governanceDelayModel, now_);
        } catch {}
    }

    function _newVerdict(uint8 s, uint8 m, uint256 timeSeed) internal returns (Verdict memory v) {
        uint64 now_ = uint64(_now());
        uint64[5] memory lifetimes = [uint64(20 minutes), 90 minutes, 1 days, 7 days, 10 days];
        uint64 issuedAt = now_ - uint64(timeSeed % 15 minutes);
        v = Verdict({
            workloadId: workloadId,
            measurementHash: _measurements[m].hash,
            tee: uint8(TeeKind.Sgx),
            tcbStatus: uint8(TcbStatus.UpToDate),
            subject: _subject(s),
            evidenceHash: keccak256(abi.encode("invariant evidence", ++_nonce)),
            collateralHash: keccak256("collateral"),
            issuedAt: issuedAt,
            expiresAt: issuedAt + lifetimes[(timeSeed >> 16) % 5],
            freshnessBlock: uint64(vm.getBlockNumber() - 1)
        });
    }

    /// @dev Seeds 0 and 1 (mod 4): the first k counting validators; 2: one fewer; 3: arbitrary keys,
    /// outsiders included. Returns the model's counting set and k at this moment.
    function _pickSigners(uint256 seed) internal view returns (uint32 signerMask, uint32 countingMask, uint16 k) {
        uint64 now_ = uint64(_now());
        k = _kInForce(now_);
        for (uint256 i = 0; i < POOL; ++i) if (_modelCounting(i, now_)) countingMask |= uint32(1 << i);
        uint256 mode = seed % 4;
        if (mode == 3) {
            signerMask = uint32(((seed >> 8) % ((1 << KEYS) - 1)) + 1);
            return (signerMask, countingMask, k);
        }
        uint256 want = mode == 2 ? (k == 0 ? 0 : k - 1) : k;
        if (want == 0) want = 1;
        for (uint256 i = 0; i < POOL && _popcount(signerMask) < want; ++i) {
            if (countingMask & (1 << i) != 0) signerMask |= uint32(1 << i);
        }
        if (signerMask == 0) signerMask = 1;
    }

    function _record(
        bytes32 id,
        uint8 s,
        uint8 m,
        bool batched,
        Verdict memory v
    ) internal returns (StoredVerdict memory r) {
        if (_storedIndex[id] != 0) ++duplicateStores;
        SubjectModel storage sm = _subjects[s];
        r.id = id;
        r.subjectIndex = s;
        r.measurementIndex = m;
        r.batched = batched;
        r.issuedAt = v.issuedAt;
        r.expiresAt = v.expiresAt;
        r.seq = ++_seq;
        // The every-workload revocation blocks finalizeVerdict too: this campaign always lists its one
        // workload, and that workload's revocation cannot be lifted while it stands (issue 16).
        r.subjectBlockedThen =
            sm.revokedHere ||
            sm.revokedEverywhere ||
            (sm.latest == 0 && sm.liftMarkerAt != 0 && v.issuedAt < sm.liftMarkerAt) ||
            (batched && v.issuedAt < sm.everywhereLiftedAt);
        // The pointer: a newer issuedAt replaces the latest verdict (a tie keeps the first); a lifted
        // marker or an empty pointer is replaced by any stored verdict.
        if (sm.latest == 0 || _stored[_storedIndex[sm.latest] - 1].issuedAt < v.issuedAt) {
            sm.latest = id;
            sm.liftMarkerAt = 0;
        }
    }

    function _push(StoredVerdict memory r, Verdict memory v) internal {
        _stored.push(r);
        _storedTuples.push(v);
        _storedIndex[r.id] = _stored.length;
    }

    function _revokeHere(uint8 s) internal {
        SubjectModel storage sm = _subjects[s];
        if (sm.latest != 0) _markRevoked(sm.latest);
        sm.latest = 0;
        sm.liftMarkerAt = 0;
        sm.revokedHere = true;
    }

    function _markRevoked(bytes32 id) internal {
        if (!_revoked[id]) {
            _revoked[id] = true;
            _revokedSeq[id] = ++_seq;
        }
    }

    function _schedule(DelayModel storage d, uint64 delay, uint64 now_) internal {
        uint64 current = _resolve(d, now_);
        d.current = current;
        d.pending = delay;
        d.effectiveAt = now_ + current;
    }

    function _resolve(DelayModel memory d, uint64 now_) internal pure returns (uint64) {
        return d.effectiveAt != 0 && d.effectiveAt <= now_ ? d.pending : d.current;
    }

    function _policyInForce() internal view returns (PolicyModel memory) {
        return _hasPendingPolicy && _policyPending.effectiveAt <= _now() ? _policyPending : _policyCurrent;
    }

    function _kInForce(uint64 now_) internal view returns (uint16) {
        return _kEffectiveAt != 0 && _kEffectiveAt <= now_ ? _kPending : _kCurrent;
    }

    function _modelCounting(uint256 i, uint64 now_) internal view returns (bool) {
        ValidatorModel memory v = _validators[i];
        return v.bootstrap && v.activeFrom != 0 && v.activeFrom <= now_ && now_ < v.activeUntil;
    }

    function _modelLive(StoredVerdict memory r, uint256 now_) internal view returns (bool) {
        return !_revoked[r.id] && now_ < r.expiresAt && !_measurements[r.measurementIndex].revoked;
    }

    function _revokedBeforeStore(StoredVerdict memory r) internal view returns (bool) {
        uint64 at = _revokedSeq[r.id];
        return at != 0 && at < r.seq;
    }

    function _subject(uint256 s) internal pure returns (address) {
        return address(uint160(0x5B0000 + s));
    }

    function _subjectIndex(address subject) internal pure returns (uint8) {
        return uint8(uint160(subject) - 0x5B0000);
    }

    function _measurementIndex(bytes32 hash) internal view returns (uint8 i) {
        while (_measurements[i].hash != hash) ++i;
    }

    function _platform(uint256 seed) internal pure returns (uint8 kind, uint8 value) {
        kind = uint8(1 + (seed % 4));
        value = uint8((seed >> 8) % 2);
    }

    function _popcount(uint256 x) internal pure returns (uint256 count) {
        for (; x != 0; x >>= 1) count += x & 1;
    }
}
