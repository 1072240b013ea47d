/**
 * The verification benchmark's own machinery (bench/verify/): the crypto
 * bound checks real signatures (so it cannot be "fast" by checking nothing),
 * keepledger's cold mode really verifies with nothing remembered, and the
 * ratios and targets in verify.json are computed against the right rows.
 */
import { describe, expect, it } from "vitest";
import nodeCrypto, { createPublicKey, generateKeyPairSync } from "node:crypto";
import { syncBuiltinESMExports } from "node:module";
import { keccak256 } from "viem";
import { concatBytes } from "@keepledger/sdk/internal/util/bytes";
import { AMD_ARK_MILAN } from "../../src/pki/roots.ts";
import { cryptoBound, hashAll, importAndCheck, runChecks } from "../../bench/verify/bounds.ts";
import { keepledgerCold, keepledgerWarm } from "../../bench/verify/keepledger.ts";
import { measureThroughput, median } from "../../bench/verify/measure.ts";
import { checkTargets, markdownTable, withRatios, type VerifyBenchRow } from "../../bench/verify/report.ts";
import { FLOOR_KINDS, inputFloor, walkDer } from "../../bench/verify/floor.ts";
import { BENCH_KINDS, loadBenchVector, quoteCollateralV3 } from "../../bench/verify/vectors.ts";

describe("crypto bound", () => {
  it.each([
    ["sgx", 9, 1],
    ["tdx", 9, 1],
    ["sev-snp", 3, 1],
    ["nitro", 5, 2],
    ["nvidia-gpu", 12, 1], // the driver and VBIOS RIMs' signer chains share their CA: its signature counts once
    ["cpu-gpu", 25, 2], // the test RIMs share their whole signer chain
  ] as const)("%s: %i signatures in all, %i per evidence, every one of them verifying", (kind, full, perEvidence) => {
    const bound = cryptoBound(loadBenchVector(kind));
    expect(bound.full).toHaveLength(full);
    expect(bound.perEvidence).toHaveLength(perEvidence);
    for (const check of bound.perEvidence) expect(bound.full).toContain(check);
    for (const check of bound.full) {
      const data = Buffer.from(check.data);
      data[0]! ^= 1;
      expect(() => runChecks([{ ...check, data }]), check.name).toThrow(/does not verify/);
    }
  });

  it.each(BENCH_KINDS)("%s: no signature is in the full set twice (the same bytes, signature and key have one answer)", (kind) => {
    const { full } = cryptoBound(loadBenchVector(kind));
    const ids = full.map((c) => `${c.hash}:${Buffer.from(c.data).toString("hex")}:${Buffer.from(c.signature).toString("hex")}`);
    expect(new Set(ids).size).toBe(full.length);
  });

  it.each([
    ["sgx", 4], // the attestation key, the PCK certificate, the PCK CA and the TCB Signing certificate
    ["sev-snp", 2], // VCEK, ASK
    ["nitro", 4], // the leaf and cabundle[1..3]
    ["arm-cca", 2], // RAK, CPAK
  ] as const)("%s: the cold bound imports the %i keys of its signatures that no pinned root holds", (kind, keys) => {
    const bound = cryptoBound(loadBenchVector(kind));
    expect(bound.keyImports).toHaveLength(keys);
    const imported = bound.keyImports.map((pem) => createPublicKey(pem));
    for (const check of bound.full) {
      const pinned = !imported.some((k) => k.equals(check.key));
      // A key not imported is a pinned root's: an issuer's signature on a certificate or CRL, never the evidence's.
      if (pinned) expect(check.name, check.name).toMatch(/← .*(root|ARK)/i);
    }
    expect(() => importAndCheck(bound)).not.toThrow();
  });

  it.each(["sgx", "sev-snp", "azure-cvm"] as const)(
    "%s: the cold bound checks each signature with the key it has just imported, or with the pinned root's",
    (kind) => {
      const bound = cryptoBound(loadBenchVector(kind));
      expect(bound.keyImportOf).toHaveLength(bound.full.length);
      bound.full.forEach((check, i) => {
        const at = bound.keyImportOf[i]!;
        if (at < 0) expect(check.name).toMatch(/← .*(root|ARK)/i);
        else expect(createPublicKey(bound.keyImports[at]!).equals(check.key), check.name).toBe(true);
      });
      expect(() => importAndCheck(bound)).not.toThrow();
      // Another key in an imported key's place fails its checks: the imported keys are the ones used.
      bound.keyImports.forEach((pem, at) => {
        const { publicKey } =
          createPublicKey(pem).asymmetricKeyType === "rsa"
            ? generateKeyPairSync("rsa", { modulusLength: 2048 })
            : generateKeyPairSync("ec", { namedCurve: "P-384" });
        const keyImports = bound.keyImports.with(at, publicKey.export({ type: "spki", format: "pem" }) as string);
        expect(() => importAndCheck({ ...bound, keyImports }), `key ${at}`).toThrow(/does not verify/);
      });
    },
  );
});

