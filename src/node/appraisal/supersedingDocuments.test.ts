import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { buildScenario } from "../../../test/support/dcapTestSigner.ts";
import { staticCollateral } from "../../collateral/staticCollateral.ts";
import {
  MAX_SUPERSEDING_BYTES,
  MAX_SUPERSEDING_FILES,
  supersedingFiles,
  supersedingFromDetails,
  supersedingToJson,
} from "./supersedingDocuments.ts";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("superseding documents in a refusal", () => {
  it("carries the named TCB Info with its issuer chain, and only it, in a form the collector reads back", async () => {
    const s = await buildScenario({ tee: "sgx" });
    const files = supersedingFiles(s.collateral, [sha(s.tcbInfo.body)]);
    const back = staticCollateral(supersedingFromDetails(JSON.parse(JSON.stringify({ superseding: supersedingToJson(files) }))));
    expect(back.problems).toEqual([]);
    expect(back.collateral.intelDocuments.map((d) => sha(d.body))).toEqual([sha(s.tcbInfo.body)]);
    // The issuer chain travels as certificate files beside the document.
    expect(back.collateral.certificates.map((c) => c.fingerprint).sort()).toEqual(s.tcbInfo.issuerChain.map((c) => c.fingerprint).sort());
    expect(back.collateral.crls).toEqual([]);
  });

  it("carries a named CRL with the certificates of its issuer chain the set holds", async () => {
    const s = await buildScenario({ tee: "sgx" });
    const set = { ...s.collateral, certificates: [s.pki.platformCa.cert, s.pki.root.cert, s.pki.tcbSigning.cert] };
    const back = staticCollateral(
      supersedingFromDetails({ superseding: supersedingToJson(supersedingFiles(set, [s.pckCrl.fingerprint])) }),
    ).collateral;
    expect(back.crls.map((c) => c.fingerprint)).toEqual([s.pckCrl.fingerprint]);
    expect(back.certificates.map((c) => c.fingerprint).sort()).toEqual(
      [s.pki.platformCa.cert.fingerprint, s.pki.root.cert.fingerprint].sort(),
    );
  });

  it("carries nothing for unknown digests", async () => {
    const s = await buildScenario({ tee: "sgx" });
    expect(supersedingFiles(s.collateral, ["00".repeat(32)])).toEqual([]);
  });

  it("reads only well-formed entries within the bounds from untrusted details", () => {
    const ok = { name: "tcbInfo-1.json", base64: Buffer.from("{}").toString("base64") };
    const big = Buffer.alloc(MAX_SUPERSEDING_BYTES - 1, 1).toString("base64");
    const table = [
      { name: "no details", details: undefined, want: 0 },
      { name: "not a list", details: { superseding: "x" }, want: 0 },
      { name: "a well-formed entry", details: { superseding: [ok] }, want: 1 },
      {
        name: "names that are paths or empty are ignored",
        details: { superseding: [{ ...ok, name: "../etc/passwd" }, { ...ok, name: "" }, ok] },
        want: 1,
      },
      { name: "non-string bytes are ignored", details: { superseding: [{ name: "a.der", base64: 5 }, null, ok] }, want: 1 },
      {
        name: "at most MAX_SUPERSEDING_FILES entries",
        details: { superseding: new Array(MAX_SUPERSEDING_FILES + 5).fill(ok) },
        want: MAX_SUPERSEDING_FILES,
      },
      {
        name: "at most MAX_SUPERSEDING_BYTES together",
        details: {
          superseding: [
            { name: "big.der", base64: big },
            { name: "big2.der", base64: big },
          ],
        },
        want: 1,
      },
      {
        name: "an entry larger than the bound alone",
        details: { superseding: [{ name: "huge.der", base64: Buffer.alloc(MAX_SUPERSEDING_BYTES + 10).toString("base64") }] },
        want: 0,
      },
    ];
    for (const t of table) expect(supersedingFromDetails(t.details).length, t.name).toBe(t.want);
  });
});
