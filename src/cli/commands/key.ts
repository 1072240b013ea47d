/**
 * `keepledger key create|rotate|retire|list|release`: attested key release from the command line
 * (docs/key-release.md). The workload owner's key comes from --key-env (default KEEPLEDGER_OWNER_KEY), a
 * Keep's subject key for `release` from --keep-key-env (default KEEPLEDGER_KEEP_KEY), never from a flag.
 * A secret createKey draws is written to --secret-out (mode 0600), never printed.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { getAddress, parseAbiItem, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { attestationRegistryAbi, keyRegistryAbi, validatorSetAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { defaultReleasePolicy, keyOf, keyVersionOf, retireKeyVersion, type ReleasePolicy } from "../../chain/keyRegistry.ts";
import type { VerdictJson } from "@keepledger/sdk/internal/chain/verdictView";
import { verdictFromJson } from "@keepledger/sdk/internal/chain/verdictView";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import { tcbStatusCode } from "@keepledger/sdk/internal/ids/index";
import type { TcbStatus } from "@keepledger/sdk/internal/kinds/index";
import { createKey } from "@keepledger/sdk/internal/sdk/keys/createKey";
import { releaseKey } from "@keepledger/sdk/internal/sdk/keys/releaseKey";
import { keyFromEnv } from "../chainOptions.ts";
import { CLI_CODES } from "../codes.ts";
import {
  addressOption,
  connectReader,
  connectSigner,
  emit,
  hexOption,
  runAction,
  wholeOption,
  type GovernanceCliOptions,
  type ReadConnection,
} from "../governance.ts";

const OWNER_KEY_ENV = "KEEPLEDGER_OWNER_KEY";

interface KeyListing {
  keyId: Hex;
  workloadId: Hex;
  name: string;
  versions: {
    version: number;
    threshold: number;
    shareholders: Address[];
    liveShareholders: number;
    retired: boolean;
    /** Fewer than t live shareholders (GraphQL KeyVersion.belowThreshold). */
    belowThreshold: boolean;
    /** Below threshold and not retired: rotate it while t shareholders still answer. */
    atRisk: boolean;
  }[];
}
const KEEP_KEY_ENV = "KEEPLEDGER_KEEP_KEY";

interface KeyCliOptions extends GovernanceCliOptions {
  registry?: string;
}

/** --registry, or the deployment's KeyRegistry. */
function registryOf(o: KeyCliOptions, conn: ReadConnection): Address {
  if (o.registry !== undefined) return addressOption("--registry", o.registry);
  const fromDeployment = conn.deployment.contracts.keyRegistry;
  if (fromDeployment === undefined) {
    throw new UsageError(CLI_CODES.CLI_BAD_OPTION, "the deployment names no KeyRegistry: pass --registry <address>");
  }
  return fromDeployment;
}

function common(c: Command, signs: boolean): Command {
  c.option("--registry <address>", "the KeyRegistry (default: the deployment's)")
    .option("--rpc <url>", "JSON-RPC endpoint")
    .option("--deployment <file>", "deployment JSON (from keepledger deploy --out or keepledger dev)");
  if (signs) c.option("--key-env <name>", "environment variable holding the workload owner's private key", OWNER_KEY_ENV);
  return c.option("--json", "print one JSON object");
}

function splitOptions(c: Command): Command {
  return c
    .requiredOption("--threshold <t>", "shares needed to recombine (2 ≤ t ≤ shareholders)")
    .option("--shareholders <list>", "validator addresses, comma-separated, in share order (default: every registered validator)")
    .option("--secret-file <file>", "split the bytes of this file (default: draw 32 random bytes)")
    .option("--secret-out <file>", "where to write a drawn secret (mode 0600); required when --secret-file is not given")
    .option("--dangerously-allow-unattested-key-service", "UNSAFE: split for key-service keys no live self-attestation vouches for");
}

function parsePolicy(o: { acceptTcb?: string; secondWorkload?: string; allowDebug?: boolean }): ReleasePolicy {
  const policy = defaultReleasePolicy();
  if (o.acceptTcb !== undefined) {
    policy.acceptedTcbStatuses = o.acceptTcb
      .split(",")
      .map((s) => s.trim())
      .reduce((mask, s) => mask | (1 << tcbStatusCode(s as TcbStatus)), 0);
  }
  if (o.secondWorkload !== undefined) policy.secondWorkloadId = hexOption("--second-workload", o.secondWorkload, 32);
  if (o.allowDebug) policy.allowDebug = true;
  return policy;
}

