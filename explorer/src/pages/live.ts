/** Live: new verdicts, policy changes and validator changes as the indexer commits them (#/live). */
import { h, link } from "../dom.ts";
import { hex, insecureIfDebug, status, time } from "../format.ts";
import { subscribe, type Subscription } from "../graphql.ts";
import type { Page } from "../router.ts";
import type { VerdictRow } from "./verdicts.ts";

export const livePage: Page = async (params, _id, onLeave) => {
  const workload = params.get("workload");
  const state = h("p", { role: "status", id: "live-state" }, "Connecting…");
  const feed = h("ol", { class: "feed", role: "log", "aria-live": "polite", "aria-label": "New events", id: "live-feed" });
  const empty = h(
    "p",
    { class: "empty" },
    "Nothing yet: new verdicts, policy changes and validator changes appear here as they are indexed.",
  );
  const add = (item: HTMLElement) => {
    empty.remove();
    feed.prepend(item);
  };
  const ended = (what: string) => (error?: Error) => {
    state.textContent = error
      ? `The ${what} stream failed: ${error.message}. Reload to reconnect.`
      : `The ${what} stream ended. Reload to reconnect.`;
  };
  const streams: Subscription[] = [
    subscribe<{ verdictFinalized: VerdictRow }>(
      `subscription Live($workload: ID) { verdictFinalized(workload: $workload) { id tee tcbStatus subject status unbound issuedAt expiresAt finalizedAt workload { id name } } }`,
      workload ? { workload } : {},
      ({ verdictFinalized: v }) =>
        add(
          h(
            "li",
            { class: "verdict-event" },
            h("span", { class: "when" }, time(v.finalizedAt)),
            " verdict ",
            link(`/verdict/${v.id}`, hex(v.id)),
            " for ",
            link(`/workload/${v.workload.id}`, v.workload.name),
            `: ${v.tee} `,
            insecureIfDebug(v.tee),
            ` ${v.tcbStatus} `,
            status(v.status),
          ),
        ),
      ended("verdict"),
    ),
    subscribe<{ policyChanged: { workload: { id: string; name: string }; effectiveAt: string; scheduledAt: string } }>(
      `subscription { policyChanged { scheduledAt effectiveAt workload { id name } } }`,
      {},
      ({ policyChanged: p }) =>
        add(
          h(
            "li",
            {},
            h("span", { class: "when" }, time(p.scheduledAt)),
            " policy scheduled for ",
            link(`/workload/${p.workload.id}`, p.workload.name),
            `, effective ${time(p.effectiveAt)}`,
          ),
        ),
      ended("policy"),
    ),
    subscribe<{ validatorChanged: { id: string; endpoint: string; loggingProfile: string; active: boolean } }>(
      `subscription { validatorChanged { id endpoint loggingProfile active } }`,
      {},
      ({ validatorChanged: v }) =>
        add(
          h(
            "li",
            {},
            "validator ",
            link("/validators", hex(v.id)),
            ` changed: ${v.endpoint}, ${v.loggingProfile}, ${v.active ? "active" : "inactive"}`,
          ),
        ),
      ended("validator"),
    ),
  ];
  onLeave(() => streams.forEach((s) => s.close()));
  void Promise.all(streams.map((s) => s.opened)).then(() => {
    if (state.textContent === "Connecting…")
      state.textContent = `Listening for new verdicts${workload ? " of one workload" : ""}, policy and validator changes.`;
  });
  return { title: "Live", body: [state, empty, feed] };
};
