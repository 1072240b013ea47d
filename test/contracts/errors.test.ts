// Every custom error of the three contracts, each from the smallest call that provokes it: a table of
// { name, call, wantError, wantArgs }. Each row runs on a fresh snapshot of one deployment.
import { afterAll, beforeAll, describe, it } from "vitest";
import { getAddress, keccak256, numberToHex, padHex, stringToBytes, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  attestationRegistryAbi,
  attestationRegistryBytecode,
  validatorSetAbi,
  validatorSetBytecode,
  workloadRegistryAbi,
  workloadRegistryBytecode,
} from "@keepledger/sdk/internal/chain/generated/index";
import { toChainPolicy } from "../../src/chain/policy.ts";
import { defaultPolicy, type WorkloadPolicy } from "../../src/policy/types.ts";
import { sendContractCall } from "../../src/chain/transactions.ts";
import { buildBatch, unboundSubject, type Verdict } from "@keepledger/sdk/internal/ids/index";
import { devPolicy, expectRevert, schedulePolicy, simulateDeploy, startTestbed, type Testbed } from "../support/contracts-testbed.ts";

let tb: Testbed;
beforeAll(async () => {
  tb = await startTestbed();
});
afterAll(async () => {
  await tb?.close();
});

const ZERO: Address = "0x0000000000000000000000000000000000000000";
const ZERO32: Hex = `0x${"00".repeat(32)}`;
const keep = (n: number): Address => getAddress(padHex(numberToHex(0x1000 + n), { size: 20 }));
const randomHash = (label: string): Hex => keccak256(stringToBytes(label));
const outsider = privateKeyToAccount(keccak256(stringToBytes("not a validator")));

async function finalize(v: Verdict, signatures?: Hex) {
  return tb.send("attestationRegistry", "finalizeVerdict", [
    v,
    31337n,
    tb.deployment.contracts.attestationRegistry,
    signatures ?? (await tb.sign(v)),
  ]);
}

async function finalizeId(v: Verdict): Promise<Hex> {
  return (await tb.client.finalizeVerdict(v, await tb.sign(v))).verdictId;
}

const policy = (changes: Partial<WorkloadPolicy>) => toChainPolicy({ ...defaultPolicy(), ...changes });
const rawPolicy = (changes: Record<string, unknown>) => ({ ...toChainPolicy(defaultPolicy()), ...changes });
const rawLaunch = (changes: Record<string, unknown>) => rawPolicy({ launch: { ...toChainPolicy(defaultPolicy()).launch, ...changes } });

interface Row {
  name: string;
  call: () => Promise<unknown>;
  wantError: string;
  wantArgs?: () => readonly unknown[] | Promise<readonly unknown[]>;
}

