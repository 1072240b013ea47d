import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import { asTrustedRoot, createCrl, createRoot, issue } from "../../../test/support/testPki.ts";
import { verifyCertificateChain } from "../x509/verifyCertificateChain.ts";
import {
  checkFreshness,
  compareStamps,
  crlKey,
  crlNumberOf,
  keyIdOf,
  crlStamp,
  intelDocumentStamp,
  type CollateralFreshnessOptions,
  type CollateralStamp,
} from "./collateralStamp.ts";

const d = (s: string) => new Date(`${s}T00:00:00Z`);
const tcb = (number: number, issued: string): CollateralStamp => ({
  document: "tcbInfo",
  key: "tcbInfo:SGX:00906ed50000",
  issued: d(issued),
  number,
  digest: `${number}-${issued}`,
});
const crl = (number: number, issued: string): CollateralStamp => ({
  document: "crl",
  key: "crl:CN=CA#00",
  issued: d(issued),
  number,
  digest: `${number}-${issued}`,
});

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (e) {
    if (isKeepledgerError(e)) return e.code;
    throw e;
  }
  return undefined;
}

describe("collateral stamps", () => {
  it("order TCB Info and QE Identity by tcbEvaluationDataNumber, then issueDate", () => {
    expect(compareStamps(tcb(18, "2025-05-01"), tcb(17, "2025-05-30"))).toBeGreaterThan(0);
    expect(compareStamps(tcb(17, "2025-05-30"), tcb(17, "2025-05-01"))).toBeGreaterThan(0);
    expect(compareStamps(tcb(17, "2025-05-01"), tcb(17, "2025-05-01"))).toBe(0);
  });

  it("order CRLs by thisUpdate, then CRL number", () => {
    expect(compareStamps(crl(1, "2025-05-30"), crl(9, "2025-05-01"))).toBeGreaterThan(0);
    expect(compareStamps(crl(9, "2025-05-01"), crl(1, "2025-05-01"))).toBeGreaterThan(0);
  });

  const table: Array<{ name: string; stamp: CollateralStamp; options: CollateralFreshnessOptions; wantError?: string }> = [
    { name: "no floor, no maximum age", stamp: tcb(17, "2025-05-15"), options: {} },
    {
      name: "as new as the floor",
      stamp: tcb(17, "2025-05-15"),
      options: { floor: new Map([["tcbInfo:SGX:00906ed50000", tcb(17, "2025-05-15")]]) },
    },
    {
      name: "a lower evaluation than the floor",
      stamp: tcb(17, "2025-05-30"),
      options: { floor: new Map([["tcbInfo:SGX:00906ed50000", tcb(18, "2025-05-20")]]) },
      wantError: "DCAP_TCB_INFO_STALE",
    },
    {
      name: "an older issue of the floor's evaluation",
      stamp: tcb(18, "2025-05-20"),
      options: { floor: new Map([["tcbInfo:SGX:00906ed50000", tcb(18, "2025-05-21")]]) },
      wantError: "DCAP_TCB_INFO_STALE",
    },
    {
      name: "a QE Identity below the floor",
      stamp: { ...tcb(17, "2025-05-15"), document: "qeIdentity", key: "qeIdentity:QE" },
      options: { floor: new Map([["qeIdentity:QE", { ...tcb(18, "2025-05-15"), document: "qeIdentity", key: "qeIdentity:QE" }]]) },
      wantError: "DCAP_QE_IDENTITY_STALE",
    },
    {
      name: "a CRL older than the floor's",
      stamp: crl(5, "2025-05-20"),
      options: { floor: new Map([["crl:CN=CA#00", crl(6, "2025-05-25")]]) },
      wantError: "CRL_STALE",
    },
    {
      name: "another key's floor does not apply",
      stamp: crl(5, "2025-05-20"),
      options: { floor: new Map([["crl:CN=Other#00", crl(6, "2025-05-25")]]) },
    },
    { name: "issued within maxCollateralAge", stamp: tcb(17, "2025-05-25"), options: { maxCollateralAgeSeconds: 7 * 86_400 } },
    {
      name: "issued longer ago than maxCollateralAge",
      stamp: tcb(17, "2025-05-15"),
      options: { maxCollateralAgeSeconds: 7 * 86_400 },
      wantError: "COLLATERAL_TOO_OLD",
    },
  ];
  it.each(table)("checkFreshness: $name", ({ stamp, options, wantError }) => {
    expect(codeOf(() => checkFreshness(stamp, options, d("2025-06-01")))).toBe(wantError);
  });

  it("names the document and both dates and numbers in a refusal", () => {
    try {
      checkFreshness(
        tcb(17, "2025-05-15"),
        { floor: new Map([["tcbInfo:SGX:00906ed50000", tcb(18, "2025-05-28")]]) },
        d("2025-06-01"),
        "TCB Info SGX 00906ed50000",
      );
      expect.unreachable();
    } catch (e) {
      if (!isKeepledgerError(e)) throw e;
      expect(e.shortMessage).toBe(
        "TCB Info SGX 00906ed50000 issued 2025-05-15T00:00:00.000Z (#17) is older than the one issued 2025-05-28T00:00:00.000Z (#18) this validator has verified",
      );
      expect(e.details).toMatchObject({
        document: "tcbInfo:SGX:00906ed50000",
        got: { issued: "2025-05-15T00:00:00.000Z", number: 17 },
        newest: { issued: "2025-05-28T00:00:00.000Z", number: 18 },
      });
    }
  });

  it("keys a TCB Info by TEE and FMSPC (lowercase) and a QE Identity by id", () => {
    const v = { id: "TDX", fmspc: "00806F050000", issueDate: d("2025-05-15"), nextUpdate: d("2025-06-14"), tcbEvaluationDataNumber: 17 };
    expect(intelDocumentStamp("tcbInfo", v, "ab").key).toBe("tcbInfo:TDX:00806f050000");
    expect(intelDocumentStamp("qeIdentity", { ...v, id: "TD_QE" }, "ab").key).toBe("qeIdentity:TD_QE");
  });

  it("keys a CRL by its issuer's name and the first 16 hex digits of the SHA-256 of the issuer's key", async () => {
    const parsed = (await createRoot("Stamp CA")).cert;
    const want = `crl:${parsed.subject}#${createHash("sha256").update(parsed.spki).digest("hex").slice(0, 16)}`;
    expect(crlKey(parsed)).toBe(want);
    expect(crlKey(parsed)).toBe(want); // the second time from what the certificate keeps
    expect(keyIdOf(parsed)).toBe(want.slice(-16));
  });
});

