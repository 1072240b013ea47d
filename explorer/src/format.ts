/** How values from the API are shown: times in UTC, long hex shortened but whole on hover and for copy. */
import { h, type Child } from "./dom.ts";

export function time(seconds: string | number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  const d = new Date(Number(seconds) * 1000);
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** A hash or address: shortened, the full value in a title and for assistive technology. */
export function hex(value: string | null | undefined): Child {
  if (!value) return "—";
  if (value.length <= 20) return h("code", {}, value);
  return h("code", { title: value, "aria-label": value, class: "hex" }, `${value.slice(0, 10)}…${value.slice(-6)}`);
}

/** The whole value, breakable on narrow screens. */
export function fullHex(value: string | null | undefined): Child {
  if (!value) return "—";
  return h("code", { class: "break" }, value);
}

export function duration(seconds: string | number): string {
  const s = Number(seconds);
  if (s % 86_400 === 0 && s > 0) return `${s / 86_400} d`;
  if (s % 3_600 === 0 && s > 0) return `${s / 3_600} h`;
  if (s % 60 === 0 && s > 0) return `${s / 60} min`;
  return `${s} s`;
}

/**
 * The INSECURE label, shown wherever the API exposes something no TEE backs: a debug Keep's verdict, a
 * validator self-attested with `none` (its own verdict is a debug verdict), debug measurements (signed
 * with test keys).
 */
export function insecure(reason: string): HTMLElement {
  return h("span", { class: "badge insecure", title: reason }, "INSECURE", h("span", { class: "visually-hidden" }, `: ${reason}`));
}

export function insecureIfDebug(tee: string | null | undefined): Child {
  return tee === "debug" ? insecure("a debug Keep: no TEE backs this evidence (test keys)") : null;
}

export function badge(text: string, kind: string, title?: string): HTMLElement {
  return h("span", { class: `badge ${kind}`, title }, text);
}

/** Verdict status as the API computes it at read time; FINALIZED reads as "live". */
export function status(value: string): HTMLElement {
  const label = value === "FINALIZED" ? "live" : value.toLowerCase();
  return badge(label, `status-${label}`);
}

/** Pending when its time is after the chain's time (the index's latest block), not the browser's clock. */
export function pendingUntil(effectiveAt: string | null | undefined, chainNow: number): Child {
  if (effectiveAt === null || effectiveAt === undefined) return null;
  return Number(effectiveAt) > chainNow ? badge(`pending until ${time(effectiveAt)}`, "pending") : null;
}
