import { describe, expect, it } from "vitest";
import { buildScenario, defaultLevels, signIntelJson, tcbInfoValue } from "../../../test/support/dcapTestSigner.ts";
import { collateralSetToFiles } from "./collateralFiles.ts";
import { HealedCollateral } from "./HealedCollateral.ts";

describe("HealedCollateral", () => {
  it("serves the last document added per key, with its certificates, and no more entries than allowed", async () => {
    const s = await buildScenario({ tee: "sgx" });
    const reissue = await signIntelJson(
      s.pki.tcbSigning,
      "tcbInfo",
      tcbInfoValue({
        id: "SGX",
        issueDate: new Date("2025-05-30T00:00:00Z"),
        nextUpdate: new Date("2025-06-29T00:00:00Z"),
        levels: defaultLevels("sgx"),
      }),
      [s.pki.tcbSigning, s.pki.root],
    );
    const healed = new HealedCollateral({ maxEntries: 2 });
    healed.add(collateralSetToFiles({ certificates: [], crls: [], intelDocuments: [s.tcbInfo] }));
    healed.add(collateralSetToFiles({ certificates: [], crls: [], intelDocuments: [reissue] }));
    let set = await healed.fetch();
    expect(set.intelDocuments.map((d) => Buffer.from(d.body).toString())).toEqual([Buffer.from(reissue.body).toString()]);
    expect(set.certificates.map((c) => c.fingerprint).sort()).toEqual(reissue.issuerChain.map((c) => c.fingerprint).sort());
    healed.add(collateralSetToFiles({ certificates: [], crls: [s.pckCrl, s.rootCrl], intelDocuments: [] }));
    expect(healed.size).toBe(2);
    set = await healed.fetch();
    expect(set.intelDocuments).toEqual([]);
    expect(set.crls.map((c) => c.fingerprint).sort()).toEqual([s.pckCrl.fingerprint, s.rootCrl.fingerprint].sort());
  });
});