async function shareholdersOf(o: { shareholders?: string }, conn: ReadConnection): Promise<Address[]> {
  if (o.shareholders) return o.shareholders.split(",").map((a) => addressOption("--shareholders", a.trim()));
  const all = await conn.publicClient.readContract({
    address: conn.deployment.contracts.validatorSet,
    abi: validatorSetAbi,
    functionName: "validators",
  });
  return all.map((a) => getAddress(a));
}

function secretSource(o: { secretFile?: string; secretOut?: string }): Uint8Array | undefined {
  if (o.secretFile) return new Uint8Array(readFileSync(o.secretFile));
  if (!o.secretOut)
    throw new UsageError(CLI_CODES.CLI_BAD_OPTION, "pass --secret-file <file> or --secret-out <file> (a drawn secret is never printed)");
  return undefined;
}

export function registerKeyCommand(program: Command): void {
  const key = program.command("key").description("create | rotate | retire | list | release: attested key release (docs/key-release.md)");

  const createOrRotate = async (o: KeyCliOptions & Record<string, string | boolean | undefined>, workloadId: Hex, name: string) => {
    const conn = await connectSigner(o, OWNER_KEY_ENV);
    const registry = registryOf(o, conn);
    const secret = secretSource(o as { secretFile?: string; secretOut?: string });
    const r = await createKey({
      clients: conn.clients,
      deployment: conn.deployment,
      keyRegistry: registry,
      workloadId,
      name,
      shareholders: await shareholdersOf(o as { shareholders?: string }, conn),
      threshold: Number(wholeOption("--threshold", String(o.threshold), 64)),
      ...(secret ? { secret } : {}),
      policy: parsePolicy(o as { acceptTcb?: string; secondWorkload?: string; allowDebug?: boolean }),
      dangerouslyAllowUnattestedKeyService: o.dangerouslyAllowUnattestedKeyService === true,
    });
    if (r.secret && typeof o.secretOut === "string") writeFileSync(o.secretOut, r.secret, { mode: 0o600 });
    emit(
      o.json as boolean | undefined,
      { ok: true, keyId: r.keyId, version: r.version, shareHashes: r.shareHashes, txHash: r.txHash },
      () => `${r.keyId}\nversion ${r.version} recorded (transaction ${r.txHash}) and its shares deposited with the validators`,
    );
  };

  common(
    splitOptions(
      key
        .command("create")
        .description("split a secret t-of-n for the validators, record the key and deposit the sealed shares")
        .argument("<workloadId>", "the workload whose Keeps may receive the key")
        .argument("<name>", "the key's name within the workload")
        .option("--accept-tcb <list>", "TCB statuses a Keep's verdict may have, comma-separated (default UpToDate,NotApplicable)")
        .option("--second-workload <workloadId>", "Keeps of this workload may receive the key too")
        .option("--allow-debug", "UNSAFE outside development: release to debug Keeps and dev-policy verdicts (dev registries only)"),
    ),
    true,
  ).action(async (workloadId: string, name: string, o: KeyCliOptions & Record<string, string | boolean | undefined>) =>
    runAction(o.json as boolean | undefined, "createKey", () => createOrRotate(o, hexOption("<workloadId>", workloadId, 32), name)),
  );

  common(
    splitOptions(
      key
        .command("rotate")
        .description("re-split a new secret for the validators named now: the key's next version")
        .argument("<keyId>", "the key"),
    ),
    true,
  ).action(async (keyIdArg: string, o: KeyCliOptions & Record<string, string | boolean | undefined>) =>
    runAction(o.json as boolean | undefined, "rotateKey", async () => {
      const conn = await connectReader(o);
      const info = await keyOf(conn, registryOf(o, conn), hexOption("<keyId>", keyIdArg, 32));
      if (info.createdAt === 0n) throw new UsageError(CLI_CODES.CLI_BAD_OPTION, `no key ${keyIdArg} in the KeyRegistry`);
      await createOrRotate(o, info.workloadId, info.name);
    }),
  );

  common(
    key
      .command("retire")
      .description("retire a key version at once and for good")
      .argument("<keyId>", "the key")
      .argument("<version>", "the version"),
    true,
  ).action(async (keyIdArg: string, versionArg: string, o: KeyCliOptions) =>
    runAction(o.json, "retireVersion", async () => {
      const conn = await connectSigner(o, OWNER_KEY_ENV);
      const keyId = hexOption("<keyId>", keyIdArg, 32);
      const version = Number(wholeOption("<version>", versionArg, 0xffffffff));
      const hash = await retireKeyVersion(conn.clients, registryOf(o, conn), keyId, version);
      emit(o.json, { ok: true, keyId, version, txHash: hash }, () => `retired version ${version} of ${keyId} (transaction ${hash})`);
    }),
  );

  common(
    key.command("list").description("list the keys, their versions and whether each version still has t live shareholders"),
    false,
  ).action(async (o: KeyCliOptions) =>
    runAction(o.json, "list keys", async () => {
      const conn = await connectReader(o);
      const registry = registryOf(o, conn);
      const created = await conn.publicClient.getLogs({
        address: registry,
        event: parseAbiItem("event KeyCreated(bytes32 indexed keyId, bytes32 indexed workloadId, string name, address indexed actor)"),
        fromBlock: conn.deployment.deployBlock,
      });
      const keys: KeyListing[] = [];
      for (const log of created) {
        const keyId = log.args.keyId!;
        const info = await keyOf(conn, registry, keyId);
        const versions = [];
        for (let v = 1; v <= info.latestVersion; v++) {
          const version = await keyVersionOf(conn, registry, keyId, v);
          const [live, threshold] = await conn.publicClient.readContract({
            address: registry,
            abi: keyRegistryAbi,
            functionName: "liveShareholders",
            args: [keyId, v],
          });
          versions.push({
            version: v,
            threshold,
            shareholders: version.shareholders,
            liveShareholders: live,
            retired: version.retiredAt !== 0n,
            belowThreshold: live < threshold,
            atRisk: version.retiredAt === 0n && live < threshold,
          });
        }
        keys.push({ keyId, workloadId: info.workloadId, name: info.name, versions });
      }
      emit(
        o.json,
        { ok: true, keys },
        () =>
          keys
            .flatMap((k) => [
              `${k.keyId} ${k.name} (workload ${k.workloadId})`,
              ...k.versions.map(
                (v) =>
                  `  v${v.version}: ${v.threshold}-of-${v.shareholders.length}, ${v.liveShareholders} live${v.retired ? ", retired" : ""}${v.belowThreshold ? `, BELOW THRESHOLD${v.retired ? "" : " — AT RISK"} (fewer than t live shareholders)` : ""}`,
              ),
            ])
            .join("\n") || "no keys",
      );
    }),
  );

  common(
    key
      .command("release")
      .description("as a Keep: obtain a key from the validators and write it to --out")
      .argument("<keyId>", "the key")
      .requiredOption("--node <url>", "a validator node that serves the Keep's latest verdict (GET /v1/verdicts/{id})")
      .requiredOption("--out <file>", "where to write the secret (mode 0600)")
      .option("--version <n>", "the key version (default: the latest)")
      .option("--keep-key-env <name>", "environment variable holding the Keep's subject key", KEEP_KEY_ENV),
    false,
  ).action(async (keyIdArg: string, o: KeyCliOptions & { node: string; out: string; version?: string; keepKeyEnv?: string }) =>
    runAction(o.json, "release key", async () => {
      const account = privateKeyToAccount(keyFromEnv(o.keepKeyEnv ?? KEEP_KEY_ENV));
      const conn = await connectReader(o);
      const registry = registryOf(o, conn);
      const keyId = hexOption("<keyId>", keyIdArg, 32);
      const { workloadId } = await keyOf(conn, registry, keyId);
      const [, verdictId] = await conn.publicClient.readContract({
        address: conn.deployment.contracts.attestationRegistry,
        abi: attestationRegistryAbi,
        functionName: "isAttested",
        args: [account.address, workloadId],
      });
      const view = (await (await fetch(`${o.node.replace(/\/+$/, "")}/v1/verdicts/${verdictId}`)).json()) as { verdict?: VerdictJson };
      if (!view.verdict) throw new UsageError(CLI_CODES.CLI_BAD_OPTION, `${o.node} does not serve verdict ${verdictId}`);
      const r = await releaseKey({
        publicClient: conn.publicClient,
        deployment: conn.deployment,
        keyRegistry: registry,
        keyId,
        ...(o.version ? { version: Number(wholeOption("--version", o.version, 0xffffffff)) } : {}),
        account,
        verdict: verdictFromJson(view.verdict),
      });
      writeFileSync(o.out, r.secret, { mode: 0o600 });
      const shares = r.shares.map((s) =>
        s.ok ? { validator: s.validator, index: s.index } : { validator: s.validator, error: s.error.code },
      );
      emit(o.json, { ok: true, keyId, version: r.version, threshold: r.threshold, shares }, () =>
        [
          `wrote version ${r.version} of ${keyId} to ${o.out}`,
          ...shares.map((s) => `  ${s.validator}: ${"error" in s ? s.error : `share ${s.index}`}`),
        ].join("\n"),
      );
    }),
  );
}
