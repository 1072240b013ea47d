/** Workloads, and one workload's measurement history and policies with pending changes (#/workloads, #/workload/<id>). */
import { fields, h, link, section, table, type Child } from "../dom.ts";
import { badge, duration, fullHex, hex, insecure, pendingUntil, time } from "../format.ts";
import { query } from "../graphql.ts";
import type { Page } from "../router.ts";
import { VERDICT_HEADERS, VERDICT_ROW, verdictRows, type VerdictRow } from "./verdicts.ts";

interface Policy {
  id: string;
  allowedTees: string[];
  acceptedTcbStatuses: string[];
  deniedAdvisories: string[];
  deniedFmspcs: string[];
  deniedAmdProductLines: string[];
  dev: boolean;
  allowUnboundEvidence: boolean;
  maxEvidenceAge: string;
  verdictLifetime: string;
  tcbGracePeriod: string;
  effectiveAt: string;
  replaced: boolean;
  scheduledAt: string;
  actor: string;
}

interface Measurement {
  id: string;
  hash: string;
  tee: string;
  version: number;
  revoked: boolean;
  revokedAt: string | null;
  addedAt: string;
  effectiveAt: string;
}

const POLICY = `id allowedTees acceptedTcbStatuses deniedAdvisories deniedFmspcs deniedAmdProductLines dev allowUnboundEvidence
  maxEvidenceAge verdictLifetime tcbGracePeriod effectiveAt replaced scheduledAt actor`;
const META = `_meta { block { number timestamp } }`;

type Meta = { _meta: { block: { number: number; timestamp: number | null } } };
export const chainNow = (m: Meta) => Number(m._meta.block.timestamp ?? 0);

function devBadge(p: Pick<Policy, "dev">): Child {
  return p.dev ? insecure("a dev policy: accepts debug Keeps and debug TEEs") : null;
}

const list = (xs: string[]) => (xs.length ? xs.join(", ") : "none");

export const workloadsPage: Page = async () => {
  const data = await query<
    Meta & {
      workloads: {
        id: string;
        name: string;
        owner: string;
        pendingOwner: string | null;
        policy: Policy | null;
        policyCount: number;
        measurements: { id: string }[];
        createdAt: string;
      }[];
    }
  >(
    `{ ${META} workloads(first: 200, orderBy: name) { id name owner pendingOwner createdAt policyCount measurements(first: 200) { id } policy { ${POLICY} } } }`,
  );
  const now = chainNow(data);
  return {
    title: "Workloads",
    body: [
      h(
        "p",
        {},
        `${data.workloads.length} workloads. Times are compared with the chain's time, ${time(now)} (block ${data._meta.block.number}).`,
      ),
      table(
        "Workloads",
        ["Workload", "Owner", "TEEs allowed", "Measurements", "Latest policy", "Registered"],
        data.workloads.map((w) => [
          [link(`/workload/${w.id}`, w.name), " ", w.policy ? devBadge(w.policy) : null],
          [hex(w.owner), w.pendingOwner ? badge("transfer pending", "pending") : null],
          w.policy ? list(w.policy.allowedTees) : "—",
          w.measurements.length,
          w.policy ? [`#${w.policyCount}, effective ${time(w.policy.effectiveAt)} `, pendingUntil(w.policy.effectiveAt, now)] : "—",
          time(w.createdAt),
        ]),
        { id: "workloads" },
      ),
    ],
  };
};

function policyFields(p: Policy, now: number): HTMLElement {
  return fields([
    [
      "Effective",
      [time(p.effectiveAt), " ", pendingUntil(p.effectiveAt, now), p.replaced ? badge("replaced before it took effect", "note") : null],
    ],
    ["Scheduled", `${time(p.scheduledAt)}`],
    ["Scheduled by", fullHex(p.actor)],
    ["TEE kinds", list(p.allowedTees)],
    ["Accepted TCB statuses", list(p.acceptedTcbStatuses)],
    ["Denied advisories", list(p.deniedAdvisories)],
    ["Denied FMSPCs", list(p.deniedFmspcs)],
    ["Denied AMD product lines", list(p.deniedAmdProductLines)],
    ["Development policy", p.dev ? ["yes ", devBadge(p)] : "no"],
    ["Unbound evidence allowed", p.allowUnboundEvidence ? "yes" : "no"],
    ["Maximum evidence age", duration(p.maxEvidenceAge)],
    ["Verdict lifetime", duration(p.verdictLifetime)],
    ["TCB grace period", duration(p.tcbGracePeriod)],
  ]);
}

