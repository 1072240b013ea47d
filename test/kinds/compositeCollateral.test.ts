/**
 * A composite asks for collateral once per part; a directory answers every request with everything it holds.
 * verifyEvidence merges that one answer once, so the verifier sees each certificate once — with duplicates, one
 * GPU leaf was two "candidates" and was picked by an extra P-384 signature check.
 */
import { describe, expect, it } from "vitest";
import { loadBenchVector } from "../../bench/verify/vectors.ts";
import { staticCollateral } from "../../src/collateral/staticCollateral.ts";
import type { CollateralProvider, CollateralSet } from "../../src/collateral/types.ts";
import { defaultAdapters } from "../../src/tee/table.ts";
import { verifyEvidence } from "../../src/verify/verifyEvidence.ts";

describe("verifyEvidence: collateral of a composite", () => {
  it("merges a provider's one answer to the CPU and GPU requests once", async () => {
    const vector = loadBenchVector("cpu-gpu");
    const directory = staticCollateral(vector.collateral);
    let fetches = 0;
    const provider: CollateralProvider = {
      name: "counting directory",
      fetch: async (request, at) => {
        fetches++;
        return directory.fetch(request, at);
      },
    };
    let seen: CollateralSet | undefined;
    const adapters = defaultAdapters().map((a) =>
      a.kind === "cpu-gpu"
        ? {
            ...a,
            verify: (parsed: unknown, context: Parameters<typeof a.verify>[1]) => {
              seen = context.collateral;
              return a.verify(parsed, context);
            },
          }
        : a,
    );
    const result = await verifyEvidence(vector.evidence, { collateral: provider, at: vector.at, adapters });
    expect(result.tee).toBe("cpu-gpu");
    expect(fetches).toBeGreaterThanOrEqual(2);
    // Exactly the directory's list (whose issuer chains repeat Intel's root, as the files do), not twice over.
    expect(seen!.certificates.map((c) => c.fingerprint)).toEqual(directory.collateral.certificates.map((c) => c.fingerprint));
    expect(seen!.intelDocuments).toHaveLength(directory.collateral.intelDocuments.length);
  });
});
