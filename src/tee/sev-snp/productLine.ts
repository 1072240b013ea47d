import type { AmdProductLine } from "../../pki/roots.ts";

/**
 * The AMD product line of a CPU, from the combined CPUID family and model a
 * v3+ report carries (CPUID_FAM_ID = base + extended family, CPUID_MOD_ID =
 * extended model << 4 | base model). The ranges are wider than the one model
 * each part ships as (Milan 19h/01h, Genoa 19h/11h, Turin 1Ah/02h) so that
 * Milan-X, Genoa-X, Bergamo/Siena (19h/A0h–AFh, certified under Genoa) and
 * Turin dense (1Ah/11h) are recognized. A wrong guess cannot make a report
 * verify: the chain must still end at that product's pinned ARK and the ASK's
 * name must agree.
 */
export function productLineFromCpuid(family: number, model: number): AmdProductLine | undefined {
  if (family === 0x19) {
    if (model <= 0x0f) return "Milan";
    if (model <= 0x1f) return "Genoa";
    if (model >= 0xa0 && model <= 0xaf) return "Genoa";
    return undefined;
  }
  if (family === 0x1a && model <= 0x1f) return "Turin";
  return undefined;
}
