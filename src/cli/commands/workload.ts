/**
 * `keepledger workload add|measure|revoke|policy`: a workload owner's operations on the WorkloadRegistry.
 * The owner's key comes from an environment variable (--key-env, default KEEPLEDGER_OWNER_KEY), never
 * from a flag. Output is for people; --json prints one object.
 */
import { UNCHECKED_GPU_REVOCATION_FLAG, UNCHECKED_GPU_REVOCATION_HELP } from "../verificationInputs.ts";
import type { Command } from "commander";
import { zeroAddress, type Chain, type Hex, type PublicClient, type Transport } from "viem";
import type { Deployment } from "../../chain/deployment.ts";
import { workloadRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { fromChainPolicy, type ChainPolicy } from "../../chain/policy.ts";
import { type WorkloadPolicy } from "../../policy/types.ts";
import { chainError, sendContractCall } from "../../chain/transactions.ts";
import {
  addMeasurement,
  allowCpak,
  allowedCpaksOf,
  disallowCpak,
  policyOf,
  registerWorkload,
  revokeMeasurement,
  schedulePolicy,
} from "../../chain/workloads.ts";
import { cpakArgument } from "../cpakArgument.ts";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import { factsOf, measurementHash, type Measurement } from "@keepledger/sdk/internal/tee/kindFacts";
import { CLI_CODES } from "../codes.ts";
import {
  addressOption,
  badOption,
  chainNow,
  connectReader,
  connectSigner,
  emit,
  hexOption,
  iso,
  runAction,
  schedule,
  scheduleText,
  wholeOption,
  type GovernanceCliOptions,
} from "../governance.ts";
import { ALL_VALUE_FLAGS, measurementFromEvidence, measurementFromFlags, type MeasurementFlags } from "../measurementOptions.ts";
import {
  applyPolicyChanges,
  collectOption,
  policyChangesFromFlags,
  policyJson,
  policyText,
  readPolicyFile,
  type PolicyFlags,
} from "../policyOptions.ts";

const OWNER_KEY_ENV = "KEEPLEDGER_OWNER_KEY";

function workloadIdArg(value: string): Hex {
  return hexOption("<workloadId>", value, 32);
}

async function requireWorkload(publicClient: PublicClient<Transport, Chain>, deployment: Deployment, workloadId: Hex) {
  let info: { owner: string; pendingOwner: string; registeredAt: bigint; name: string; metadataURI: string };
  try {
    info = await publicClient.readContract({
      address: deployment.contracts.workloadRegistry,
      abi: workloadRegistryAbi,
      functionName: "workloadOf",
      args: [workloadId],
    });
  } catch (error) {
    throw chainError(error, "workloadOf");
  }
  if (info.owner === zeroAddress) {
    throw new UsageError(
      CLI_CODES.CLI_WORKLOAD_UNKNOWN,
      `no workload ${workloadId} is registered in the WorkloadRegistry at ${deployment.contracts.workloadRegistry}; check the id (\`keepledger workload add\` prints it) and --deployment`,
      {
        details: { workloadId },
      },
    );
  }
  return info;
}

function measurementFields(m: Measurement): Record<string, unknown> {
  const { tee: _tee, ...fields } = m;
  return fields;
}

function withChainOptions(c: Command, signs: boolean): Command {
  c.option("--rpc <url>", "JSON-RPC endpoint").option(
    "--deployment <file>",
    "deployment JSON (from keepledger deploy --out or keepledger dev)",
  );
  if (signs) c.option("--key-env <name>", "environment variable holding the workload owner's private key", OWNER_KEY_ENV);
  return c.option("--json", "print one JSON object");
}

export function registerWorkloadCommand(program: Command): void {
  const workload = program
    .command("workload")
    .description(
      "add | measure | revoke | policy | cpak | accept-ownership: register workloads, approve and revoke measurements, read and schedule policies, allow Arm CCA platform keys",
    );

  withChainOptions(
    workload
      .command("add")
      .description("register a workload (the sender owns it) and print its id")
      .argument("<name>", "the workload's name (1-64 bytes; the id is derived from the sender and the name)")
      .option("--metadata-uri <uri>", "where its description lives (at most 512 bytes)", "")
      .option("--owner <address>", "then start a transfer of ownership to this address (it accepts with `workload accept-ownership`)"),
    true,
  ).action(async (name: string, o: GovernanceCliOptions & { metadataUri: string; owner?: string }) =>
    runAction(o.json, "registerWorkload", async () => {
      const owner = o.owner === undefined ? undefined : addressOption("--owner", o.owner);
      const { clients, deployment, sender } = await connectSigner(o, OWNER_KEY_ENV);
      const r = await registerWorkload(clients, deployment, name, o.metadataUri);
      let transferHash: Hex | undefined;
      if (owner !== undefined && owner !== sender) {
        transferHash = (
          await sendContractCall(clients, {
            address: deployment.contracts.workloadRegistry,
            abi: workloadRegistryAbi,
            functionName: "transferWorkloadOwnership",
            args: [r.workloadId, owner],
          })
        ).hash;
      }
      emit(
        o.json,
        {
          ok: true,
          workloadId: r.workloadId,
          name,
          owner: sender,
          txHash: r.hash,
          ...(transferHash ? { pendingOwner: owner, transferTxHash: transferHash } : {}),
        },
        () =>
          [
            r.workloadId,
            `  registered "${name}", owned by ${sender} (transaction ${r.hash})`,
            ...(transferHash
              ? [
                  `  ownership transfer to ${owner} started (transaction ${transferHash}); ${owner} completes it with \`keepledger workload accept-ownership ${r.workloadId}\``,
                ]
              : []),
            "  the policy is the default until you schedule one (`keepledger workload policy`); add measurements with `keepledger workload measure`",
          ].join("\n"),
      );
    }),
  );

  withChainOptions(
    workload
      .command("accept-ownership")
      .description(
        "(as the new owner) accept an ownership transfer started with `workload add --owner`; it takes effect after the policy delay",
      )
      .argument("<workloadId>", "the workload id"),
    true,
  ).action(async (id: string, o: GovernanceCliOptions) =>
    runAction(o.json, "acceptWorkloadOwnership", async () => {
      const workloadId = workloadIdArg(id);
      const { clients, deployment, sender } = await connectSigner(o, OWNER_KEY_ENV);
      const sent = await sendContractCall<bigint>(clients, {
        address: deployment.contracts.workloadRegistry,
        abi: workloadRegistryAbi,
        functionName: "acceptWorkloadOwnership",
        args: [workloadId],
      });
      const now = await chainNow(clients.publicClient);
      const when = schedule(sent.result, now);
      emit(o.json, { ok: true, workloadId, owner: sender, ...when, txHash: sent.hash }, () =>
        [
          when.inForceNow
            ? `${sender} now owns workload ${workloadId} (transaction ${sent.hash})`
            : `${sender} accepted workload ${workloadId} (transaction ${sent.hash})`,
          `  ${scheduleText(when, now, "policy delay")}`,
        ].join("\n"),
      );
    }),
  );

  withChainOptions(
    workload
      .command("measure")
      .description("approve a measurement for a workload, from flags or taken from evidence")
      .argument("<workloadId>", "the workload id (0x + 64 hex digits)")
      .option(
        "--tee <kind>",
        "sgx | tdx | sev-snp | nitro | debug | nvidia-gpu | azure-cvm | arm-cca | cpu-gpu (debug only on registries deployed with --dev)",
      )
      .option("--mrenclave <hex>", "SGX: the exact enclave (32 bytes)")
      .option("--mrsigner <hex>", "SGX: the signer (32 bytes), with --isv-prod-id and --min-isv-svn")
      .option("--isv-prod-id <n>", "SGX: the product id, with --mrsigner")
      .option("--min-isv-svn <n>", "SGX: the lowest accepted ISVSVN, with --mrsigner")
      .option("--mrtd <hex>", "TDX: MRTD (48 bytes)")
      .option("--rtmr0 <hex>", "TDX: RTMR0 (48 bytes)")
      .option("--rtmr1 <hex>", "TDX: RTMR1 (48 bytes)")
      .option("--rtmr2 <hex>", "TDX: RTMR2 (48 bytes)")
      .option("--rtmr3 <hex>", "TDX: RTMR3 (48 bytes)")
      .option("--measurement <hex>", "SEV-SNP: the launch measurement (48 bytes); debug: the 32-byte measurement")
      .option("--host-data <hex>", "SEV-SNP: HOST_DATA the guest must carry (32 bytes; default: any)")
      .option("--pcr0 <hex>", "Nitro: PCR0 (48 bytes)")
      .option("--pcr1 <hex>", "Nitro: PCR1 (48 bytes)")
      .option("--pcr2 <hex>", "Nitro: PCR2 (48 bytes)")
      .option("--hardware <snp|tdx>", "Azure CVM: the hardware under the paravisor")
      .option("--hardware-measurement <hex>", "Azure CVM: the SEV-SNP MEASUREMENT or TDX MRTD of the paravisor (48 bytes)")
      .option("--pcr-values <list>", "Azure CVM: the PCRs to approve with their SHA-256 values, e.g. 4=0x…,7=0x…,11=0x…")
      .option("--hash-alg <alg>", "Arm CCA: sha-256 (default) or sha-512, the algorithm of the RIM and REMs")
      .option("--rim <hex>", "Arm CCA: the realm initial measurement (32 or 64 bytes per --hash-alg)")
      .option("--rem0 <hex>", "Arm CCA: REM0 (default: zero)")
      .option("--rem1 <hex>", "Arm CCA: REM1 (default: zero)")
      .option("--rem2 <hex>", "Arm CCA: REM2 (default: zero)")
      .option("--rem3 <hex>", "Arm CCA: REM3 (default: zero)")
      .option("--personalization-value <hex>", "Arm CCA: the realm personalization value (64 bytes, default: zero)")
      .option("--driver-rim-digest <hex>", "NVIDIA GPU: the driver RIM's SHA-384 digest (48 bytes; its XML-DSig DigestValue)")
      .option("--vbios-rim-digest <hex>", "NVIDIA GPU: the VBIOS RIM's SHA-384 digest (48 bytes)")
      .option("--cpu-tee <kind>", "CPU + GPU: the CPU part's kind (tdx, sev-snp, azure-cvm, arm-cca; debug on dev registries)")
      .option(
        "--cpu-measurement-hash <hex>",
        "CPU + GPU: the CPU part's measurement hash (32 bytes; `workload measure --tee <cpu kind>` prints it)",
      )
      .option("--min-gpus <n>", "CPU + GPU: at least this many attested GPUs, 1..8 (default 1)")
      .option("--gpu-rim-set-digest <hex>", "CPU + GPU: pin exactly these GPUs' RIMs (32 bytes; default: any RIMs meeting the minimums)")
      .option("--gpu-models <list>", "CPU + GPU: up to two allowed models, chip[/project[/projectSku[/chipSku]]], e.g. GH100/1010/0200/882")
      .option("--min-driver-version <v>", "CPU + GPU: the lowest accepted GPU driver version, e.g. 550.90.07")
      .option("--min-vbios-version <v>", "CPU + GPU: the lowest accepted VBIOS version, e.g. 96.00.9f.00.01")
      .option("--from-evidence <file>", "take the measurement from this evidence (raw, hex or base64), once it verifies")
      .option("--collateral <dir>", "with --from-evidence: directory of collateral to verify it with, as `keepledger verify` takes it")
      .option("--at <time>", "with --from-evidence: verify as of this ISO-8601 time (default: now)")
      .option("--pccs <url>", "with --from-evidence: fetch Intel collateral from Intel PCS or a PCCS (v4 API) at this base URL")
      .option("--kds <url>", "with --from-evidence: fetch AMD collateral from AMD KDS (or a mirror) at this base URL")
      .option(
        "--dangerously-allow-missing-amd-crl",
        "UNSAFE, with --from-evidence: check SEV-SNP ASKs without AMD's CRL when no collateral source has it",
      )
      .option(UNCHECKED_GPU_REVOCATION_FLAG, `with --from-evidence: ${UNCHECKED_GPU_REVOCATION_HELP}`)
      .option("--by-signer", "with SGX evidence: approve its mrsigner, product id and ISVSVN (as minimum) instead of its mrenclave")
      .option("--with-host-data", "with SEV-SNP evidence: also require its HOST_DATA")
      .option("--pcrs <list>", "with Azure CVM evidence: the PCRs the measurement covers, e.g. 4,7,11 (default 4,7,11)")
      .option("--release <n>", "release number stored with the measurement (uint32; validators prefer the highest live one)", "1"),
    true,
  ).action(async (id: string, o: GovernanceCliOptions & MeasurementFlags & { release: string }) =>
    runAction(o.json, "addMeasurement", async () => {
      const workloadId = workloadIdArg(id);
      const release = Number(wholeOption("--release", o.release, 4_294_967_295));
      let measurement: Measurement;
      let debug = false;
      let source = "flags";
      if (o.fromEvidence !== undefined) {
        const flagged = Object.entries(o).filter(([k, v]) => v !== undefined && (k === "tee" || ALL_VALUE_FLAGS.includes(k)));
        if (flagged.length > 0)
          throw new UsageError(
            CLI_CODES.CLI_BAD_OPTION,
            "--from-evidence takes the measurement from the evidence; leave out --tee and the measurement flags",
            { at: { field: "--from-evidence" } },
          );
        ({ measurement, debug } = await measurementFromEvidence(o.fromEvidence, o));
        source = o.fromEvidence;
      } else {
        const evidenceOnly = (
          [
            ["bySigner", "--by-signer"],
            ["withHostData", "--with-host-data"],
            ["pcrs", "--pcrs"],
            ["collateral", "--collateral"],
            ["at", "--at"],
            ["pccs", "--pccs"],
            ["kds", "--kds"],
            ["dangerouslyAllowMissingAmdCrl", "--dangerously-allow-missing-amd-crl"],
            ["dangerouslyAllowUncheckedGpuRevocation", UNCHECKED_GPU_REVOCATION_FLAG],
          ] as const
        ).find(([key]) => o[key] !== undefined && o[key] !== false);
        if (evidenceOnly) throw badFlagWithoutEvidence(evidenceOnly[1]);
        measurement = measurementFromFlags(o);
        debug = factsOf(measurement.tee).vendor === "none";
      }
      const hash = measurementHash(measurement);
      const { clients, deployment } = await connectSigner(o, OWNER_KEY_ENV);
      const r = await addMeasurement(clients, deployment, workloadId, release, measurement);
      const now = await chainNow(clients.publicClient);
      const when = schedule(r.effectiveAt, now);
      emit(
        o.json,
        {
          ok: true,
          workloadId,
          measurementHash: r.measurementHash,
          tee: measurement.tee,
          release,
          fields: measurementFields(measurement),
          source,
          debug,
          ...when,
          txHash: r.hash,
        },
        () =>
          [
            `${hash}`,
            `  approved ${measurement.tee} measurement (release ${release}) for workload ${workloadId} (transaction ${r.hash})`,
            `  usable by verdicts: ${scheduleText(when, now, "policy delay")}`,
            `  taken from ${source === "flags" ? "the flags" : `evidence ${source} (verified)`}:`,
            ...Object.entries(measurementFields(measurement)).map(([k, v]) => `    ${k.padEnd(11)} ${v === null ? "any" : String(v)}`),
            ...(debug ? ["  ⚠ INSECURE: debug-mode evidence or the debug kind; only a dev policy accepts it"] : []),
            `  revoke with: keepledger workload revoke ${workloadId} ${hash}`,
          ].join("\n"),
      );
    }),
  );

  withChainOptions(
    workload
      .command("revoke")
      .description("revoke an approved measurement (its verdicts stop counting at once)")
      .argument("<workloadId>", "the workload id")
      .argument("<measurementHash>", "the measurement hash `workload measure` printed"),
    true,
  ).action(async (id: string, hashArg: string, o: GovernanceCliOptions) =>
    runAction(o.json, "revokeMeasurement", async () => {
      const workloadId = workloadIdArg(id);
      const hash = hexOption("<measurementHash>", hashArg, 32);
      const { clients, deployment } = await connectSigner(o, OWNER_KEY_ENV);
      const r = await revokeMeasurement(clients, deployment, workloadId, hash);
      emit(
        o.json,
        { ok: true, workloadId, measurementHash: hash, txHash: r.hash },
        () => `revoked measurement ${hash} of workload ${workloadId} (transaction ${r.hash}); verdicts resting on it no longer count`,
      );
    }),
  );

  withChainOptions(
    workload
      .command("cpak")
      .description(
        "print the workload's allowed Arm CCA platform keys (CPAKs); --allow one (after the policy delay: it loosens the policy) or --disallow one (at once)",
      )
      .argument("<workloadId>", "the workload id")
      .option("--allow <cpak>", "the CPAK to allow: its id (sha256 of the SubjectPublicKeyInfo, 32 bytes of hex) or a PEM/JWK file")
      .option("--disallow <cpak>", "the CPAK to take off the list: its id or a PEM/JWK file (owner or governor)"),
    true,
  ).action(async (id: string, o: GovernanceCliOptions & { allow?: string; disallow?: string }) =>
    runAction(o.json, o.disallow !== undefined ? "disallowCpak" : "allowCpak", async () => {
      const workloadId = workloadIdArg(id);
      if (o.allow !== undefined && o.disallow !== undefined)
        throw badOption("--disallow", o.disallow, "either --allow or --disallow, not both");
      if (o.allow === undefined && o.disallow === undefined) return printCpaks(workloadId, o);
      const { clients, deployment } = await connectSigner(o, OWNER_KEY_ENV);
      await requireWorkload(clients.publicClient, deployment, workloadId);
      if (o.disallow !== undefined) {
        const cpak = await cpakArgument("--disallow", o.disallow);
        const r = await disallowCpak(clients, deployment, workloadId, cpak);
        emit(
          o.json,
          { ok: true, workloadId, cpakId: cpak, txHash: r.hash },
          () =>
            `took CPAK ${cpak} off the allow-list of workload ${workloadId} (transaction ${r.hash}); validators refuse platform tokens it signs from now on`,
        );
        return;
      }
      const cpak = await cpakArgument("--allow", o.allow!);
      const r = await allowCpak(clients, deployment, workloadId, cpak);
      const now = await chainNow(clients.publicClient);
      const when = schedule(r.effectiveAt, now);
      emit(o.json, { ok: true, workloadId, cpakId: cpak, ...when, txHash: r.hash }, () =>
        [`allowed CPAK ${cpak} for workload ${workloadId} (transaction ${r.hash})`, `  ${scheduleText(when, now, "policy delay")}`].join(
          "\n",
        ),
      );
    }),
  );

  withChainOptions(
    workload
      .command("policy")
      .description(
        "print the workload's policy; with --set or the field flags, schedule a new one (at once if no looser, else after the policy delay)",
      )
      .argument("<workloadId>", "the workload id")
      .option("--set <policy.json>", "schedule this policy (WorkloadPolicy JSON, see docs/cli.md; omitted fields keep their values)")
      .option("--tee <list>", "allowed TEE kinds, comma-separated (sgx,tdx,sev-snp,nitro,debug)")
      .option("--accept-tcb <list>", "accepted TCB statuses, comma-separated (e.g. UpToDate,SWHardeningNeeded)")
      .option("--max-evidence-age <seconds>", "oldest accepted evidence (age of the bound block)")
      .option("--verdict-lifetime <seconds>", "how long verdicts stay valid")
      .option("--dev", "UNSAFE outside development: accept debug evidence (dev registries only)")
      .option("--no-dev", "turn dev off")
      .option(
        "--snp-min-tcb <line:components>",
        "SEV-SNP minimum TCB of one product line, e.g. Genoa:bootloader=9,tee=0,snp=23,microcode=72 (Turin adds fmc=F; Line:none removes it); repeatable",
        collectOption,
      )
      .option("--snp-vmpls <list>", "VMPLs a SEV-SNP report may come from, comma-separated (0..3)")
      .option("--snp-allow-migrate-ma", "allow a SEV-SNP migration agent (guest policy MIGRATE_MA)")
      .option("--no-snp-allow-migrate-ma", "refuse a SEV-SNP migration agent")
      .option("--snp-require-smt-off", "require the SEV-SNP guest policy to forbid SMT")
      .option("--no-snp-require-smt-off", "allow SMT")
      .option("--tdx-allowed-td-attributes <mask>", "TDX TD_ATTRIBUTES bits that may be set (0x… or decimal; never DEBUG)")
      .option("--tdx-allowed-xfam <mask>", "TDX XFAM bits that may be set (0x… or decimal)")
      .option(
        "--tdx-owner-config <mrconfigid:mrowner:mrownerconfig>",
        "the TDX MRCONFIGID, MROWNER and MROWNERCONFIG (48 bytes of hex each) a TD must carry, kept as their keccak256; none: all zero",
      )
      .option("--sgx-allowed-attributes <mask>", "SGX ATTRIBUTES.FLAGS bits that may be set (0x… or decimal; never DEBUG)")
      .option("--sgx-min-isvsvn <n>", "lowest SGX ISVSVN accepted (0..65535)"),
    true,
  ).action(async (id: string, o: GovernanceCliOptions & PolicyFlags & { set?: string }) =>
    runAction(o.json, "schedulePolicy", async () => {
      const workloadId = workloadIdArg(id);
      const changes = { ...(o.set !== undefined ? await readPolicyFile(o.set) : {}), ...policyChangesFromFlags(o) };
      if (Object.keys(changes).length === 0) return printPolicy(workloadId, o);
      const { clients, deployment } = await connectSigner(o, OWNER_KEY_ENV);
      await requireWorkload(clients.publicClient, deployment, workloadId);
      const current = await policyOf(clients, deployment, workloadId);
      const next: WorkloadPolicy = applyPolicyChanges(current.policy, changes);
      const r = await schedulePolicy(clients, deployment, workloadId, next);
      const now = await chainNow(clients.publicClient);
      const when = schedule(r.effectiveAt, now);
      emit(o.json, { ok: true, workloadId, policy: policyJson(next), ...when, txHash: r.hash }, () =>
        [
          `scheduled a new policy for workload ${workloadId} (transaction ${r.hash})`,
          when.inForceNow
            ? `  in force now (${when.effectiveAt}): no looser than the policy in force (tightening is immediate), or the policy delay is 0`
            : `  ${scheduleText(when, now, "policy delay")} (it loosens the policy in force)`,
          policyText(next),
        ].join("\n"),
      );
    }),
  );
}

function badFlagWithoutEvidence(flag: string): UsageError {
  return new UsageError(CLI_CODES.CLI_BAD_OPTION, `${flag} applies to --from-evidence only`, { at: { field: flag } });
}

async function printCpaks(workloadId: Hex, o: GovernanceCliOptions): Promise<void> {
  const { publicClient, deployment } = await connectReader(o);
  await requireWorkload(publicClient, deployment, workloadId);
  const [entries, now] = await Promise.all([allowedCpaksOf({ publicClient }, deployment, workloadId), chainNow(publicClient)]);
  const cpaks = entries.map((e) => ({ cpakId: e.cpakId, effectiveAt: iso(e.effectiveAt), inForce: e.effectiveAt <= now }));
  emit(o.json, { ok: true, workloadId, cpaks }, () =>
    cpaks.length === 0
      ? `workload ${workloadId} allows no Arm CCA platform key (CPAK): its Arm CCA evidence is refused`
      : [
          `Arm CCA platform keys (CPAKs) allowed for workload ${workloadId}:`,
          ...cpaks.map((c) => `  ${c.cpakId}  ${c.inForce ? `in force since ${c.effectiveAt}` : `takes effect at ${c.effectiveAt}`}`),
        ].join("\n"),
  );
}

async function printPolicy(workloadId: Hex, o: GovernanceCliOptions): Promise<void> {
  const { publicClient, deployment } = await connectReader(o);
  const info = await requireWorkload(publicClient, deployment, workloadId);
  const current = await policyOf({ publicClient }, deployment, workloadId);
  let pending: { policy: WorkloadPolicy; effectiveAt: bigint } | undefined;
  try {
    const [p, at] = await publicClient.readContract({
      address: deployment.contracts.workloadRegistry,
      abi: workloadRegistryAbi,
      functionName: "pendingPolicyOf",
      args: [workloadId],
    });
    if (at !== 0n) pending = { policy: fromChainPolicy(p as ChainPolicy), effectiveAt: at };
  } catch (error) {
    throw chainError(error, "pendingPolicyOf");
  }
  emit(
    o.json,
    {
      ok: true,
      workloadId,
      name: info.name,
      owner: info.owner,
      policy: policyJson(current.policy),
      effectiveAt: iso(current.effectiveAt),
      ...(pending ? { pending: { policy: policyJson(pending.policy), effectiveAt: iso(pending.effectiveAt) } } : {}),
    },
    () =>
      [
        `workload ${workloadId} "${info.name}", owner ${info.owner}`,
        current.effectiveAt === 0n
          ? "policy in force (the default, since registration):"
          : `policy in force since ${iso(current.effectiveAt)}:`,
        policyText(current.policy),
        ...(pending ? [`scheduled, takes effect at ${iso(pending.effectiveAt)}:`, policyText(pending.policy)] : []),
      ].join("\n"),
  );
}
