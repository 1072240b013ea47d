/**
 * `keepledger validator add|remove|threshold|list|bootstrap|close-bootstrap|set-workload`: governance of
 * the ValidatorSet. Changes are scheduled
 * by the contract (now + governance delay) and the output says when each takes effect. The governor's
 * key comes from an environment variable (--key-env, default KEEPLEDGER_GOVERNOR_KEY).
 */
import type { Command } from "commander";
import type { Address } from "viem";
import { validatorSetAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { chainError } from "../../chain/transactions.ts";
import {
  addValidator,
  bootstrapValidator,
  closeBootstrap,
  readQuorum,
  reinstateValidator,
  removeValidator,
  setThreshold,
  setValidatorWorkload,
  type ScheduledResult,
  type ValidatorSpec,
} from "../../chain/validators.ts";
import { LOGGING_PROFILES, loggingProfileFromCode, type LoggingProfile } from "@keepledger/sdk/internal/ids/index";
import {
  addressOption,
  badOption,
  chainNow,
  hexOption,
  connectReader,
  connectSigner,
  emit,
  iso,
  runAction,
  schedule,
  scheduleText,
  wholeOption,
  type GovernanceCliOptions,
  type SignerConnection,
} from "../governance.ts";

const GOVERNOR_KEY_ENV = "KEEPLEDGER_GOVERNOR_KEY";
const NEVER = 2n ** 40n - 1n;

function withChainOptions(c: Command, signs: boolean): Command {
  c.option("--rpc <url>", "JSON-RPC endpoint").option(
    "--deployment <file>",
    "deployment JSON (from keepledger deploy --out or keepledger dev)",
  );
  if (signs) c.option("--key-env <name>", "environment variable holding a governor's private key (GOVERNOR_ROLE)", GOVERNOR_KEY_ENV);
  return c.option("--json", "print one JSON object");
}

async function reportScheduled(
  conn: SignerConnection,
  o: GovernanceCliOptions,
  what: string,
  r: ScheduledResult,
  extra: Record<string, unknown>,
): Promise<void> {
  const now = await chainNow(conn.publicClient);
  const when = schedule(r.effectiveAt, now);
  emit(
    o.json,
    { ok: true, ...extra, ...when, txHash: r.hash },
    () => `${what} (transaction ${r.hash})\n  ${scheduleText(when, now, "governance delay")}`,
  );
}

export function registerValidatorCommand(program: Command): void {
  const validator = program
    .command("validator")
    .description(
      "add | remove | threshold | list | bootstrap | close-bootstrap | set-workload: govern the validator set and its threshold k",
    );

  const spec = (addressArg: string, o: { endpoint: string; logging: string }): ValidatorSpec => {
    const address = addressOption("<address>", addressArg);
    if (!URL.canParse(o.endpoint) || !/^https?:$/.test(new URL(o.endpoint).protocol))
      throw badOption("--endpoint", o.endpoint, "an http(s) URL");
    if (!(LOGGING_PROFILES as readonly string[]).includes(o.logging)) throw badOption("--logging", o.logging, LOGGING_PROFILES.join(", "));
    return { address, endpoint: o.endpoint, loggingProfile: o.logging as LoggingProfile };
  };
  const adding = (name: string, description: string) =>
    withChainOptions(
      validator
        .command(name)
        .description(description)
        .argument("<address>", "the validator's signing address")
        .requiredOption("--endpoint <url>", "the validator node's public URL (peers and Keeps reach it there)")
        .requiredOption("--logging <profile>", `its logging profile: ${LOGGING_PROFILES.join(" | ")}`),
      true,
    );

  adding("add", "add a validator (scheduled: counts after the governance delay, once it attaches its own verdict)").action(
    async (addressArg: string, o: GovernanceCliOptions & { endpoint: string; logging: string }) =>
      runAction(o.json, "addValidator", async () => {
        const v = spec(addressArg, o);
        const conn = await connectSigner(o, GOVERNOR_KEY_ENV);
        const r = await addValidator(conn.clients, conn.deployment, v);
        await reportScheduled(conn, o, `added validator ${v.address} at ${v.endpoint} (${v.loggingProfile} logging)`, r, {
          action: "addValidator",
          validator: v.address,
          endpoint: v.endpoint,
          loggingProfile: v.loggingProfile,
        });
      }),
  );

  adding(
    "bootstrap",
    "add one of the first validators of a new network: it counts without its own verdict until the bootstrap is closed (only while the bootstrap is open)",
  ).action(async (addressArg: string, o: GovernanceCliOptions & { endpoint: string; logging: string }) =>
    runAction(o.json, "bootstrapValidator", async () => {
      const v = spec(addressArg, o);
      const conn = await connectSigner(o, GOVERNOR_KEY_ENV);
      const r = await bootstrapValidator(conn.clients, conn.deployment, v);
      await reportScheduled(
        conn,
        o,
        `bootstrapped validator ${v.address} at ${v.endpoint} (${v.loggingProfile} logging; counts without its own verdict until the bootstrap closes)`,
        r,
        {
          action: "bootstrapValidator",
          validator: v.address,
          endpoint: v.endpoint,
          loggingProfile: v.loggingProfile,
        },
      );
    }),
  );

  withChainOptions(
    validator
      .command("close-bootstrap")
      .description("close the bootstrap: from then on every validator counts only through its own live verdict for the validator workload"),
    true,
  ).action(async (o: GovernanceCliOptions) =>
    runAction(o.json, "closeBootstrap", async () => {
      const conn = await connectSigner(o, GOVERNOR_KEY_ENV);
      const r = await closeBootstrap(conn.clients, conn.deployment);
      await reportScheduled(conn, o, "closed the bootstrap", r, { action: "closeBootstrap" });
    }),
  );

  withChainOptions(
    validator
      .command("set-workload")
      .description("designate the validator workload: the workload whose live verdict each validator must hold to count")
      .argument("<workloadId>", "the workload id (0x + 64 hex digits, from keepledger workload add)"),
    true,
  ).action(async (workloadArg: string, o: GovernanceCliOptions) =>
    runAction(o.json, "setValidatorWorkload", async () => {
      const workloadId = hexOption("<workloadId>", workloadArg, 32);
      const conn = await connectSigner(o, GOVERNOR_KEY_ENV);
      const r = await setValidatorWorkload(conn.clients, conn.deployment, workloadId);
      await reportScheduled(conn, o, `validator workload set to ${workloadId}`, r, { action: "setValidatorWorkload", workloadId });
    }),
  );

  withChainOptions(
    validator
      .command("remove")
      .description("remove a validator (scheduled: it stops counting after the governance delay)")
      .argument("<address>", "the validator's address"),
    true,
  ).action(async (addressArg: string, o: GovernanceCliOptions) =>
    runAction(o.json, "removeValidator", async () => {
      const address = addressOption("<address>", addressArg);
      const conn = await connectSigner(o, GOVERNOR_KEY_ENV);
      const r = await removeValidator(conn.clients, conn.deployment, address);
      await reportScheduled(conn, o, `removed validator ${address}`, r, { action: "removeValidator", validator: address });
    }),
  );

  withChainOptions(
    validator
      .command("reinstate")
      .description("lift a revoked validator's revocation (at once; it counts again once it attaches a live verdict)")
      .argument("<address>", "the validator's address"),
    true,
  ).action(async (addressArg: string, o: GovernanceCliOptions) =>
    runAction(o.json, "reinstateValidator", async () => {
      const address = addressOption("<address>", addressArg);
      const conn = await connectSigner(o, GOVERNOR_KEY_ENV);
      const r = await reinstateValidator(conn.clients, conn.deployment, address);
      emit(
        o.json,
        { ok: true, action: "reinstateValidator", validator: address, txHash: r.hash },
        () => `reinstated validator ${address} (transaction ${r.hash}); it counts again once a live verdict of its own is attached`,
      );
    }),
  );

  withChainOptions(
    validator
      .command("threshold")
      .description("set k, the signatures a verdict needs (scheduled after the governance delay)")
      .argument("<k>", "1 to the number of registered validators"),
    true,
  ).action(async (kArg: string, o: GovernanceCliOptions) =>
    runAction(o.json, "setThreshold", async () => {
      const k = Number(wholeOption("<k>", kArg, 65_535));
      if (k === 0) throw badOption("<k>", kArg, "at least 1");
      const conn = await connectSigner(o, GOVERNOR_KEY_ENV);
      const r = await setThreshold(conn.clients, conn.deployment, k);
      await reportScheduled(conn, o, `threshold set to ${k}`, r, { action: "setThreshold", threshold: k });
    }),
  );

  withChainOptions(
    validator.command("list").description("the validators, the threshold in force and any scheduled threshold"),
    false,
  ).action(async (o: GovernanceCliOptions) =>
    runAction(o.json, "reading the validator set", async () => {
      const { publicClient, deployment } = await connectReader(o);
      const read = async <T>(functionName: string, args: readonly unknown[] = []): Promise<T> => {
        try {
          return (await publicClient.readContract({
            address: deployment.contracts.validatorSet,
            abi: validatorSetAbi,
            functionName,
            args,
          } as Parameters<typeof publicClient.readContract>[0])) as T;
        } catch (error) {
          throw chainError(error, functionName);
        }
      };
      const { validators, threshold } = await readQuorum({ publicClient }, deployment);
      const [pendingK, pendingAt] = await read<readonly [number, bigint]>("pendingThreshold");
      const registered = await read<number>("registeredCount");
      const records = await Promise.all(
        validators.map(async (address: Address) => {
          const v = await read<{
            registered: boolean;
            bootstrap: boolean;
            counting: boolean;
            loggingProfile: number;
            activeFrom: bigint;
            activeUntil: bigint;
            ownVerdictId: string;
            ownVerdictExpiresAt: bigint;
            ownVerdictRevoked: boolean;
            endpoint: string;
          }>("validatorOf", [address]);
          return {
            address,
            endpoint: v.endpoint,
            loggingProfile: loggingProfileFromCode(v.loggingProfile),
            registered: v.registered,
            counting: v.counting,
            bootstrap: v.bootstrap,
            activeFrom: iso(v.activeFrom),
            ...(v.activeUntil !== NEVER ? { activeUntil: iso(v.activeUntil) } : {}),
            ...(v.ownVerdictExpiresAt !== 0n
              ? { ownVerdictId: v.ownVerdictId, ownVerdictExpiresAt: iso(v.ownVerdictExpiresAt), ownVerdictRevoked: v.ownVerdictRevoked }
              : {}),
          };
        }),
      );
      const now = iso(await chainNow(publicClient));
      const pending = pendingAt !== 0n ? { threshold: pendingK, effectiveAt: iso(pendingAt) } : undefined;
      emit(o.json, { ok: true, threshold, registered, ...(pending ? { pendingThreshold: pending } : {}), validators: records }, () =>
        [
          `threshold ${threshold} of ${registered} registered${pending ? ` (becomes ${pending.threshold} at ${pending.effectiveAt})` : ""}`,
          ...records.map((r) =>
            [
              `${r.address}  ${r.counting ? "counting" : `not counting (${whyNotCounting(r, now)})`}${r.bootstrap ? " (bootstrap)" : ""}`,
              `  endpoint ${r.endpoint}, ${r.loggingProfile} logging, active from ${r.activeFrom}${r.activeUntil ? ` until ${r.activeUntil}` : ""}`,
              ...(r.ownVerdictId
                ? [`  own verdict ${r.ownVerdictId} until ${r.ownVerdictExpiresAt}${r.ownVerdictRevoked ? " (REVOKED)" : ""}`]
                : []),
            ].join("\n"),
          ),
        ].join("\n"),
      );
    }),
  );
}

function whyNotCounting(
  r: { registered: boolean; activeFrom: string; activeUntil?: string; ownVerdictId?: string; ownVerdictRevoked?: boolean },
  now: string,
): string {
  if (r.activeFrom > now) return `active from ${r.activeFrom}`;
  if (!r.registered || (r.activeUntil !== undefined && r.activeUntil <= now)) return "removed";
  if (r.ownVerdictId === undefined) return "no own verdict attached yet";
  return r.ownVerdictRevoked ? "its own verdict was revoked" : "its own verdict expired";
}