export const workloadPage: Page = async (_params, id) => {
  const data = await query<
    Meta & {
      workload: {
        id: string;
        name: string;
        owner: string;
        pendingOwner: string | null;
        pendingOwnerEffectiveAt: string | null;
        metadataURI: string;
        createdAt: string;
        txHash: string;
        measurements: Measurement[];
        policies: Policy[];
        verdicts: VerdictRow[];
      } | null;
    }
  >(
    `query Workload($id: ID!) { ${META}
      workload(id: $id) {
        id name owner pendingOwner pendingOwnerEffectiveAt metadataURI createdAt txHash
        measurements(first: 1000, orderBy: addedAt) { id hash tee version revoked revokedAt addedAt effectiveAt }
        policies(first: 1000, orderBy: id, orderDirection: desc) { ${POLICY} }
        verdicts(first: 10, orderBy: finalizedAt, orderDirection: desc) { ${VERDICT_ROW} }
      }
    }`,
    { id: (id ?? "").toLowerCase() },
  );
  const w = data.workload;
  if (!w) return { title: "Workload not found", body: [h("p", {}, `No workload ${id ?? ""} in this registry.`)] };
  const now = chainNow(data);
  // The policy in force: the newest whose effectiveAt has passed and that was not replaced.
  const inForce = w.policies.find((p) => Number(p.effectiveAt) <= now && !p.replaced);
  const pending = w.policies.filter((p) => Number(p.effectiveAt) > now && !p.replaced);
  return {
    title: w.name,
    body: [
      fields([
        ["Workload id", fullHex(w.id)],
        ["Owner", [fullHex(w.owner)]],
        [
          "Owner transfer",
          w.pendingOwner
            ? [
                fullHex(w.pendingOwner),
                " ",
                w.pendingOwnerEffectiveAt ? pendingUntil(w.pendingOwnerEffectiveAt, now) : badge("proposed, not accepted", "pending"),
              ]
            : "none pending",
        ],
        ["Metadata", w.metadataURI || "—"],
        ["Registered", `${time(w.createdAt)}`],
      ]),
      section(
        "Policy",
        pending.length
          ? h(
              "div",
              { class: "callout", role: "note" },
              h("h3", {}, `Pending change${pending.length > 1 ? "s" : ""}`),
              ...pending.map((p) => policyFields(p, now)),
            )
          : h("p", {}, "No policy change pending."),
        h("h3", {}, "In force"),
        inForce ? policyFields(inForce, now) : h("p", {}, "No policy in force yet."),
        table(
          "Policy history",
          ["#", "Effective", "TEE kinds", "Dev", "Verdict lifetime"],
          w.policies.map((p) => [
            String(parseInt(p.id.slice(-8), 16)),
            [time(p.effectiveAt), " ", pendingUntil(p.effectiveAt, now), p.replaced ? badge("replaced", "note") : null],
            list(p.allowedTees),
            p.dev ? devBadge(p) : "no",
            duration(p.verdictLifetime),
          ]),
        ),
      ),
      section(
        "Measurement history",
        table(
          "Measurements",
          ["Release", "TEE", "Measurement hash", "Added", "Effective", "Revoked"],
          w.measurements.map((m) => [
            m.version,
            [m.tee, " ", m.tee === "debug" ? insecure("a debug measurement: no TEE backs it") : null],
            hex(m.hash),
            time(m.addedAt),
            [time(m.effectiveAt), " ", pendingUntil(m.effectiveAt, now)],
            m.revoked ? badge(`revoked ${time(m.revokedAt)}`, "status-revoked") : "no",
          ]),
          { id: "measurements" },
        ),
      ),
      section(
        "Latest verdicts",
        table("Latest verdicts", VERDICT_HEADERS, verdictRows(w.verdicts)),
        h("p", {}, link(`/verdicts?workload=${w.id}`, "All verdicts of this workload")),
      ),
    ],
  };
};