describe("the verdict's hashes in the cold bound", () => {
  const verdictOf = async (kind: (typeof BENCH_KINDS)[number]) =>
    (await (
      await keepledgerCold(loadBenchVector(kind), { collateralPreloaded: false })
    )()) as {
      evidenceHash: string;
      collateralHash: string;
    };
  const k = (bytes: Uint8Array) => keccak256(bytes, "bytes");

  it.each(BENCH_KINDS)(
    "%s: the first input is what the verdict's evidence hash covers, the last the items' hashes combined",
    async (kind) => {
      const bound = cryptoBound(loadBenchVector(kind));
      expect(keccak256(bound.hashed[0]!)).toBe((await verdictOf(kind)).evidenceHash);
      expect(() => hashAll(bound.hashed)).not.toThrow();
      if (kind === "nitro") expect(bound.hashed).toHaveLength(1); // its collateralHash is 32 zero bytes
    },
  );

  it.each([
    // The items as the verdict's collateralHash takes them, with the pinned ARK (hashed once per process) put back in.
    ["sgx", (items: Uint8Array[]) => items],
    ["tdx", (items: Uint8Array[]) => items],
    ["sev-snp", (items: Uint8Array[]) => [...items, AMD_ARK_MILAN.certificate.der]],
    ["azure-cvm", (items: Uint8Array[]) => [...items, AMD_ARK_MILAN.certificate.der]],
  ] as const)("%s: the collateral items are the ones the verdict's collateralHash covers, in its order", async (kind, asRecorded) => {
    const bound = cryptoBound(loadBenchVector(kind));
    const items = asRecorded(bound.hashed.slice(1, -1));
    expect(bound.hashed.at(-1)).toHaveLength(32 * items.length);
    expect(keccak256(concatBytes(...items.map(k)))).toBe((await verdictOf(kind)).collateralHash);
  });

  it.each([
    // Pinned from the code before the items' hashes were shared (src/tee/collateralKeccak.ts): the same verdicts.
    ["nvidia-gpu", "0xf35f7c00a1080ff5bb1bf5516a77581c6dce8b70dbff014f78562382b894c5d7"],
    ["cpu-gpu", "0xfbaffd532d7086f03f8915117af58a1cd573ad582161c71089b6dae31f9840c3"],
    ["sev-snp", "0x516f48459de0c3969c23f61112b90bcd85fe3a7f4d48340c47ff5360db43c160"],
  ] as const)("%s: the verdict's collateralHash is still %s", async (kind, hash) => {
    expect((await verdictOf(kind)).collateralHash).toBe(hash);
  });

  it("arm-cca: the collateral item is the CPAK's SubjectPublicKeyInfo", async () => {
    const bound = cryptoBound(loadBenchVector("arm-cca"));
    expect(bound.hashed).toHaveLength(2);
    expect(keccak256(bound.hashed[1]!)).toBe((await verdictOf("arm-cca")).collateralHash);
  });
});

