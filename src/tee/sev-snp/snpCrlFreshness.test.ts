/** AMD's CRL against a validator's floor: the newest ARK CRL it verified is the least it accepts for that product line. */
import { describe, expect, it } from "vitest";
import { createCrl } from "../../../test/support/testPki.ts";
import { snpTestCase } from "../../../test/support/snpTestSigner.ts";
import { emptyCollateral } from "../../collateral/types.ts";
import { KeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { parseSnpReport } from "./parseSnpReport.ts";
import type { ParsedCrl } from "../../pki/x509/certificate.ts";
import type { CollateralFreshnessOptions } from "../../pki/freshness/collateralStamp.ts";
import { verifySnpReport } from "./verifySnpReport.ts";

const AT = new Date(Date.UTC(2025, 5, 1));

describe("SEV-SNP CRL freshness", () => {
  it("reports the ARK CRL it used, and refuses an older one than the floor holds (CRL_STALE)", async () => {
    const c = await snpTestCase();
    const older = await createCrl(c.pki.ark, [], {
      thisUpdate: new Date(Date.UTC(2025, 3, 1)),
      nextUpdate: new Date(Date.UTC(2025, 11, 1)),
    });
    const newer = await createCrl(c.pki.ark, [], {
      thisUpdate: new Date(Date.UTC(2025, 4, 1)),
      nextUpdate: new Date(Date.UTC(2025, 11, 1)),
    });
    const verify = (crl: ParsedCrl, freshness?: CollateralFreshnessOptions) =>
      verifySnpReport(parseSnpReport(c.report), {
        collateral: { ...emptyCollateral(), certificates: c.certificates, crls: [crl] },
        at: AT,
        trustedRoots: c.trustedRoots,
        ...(freshness ? { freshness } : {}),
      });
    const used = verify(newer).collateralUsed!;
    expect(used.map((s) => ({ document: s.document, issued: s.issued, digest: s.digest }))).toEqual([
      { document: "crl", issued: newer.thisUpdate, digest: newer.fingerprint },
    ]);
    expect(used[0]!.key).toMatch(/^crl:.*ARK-Milan#[0-9a-f]{16}$/);

    const floor = new Map(used.map((s) => [s.key, s]));
    expect(verify(newer, { floor }).collateralUsed).toEqual(used);
    let error: unknown;
    try {
      verify(older, { floor });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KeepledgerError);
    expect((error as KeepledgerError).code).toBe("CRL_STALE");
    expect((error as KeepledgerError).details).toMatchObject({
      got: { issued: older.thisUpdate.toISOString() },
      newest: { issued: newer.thisUpdate.toISOString() },
    });
  });
});