const attestationRows: Row[] = [
  {
    name: "signatures made for another chain",
    call: async () => {
      const v = await tb.verdict(keep(1));
      return tb.send("attestationRegistry", "finalizeVerdict", [v, 1n, tb.deployment.contracts.attestationRegistry, await tb.sign(v)]);
    },
    wantError: "AttestationRegistryWrongChain",
    wantArgs: () => [31337n, 1n],
  },
  {
    name: "signatures made for another registry",
    call: async () => {
      const v = await tb.verdict(keep(1));
      return tb.send("attestationRegistry", "finalizeVerdict", [v, 31337n, tb.deployment.contracts.workloadRegistry, await tb.sign(v)]);
    },
    wantError: "AttestationRegistryWrongRegistry",
    wantArgs: () => [tb.deployment.contracts.attestationRegistry, tb.deployment.contracts.workloadRegistry],
  },
  {
    name: "replayed signatures",
    call: async () => {
      const v = await tb.verdict(keep(1));
      const signatures = await tb.sign(v);
      await finalize(v, signatures);
      return finalize(v, signatures);
    },
    wantError: "AttestationRegistryVerdictAlreadyFinalized",
  },
  {
    name: "a verdict revoked before it was finalized",
    call: async () => {
      const v = await tb.verdict(keep(1));
      await tb.send("attestationRegistry", "revokeVerdict", [
        (await import("@keepledger/sdk/internal/ids/index")).verdictId(v),
        "pre-emptive",
      ]);
      return finalize(v);
    },
    wantError: "AttestationRegistryVerdictRevoked",
  },
  {
    name: "revoking twice",
    call: async () => {
      const id = await finalizeId(await tb.verdict(keep(1)));
      await tb.send("attestationRegistry", "revokeVerdict", [id, "once"]);
      return tb.send("attestationRegistry", "revokeVerdict", [id, "twice"]);
    },
    wantError: "AttestationRegistryVerdictAlreadyRevoked",
  },
  {
    name: "revoking without GOVERNOR_ROLE",
    call: async () => tb.send("attestationRegistry", "revokeVerdict", [randomHash("x"), "no"], tb.stranger),
    wantError: "AccessControlUnauthorizedAccount",
  },
  {
    name: "a replayed batch",
    call: async () => {
      const group = await tb.group([keep(1), keep(2)]);
      const batch = buildBatch([group]);
      const signatures = await tb.signBatch(batch.root, batch.count);
      await tb.client.finalizeBatch([group], signatures);
      return tb.client.finalizeBatch([group], signatures);
    },
    wantError: "AttestationRegistryBatchAlreadyFinalized",
  },
  {
    name: "no signatures",
    call: async () => finalize(await tb.verdict(keep(1)), "0x"),
    wantError: "AttestationRegistrySignaturesMalformed",
    wantArgs: () => [0n],
  },
  {
    name: "signatures not a multiple of 65 bytes",
    call: async () => {
      const v = await tb.verdict(keep(1));
      return finalize(v, `${await tb.sign(v)}00`);
    },
    wantError: "AttestationRegistrySignaturesMalformed",
    wantArgs: () => [131n],
  },
  {
    name: "more signatures than a set can hold",
    call: async () => finalize(await tb.verdict(keep(1)), `0x${"11".repeat(65 * 65)}`),
    wantError: "AttestationRegistryTooManySigners",
    wantArgs: () => [65n, 64n],
  },
  {
    name: "a malleable (high-s) signature",
    call: async () => {
      const v = await tb.verdict(keep(1));
      const sig = await tb.sign(v, tb.validators.slice(0, 1));
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const s = BigInt(`0x${sig.slice(66, 130)}`);
      const v8 = Number.parseInt(sig.slice(130, 132), 16);
      const flipped = `${sig.slice(0, 66)}${(n - s).toString(16).padStart(64, "0")}${(v8 === 27 ? 28 : 27).toString(16)}` as Hex;
      return finalize(v, flipped);
    },
    wantError: "AttestationRegistryInvalidSignature",
    wantArgs: () => [0n],
  },
  {
    name: "a duplicated signer",
    call: async () => {
      const v = await tb.verdict(keep(1));
      const one = await tb.sign(v, tb.validators.slice(0, 1));
      return finalize(v, `${one}${one.slice(2)}`);
    },
    wantError: "AttestationRegistryDuplicateSigner",
    wantArgs: () => [tb.validators[0]!.address],
  },
  {
    name: "signatures out of order",
    call: async () => {
      const v = await tb.verdict(keep(1));
      const sorted = await tb.sign(v, tb.validators.slice(0, 2));
      return finalize(v, `0x${sorted.slice(132)}${sorted.slice(2, 132)}`);
    },
    wantError: "AttestationRegistrySignersNotSorted",
  },
  {
    name: "a signer outside the set",
    call: async () => {
      const v = await tb.verdict(keep(1));
      return finalize(v, await tb.sign(v, [tb.validators[0]!, outsider]));
    },
    wantError: "AttestationRegistryUnknownSigner",
    wantArgs: () => [outsider.address],
  },
  {
    name: "a removed validator",
    call: async () => {
      await tb.send("validatorSet", "removeValidator", [tb.validators[2]!.address]);
      const v = await tb.verdict(keep(1));
      return finalize(v, await tb.sign(v, [tb.validators[0]!, tb.validators[2]!]));
    },
    wantError: "AttestationRegistryInactiveValidator",
    wantArgs: () => [tb.validators[2]!.address],
  },
  {
    name: "fewer signers than the threshold",
    call: async () => {
      const v = await tb.verdict(keep(1));
      return finalize(v, await tb.sign(v, tb.validators.slice(0, 1)));
    },
    wantError: "AttestationRegistryTooFewSigners",
    wantArgs: () => [1n, 2n],
  },
  {
    name: "a validator set without a threshold yet",
    call: async () => {
      const bare = await startTestbed({ validators: 0 });
      try {
        const v = await bare.verdict(keep(1));
        return await bare.client.finalizeVerdict(v, await bare.sign(v, bare.validators.slice(0, 1)));
      } finally {
        await bare.close();
      }
    },
    wantError: "AttestationRegistryThresholdNotSet",
  },
  {
    name: "already expired at submission",
    call: async () => finalize(await tb.verdict(keep(1), { expiresAt: await tb.chain.now() })),
    wantError: "AttestationRegistryVerdictExpired",
  },
  {
    name: "issued in the future",
    call: async () => {
      const now = await tb.chain.now();
      return finalize(await tb.verdict(keep(1), { issuedAt: now + 3600n, expiresAt: now + 7200n }));
    },
    wantError: "AttestationRegistryIssuedInFuture",
  },
  {
    name: "expiring after issuedAt + verdictLifetime",
    call: async () => {
      const now = await tb.chain.now();
      return finalize(await tb.verdict(keep(1), { issuedAt: now, expiresAt: now + 7n * 86_400n + 1n }));
    },
    wantError: "AttestationRegistryLifetimeTooLong",
    wantArgs: async () => {
      const now = await tb.chain.now();
      return [now + 7n * 86_400n + 1n, now + 7n * 86_400n];
    },
  },
  {
    name: "TCB status Unknown",
    call: async () => finalize(await tb.verdict(keep(1), { tcbStatus: 0 })),
    wantError: "AttestationRegistryTcbStatusInvalid",
    wantArgs: () => [0n],
  },
  {
    name: "TCB status Revoked",
    call: async () => finalize(await tb.verdict(keep(1), { tcbStatus: 7 })),
    wantError: "AttestationRegistryTcbStatusInvalid",
    wantArgs: () => [7n],
  },
  {
    name: "an undefined TCB status",
    call: async () => finalize(await tb.verdict(keep(1), { tcbStatus: 9 })),
    wantError: "AttestationRegistryTcbStatusInvalid",
    wantArgs: () => [9n],
  },
  {
    name: "TEE kind Unknown",
    call: async () => finalize(await tb.verdict(keep(1), { tee: 0 })),
    wantError: "AttestationRegistryTeeInvalid",
    wantArgs: () => [0n],
  },
  {
    name: "an undefined TEE kind",
    // 255: past every code any branch assigns (6..9 are the new kinds of issue 12).
    call: async () => finalize(await tb.verdict(keep(1), { tee: 255 })),
    wantError: "AttestationRegistryTeeInvalid",
    wantArgs: () => [255n],
  },
  {
    name: "a measurement the workload does not have",
    call: async () => finalize(await tb.verdict(keep(1), { measurementHash: randomHash("nope") })),
    wantError: "AttestationRegistryMeasurementUnknown",
    wantArgs: () => [tb.workloadId, randomHash("nope")],
  },
  {
    name: "an unknown workload",
    call: async () => finalize(await tb.verdict(keep(1), { workloadId: randomHash("no workload") })),
    wantError: "AttestationRegistryMeasurementUnknown",
  },
  {
    name: "a revoked measurement",
    call: async () => {
      await tb.send("workloadRegistry", "revokeMeasurement", [tb.workloadId, tb.measurements.sgx]);
      return finalize(await tb.verdict(keep(1)));
    },
    wantError: "AttestationRegistryMeasurementRevoked",
    wantArgs: () => [tb.workloadId, tb.measurements.sgx],
  },
  {
    name: "a measurement of another TEE kind",
    call: async () => finalize(await tb.verdict(keep(1), { tee: 2 })),
    wantError: "AttestationRegistryMeasurementTeeMismatch",
    wantArgs: () => [1n, 2n],
  },
  {
    name: "a TEE kind the policy does not allow",
    call: async () => {
      await schedulePolicy(tb.clients, tb.deployment, tb.workloadId, { ...defaultPolicy(), allowedTees: ["tdx"] });
      return finalize(await tb.verdict(keep(1)));
    },
    wantError: "AttestationRegistryTeeNotAllowed",
    wantArgs: () => [1n, 4n],
  },
  {
    name: "a debug-TEE verdict without a dev policy",
    call: async () => finalize(await tb.verdict(keep(1), { tee: 5, tcbStatus: 8, measurementHash: tb.measurements.debug })),
    wantError: "AttestationRegistryDebugTeeNotAllowed",
    wantArgs: () => [tb.workloadId],
  },
  { name: "a zero subject", call: async () => finalize(await tb.verdict(ZERO)), wantError: "AttestationRegistryZeroSubject" },
  {
    name: "a freshness block that is not in the past",
    call: async () => {
      const v = await tb.verdict(keep(1));
      return finalize({ ...v, freshnessBlock: v.freshnessBlock + 1n });
    },
    wantError: "AttestationRegistryFreshnessBlockInFuture",
  },
  {
    name: "unbound evidence under a policy that does not allow it",
    call: async () => {
      const v = await tb.verdict(keep(1), { freshnessBlock: 0n });
      return finalize({ ...v, subject: unboundSubject(v.evidenceHash) });
    },
    wantError: "AttestationRegistryUnboundEvidenceNotAllowed",
  },
  {
    name: "unbound evidence naming a real key",
    call: async () => {
      await schedulePolicy(tb.clients, tb.deployment, tb.workloadId, devPolicy(true) as unknown as WorkloadPolicy);
      const v = await tb.verdict(keep(1), { freshnessBlock: 0n });
      return finalize(v);
    },
    wantError: "AttestationRegistryUnboundSubjectMismatch",
  },
  {
    name: "an empty batch",
    call: async () => tb.client.finalizeBatch([], await tb.signBatch(randomHash("root"), 0)),
    wantError: "AttestationRegistryEmptyBatch",
    wantArgs: () => [0n],
  },
  {
    name: "a batch group without items",
    call: async () => tb.client.finalizeBatch([await tb.group([keep(1)]), await tb.group([])], await tb.signBatch(randomHash("root"), 1)),
    wantError: "AttestationRegistryEmptyBatch",
    wantArgs: () => [1n],
  },
  {
    name: "materializing from an unknown batch",
    call: async () => tb.client.materializeVerdict(await tb.verdict(keep(1)), randomHash("batch"), []),
    wantError: "AttestationRegistryBatchUnknown",
  },
  {
    name: "materializing with a wrong proof",
    call: async () => {
      const group = await tb.group([keep(1), keep(2), keep(3)]);
      const batch = buildBatch([group]);
      await tb.client.finalizeBatch([group], await tb.signBatch(batch.root, batch.count));
      return tb.client.materializeVerdict(batch.verdicts[0]!, batch.root, batch.proof(1));
    },
    wantError: "AttestationRegistryInvalidProof",
  },
  {
    name: "a hook called by someone else than the WorkloadRegistry",
    call: async () => tb.send("attestationRegistry", "onMeasurementRevoked", [1, tb.workloadId, tb.measurements.sgx]),
    wantError: "AttestationRegistryUnauthorizedCaller",
    wantArgs: () => [tb.admin, tb.deployment.contracts.workloadRegistry],
  },
  {
    name: "a constructor given a zero address",
    call: async () =>
      simulateDeploy(tb, attestationRegistryAbi, attestationRegistryBytecode, [
        tb.admin,
        ZERO,
        tb.deployment.contracts.workloadRegistry,
        tb.deployment.contracts.validatorSet,
        0,
      ]),
    wantError: "AttestationRegistryZeroAddress",
  },
  {
    name: "a WorkloadRegistry and a ValidatorSet that disagree on dev",
    call: async () => {
      const hash = await tb.clients.walletClient.deployContract({
        abi: validatorSetAbi,
        bytecode: validatorSetBytecode,
        args: [tb.admin, tb.admin, false, 86_400n, ZERO32, 86_400],
      });
      const vs = (await tb.chain.publicClient.waitForTransactionReceipt({ hash })).contractAddress as Address;
      return simulateDeploy(tb, attestationRegistryAbi, attestationRegistryBytecode, [
        tb.admin,
        tb.admin,
        tb.deployment.contracts.workloadRegistry,
        vs,
        0,
      ]);
    },
    wantError: "AttestationRegistryDevMismatch",
    wantArgs: () => [true, false],
  },
  {
    name: "a fresh verdict for a subject revoked in its workload",
    call: async () => {
      await tb.send("attestationRegistry", "revokeSubject", [keep(1), tb.workloadId, "key leaked"]);
      return finalize(await tb.verdict(keep(1)));
    },
    wantError: "AttestationRegistrySubjectRevoked",
    wantArgs: () => [keep(1), tb.workloadId],
  },
  {
    name: "revoking a subject twice in a workload",
    call: async () => {
      await tb.send("attestationRegistry", "revokeSubject", [keep(1), tb.workloadId, "key leaked"]);
      return tb.send("attestationRegistry", "revokeSubject", [keep(1), tb.workloadId, "again"]);
    },
    wantError: "AttestationRegistrySubjectAlreadyRevoked",
    wantArgs: () => [keep(1), tb.workloadId],
  },
  {
    name: "revoking a subject in workload 0",
    call: async () => tb.send("attestationRegistry", "revokeSubject", [keep(1), ZERO32, "which?"]),
    wantError: "AttestationRegistryZeroWorkload",
  },
  {
    name: "lifting a subject revocation that is not in place",
    call: async () => tb.send("attestationRegistry", "liftSubjectRevocation", [keep(1), tb.workloadId]),
    wantError: "AttestationRegistrySubjectNotRevoked",
    wantArgs: () => [keep(1), tb.workloadId],
  },
  {
    name: "lifting a subject's revocation in a workload while it is revoked everywhere",
    call: async () => {
      await tb.send("attestationRegistry", "revokeSubjectEverywhere", [keep(1), [tb.workloadId], "host compromised"]);
      return tb.send("attestationRegistry", "liftSubjectRevocation", [keep(1), tb.workloadId]);
    },
    wantError: "AttestationRegistrySubjectRevokedEverywhere",
  },
  {
    name: "a verdict issued before the lift of its subject's revocation",
    call: async () => {
      const before = await tb.verdict(keep(1));
      await tb.send("attestationRegistry", "revokeSubject", [keep(1), tb.workloadId, "key leaked"]);
      await tb.chain.increaseTime(60);
      await tb.send("attestationRegistry", "liftSubjectRevocation", [keep(1), tb.workloadId]);
      return finalize(before);
    },
    wantError: "AttestationRegistryIssuedBeforeLift",
  },
  {
    name: "an empty bulk revocation",
    call: async () => tb.send("attestationRegistry", "revokeVerdicts", [[], "nothing"]),
    wantError: "AttestationRegistryRevocationListLength",
    wantArgs: () => [0n, 256n],
  },
  {
    name: "a platform of kind 0",
    call: async () => tb.send("attestationRegistry", "revokePlatform", [0, randomHash("fmspc"), "?"]),
    wantError: "AttestationRegistryPlatformKindInvalid",
    wantArgs: () => [0],
  },
  {
    name: "revoking a platform twice",
    call: async () => {
      await tb.send("attestationRegistry", "revokePlatform", [1, randomHash("fmspc"), "TCB recovery"]);
      return tb.send("attestationRegistry", "revokePlatform", [1, randomHash("fmspc"), "again"]);
    },
    wantError: "AttestationRegistryPlatformAlreadyRevoked",
  },
  {
    name: "lifting a platform that is not revoked",
    call: async () => tb.send("attestationRegistry", "liftPlatformRevocation", [1, randomHash("fmspc")]),
    wantError: "AttestationRegistryPlatformNotRevoked",
  },
  {
    name: "revoking a subject without GOVERNOR_ROLE",
    call: async () => tb.send("attestationRegistry", "revokeSubject", [keep(1), tb.workloadId, "x"], tb.stranger),
    wantError: "AccessControlUnauthorizedAccount",
  },
];