describe("keepledger modes", () => {
  it.each(BENCH_KINDS)("%s: warm and cold verify the vector to the same result", async (kind) => {
    const vector = loadBenchVector(kind);
    const warm = (await (await keepledgerWarm(vector))()) as { tcb: unknown; claims: unknown; evidenceHash: string };
    const cold = (await (await keepledgerCold(vector, { collateralPreloaded: false }))()) as typeof warm;
    expect(cold.claims).toEqual(warm.claims);
    expect(cold.tcb).toEqual(warm.tcb);
    expect(cold.evidenceHash).toBe(warm.evidenceHash);
  });

  it.each(BENCH_KINDS)("%s: cold verification makes the cold bound's key imports and signature checks, and no more", async (kind) => {
    const vector = loadBenchVector(kind);
    const bound = cryptoBound(vector);
    const cold = await keepledgerCold(vector, { collateralPreloaded: false });
    // node:crypto's own functions, counted while one cold verification runs (the pinned roots' keys were
    // imported with the modules, once per process, as the bound's are).
    const counted = { imports: 0, checks: 0 };
    const saved = { createPublicKey: nodeCrypto.createPublicKey, verify: nodeCrypto.verify };
    const mutable = nodeCrypto as unknown as Record<"createPublicKey" | "verify", (...a: unknown[]) => unknown>;
    mutable.createPublicKey = (...a) => (counted.imports++, (saved.createPublicKey as (...b: unknown[]) => unknown)(...a));
    mutable.verify = (...a) => (counted.checks++, (saved.verify as (...b: unknown[]) => unknown)(...a));
    syncBuiltinESMExports();
    try {
      await cold();
    } finally {
      Object.assign(mutable, saved);
      syncBuiltinESMExports();
    }
    expect(counted).toEqual({ imports: bound.keyImports.length, checks: bound.full.length });
  });

  it("the peers get the same Intel collateral keepledger reads from the per-document files", () => {
    const vector = loadBenchVector("tdx");
    expect(quoteCollateralV3(vector).pck_crl).toBe(Buffer.from(vector.files.get("pck_crl.der")!).toString("hex"));
  });
});