describe("CRL selection with a floor", () => {
  it("reads the CRL number, picks the newest CRL (thisUpdate, then number) and refuses one older than the floor", async () => {
    const root = await createRoot("Test Root");
    const ca = await issue(root, "Test CA", { ca: true });
    const leaf = await issue(ca, "Leaf");
    const rootCrl = await createCrl(root, []);
    const older = await createCrl(ca, [], { thisUpdate: d("2025-05-20"), nextUpdate: d("2025-06-20"), crlNumber: 7 });
    const sameDayHigher = await createCrl(ca, [], { thisUpdate: d("2025-05-20"), nextUpdate: d("2025-06-20"), crlNumber: 300 });
    const newer = await createCrl(ca, [leaf.cert.serial], { thisUpdate: d("2025-05-25"), nextUpdate: d("2025-06-25"), crlNumber: 8 });
    expect(crlNumberOf(sameDayHigher)).toBe(300);
    expect(crlNumberOf(rootCrl)).toBe(0);
    // Short and long numbers read alike (up to 6 octets without BigInt); the extension must be a whole INTEGER.
    const withNumber = (hex: string) =>
      ({
        extensions: [{ oid: "2.5.29.20", critical: false, value: new Uint8Array(Buffer.from(hex, "hex")), offset: 0 }],
      }) as unknown as typeof older;
    expect(crlNumberOf(withNumber("02017f"))).toBe(0x7f);
    expect(crlNumberOf(withNumber("020200ff"))).toBe(0xff);
    expect(crlNumberOf(withNumber("0206010000000005"))).toBe(2 ** 40 + 5);
    expect(crlNumberOf(withNumber("020700ffffffffffff"))).toBe(2 ** 48 - 1);
    expect(crlNumberOf(withNumber("020701000000000001"))).toBe(2 ** 48 + 1);
    expect(crlNumberOf(withNumber("020301"))).toBe(0);
    const verify = (crls: (typeof older)[], floor?: CollateralStamp) =>
      verifyCertificateChain({
        name: "test chain",
        chain: [leaf.cert, ca.cert],
        roots: [asTrustedRoot(root)],
        at: d("2025-06-01"),
        crls: [rootCrl, ...crls],
        requireCrls: true,
        crlFreshness: { floor: new Map(floor ? [[floor.key, floor]] : []) },
      });

    expect(verify([older, sameDayHigher]).crlsUsed).toContain(sameDayHigher);
    // The newer CRL revokes the leaf; the older one, still inside its nextUpdate, does not.
    expect(codeOf(() => verify([older, newer]))).toBe("CERT_REVOKED");
    expect(verify([older]).crlsUsed).toContain(older);
    const floor = crlStamp(newer, ca.cert);
    expect(floor.key).toBe(crlKey(ca.cert));
    expect(codeOf(() => verify([older], floor))).toBe("CRL_STALE");
  });
});