async function ownVerdict(validator: Address, workloadId: Hex) {
  return tb.verdict(validator, { workloadId, measurementHash: tb.measurements.sgx });
}

async function standaloneValidatorSet(validatorWorkload: Hex): Promise<Address> {
  const hash = await tb.clients.walletClient.deployContract({
    abi: validatorSetAbi,
    bytecode: validatorSetBytecode,
    args: [tb.admin, tb.admin, true, 0n, validatorWorkload, 0],
  });
  return (await tb.chain.publicClient.waitForTransactionReceipt({ hash })).contractAddress as Address;
}

const validatorRows: Row[] = [
  {
    name: "removing an unknown validator",
    call: async () => tb.send("validatorSet", "removeValidator", [tb.stranger]),
    wantError: "ValidatorSetUnknownValidator",
    wantArgs: () => [tb.stranger],
  },
  {
    name: "adding a registered validator",
    call: async () => tb.send("validatorSet", "addValidator", [tb.validators[0]!.address, "https://x.example", 0]),
    wantError: "ValidatorSetValidatorExists",
    wantArgs: () => [tb.validators[0]!.address],
  },
  {
    name: "a 65th validator",
    call: async () => {
      for (let i = 0; i < 61; i++) await tb.send("validatorSet", "addValidator", [keep(100 + i), "https://x.example", 0]);
      return tb.send("validatorSet", "addValidator", [keep(200), "https://x.example", 0]);
    },
    wantError: "ValidatorSetTooManyValidators",
    wantArgs: () => [64n],
  },
  {
    name: "a zero validator address",
    call: async () => tb.send("validatorSet", "addValidator", [ZERO, "https://x.example", 0]),
    wantError: "ValidatorSetZeroAddress",
  },
  {
    name: "an empty endpoint",
    call: async () => tb.send("validatorSet", "addValidator", [keep(1), "", 0]),
    wantError: "ValidatorSetEndpointLength",
    wantArgs: () => [0n, 256n],
  },
  {
    name: "an endpoint of 257 bytes",
    call: async () => tb.send("validatorSet", "setEndpoint", [`https://${"x".repeat(249)}`], tb.validators[0]!.address),
    wantError: "ValidatorSetEndpointLength",
    wantArgs: () => [257n, 256n],
  },
  {
    name: "threshold 0",
    call: async () => tb.send("validatorSet", "setThreshold", [0]),
    wantError: "ValidatorSetThresholdOutOfRange",
    wantArgs: () => [0n, 3n],
  },
  {
    name: "a threshold above the registered count",
    call: async () => tb.send("validatorSet", "setThreshold", [4]),
    wantError: "ValidatorSetThresholdOutOfRange",
    wantArgs: () => [4n, 3n],
  },
  {
    name: "a removal that would break the threshold",
    call: async () => {
      await tb.send("validatorSet", "removeValidator", [tb.validators[0]!.address]);
      return tb.send("validatorSet", "removeValidator", [tb.validators[1]!.address]);
    },
    wantError: "ValidatorSetRemovalBreaksThreshold",
    wantArgs: () => [2n, 1n],
  },
  {
    name: "bootstrapping after the bootstrap was closed",
    call: async () => {
      await tb.send("validatorSet", "closeBootstrap", []);
      return tb.send("validatorSet", "bootstrapValidator", [keep(1), "https://x.example", 0]);
    },
    wantError: "ValidatorSetBootstrapClosed",
  },
  {
    name: "closing the bootstrap twice",
    call: async () => {
      await tb.send("validatorSet", "closeBootstrap", []);
      return tb.send("validatorSet", "closeBootstrap", []);
    },
    wantError: "ValidatorSetBootstrapClosed",
  },
  {
    name: "a governance delay over 30 days",
    call: async () => tb.send("validatorSet", "setGovernanceDelay", [31n * 86_400n]),
    wantError: "ValidatorSetGovernanceDelay",
    wantArgs: () => [31n * 86_400n, 0n, 30n * 86_400n],
  },
  {
    name: "a governance delay under the production floor outside development",
    call: async () => simulateDeploy(tb, validatorSetAbi, validatorSetBytecode, [tb.admin, tb.admin, false, 86_399n, ZERO32, 86_400]),
    wantError: "ValidatorSetGovernanceDelay",
    wantArgs: () => [86_399n, 86_400n, 30n * 86_400n],
  },
  {
    name: "governing without GOVERNOR_ROLE",
    call: async () => tb.send("validatorSet", "addValidator", [keep(1), "https://x.example", 0], tb.stranger),
    wantError: "AccessControlUnauthorizedAccount",
  },
  {
    name: "an endpoint update by a non-validator",
    call: async () => tb.send("validatorSet", "setEndpoint", ["https://x.example"], tb.stranger),
    wantError: "ValidatorSetUnknownValidator",
  },
  {
    name: "attaching another subject's verdict",
    call: async () => {
      await tb.send("validatorSet", "setValidatorWorkload", [tb.workloadId]);
      return tb.send("validatorSet", "attachVerdict", [
        tb.validators[0]!.address,
        await ownVerdict(tb.validators[1]!.address, tb.workloadId),
      ]);
    },
    wantError: "ValidatorSetVerdictSubjectMismatch",
    wantArgs: () => [tb.validators[0]!.address, tb.validators[1]!.address],
  },
  {
    name: "attaching a verdict for another workload",
    call: async () => {
      await tb.send("validatorSet", "setValidatorWorkload", [randomHash("validator workload")]);
      return tb.send("validatorSet", "attachVerdict", [
        tb.validators[0]!.address,
        await ownVerdict(tb.validators[0]!.address, tb.workloadId),
      ]);
    },
    wantError: "ValidatorSetVerdictWorkloadMismatch",
    wantArgs: () => [randomHash("validator workload"), tb.workloadId],
  },
  {
    name: "attaching before a validator workload is designated",
    call: async () =>
      tb.send("validatorSet", "attachVerdict", [tb.validators[0]!.address, await ownVerdict(tb.validators[0]!.address, tb.workloadId)]),
    wantError: "ValidatorSetNoValidatorWorkload",
  },
  {
    name: "attaching a verdict that was never finalized",
    call: async () => {
      await tb.send("validatorSet", "setValidatorWorkload", [tb.workloadId]);
      return tb.send("validatorSet", "attachVerdict", [
        tb.validators[0]!.address,
        await ownVerdict(tb.validators[0]!.address, tb.workloadId),
      ]);
    },
    wantError: "ValidatorSetVerdictNotLive",
  },
  {
    name: "attaching the same verdict again",
    call: async () => {
      await tb.send("validatorSet", "setValidatorWorkload", [tb.workloadId]);
      const v = await ownVerdict(tb.validators[0]!.address, tb.workloadId);
      await finalizeId(v);
      await tb.send("validatorSet", "attachVerdict", [tb.validators[0]!.address, v]);
      return tb.send("validatorSet", "attachVerdict", [tb.validators[0]!.address, v], tb.stranger);
    },
    wantError: "ValidatorSetVerdictNotNewer",
  },
  {
    name: "attaching a fresh verdict to a revoked validator",
    call: async () => {
      await tb.send("validatorSet", "setValidatorWorkload", [tb.workloadId]);
      const first = await ownVerdict(tb.validators[0]!.address, tb.workloadId);
      const id = await finalizeId(first);
      await tb.send("validatorSet", "attachVerdict", [tb.validators[0]!.address, first]);
      await tb.send("attestationRegistry", "revokeVerdict", [id, "compromised"]);
      await tb.chain.increaseTime(60);
      const next = await ownVerdict(tb.validators[0]!.address, tb.workloadId);
      await finalizeId(next);
      return tb.send("validatorSet", "attachVerdict", [tb.validators[0]!.address, next], tb.stranger);
    },
    wantError: "ValidatorSetValidatorRevoked",
    wantArgs: () => [tb.validators[0]!.address],
  },
  {
    name: "reinstating a validator that is not revoked",
    call: async () => tb.send("validatorSet", "reinstateValidator", [tb.validators[0]!.address]),
    wantError: "ValidatorSetValidatorNotRevoked",
  },
  {
    name: "a revocation hook called by someone else",
    call: async () => tb.send("validatorSet", "onVerdictRevoked", [randomHash("id")]),
    wantError: "ValidatorSetUnauthorizedCaller",
  },
  {
    name: "a measurement hook called by someone else",
    call: async () => tb.send("validatorSet", "onMeasurementRevoked", [1]),
    wantError: "ValidatorSetUnauthorizedCaller",
  },
  {
    name: "wiring twice",
    call: async () => tb.send("validatorSet", "setAttestationRegistry", [tb.stranger]),
    wantError: "ValidatorSetAlreadyWired",
    wantArgs: () => [tb.deployment.contracts.attestationRegistry],
  },
  {
    name: "wiring by someone other than the deployer",
    call: async () => {
      const vs = await standaloneValidatorSet(ZERO32);
      return sendContractCall(tb.as(tb.stranger), {
        address: vs,
        abi: validatorSetAbi,
        functionName: "setAttestationRegistry",
        args: [tb.stranger],
      });
    },
    wantError: "ValidatorSetNotDeployer",
  },
  {
    name: "attaching before the set is wired",
    call: async () => {
      const vs = await standaloneValidatorSet(tb.workloadId);
      await sendContractCall(tb.clients, {
        address: vs,
        abi: validatorSetAbi,
        functionName: "bootstrapValidator",
        args: [tb.validators[0]!.address, "https://x.example", 0],
      });
      return sendContractCall(tb.clients, {
        address: vs,
        abi: validatorSetAbi,
        functionName: "attachVerdict",
        args: [tb.validators[0]!.address, await ownVerdict(tb.validators[0]!.address, tb.workloadId)],
      });
    },
    wantError: "ValidatorSetNotWired",
  },
];

