import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";
import { createPkiCaches } from "../pki/x509/pkiCaches.ts";
import { recognizeCollateral } from "./recognizeCollateral.ts";
import { mergeCollateral, type CollateralProvider, type CollateralSet } from "./types.ts";

export const COLLATERAL_CODES = defineErrorCodes("collateral", {
  COLLATERAL_DIRECTORY_UNREADABLE: {
    stage: "usage",
    description: "The collateral directory does not exist or cannot be read; pass an existing directory to --collateral.",
  },
});

export interface StaticCollateralProvider extends CollateralProvider {
  /** Files that looked like collateral but could not be used, with the reason. */
  readonly problems: ReadonlyArray<{ file: string; problem: string }>;
  readonly collateral: CollateralSet;
}

/** A provider over collateral already in memory (a directory's files, or files posted with evidence). */
export function staticCollateral(files: ReadonlyArray<{ name: string; bytes: Uint8Array }>, name = "inline"): StaticCollateralProvider {
  const problems: Array<{ file: string; problem: string }> = [];
  const sets: CollateralSet[] = [];
  // Issuer chains repeat certificates (Intel's root is in every chain file): each distinct one is parsed once.
  const caches = createPkiCaches({ maxEntries: 256, maxAgeMs: Infinity });
  for (const f of files) {
    const r = recognizeCollateral(f.bytes, f.name, caches);
    if (r.problem !== undefined) problems.push({ file: f.name, problem: r.problem });
    sets.push(r.collateral);
  }
  const collateral = mergeCollateral(...sets);
  return {
    name,
    problems,
    collateral,
    // Everything in the directory is offered; the verifier picks what matches the evidence.
    fetch: async () => collateral,
  };
}

/** Reads every regular file of a directory (not recursively) and recognizes collateral by content. */
export async function directoryCollateral(dir: string): Promise<StaticCollateralProvider> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (cause) {
    throw new UsageError(COLLATERAL_CODES.COLLATERAL_DIRECTORY_UNREADABLE, `cannot read collateral directory ${dir}`, { cause });
  }
  const files: Array<{ name: string; bytes: Uint8Array }> = [];
  for (const name of names) {
    const path = join(dir, name);
    const info = await stat(path);
    if (!info.isFile() || info.size > 16 * 1024 * 1024) continue;
    files.push({ name, bytes: new Uint8Array(await readFile(path)) });
  }
  return staticCollateral(files, `directory ${dir}`);
}
