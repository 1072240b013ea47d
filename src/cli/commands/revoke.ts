/**
 * `keepledger revoke subject|platform|verdicts|lift`: governance revocations on the AttestationRegistry
 * (docs/governance.md "Revocation runbook"). A subject revocation turns isAttested off and refuses every
 * later verdict for the subject until governance lifts it; a platform goes on the list every validator
 * enforces on new evidence; verdicts already finalized on it are revoked by id (`revoke verdicts`).
 * The governor's key comes from an environment variable (--key-env, default KEEPLEDGER_GOVERNOR_KEY).
 */
import type { Command } from "commander";
import type { Address, Hex } from "viem";
import { findPlatformVerdicts, teeKindsOfPlatform, type PlatformCandidate } from "../../audit/findPlatformVerdicts.ts";
import {
  liftPlatformRevocation,
  liftSubjectRevocation,
  platformValue,
  revokePlatform,
  revokeSubject,
  revokeSubjectEverywhere,
  revokeVerdicts,
} from "../../chain/revocations.ts";
import { InfrastructureError, UsageError } from "@keepledger/sdk/internal/errors/index";
import { EvidenceStore } from "../../evidenceStore/EvidenceStore.ts";
import { AMD_PRODUCT_LINE_BITS } from "@keepledger/sdk/internal/ids/index";
import type { PlatformEntry } from "../../policy/checkRevocations.ts";
import { openDatabase } from "../../store/openDatabase.ts";
import { TEE_KINDS, type TeeKind } from "@keepledger/sdk/internal/kinds/index";
import { CLI_CODES } from "../codes.ts";
import { addressOption, badOption, connectSigner, emit, hexOption, runAction, type GovernanceCliOptions } from "../governance.ts";

const GOVERNOR_KEY_ENV = "KEEPLEDGER_GOVERNOR_KEY";
/** Most ids or workloads one transaction takes (AttestationRegistry.MAX_REVOCATION_LIST). */
export const MAX_REVOCATION_LIST = 256;
const ZERO32: Hex = `0x${"00".repeat(32)}`;

interface RevokeOptions extends GovernanceCliOptions {
  reason?: string;
  workload?: string[];
  everywhere?: boolean;
  registry?: string;
  fmspc?: string;
  amdChipId?: string;
  amdProductLine?: string;
  tee?: string;
  database?: string;
}

function withChainOptions(c: Command): Command {
  return c
    .option("--rpc <url>", "JSON-RPC endpoint")
    .option("--deployment <file>", "deployment JSON (from keepledger deploy --out or keepledger dev)")
    .option("--key-env <name>", "environment variable holding a governor's private key (GOVERNOR_ROLE)", GOVERNOR_KEY_ENV)
    .option("--json", "print one JSON object");
}

function reasonOf(o: RevokeOptions): string {
  const reason = o.reason?.trim();
  if (!reason) throw badOption("--reason", o.reason ?? "", "a non-empty reason, kept on-chain in the event");
  return reason;
}

/** The one platform entry the flags name. */
export function platformEntryOf(o: RevokeOptions): PlatformEntry {
  const given: PlatformEntry[] = [];
  if (o.fmspc !== undefined) given.push({ kind: "fmspc", value: hexOption("--fmspc", o.fmspc, 6).slice(2) });
  if (o.amdChipId !== undefined) given.push({ kind: "amdChipId", value: hexOption("--amd-chip-id", o.amdChipId, 64) });
  if (o.amdProductLine !== undefined) {
    const line = Object.keys(AMD_PRODUCT_LINE_BITS).find((l) => l.toLowerCase() === o.amdProductLine!.toLowerCase());
    if (!line) throw badOption("--amd-product-line", o.amdProductLine, Object.keys(AMD_PRODUCT_LINE_BITS).join(", "));
    given.push({ kind: "amdProductLine", value: line });
  }
  if (o.tee !== undefined) {
    if (!(TEE_KINDS as readonly string[]).includes(o.tee)) throw badOption("--tee", o.tee, TEE_KINDS.join(", "));
    given.push({ kind: "tee", value: o.tee });
  }
  if (given.length !== 1) {
    throw new UsageError(CLI_CODES.CLI_BAD_OPTION, "name exactly one platform: --fmspc, --amd-chip-id, --amd-product-line or --tee", {
      details: { got: given.length },
    });
  }
  return given[0]!;
}