const sgxValue = (enclave: Hex, signer: Hex, prod: number, svn: number): Hex =>
  `0x${enclave.slice(2)}${signer.slice(2)}${prod.toString(16).padStart(4, "0")}${svn.toString(16).padStart(4, "0")}`;

async function standaloneWorkloadRegistry(dev: boolean, delay: bigint): Promise<Address> {
  const hash = await tb.clients.walletClient.deployContract({
    abi: workloadRegistryAbi,
    bytecode: workloadRegistryBytecode,
    args: [tb.admin, tb.admin, dev, delay, dev ? 0 : 86_400],
  });
  return (await tb.chain.publicClient.waitForTransactionReceipt({ hash })).contractAddress as Address;
}

async function onProductionRegistry(functionName: string, args: (id: Hex) => readonly unknown[]) {
  const wr = await standaloneWorkloadRegistry(false, 86_400n);
  const sent = await sendContractCall<Hex>(tb.clients, {
    address: wr,
    abi: workloadRegistryAbi,
    functionName: "registerWorkload",
    args: ["app", ""],
  });
  return sendContractCall(tb.clients, { address: wr, abi: workloadRegistryAbi, functionName, args: args(sent.result) });
}

const workloadRows: Row[] = [
  {
    name: "registering the same name twice",
    call: async () => tb.send("workloadRegistry", "registerWorkload", ["app", ""]),
    wantError: "WorkloadRegistryWorkloadExists",
    wantArgs: () => [tb.workloadId],
  },
  {
    name: "an unknown workload",
    call: async () => tb.send("workloadRegistry", "setWorkloadMetadata", [randomHash("w"), ""]),
    wantError: "WorkloadRegistryUnknownWorkload",
    wantArgs: () => [randomHash("w")],
  },
  {
    name: "a measurement added by someone else than the owner",
    call: async () => tb.send("workloadRegistry", "addMeasurement", [tb.workloadId, 2, 5, randomHash("m")], tb.stranger),
    wantError: "WorkloadRegistryNotOwner",
    wantArgs: () => [tb.workloadId, tb.admin, tb.stranger],
  },
  {
    name: "a revocation by neither owner nor governor",
    call: async () => tb.send("workloadRegistry", "revokeMeasurement", [tb.workloadId, tb.measurements.sgx], tb.stranger),
    wantError: "WorkloadRegistryNotOwnerOrGovernor",
    wantArgs: () => [tb.workloadId, tb.admin, tb.stranger],
  },
  {
    name: "accepting a transfer not offered",
    call: async () => tb.send("workloadRegistry", "acceptWorkloadOwnership", [tb.workloadId], tb.stranger),
    wantError: "WorkloadRegistryNotPendingOwner",
    wantArgs: () => [tb.workloadId, ZERO, tb.stranger],
  },
  {
    name: "a constructor given a zero governor",
    call: async () => simulateDeploy(tb, workloadRegistryAbi, workloadRegistryBytecode, [tb.admin, ZERO, true, 0n, 0]),
    wantError: "WorkloadRegistryZeroAddress",
  },
  {
    name: "an empty name",
    call: async () => tb.send("workloadRegistry", "registerWorkload", ["", ""]),
    wantError: "WorkloadRegistryNameLength",
    wantArgs: () => [0n, 64n],
  },
  {
    name: "a 65-byte name",
    call: async () => tb.send("workloadRegistry", "registerWorkload", ["n".repeat(65), ""]),
    wantError: "WorkloadRegistryNameLength",
    wantArgs: () => [65n, 64n],
  },
  {
    name: "a 513-byte metadata URI",
    call: async () => tb.send("workloadRegistry", "registerWorkload", ["other", "u".repeat(513)]),
    wantError: "WorkloadRegistryMetadataURILength",
    wantArgs: () => [513n, 512n],
  },
  {
    name: "TEE kind Unknown",
    call: async () => tb.send("workloadRegistry", "addMeasurement", [tb.workloadId, 2, 0, "0x"]),
    wantError: "WorkloadRegistryInvalidTee",
    wantArgs: () => [0n],
  },
  {
    name: "a debug measurement on a production registry",
    call: async () => onProductionRegistry("addMeasurement", (id) => [id, 1, 5, randomHash("m")]),
    wantError: "WorkloadRegistryDevNotAllowed",
  },
  {
    name: "a dev policy on a production registry",
    call: async () => onProductionRegistry("schedulePolicy", (id) => [id, policy({ dev: true })]),
    wantError: "WorkloadRegistryDevNotAllowed",
  },
  {
    name: "a policy delay under the production floor on a production registry",
    call: async () => simulateDeploy(tb, workloadRegistryAbi, workloadRegistryBytecode, [tb.admin, tb.admin, false, 3_600n, 86_400]),
    wantError: "WorkloadRegistryPolicyDelay",
    wantArgs: () => [3_600n, 86_400n, 30n * 86_400n],
  },
  {
    name: "an admin delay under the production floor on a production registry",
    call: async () => simulateDeploy(tb, workloadRegistryAbi, workloadRegistryBytecode, [tb.admin, tb.admin, false, 86_400n, 3_600]),
    wantError: "KeepAdminRulesDelayBelowFloor",
    wantArgs: () => [3_600, 86_400],
  },
  {
    name: "an Azure CVM value of 84 bytes",
    call: async () => tb.send("workloadRegistry", "addMeasurement", [tb.workloadId, 2, 7, `0x${"01".repeat(84)}`]),
    wantError: "WorkloadRegistryMeasurementLength",
    wantArgs: () => [7n, 85n, 84n],
  },
  {
    name: "an NVIDIA GPU value of 95 bytes",
    call: async () => tb.send("workloadRegistry", "addMeasurement", [tb.workloadId, 2, 6, `0x${"01".repeat(95)}`]),
    wantError: "WorkloadRegistryMeasurementLength",
    wantArgs: () => [6n, 96n, 95n],
  },
  {
    name: "a CPU + GPU value of 145 bytes",
    call: async () => tb.send("workloadRegistry", "addMeasurement", [tb.workloadId, 2, 9, `0x${"01".repeat(145)}`]),
    wantError: "WorkloadRegistryMeasurementLength",
    wantArgs: () => [9n, 146n, 145n],
  },
  {
    name: "a TDX value of 239 bytes",
    call: async () => tb.send("workloadRegistry", "addMeasurement", [tb.workloadId, 2, 2, `0x${"01".repeat(239)}`]),
    wantError: "WorkloadRegistryMeasurementLength",
    wantArgs: () => [2n, 240n, 239n],
  },
  {
    name: "an SGX value in both modes",
    call: async () =>
      tb.send("workloadRegistry", "addMeasurement", [tb.workloadId, 2, 1, sgxValue(randomHash("e"), randomHash("s"), 0, 0)]),
    wantError: "WorkloadRegistrySgxMeasurementMode",
    wantArgs: () => [randomHash("e"), randomHash("s"), 0n, 0n],
  },
  {
    name: "an SEV-SNP host-data flag of 2",
    call: async () => tb.send("workloadRegistry", "addMeasurement", [tb.workloadId, 2, 3, `0x${"aa".repeat(48)}02${"00".repeat(32)}`]),
    wantError: "WorkloadRegistrySnpHostDataFlag",
    wantArgs: () => [2n],
  },
  {
    name: "SEV-SNP host data without its flag",
    call: async () => tb.send("workloadRegistry", "addMeasurement", [tb.workloadId, 2, 3, `0x${"aa".repeat(48)}00${"bb".repeat(32)}`]),
    wantError: "WorkloadRegistrySnpHostDataNotZero",
    wantArgs: () => [`0x${"bb".repeat(32)}`],
  },
  {
    name: "an Arm CCA algorithm byte of 3",
    call: async () => tb.send("workloadRegistry", "addMeasurement", [tb.workloadId, 2, 8, `0x03${"00".repeat(384)}`]),
    wantError: "WorkloadRegistryArmCcaHashAlgorithm",
    wantArgs: () => [3n],
  },
  {
    name: "an Arm CCA sha-256 REM1 with non-zero padding",
    call: async () =>
      tb.send("workloadRegistry", "addMeasurement", [tb.workloadId, 2, 8, `0x01${"00".repeat(64 * 2 + 32)}01${"00".repeat(31 + 64 * 3)}`]),
    wantError: "WorkloadRegistryArmCcaPaddingNotZero",
    wantArgs: () => [2n],
  },
  {
    name: "adding a measurement twice",
    call: async () => tb.send("workloadRegistry", "addMeasurement", [tb.workloadId, 9, 5, keccak256(stringToBytes("app debug"))]),
    wantError: "WorkloadRegistryMeasurementExists",
    wantArgs: () => [tb.workloadId, tb.measurements.debug],
  },
  {
    name: "revoking an unknown measurement",
    call: async () => tb.send("workloadRegistry", "revokeMeasurement", [tb.workloadId, randomHash("m")]),
    wantError: "WorkloadRegistryUnknownMeasurement",
    wantArgs: () => [tb.workloadId, randomHash("m")],
  },
  {
    name: "revoking a measurement twice",
    call: async () => {
      await tb.send("workloadRegistry", "revokeMeasurement", [tb.workloadId, tb.measurements.tdx]);
      return tb.send("workloadRegistry", "revokeMeasurement", [tb.workloadId, tb.measurements.tdx]);
    },
    wantError: "WorkloadRegistryMeasurementAlreadyRevoked",
  },
  {
    name: "the 2^32nd measurement",
    call: async () => {
      // _measurementCount is slot 10 (after AccessControl's _roles, AccessControlDefaultAdminRules' packed
      // admin and delay state, and seven mappings); check, then fill it.
      const slot = numberToHex(10, { size: 32 });
      const count = await tb.chain.publicClient.getStorageAt({ address: tb.deployment.contracts.workloadRegistry, slot });
      if (BigInt(count ?? 0) !== 3n) throw new Error(`slot 10 holds ${count}, not the measurement count 3`);
      await tb.chain.testClient.setStorageAt({
        address: tb.deployment.contracts.workloadRegistry,
        index: slot,
        value: numberToHex(0xffffffffn, { size: 32 }),
      });
      return tb.send("workloadRegistry", "addMeasurement", [tb.workloadId, 2, 5, randomHash("last")]);
    },
    wantError: "WorkloadRegistrySerialsExhausted",
  },
  {
    name: "allowing no TEE kind",
    call: async () => tb.send("workloadRegistry", "schedulePolicy", [tb.workloadId, rawPolicy({ allowedTees: 0 })]),
    wantError: "WorkloadRegistryPolicyAllowedTees",
    wantArgs: () => [0n],
  },
  {
    name: "allowing TEE kind Unknown",
    call: async () => tb.send("workloadRegistry", "schedulePolicy", [tb.workloadId, rawPolicy({ allowedTees: 3 })]),
    wantError: "WorkloadRegistryPolicyAllowedTees",
    wantArgs: () => [3n],
  },
  {
    name: "allowing an undefined TEE kind",
    call: async () => tb.send("workloadRegistry", "schedulePolicy", [tb.workloadId, rawPolicy({ allowedTees: 0x400 })]),
    wantError: "WorkloadRegistryPolicyAllowedTees",
    wantArgs: () => [0x400n],
  },
  {
    name: "allowing debug without dev",
    call: async () => tb.send("workloadRegistry", "schedulePolicy", [tb.workloadId, policy({ allowedTees: ["debug"] })]),
    wantError: "WorkloadRegistryPolicyDebugTeeWithoutDev",
  },
  {
    name: "accepting no TCB status",
    call: async () => tb.send("workloadRegistry", "schedulePolicy", [tb.workloadId, rawPolicy({ acceptedTcbStatuses: 0 })]),
    wantError: "WorkloadRegistryPolicyTcbStatuses",
    wantArgs: () => [0n],
  },
  {
    name: "accepting Revoked",
    call: async () =>
      tb.send("workloadRegistry", "schedulePolicy", [tb.workloadId, policy({ acceptedTcbStatuses: ["UpToDate", "Revoked"] })]),
    wantError: "WorkloadRegistryPolicyTcbStatuses",
    wantArgs: () => [0x82n],
  },
  {
    name: "accepting Unknown",
    call: async () => tb.send("workloadRegistry", "schedulePolicy", [tb.workloadId, rawPolicy({ acceptedTcbStatuses: 3 })]),
    wantError: "WorkloadRegistryPolicyTcbStatuses",
    wantArgs: () => [3n],
  },
  {
    name: "unbound evidence without dev",
    call: async () => tb.send("workloadRegistry", "schedulePolicy", [tb.workloadId, policy({ allowUnboundEvidence: true })]),
    wantError: "WorkloadRegistryPolicyUnboundWithoutDev",
  },
  {
    name: "denying an undefined AMD line",
    call: async () => tb.send("workloadRegistry", "schedulePolicy", [tb.workloadId, rawPolicy({ deniedAmdProductLines: 8 })]),
    wantError: "WorkloadRegistryPolicyAmdProductLines",
    wantArgs: () => [8n],
  },
  {
    name: "a zero maximum evidence age",
    call: async () => tb.send("workloadRegistry", "schedulePolicy", [tb.workloadId, policy({ maxEvidenceAge: 0 })]),
    wantError: "WorkloadRegistryPolicyMaxEvidenceAge",
    wantArgs: () => [0n],
  },
  {
    name: "a zero verdict lifetime",
    call: async () => tb.send("workloadRegistry", "schedulePolicy", [tb.workloadId, policy({ verdictLifetime: 0 })]),
    wantError: "WorkloadRegistryPolicyVerdictLifetime",
    wantArgs: () => [0n, 365n * 86_400n],
  },
  {
    name: "a verdict lifetime over 365 days",
    call: async () => tb.send("workloadRegistry", "schedulePolicy", [tb.workloadId, policy({ verdictLifetime: 365 * 86_400 + 1 })]),
    wantError: "WorkloadRegistryPolicyVerdictLifetime",
    wantArgs: () => [365n * 86_400n + 1n, 365n * 86_400n],
  },
  {
    name: "33 denied advisories",
    call: async () =>
      tb.send("workloadRegistry", "schedulePolicy", [
        tb.workloadId,
        policy({ deniedAdvisories: Array.from({ length: 33 }, (_, i) => `INTEL-SA-${i}`) }),
      ]),
    wantError: "WorkloadRegistryPolicyListTooLong",
    wantArgs: () => [33n, 32n],
  },
  {
    name: "33 denied FMSPCs",
    call: async () =>
      tb.send("workloadRegistry", "schedulePolicy", [
        tb.workloadId,
        policy({ deniedFmspcs: Array.from({ length: 33 }, (_, i) => i.toString(16).padStart(12, "0")) }),
      ]),
    wantError: "WorkloadRegistryPolicyListTooLong",
    wantArgs: () => [33n, 32n],
  },
  {
    name: "an empty advisory id",
    call: async () => tb.send("workloadRegistry", "schedulePolicy", [tb.workloadId, policy({ deniedAdvisories: ["INTEL-SA-00615", ""] })]),
    wantError: "WorkloadRegistryPolicyAdvisoryLength",
    wantArgs: () => [1n, 0n, 64n],
  },
  {
    name: "a policy delay over 30 days",
    call: async () => tb.send("workloadRegistry", "setPolicyDelay", [31n * 86_400n]),
    wantError: "WorkloadRegistryPolicyDelay",
    wantArgs: () => [31n * 86_400n, 0n, 30n * 86_400n],
  },
  {
    name: "a policy delay change without GOVERNOR_ROLE",
    call: async () => tb.send("workloadRegistry", "setPolicyDelay", [1n], tb.stranger),
    wantError: "AccessControlUnauthorizedAccount",
  },
  {
    name: "wiring twice",
    call: async () => tb.send("workloadRegistry", "setAttestationRegistry", [tb.stranger]),
    wantError: "WorkloadRegistryAlreadyWired",
  },
  {
    name: "wiring by someone other than the deployer",
    call: async () => {
      const wr = await standaloneWorkloadRegistry(true, 0n);
      return sendContractCall(tb.as(tb.stranger), {
        address: wr,
        abi: workloadRegistryAbi,
        functionName: "setAttestationRegistry",
        args: [tb.stranger],
      });
    },
    wantError: "WorkloadRegistryNotDeployer",
  },
  {
    name: "revoking before the registry is wired",
    call: async () => {
      const wr = await standaloneWorkloadRegistry(true, 0n);
      const id = (
        await sendContractCall<Hex>(tb.clients, {
          address: wr,
          abi: workloadRegistryAbi,
          functionName: "registerWorkload",
          args: ["w", ""],
        })
      ).result;
      const m = (
        await sendContractCall<Hex>(tb.clients, {
          address: wr,
          abi: workloadRegistryAbi,
          functionName: "addMeasurement",
          args: [id, 1, 5, randomHash("m")],
        })
      ).result;
      return sendContractCall(tb.clients, { address: wr, abi: workloadRegistryAbi, functionName: "revokeMeasurement", args: [id, m] });
    },
    wantError: "WorkloadRegistryNotWired",
  },
  {
    name: "a measurement used before its effectiveAt (policy delay 1 hour)",
    call: async () => {
      const wr = await standaloneWorkloadRegistry(true, 3_600n);
      const id = (
        await sendContractCall<Hex>(tb.clients, {
          address: wr,
          abi: workloadRegistryAbi,
          functionName: "registerWorkload",
          args: ["w", ""],
        })
      ).result;
      const m = (
        await sendContractCall<Hex>(tb.clients, {
          address: wr,
          abi: workloadRegistryAbi,
          functionName: "addMeasurement",
          args: [id, 1, 5, randomHash("m")],
        })
      ).result;
      return sendContractCall(tb.clients, { address: wr, abi: workloadRegistryAbi, functionName: "verdictContext", args: [id, m] });
    },
    wantError: "WorkloadRegistryMeasurementNotYetEffective",
  },
  {
    name: "accepting an ownership transfer twice (policy delay 1 hour)",
    call: async () => {
      const wr = await standaloneWorkloadRegistry(true, 3_600n);
      const id = (
        await sendContractCall<Hex>(tb.clients, {
          address: wr,
          abi: workloadRegistryAbi,
          functionName: "registerWorkload",
          args: ["w", ""],
        })
      ).result;
      await sendContractCall(tb.clients, {
        address: wr,
        abi: workloadRegistryAbi,
        functionName: "transferWorkloadOwnership",
        args: [id, tb.stranger],
      });
      await sendContractCall(tb.as(tb.stranger), {
        address: wr,
        abi: workloadRegistryAbi,
        functionName: "acceptWorkloadOwnership",
        args: [id],
      });
      return sendContractCall(tb.as(tb.stranger), {
        address: wr,
        abi: workloadRegistryAbi,
        functionName: "acceptWorkloadOwnership",
        args: [id],
      });
    },
    wantError: "WorkloadRegistryOwnershipAlreadyAccepted",
  },
  {
    name: "allowing no VMPL",
    call: async () => tb.send("workloadRegistry", "schedulePolicy", [tb.workloadId, rawLaunch({ snpAllowedVmpls: 0 })]),
    wantError: "WorkloadRegistryPolicySnpVmpls",
    wantArgs: () => [0, 15],
  },
  {
    name: "allowing VMPL 4",
    call: async () => tb.send("workloadRegistry", "schedulePolicy", [tb.workloadId, rawLaunch({ snpAllowedVmpls: 0x11 })]),
    wantError: "WorkloadRegistryPolicySnpVmpls",
    wantArgs: () => [0x11, 15],
  },
  {
    name: "an fmc minimum for Genoa",
    call: async () =>
      tb.send("workloadRegistry", "schedulePolicy", [
        tb.workloadId,
        rawLaunch({ snpMinTcbGenoa: { bootloader: 9, tee: 0, snp: 23, microcode: 72, fmc: 1 } }),
      ]),
    wantError: "WorkloadRegistryPolicySnpFmcNotTurin",
    wantArgs: () => [2, 1],
  },
  {
    name: "TD_ATTRIBUTES.DEBUG in the allowed mask",
    call: async () => tb.send("workloadRegistry", "schedulePolicy", [tb.workloadId, rawLaunch({ tdxAllowedTdAttributes: 1n })]),
    wantError: "WorkloadRegistryPolicyTdxDebugAttribute",
    wantArgs: () => [1n],
  },
  {
    name: "SGX ATTRIBUTES.DEBUG in the allowed mask",
    call: async () => tb.send("workloadRegistry", "schedulePolicy", [tb.workloadId, rawLaunch({ sgxAllowedAttributes: 0x7n })]),
    wantError: "WorkloadRegistryPolicySgxDebugAttribute",
    wantArgs: () => [0x7n],
  },
];

describe.each([
  ["AttestationRegistry", attestationRows],
  ["ValidatorSet", validatorRows],
  ["WorkloadRegistry", workloadRows],
])("%s custom errors", (_contract, rows) => {
  it.each(rows)("$name → $wantError", async ({ call, wantError, wantArgs }) => {
    const restore = await tb.snapshot();
    try {
      await expectRevert(call(), wantError, wantArgs ? await wantArgs() : undefined);
    } finally {
      await restore();
    }
  });
});

describe("the error table covers every custom error the contracts declare", () => {
  it("has a row for each", async () => {
    const { keepledgerErrorAbi } = await import("@keepledger/sdk/internal/chain/errorsAbi");
    const declared = new Set(
      keepledgerErrorAbi.map((e) => e.name).filter((n) => /^(AttestationRegistry|ValidatorSet|WorkloadRegistry)/.test(n)),
    );
    const covered = new Set([...attestationRows, ...validatorRows, ...workloadRows].map((r) => r.wantError));
    const missing = [...declared].filter((n) => !covered.has(n));
    if (missing.length > 0) throw new Error(`no row provokes: ${missing.join(", ")}`);
  });
});
