import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEBUG_TEST_KEYS, DEBUG_TEST_TIME, signDebugV1TestEvidence } from "../../../test/support/debugKeepSigner.ts";
import { fixtureBytes } from "../../../test/support/fixtures.ts";
import { emptyCollateral } from "../../collateral/types.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { createDebugEvidence } from "./createDebugEvidence.ts";
import { AWS_NITRO_ROOT_G1 } from "../../pki/roots.ts";
import { nitroAdapter } from "../nitro/adapter.ts";
import { createDebugAdapter, debugAdapter } from "./adapter.ts";

const evidence = createDebugEvidence({
  privateKey: DEBUG_TEST_KEYS.keep,
  measurement: new Uint8Array(32).fill(1),
  reportData: new Uint8Array(64).fill(2),
  timestamp: DEBUG_TEST_TIME,
});
const context = (at: Date) => ({ evidence, collateral: emptyCollateral(), at });

describe("debugAdapter", () => {
  it("is the debug kind, detects only its own format and asks for no collateral", () => {
    expect(debugAdapter.kind).toBe("debug");
    expect(debugAdapter.detect(evidence)).toBe(true);
    expect(debugAdapter.collateralRequests(debugAdapter.parse(evidence))).toEqual([]);
    const nitro = fixtureBytes("nitro", "dstack-nitro-doc-a", "attestation_doc.cose");
    expect(debugAdapter.detect(nitro)).toBe(false);
    expect(nitroAdapter.detect(evidence)).toBe(false);
  });

  it("verifies with the context's time, always as debug, whatever roots the context trusts", () => {
    const r = debugAdapter.verify(debugAdapter.parse(evidence), {
      ...context(new Date(DEBUG_TEST_TIME.getTime() + 1000)),
      trustedRoots: [AWS_NITRO_ROOT_G1],
    });
    expect(r.debug).toBe(true);
    expect(r.platform).toStrictEqual({ insecure: true, note: "no TEE: debug Keep" });
    let code: string | undefined;
    try {
      debugAdapter.verify(debugAdapter.parse(evidence), context(new Date(DEBUG_TEST_TIME.getTime() + 25 * 3_600_000)));
    } catch (e) {
      code = isKeepledgerError(e) ? e.code : "untyped";
    }
    expect(code).toBe("DEBUG_EVIDENCE_TOO_OLD");
  });

  it("detects, parses and verifies legacy version 1 evidence too (verdicts made from it are re-verified by audits)", async () => {
    const v1 = await signDebugV1TestEvidence({ measurement: new Uint8Array(32).fill(1), reportData: new Uint8Array(64).fill(2) });
    expect(debugAdapter.detect(v1)).toBe(true);
    const parsed = debugAdapter.parse(v1);
    expect(parsed.version).toBe(1);
    const r = debugAdapter.verify(parsed, { evidence: v1, collateral: emptyCollateral(), at: new Date(DEBUG_TEST_TIME.getTime() + 1000) });
    expect(r.debug).toBe(true);
    expect(r.claims.measurement).toBe(`0x${"01".repeat(32)}`);
    expect(debugAdapter.parse(evidence).version).toBe(2);
  });

  it("takes a maximum age when created", () => {
    const shortLived = createDebugAdapter({ maxAgeMs: 60_000 });
    const r = shortLived.verify(shortLived.parse(evidence), context(new Date(DEBUG_TEST_TIME.getTime() + 30_000)));
    expect(r.expiresAt).toEqual(new Date(DEBUG_TEST_TIME.getTime() + 60_000));
    expect(() => shortLived.verify(shortLived.parse(evidence), context(new Date(DEBUG_TEST_TIME.getTime() + 61_000)))).toThrow(
      "older than the maximum age",
    );
  });

  it("never throws from detect", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 16 }), (bytes) => {
        expect(typeof debugAdapter.detect(bytes)).toBe("boolean");
      }),
      { numRuns: Number(process.env.KEEPLEDGER_FUZZ_RUNS ?? 2000) },
    );
  });
});