/** The GraphQL query of one page of verdicts after `$after` (by id) matching `where`, whose variables have these types. */
export function verdictPageQuery(where: string, variableTypes: Record<string, string>, fields: string): string {
  const declared = ["$after: ID!", ...Object.entries(variableTypes).map(([k, t]) => `$${k}: ${t}`)].join(", ");
  return `query(${declared}) { verdicts(first: 1000, orderBy: id, where: { id_gt: $after${where ? `, ${where}` : ""} }) { ${fields} } }`;
}

export const SUBJECT_WORKLOADS_QUERY = verdictPageQuery("subject: $s", { s: "Bytes!" }, "id workload { id }");
export const PLATFORM_CANDIDATES_QUERY = verdictPageQuery(
  "tee_in: $tees, status: FINALIZED",
  { tees: "[String!]!" },
  "id tee evidenceHash issuedAt",
);

/** Every verdict a registry's GraphQL API lists for `query`, paged by id. */
async function registryVerdicts<T extends { id: string }>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  what: string,
): Promise<T[]> {
  const out: T[] = [];
  let after = "";
  for (;;) {
    let body: { data?: { verdicts?: T[] }; errors?: unknown[] };
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query, variables: { ...variables, after } }),
      });
      body = (await res.json()) as typeof body;
    } catch (cause) {
      throw new InfrastructureError(CLI_CODES.CLI_REGISTRY_UNREACHABLE, `could not ask the registry at ${url} for ${what}`, {
        cause,
        details: { url },
      });
    }
    const page = body.data?.verdicts;
    if (!page || body.errors)
      throw new InfrastructureError(CLI_CODES.CLI_REGISTRY_UNREACHABLE, `the registry at ${url} did not list ${what}`, {
        details: { url, errors: body.errors },
      });
    out.push(...page);
    if (page.length < 1000) return out;
    after = page[page.length - 1]!.id;
  }
}

/** The workloads a subject holds verdicts in, from a registry's GraphQL API. */
export async function workloadsOfSubject(url: string, subject: Address): Promise<Hex[]> {
  const rows = await registryVerdicts<{ id: string; workload: { id: string } }>(
    url,
    SUBJECT_WORKLOADS_QUERY,
    { s: subject.toLowerCase() },
    "the subject's verdicts",
  );
  return [...new Set(rows.map((v) => v.workload.id.toLowerCase() as Hex))];
}

/** The live (FINALIZED) verdicts of the TEE kinds a platform entry can belong to. */
async function platformCandidates(url: string, entry: PlatformEntry): Promise<PlatformCandidate[]> {
  const rows = await registryVerdicts<{ id: string; tee: string; evidenceHash: string; issuedAt: string }>(
    url,
    PLATFORM_CANDIDATES_QUERY,
    { tees: teeKindsOfPlatform(entry) },
    "the live verdicts of the platform's TEE kinds",
  );
  return rows.map((r) => ({ id: r.id as Hex, tee: r.tee as TeeKind, evidenceHash: r.evidenceHash as Hex, issuedAt: BigInt(r.issuedAt) }));
}

