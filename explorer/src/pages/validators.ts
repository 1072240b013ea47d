/** The validator set: own verdicts, TEE kind, logging profile (and pending changes), and the quorum (#/validators). */
import { h, link, section, table } from "../dom.ts";
import { badge, duration, hex, insecure, insecureIfDebug, pendingUntil, status, time } from "../format.ts";
import { query } from "../graphql.ts";
import type { Page } from "../router.ts";
import { chainNow } from "./workloads.ts";

interface Validator {
  id: string;
  endpoint: string;
  loggingProfile: string;
  pendingLoggingProfile: string | null;
  loggingProfileEffectiveAt: string | null;
  bootstrap: boolean;
  active: boolean;
  activeFrom: string;
  activeUntil: string | null;
  verdictInvalidated: boolean;
  verdictExpiresAt: string | null;
  verdict: { id: string; tee: string; tcbStatus: string; status: string; expiresAt: string } | null;
}

export const validatorsPage: Page = async () => {
  const data = await query<{
    _meta: { block: { number: number; timestamp: number | null } };
    validators: Validator[];
    quorums: {
      threshold: number | null;
      thresholdEffectiveAt: string | null;
      governanceDelay: string | null;
      bootstrapClosesAt: string | null;
      validatorWorkload: { id: string; name: string } | null;
    }[];
  }>(`{
    _meta { block { number timestamp } }
    validators(first: 1000, orderBy: addedAt) {
      id endpoint loggingProfile pendingLoggingProfile loggingProfileEffectiveAt bootstrap active activeFrom activeUntil
      verdictInvalidated verdictExpiresAt verdict { id tee tcbStatus status expiresAt }
    }
    quorums { threshold thresholdEffectiveAt governanceDelay bootstrapClosesAt validatorWorkload { id name } }
  }`);
  const now = chainNow(data);
  const q = data.quorums[0];
  return {
    title: "Validators",
    body: [
      q
        ? h(
            "p",
            {},
            `Quorum: ${q.threshold ?? "?"} of ${data.validators.filter((v) => v.active).length} active validators`,
            Number(q.thresholdEffectiveAt ?? 0) > now ? [" ", pendingUntil(q.thresholdEffectiveAt, now)] : null,
            q.governanceDelay !== null ? `; governance delay ${duration(q.governanceDelay)}` : "",
            q.validatorWorkload
              ? ["; validators are Keeps of ", link(`/workload/${q.validatorWorkload.id}`, q.validatorWorkload.name)]
              : "",
            q.bootstrapClosesAt ? `; bootstrap closes ${time(q.bootstrapClosesAt)}` : "; bootstrap open",
            ".",
          )
        : null,
      table(
        "Validators",
        ["Validator", "Endpoint", "Active", "Own verdict", "TEE kind", "Logging profile"],
        data.validators.map((v) => [
          [hex(v.id), v.bootstrap ? badge("bootstrap", "note") : null],
          v.endpoint,
          v.active ? "yes" : v.activeUntil ? `removed ${time(v.activeUntil)}` : "no",
          v.verdict
            ? [
                link(`/verdict/${v.verdict.id}`, hex(v.verdict.id)),
                " ",
                status(v.verdict.status),
                ` until ${time(v.verdict.expiresAt)}`,
                v.verdictInvalidated ? badge("invalidated", "status-revoked") : null,
              ]
            : "none",
          v.verdict ? [v.verdict.tee, " ", insecureIfDebug(v.verdict.tee)] : "—",
          [
            v.loggingProfile,
            " ",
            v.loggingProfile === "DEBUG" ? insecure("DEBUG logging: the node may log secrets") : null,
            v.pendingLoggingProfile ? [" → ", v.pendingLoggingProfile, " ", pendingUntil(v.loggingProfileEffectiveAt, now)] : null,
          ],
        ]),
        { id: "validators" },
      ),
    ],
  };
};

