import type { ErrorStage } from "./KeepledgerError.ts";

/** A documented error code: every code a module throws is declared with {@link defineErrorCodes}. */
export interface ErrorCodeInfo {
  stage: ErrorStage;
  /** One sentence for docs/errors.md: what happened and what to do about it. */
  description: string;
}

const registry = new Map<string, ErrorCodeInfo & { module: string }>();

/**
 * Declares the codes a module throws so that docs/errors.md can be generated
 * from the code and a test can fail when the two disagree. Returns the codes
 * as a typed map so call sites write `CODES.QUOTE_TRUNCATED`, not a string.
 */
export function defineErrorCodes<const T extends Record<string, ErrorCodeInfo>>(module: string, codes: T): { readonly [K in keyof T]: K } {
  const out: Record<string, string> = {};
  for (const [code, info] of Object.entries(codes)) {
    const existing = registry.get(code);
    if (existing && existing.module !== module) {
      throw new Error(`error code ${code} is declared by both ${existing.module} and ${module}`);
    }
    registry.set(code, { ...info, module });
    out[code] = code;
  }
  return out as { readonly [K in keyof T]: K };
}

/** Every code declared so far (modules declare theirs when imported). */
export function declaredErrorCodes(): ReadonlyMap<string, ErrorCodeInfo & { module: string }> {
  return registry;
}