export function registerRevokeCommand(program: Command): void {
  const revoke = program
    .command("revoke")
    .description("subject | platform | verdicts | lift: governance revocations that only governance lifts");

  withChainOptions(
    revoke
      .command("subject")
      .description("revoke a subject (a Keep's key) in a workload, or in every workload (--everywhere)")
      .argument("<subject>", "the subject's address")
      .option("--workload <workloadId...>", "the workload(s); with --everywhere, the workloads to turn isAttested off in at once")
      .option("--everywhere", "revoke the subject in every workload (no verdict for it is stored again anywhere)")
      .option("--registry <url>", "with --everywhere: a registry GraphQL endpoint to find the workloads the subject holds verdicts in")
      .option("--reason <text>", "why, kept on-chain"),
  ).action(async (subjectArg: string, o: RevokeOptions) =>
    runAction(o.json, "revokeSubject", async () => {
      const subject = addressOption("<subject>", subjectArg);
      const reason = reasonOf(o);
      const listed = (o.workload ?? []).map((w) => hexOption("--workload", w, 32));
      if (!o.everywhere && listed.length === 0)
        throw new UsageError(
          CLI_CODES.CLI_BAD_OPTION,
          "name the workload(s) with --workload, or revoke in every workload with --everywhere",
          { at: { field: "--workload" } },
        );
      if (o.registry && !o.everywhere) throw badOption("--registry", o.registry, "used only with --everywhere");
      const conn = await connectSigner(o, GOVERNOR_KEY_ENV);
      if (o.everywhere) {
        const found = o.registry ? await workloadsOfSubject(o.registry, subject) : [];
        const workloads = [...new Set([...listed, ...found])];
        if (workloads.length > MAX_REVOCATION_LIST)
          throw badOption("--workload", String(workloads.length), `at most ${MAX_REVOCATION_LIST} workloads`);
        const r = await revokeSubjectEverywhere(conn.clients, conn.deployment, subject, workloads, reason);
        emit(o.json, { ok: true, action: "revokeSubjectEverywhere", subject, workloads, txHash: r.hash }, () =>
          [
            `revoked ${subject} in every workload (transaction ${r.hash})`,
            `  isAttested is off at once in: ${workloads.length > 0 ? workloads.join(", ") : "(no workload listed)"}`,
          ].join("\n"),
        );
        return;
      }
      const txs: Hex[] = [];
      for (const workloadId of listed) txs.push((await revokeSubject(conn.clients, conn.deployment, subject, workloadId, reason)).hash);
      emit(o.json, { ok: true, action: "revokeSubject", subject, workloads: listed, txHashes: txs }, () =>
        listed.map((w, i) => `revoked ${subject} in workload ${w} (transaction ${txs[i]})`).join("\n"),
      );
    }),
  );

  withChainOptions(
    revoke
      .command("platform")
      .description("put a platform on the revocation list every validator enforces on new evidence")
      .option("--fmspc <hex>", "an Intel platform family: 6 bytes of hex")
      .option("--amd-chip-id <hex>", "an AMD chip: the report's CHIP_ID, 64 bytes of hex")
      .option("--amd-product-line <name>", "an AMD product line: Milan, Genoa or Turin")
      .option("--tee <kind>", `a TEE kind: ${TEE_KINDS.join(", ")}`)
      .option("--registry <url>", "also revoke the live verdicts on the platform: a registry GraphQL endpoint lists the candidates")
      .option("--database <path|url>", "with --registry: the store holding the evidence store, to tell each candidate's platform")
      .option("--reason <text>", "why, kept on-chain"),
  ).action(async (o: RevokeOptions) =>
    runAction(o.json, "revokePlatform", async () => {
      const entry = platformEntryOf(o);
      const reason = reasonOf(o);
      if (o.registry && entry.kind !== "tee" && !o.database)
        throw badOption(
          "--database",
          "",
          "given with --registry for an FMSPC, chip id or product line (the evidence store tells each verdict's platform)",
        );
      const conn = await connectSigner(o, GOVERNOR_KEY_ENV);
      const r = await revokePlatform(conn.clients, conn.deployment, entry, reason);
      let found: { matched: Hex[]; undecided: Array<{ id: Hex; reason: string }>; txHashes: Hex[] } | undefined;
      if (o.registry) {
        const candidates = await platformCandidates(o.registry, entry);
        const db = o.database ? openDatabase(o.database) : undefined;
        try {
          const { matched, undecided } = await findPlatformVerdicts({
            entry,
            candidates,
            ...(db ? { evidenceStore: await EvidenceStore.open(db) } : {}),
          });
          const txHashes: Hex[] = [];
          for (let i = 0; i < matched.length; i += MAX_REVOCATION_LIST) {
            txHashes.push((await revokeVerdicts(conn.clients, conn.deployment, matched.slice(i, i + MAX_REVOCATION_LIST), reason)).hash);
          }
          found = { matched, undecided, txHashes };
        } finally {
          await db?.close();
        }
      }
      emit(
        o.json,
        {
          ok: true,
          action: "revokePlatform",
          kind: entry.kind,
          value: entry.value,
          key: platformValue(entry),
          txHash: r.hash,
          ...(found ? { verdicts: found } : {}),
        },
        () =>
          [
            `revoked ${entry.kind} ${entry.value} (transaction ${r.hash}): validators refuse new evidence from it at once`,
            found
              ? `  revoked ${found.matched.length} live verdict(s) on it${found.txHashes.length > 0 ? ` (${found.txHashes.join(", ")})` : ""}${found.undecided.length > 0 ? `; ${found.undecided.length} could not be decided: ${found.undecided.map((u) => `${u.id} (${u.reason})`).join("; ")}` : ""}`
              : "  verdicts already finalized on it still count: revoke them with --registry, or keepledger revoke verdicts (docs/governance.md)",
          ].join("\n"),
      );
    }),
  );

  withChainOptions(
    revoke
      .command("verdicts")
      .description(`revoke verdicts by id, ${MAX_REVOCATION_LIST} per transaction (ids already revoked are skipped)`)
      .argument("<verdictId...>", "the verdict ids")
      .option("--reason <text>", "why, kept on-chain"),
  ).action(async (idArgs: string[], o: RevokeOptions) =>
    runAction(o.json, "revokeVerdicts", async () => {
      const ids = [...new Set(idArgs.map((id) => hexOption("<verdictId>", id, 32)))];
      const reason = reasonOf(o);
      const conn = await connectSigner(o, GOVERNOR_KEY_ENV);
      const txs: Hex[] = [];
      for (let i = 0; i < ids.length; i += MAX_REVOCATION_LIST) {
        txs.push((await revokeVerdicts(conn.clients, conn.deployment, ids.slice(i, i + MAX_REVOCATION_LIST), reason)).hash);
      }
      emit(
        o.json,
        { ok: true, action: "revokeVerdicts", count: ids.length, txHashes: txs },
        () => `revoked up to ${ids.length} verdicts in ${txs.length} transaction(s): ${txs.join(", ")}`,
      );
    }),
  );

  const lift = revoke.command("lift").description("subject | platform: lift a revocation (governance only)");
  withChainOptions(
    lift
      .command("subject")
      .description("lift a subject revocation in a workload, or the one in every workload (--everywhere)")
      .argument("<subject>", "the subject's address")
      .option("--workload <workloadId...>", "the workload(s) to lift it in")
      .option("--everywhere", "lift the revocation in every workload (per-workload revocations stay until lifted too)"),
  ).action(async (subjectArg: string, o: RevokeOptions) =>
    runAction(o.json, "liftSubjectRevocation", async () => {
      const subject = addressOption("<subject>", subjectArg);
      const workloads = [...(o.everywhere ? [ZERO32] : []), ...(o.workload ?? []).map((w) => hexOption("--workload", w, 32))];
      if (workloads.length === 0)
        throw new UsageError(CLI_CODES.CLI_BAD_OPTION, "name the workload(s) with --workload, or --everywhere", {
          at: { field: "--workload" },
        });
      const conn = await connectSigner(o, GOVERNOR_KEY_ENV);
      const txs: Hex[] = [];
      for (const w of workloads) txs.push((await liftSubjectRevocation(conn.clients, conn.deployment, subject, w)).hash);
      emit(o.json, { ok: true, action: "liftSubjectRevocation", subject, workloads, txHashes: txs }, () =>
        [
          ...workloads.map(
            (w, i) =>
              `lifted the revocation of ${subject} ${w === ZERO32 ? "in every workload" : `in workload ${w}`} (transaction ${txs[i]})`,
          ),
          "  only verdicts issued from now on count for it",
        ].join("\n"),
      );
    }),
  );
  withChainOptions(
    lift
      .command("platform")
      .description("take a platform off the revocation list")
      .option("--fmspc <hex>", "an Intel platform family: 6 bytes of hex")
      .option("--amd-chip-id <hex>", "an AMD chip: the report's CHIP_ID, 64 bytes of hex")
      .option("--amd-product-line <name>", "an AMD product line: Milan, Genoa or Turin")
      .option("--tee <kind>", `a TEE kind: ${TEE_KINDS.join(", ")}`),
  ).action(async (o: RevokeOptions) =>
    runAction(o.json, "liftPlatformRevocation", async () => {
      const entry = platformEntryOf(o);
      const conn = await connectSigner(o, GOVERNOR_KEY_ENV);
      const r = await liftPlatformRevocation(conn.clients, conn.deployment, entry);
      emit(
        o.json,
        { ok: true, action: "liftPlatformRevocation", kind: entry.kind, value: entry.value, txHash: r.hash },
        () => `took ${entry.kind} ${entry.value} off the revocation list (transaction ${r.hash})`,
      );
    }),
  );
}