/** Revocations: verdicts and measurements, subjects, platforms (#/revocations). */
export const revocationsPage: Page = async () => {
  const data = await query<{
    revocations: {
      id: string;
      kind: string;
      verdictId: string | null;
      measurement: { hash: string; version: number; tee: string } | null;
      workload: { id: string; name: string } | null;
      reason: string | null;
      actor: string;
      revokedAt: string;
    }[];
    subjectRevocations: {
      subject: string;
      everywhere: boolean;
      active: boolean;
      reason: string;
      revokedAt: string;
      workload: { id: string; name: string } | null;
    }[];
    platformRevocations: { kind: string; name: string | null; value: string; active: boolean; reason: string; revokedAt: string }[];
  }>(`{
    revocations(first: 1000, orderBy: revokedAt, orderDirection: desc) {
      id kind verdictId measurement { hash version tee } workload { id name } reason actor revokedAt
    }
    subjectRevocations(first: 1000, orderBy: revokedAt, orderDirection: desc) { subject everywhere active reason revokedAt workload { id name } }
    platformRevocations(first: 1000, orderBy: revokedAt, orderDirection: desc) { kind name value active reason revokedAt }
  }`);
  const workload = (w: { id: string; name: string } | null) => (w ? link(`/workload/${w.id}`, w.name) : "—");
  return {
    title: "Revocations",
    body: [
      section(
        "Verdicts and measurements",
        table(
          "Revoked verdicts and measurements",
          ["Kind", "What", "Workload", "Reason", "By", "When"],
          data.revocations.map((r) => [
            r.kind.toLowerCase(),
            r.kind === "VERDICT" && r.verdictId
              ? link(`/verdict/${r.verdictId}`, hex(r.verdictId))
              : r.measurement
                ? [hex(r.measurement.hash), ` (${r.measurement.tee}, release ${r.measurement.version})`]
                : hex(r.id),
            workload(r.workload),
            r.reason ?? "—",
            hex(r.actor),
            time(r.revokedAt),
          ]),
          { id: "revocations" },
        ),
      ),
      section(
        "Subjects",
        table(
          "Revoked subjects (Keep keys)",
          ["Subject", "Scope", "Reason", "When", "In force"],
          data.subjectRevocations.map((s) => [
            hex(s.subject),
            s.everywhere ? "every workload" : workload(s.workload),
            s.reason,
            time(s.revokedAt),
            s.active ? "yes" : "lifted",
          ]),
        ),
      ),
      section(
        "Platforms",
        table(
          "Revoked platforms",
          ["Kind", "Value", "Reason", "When", "In force"],
          data.platformRevocations.map((p) => [p.kind, p.name ?? hex(p.value), p.reason, time(p.revokedAt), p.active ? "yes" : "lifted"]),
        ),
      ),
    ],
  };
};

/** Governance acts and setting changes in log order, with when each takes effect (#/governance). */
export const governancePage: Page = async () => {
  const data = await query<{
    _meta: { block: { number: number; timestamp: number | null } };
    governanceChanges: {
      id: string;
      kind: string;
      contract: string;
      actor: string | null;
      data: string;
      effectiveAt: string;
      timestamp: string;
      blockNumber: string;
    }[];
  }>(`{
    _meta { block { number timestamp } }
    governanceChanges(first: 1000, orderBy: id, orderDirection: desc) { id kind contract actor data effectiveAt timestamp blockNumber }
  }`);
  const now = chainNow(data);
  return {
    title: "Governance",
    body: [
      h(
        "p",
        {},
        "Every governance act and setting change, newest first. A change with a future effective time is pending: it can still be watched before it applies.",
      ),
      table(
        "Governance changes",
        ["Change", "Arguments", "By", "Block", "Effective"],
        data.governanceChanges.map((g) => [
          g.kind,
          h("code", { class: "break" }, g.data),
          hex(g.actor),
          `${g.blockNumber} (${time(g.timestamp)})`,
          [time(g.effectiveAt), " ", pendingUntil(g.effectiveAt, now)],
        ]),
        { id: "governance" },
      ),
    ],
  };
};
