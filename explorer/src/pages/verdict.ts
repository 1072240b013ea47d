/** One verdict: every field, its batch, evidence and collateral hashes, signers, and how to audit it (#/verdict/<id>). */
import { fields, h, link, section, table } from "../dom.ts";
import { fullHex, hex, insecureIfDebug, status, time } from "../format.ts";
import { query } from "../graphql.ts";
import type { Page } from "../router.ts";

interface VerdictDetail {
  id: string;
  tee: string;
  tcbStatus: string;
  subject: string;
  status: string;
  revoked: boolean;
  unbound: boolean;
  measurementHash: string;
  measurementSerial: number;
  evidenceHash: string;
  collateralHash: string;
  issuedAt: string;
  expiresAt: string;
  freshnessBlock: string;
  materialized: boolean;
  materializedAt: string | null;
  finalizedAt: string;
  txHash: string;
  blockNumber: string;
  logIndex: number;
  leafIndex: number | null;
  workload: { id: string; name: string };
  measurement: { version: number; tee: string; revoked: boolean; value: string };
  revocation: { reason: string | null; actor: string; revokedAt: string; txHash: string } | null;
  signers: { id: string; endpoint: string; active: boolean }[];
  batch: { id: string; count: number; groupCount: number; materializedCount: number; finalizedAt: string; txHash: string } | null;
  evidence: {
    available: boolean;
    size: number | null;
    storedAt: string | null;
    collateral: { name: string; contentHash: string; size: number }[];
  } | null;
}

/** The `keepledger audit` command for a verdict: re-verifies it from the chain and the stored evidence. */
export function auditCommand(id: string): string {
  return `keepledger audit ${id} --rpc <json-rpc-url> --deployment deployment.json --database <evidence store>`;
}

export const verdictPage: Page = async (_params, id) => {
  const data = await query<{ verdict: VerdictDetail | null }>(
    `query Verdict($id: ID!) {
      verdict(id: $id) {
        id tee tcbStatus subject status revoked unbound measurementHash measurementSerial evidenceHash collateralHash
        issuedAt expiresAt freshnessBlock materialized materializedAt finalizedAt txHash blockNumber logIndex leafIndex
        workload { id name }
        measurement { version tee revoked value }
        revocation { reason actor revokedAt txHash }
        signers { id endpoint active }
        batch { id count groupCount materializedCount finalizedAt txHash }
        evidence { available size storedAt collateral { name contentHash size } }
      }
    }`,
    { id: (id ?? "").toLowerCase() },
  );
  const v = data.verdict;
  if (!v) return { title: "Verdict not found", body: [h("p", {}, `No verdict ${id ?? ""} in this registry.`)] };
  const command = auditCommand(v.id);
  return {
    title: `Verdict ${v.id.slice(0, 10)}…`,
    body: [
      h(
        "p",
        { class: "lead" },
        status(v.status),
        " ",
        insecureIfDebug(v.tee),
        " ",
        `${v.tee} Keep of `,
        link(`/workload/${v.workload.id}`, v.workload.name),
      ),
      section(
        "Fields",
        fields([
          ["Verdict id", fullHex(v.id)],
          ["Workload", [link(`/workload/${v.workload.id}`, v.workload.name), " ", fullHex(v.workload.id)]],
          ["Subject", [fullHex(v.subject), v.unbound ? " (unbound evidence: key-less pseudo-subject)" : ""]],
          ["TEE kind", [v.tee, " ", insecureIfDebug(v.tee)]],
          ["TCB status", v.tcbStatus],
          [
            "Measurement",
            [
              fullHex(v.measurementHash),
              ` (release ${v.measurement.version}, serial ${v.measurementSerial}${v.measurement.revoked ? ", revoked" : ""})`,
            ],
          ],
          ["Status", status(v.status)],
          ["Issued", time(v.issuedAt)],
          ["Expires", time(v.expiresAt)],
          ["Freshness block", v.freshnessBlock === "0" ? "0 (unbound evidence)" : v.freshnessBlock],
          ["Finalized", `${time(v.finalizedAt)} in block ${v.blockNumber} (log ${v.logIndex})`],
          ["Transaction", fullHex(v.txHash)],
          ["Materialized (counts in isAttested)", v.materialized ? `yes${v.materializedAt ? `, ${time(v.materializedAt)}` : ""}` : "no"],
        ]),
      ),
      section(
        "Evidence and collateral",
        fields([
          ["Evidence hash", fullHex(v.evidenceHash)],
          ["Collateral hash", fullHex(v.collateralHash)],
          [
            "In this registry's evidence store",
            v.evidence === null
              ? "not served by this registry (evidence access none)"
              : v.evidence.available
                ? `yes, ${v.evidence.size ?? "?"} bytes, stored ${time(v.evidence.storedAt)}`
                : "no",
          ],
        ]),
        v.evidence && v.evidence.collateral.length > 0
          ? table(
              "Collateral files",
              ["Name", "Content hash", "Size (bytes)"],
              v.evidence.collateral.map((c) => [c.name, hex(c.contentHash), c.size]),
            )
          : null,
      ),
      section(
        "Batch",
        v.batch
          ? fields([
              ["Batch (Merkle root)", fullHex(v.batch.id)],
              ["Leaf", `${v.leafIndex ?? "?"} of ${v.batch.count} verdicts in ${v.batch.groupCount} groups`],
              ["Materialized in the batch", `${v.batch.materializedCount} of ${v.batch.count}`],
              ["Finalized", time(v.batch.finalizedAt)],
              ["Transaction", fullHex(v.batch.txHash)],
            ])
          : h("p", {}, "Finalized alone, not in a batch."),
      ),
      section(
        "Signers",
        table(
          "Validators that signed it",
          ["Validator", "Endpoint", "Active now"],
          v.signers.map((s) => [link("/validators", hex(s.id)), s.endpoint, s.active ? "yes" : "no"]),
        ),
      ),
      v.revocation
        ? section(
            "Revocation",
            fields([
              ["Reason", v.revocation.reason ?? "—"],
              ["By", fullHex(v.revocation.actor)],
              ["When", time(v.revocation.revokedAt)],
              ["Transaction", fullHex(v.revocation.txHash)],
            ]),
          )
        : null,
      section(
        "Audit it yourself",
        h(
          "p",
          {},
          "Re-verify this verdict from the chain's record and the stored evidence, trusting neither this registry nor the validators:",
        ),
        h("pre", { class: "command" }, h("code", { id: "audit-command" }, command)),
        h(
          "button",
          {
            type: "button",
            onclick: (e: Event) => {
              const button = e.currentTarget as HTMLButtonElement;
              void navigator.clipboard?.writeText(command).then(() => (button.textContent = "Copied"));
            },
          },
          "Copy command",
        ),
      ),
    ],
  };
};
