/**
 * The text form of a launch policy's SEV-SNP minimum TCB, shared by the CLI (`--snp-min-tcb`, the policy
 * listing) and the registry (Policy.snpMinTcb): `Genoa:bootloader=9,tee=0,snp=23,microcode=72`, one
 * entry per product line that has a minimum. No entry at all means no minimum TCB, and every reader says
 * so explicitly (NO_MIN_SNP_TCB) rather than printing nothing.
 */
import { AMD_PRODUCT_LINES, type AmdProductLineName, type LaunchPolicy, type SnpTcbComponents } from "./types.ts";

/** What a policy without any SEV-SNP minimum TCB is shown as. */
export const NO_MIN_SNP_TCB = "no minimum TCB (any firmware level)";

const COMPONENTS = ["bootloader", "tee", "snp", "microcode", "fmc"] as const;

/** One `Line:component=value,…` entry per product line with a minimum, in product-line order. */
export function formatSnpMinTcb(minSnpTcb: LaunchPolicy["minSnpTcb"]): string[] {
  const out: string[] = [];
  for (const line of AMD_PRODUCT_LINES) {
    const t = minSnpTcb[line];
    if (!t) continue;
    const parts = COMPONENTS.filter((c) => c !== "fmc" || line === "Turin").map((c) => `${c}=${t[c] ?? 0}`);
    out.push(`${line}:${parts.join(",")}`);
  }
  return out;
}

export type ParseSnpMinTcbResult = { ok: true; line: AmdProductLineName; tcb: SnpTcbComponents } | { ok: false; message: string };

/**
 * Parses one `Line:component=value,…` entry. Components left out are 0; fmc only for Turin; every
 * value an integer in 0..255. `Line:none` removes that line's minimum (tcb all zero).
 */
export function parseSnpMinTcb(text: string): ParseSnpMinTcbResult {
  const colon = text.indexOf(":");
  const lineText = colon < 0 ? text : text.slice(0, colon);
  const line = AMD_PRODUCT_LINES.find((l) => l.toLowerCase() === lineText.trim().toLowerCase());
  if (!line) return { ok: false, message: `"${text}": the product line must be one of ${AMD_PRODUCT_LINES.join(", ")}` };
  const rest = colon < 0 ? "" : text.slice(colon + 1).trim();
  const tcb: SnpTcbComponents = { bootloader: 0, tee: 0, snp: 0, microcode: 0, ...(line === "Turin" ? { fmc: 0 } : {}) };
  if (rest === "none") return { ok: true, line, tcb };
  if (rest === "")
    return {
      ok: false,
      message: `"${text}": give components as ${line}:bootloader=B,tee=T,snp=S,microcode=M${line === "Turin" ? ",fmc=F" : ""} (or ${line}:none)`,
    };
  for (const part of rest.split(",")) {
    const [name, value, extra] = part.split("=").map((x) => x.trim());
    const component = COMPONENTS.find((c) => c === name);
    if (!component || value === undefined || extra !== undefined) {
      return { ok: false, message: `"${part}" in "${text}": components are ${COMPONENTS.join(", ")} as name=value` };
    }
    if (component === "fmc" && line !== "Turin") return { ok: false, message: `"${text}": only Turin has an fmc component` };
    if (!/^\d+$/.test(value) || Number(value) > 255)
      return { ok: false, message: `"${part}" in "${text}": a TCB component is an integer in 0..255` };
    tcb[component] = Number(value);
  }
  return { ok: true, line, tcb };
}