describe("figures", () => {
  const row = (impl: string, mode: "warm" | "cold", perSecond: number | null, extra: Partial<VerifyBenchRow> = {}): VerifyBenchRow => ({
    kind: "sgx",
    impl,
    mode,
    perSecond,
    ratioToBound: null,
    ratioToPerEvidenceBound: null,
    ...extra,
  });

  it("ratios are to the full bound (and with its key imports, and with those and the verdict's hashes), the per-evidence bound and the fastest peer; absent peers stay null", () => {
    const rows = withRatios([
      row("bound", "cold", 1000, { signatures: 9 }),
      row("bound", "cold", 800, { signatures: 9, keys: 4, variant: "with-key-import" }),
      row("bound", "cold", 750, { signatures: 9, keys: 4, hashes: 6, variant: "with-key-import-and-hashes" }),
      row("bound", "warm", 10_000, { signatures: 1 }),
      row("bound", "warm", 5_000, { signatures: 1, variant: "with-evidence-hash" }),
      row("keepledger", "warm", 4000),
      row("keepledger", "cold", 600),
      row("keepledger", "cold", 800, { variant: "collateral-preloaded" }),
      row("peer-a", "cold", 100, { singleMode: true }),
      row("peer-b", "cold", 200, { singleMode: true }),
      row("peer-c", "cold", null, { singleMode: true, absent: "cannot" }),
    ]);
    const warm = rows.find((r) => r.impl === "keepledger" && r.mode === "warm")!;
    expect([warm.ratioToBound, warm.ratioToPerEvidenceBound, warm.ratioToEvidenceHashBound, warm.ratioToFastestPeer]).toEqual([
      4, 0.4, 0.8, 20,
    ]);
    const cold = rows.find((r) => r.impl === "keepledger" && r.mode === "cold" && !r.variant)!;
    expect([cold.ratioToBound, cold.ratioToKeyImportBound, cold.ratioToColdVerdictBound]).toEqual([0.6, 0.75, 0.8]);
    expect(rows.find((r) => r.impl === "peer-c")!.ratioToBound).toBeNull();
    expect(checkTargets(rows).map((t) => [t.target, t.met])).toEqual([
      ["warm ≥ 0.7 × bound", true],
      ["warm ≥ 0.7 × per-evidence bound", false],
      ["warm ≥ 0.7 × per-evidence + evidence-hash bound", true],
      ["cold ≥ 0.7 × bound", false],
      ["cold ≥ 0.7 × bound + key imports", true],
      ["cold ≥ 0.7 × bound + key imports + hashes", true],
    ]);
    expect(markdownTable(rows)).toContain("| sgx | bound: all 9 signatures + 4 key imports + 6 hashes | — | 750 |");
    expect(markdownTable(rows)).toContain("| sgx | bound: all 9 signatures + 4 key imports | — | 800 |");
    expect(markdownTable(rows)).toContain("| sgx | bound: per evidence (1) + evidence hash | — | 5,000 |");
    expect(markdownTable(rows)).toContain("| sgx | keepledger (collateral-preloaded) | cold | 800 |");
  });

  it("with a floor, the cold ratio to it is reported and checked; without one, the floor's target is not listed", () => {
    const rows = withRatios([
      row("bound", "cold", 1000, { signatures: 9 }),
      row("bound", "cold", 750, { signatures: 9, keys: 4, hashes: 6, variant: "with-key-import-and-hashes" }),
      row("bound", "cold", 700, { signatures: 9, keys: 4, hashes: 6, variant: "floor" }),
      row("keepledger", "cold", 500),
    ]);
    const cold = rows.find((r) => r.impl === "keepledger")!;
    expect([cold.ratioToColdVerdictBound, cold.ratioToFloor]).toEqual([0.667, 0.714]);
    expect(
      checkTargets(rows)
        .filter((t) => t.target.startsWith("cold"))
        .map((t) => [t.target, t.met]),
    ).toEqual([
      ["cold ≥ 0.7 × bound", false],
      ["cold ≥ 0.7 × bound + key imports", null],
      ["cold ≥ 0.7 × bound + key imports + hashes", false],
      ["cold ≥ 0.7 × floor", true],
    ]);
    expect(markdownTable(rows)).toContain("| sgx | floor: all 9 signatures + 4 key imports + 6 hashes + the files read | — | 700 |");
    const noFloor = withRatios([row("bound", "cold", 1000, { signatures: 9 }), row("keepledger", "cold", 500)]);
    expect(noFloor.find((r) => r.impl === "keepledger")!.ratioToFloor).toBeNull();
    expect(checkTargets(noFloor).map((t) => t.target)).not.toContain("cold ≥ 0.7 × floor");
  });

  it("throughput is measured over the whole time and reported as the median run", async () => {
    let calls = 0;
    const perSecond = await measureThroughput(() => calls++, { seconds: 0.05 });
    expect(perSecond).toBeGreaterThan(0);
    expect(calls).toBeGreaterThan(1);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});

describe("floor for cold verification from the files", () => {
  it.each([
    ["sgx", "5 text files (2 JSON), 3 PEM certificates, 5 certificates and CRLs walked"],
    ["tdx", "5 text files (2 JSON), 3 PEM certificates, 5 certificates and CRLs walked"],
    ["sev-snp", "1 text files (0 JSON), 1 PEM certificates, 2 certificates and CRLs walked"],
    ["azure-cvm", "2 text files (1 JSON), 2 PEM certificates, 2 certificates and CRLs walked"],
  ] as const)("%s reads %s, never a pinned root's", (kind, description) => {
    const floor = inputFloor(loadBenchVector(kind))!;
    expect(floor.description).toBe(description);
    expect(() => floor.read()).not.toThrow();
  });

  it("is defined only where every input is PEM, DER, JSON or a DCAP quote", () => {
    expect(FLOOR_KINDS).toEqual(["sgx", "tdx", "sev-snp", "azure-cvm"]);
    for (const kind of BENCH_KINDS.filter((k) => !FLOOR_KINDS.includes(k))) expect(inputFloor(loadBenchVector(kind)), kind).toBeUndefined();
  });

  it("walks DER element by element, and refuses what is not DER rather than skipping it", () => {
    // SEQUENCE { INTEGER 1, SEQUENCE { NULL } }: four elements.
    const der = Uint8Array.of(0x30, 0x07, 0x02, 0x01, 0x01, 0x30, 0x02, 0x05, 0x00);
    expect(walkDer(der, 0, der.length)).toBe(4);
    expect(() => walkDer(Uint8Array.of(0x30, 0x05, 0x02, 0x01), 0, 4)).toThrow(/past its parent's end/);
    expect(() => walkDer(Uint8Array.of(0x04, 0x81, 0x05, 1, 2, 3, 4, 5), 0, 8)).toThrow(/long form for a short length/);
    expect(() => walkDer(Uint8Array.of(0x04, 0x82, 0x00, 0x05), 0, 4)).toThrow(/shortest form/);
    expect(() => walkDer(Uint8Array.of(0x04), 0, 1)).toThrow(/header past the end/);
  });
});
