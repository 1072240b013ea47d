/** The verdict list with filters: workload, TEE kind, TCB status, live/expired/revoked (route #/verdicts?…). */
import { h, link, table, type Child } from "../dom.ts";
import { hex, insecureIfDebug, status, time } from "../format.ts";
import { query } from "../graphql.ts";
import type { Page } from "../router.ts";

export const TEE_KINDS = ["sgx", "tdx", "sev-snp", "nitro", "debug"];
export const TCB_STATUSES = [
  "UpToDate",
  "SWHardeningNeeded",
  "ConfigurationNeeded",
  "ConfigurationAndSWHardeningNeeded",
  "OutOfDate",
  "OutOfDateConfigurationNeeded",
  "Revoked",
  "NotApplicable",
];
const STATUSES: [string, string][] = [
  ["FINALIZED", "live"],
  ["EXPIRED", "expired"],
  ["REVOKED", "revoked"],
];
const PAGE_SIZE = 100;

export const VERDICT_ROW = `id tee tcbStatus subject status unbound issuedAt expiresAt finalizedAt workload { id name }`;

export interface VerdictRow {
  id: string;
  tee: string;
  tcbStatus: string;
  subject: string;
  status: string;
  unbound: boolean;
  issuedAt: string;
  expiresAt: string;
  finalizedAt: string;
  workload: { id: string; name: string };
}

export function verdictRows(verdicts: VerdictRow[]): Child[][] {
  return verdicts.map((v) => [
    link(`/verdict/${v.id}`, hex(v.id)),
    link(`/workload/${v.workload.id}`, v.workload.name),
    [v.tee, " ", insecureIfDebug(v.tee)],
    v.tcbStatus,
    [
      hex(v.subject),
      v.unbound ? h("span", { class: "badge note", title: "unbound evidence: a key-less pseudo-subject" }, "unbound") : null,
    ],
    status(v.status),
    time(v.issuedAt),
    time(v.expiresAt),
  ]);
}

export const VERDICT_HEADERS = ["Verdict", "Workload", "TEE", "TCB status", "Subject", "Status", "Issued", "Expires"];

function select(name: string, label: string, options: [string, string][], value: string | null): HTMLElement {
  const id = `filter-${name}`;
  return h(
    "div",
    { class: "filter" },
    h("label", { for: id }, label),
    h(
      "select",
      { id, name },
      h("option", { value: "" }, "any"),
      ...options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)),
    ),
  );
}

export const verdictsPage: Page = async (params) => {
  const where: Record<string, unknown> = {};
  if (params.get("workload")) where.workload = params.get("workload");
  if (params.get("tee")) where.tee = params.get("tee");
  if (params.get("tcb")) where.tcbStatus = params.get("tcb");
  if (params.get("status")) where.status = params.get("status");
  const data = await query<{ verdicts: VerdictRow[]; workloads: { id: string; name: string }[] }>(
    `query Verdicts($where: Verdict_filter, $first: Int) {
      verdicts(where: $where, first: $first, orderBy: finalizedAt, orderDirection: desc) { ${VERDICT_ROW} }
      workloads(first: 1000, orderBy: name) { id name }
    }`,
    { where, first: PAGE_SIZE },
  );
  const form = h(
    "form",
    {
      class: "filters",
      "aria-label": "Filter verdicts",
      onsubmit: (e: Event) => {
        e.preventDefault();
        const q = new URLSearchParams();
        for (const [k, v] of new FormData(e.target as HTMLFormElement)) if (v) q.set(k, String(v));
        location.hash = `#/verdicts${q.size ? `?${q}` : ""}`;
      },
    },
    select(
      "workload",
      "Workload",
      data.workloads.map((w) => [w.id, w.name]),
      params.get("workload"),
    ),
    select(
      "tee",
      "TEE kind",
      TEE_KINDS.map((t) => [t, t]),
      params.get("tee"),
    ),
    select(
      "tcb",
      "TCB status",
      TCB_STATUSES.map((t) => [t, t]),
      params.get("tcb"),
    ),
    select("status", "Status", STATUSES, params.get("status")),
    h("button", { type: "submit" }, "Apply filters"),
    h("a", { href: "#/verdicts", class: "reset" }, "Clear"),
  );
  const count = data.verdicts.length;
  return {
    title: "Verdicts",
    body: [
      form,
      h(
        "p",
        { role: "status", id: "verdict-count" },
        `${count}${count === PAGE_SIZE ? "+" : ""} verdict${count === 1 ? "" : "s"}${Object.keys(where).length ? " match these filters" : ""}, newest first.`,
      ),
      table("Verdicts", VERDICT_HEADERS, verdictRows(data.verdicts), { id: "verdicts" }),
    ],
  };
};
