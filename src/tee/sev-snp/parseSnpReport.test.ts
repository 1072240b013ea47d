import { describe, expect, it } from "vitest";
import { expectedOf, fixtureBytes } from "../../../test/support/fixtures.ts";
import { buildSnpReport, defaultReportFields, testTcbBytes, type SnpReportFields } from "../../../test/support/snpTestSigner.ts";
import { KeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { toHex } from "@keepledger/sdk/internal/util/bytes";
import { parseSnpReport } from "./parseSnpReport.ts";

function failure(fn: () => unknown): KeepledgerError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KeepledgerError) return e;
    throw e;
  }
  throw new Error("expected a KeepledgerError");
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

interface ExpectedTcb {
  bootloader: number;
  tee: number;
  snp: number;
  microcode: number;
  hex: string;
}

describe("parseSnpReport on the real reports", () => {
  for (const set of ["dstack-milan", "go-sev-guest-milan-debug"]) {
    it(`decodes every field of ${set} as its expected.json lists`, () => {
      const want = expectedOf("sev-snp", set).report as Record<string, unknown>;
      const r = parseSnpReport(fixtureBytes("sev-snp", set, "report.bin"));
      const tcb = (t: ExpectedTcb) => ({ bootloader: t.bootloader, tee: t.tee, snp: t.snp, microcode: t.microcode, raw: t.hex });
      const got = (t: typeof r.currentTcb) => ({
        bootloader: t.bootloader,
        tee: t.tee,
        snp: t.snp,
        microcode: t.microcode,
        raw: hex(t.raw),
      });
      expect(r.version).toBe(want.version);
      expect(r.guestSvn).toBe(want.guest_svn);
      expect(`0x${r.policy.toString(16)}`).toBe(want.policy);
      const pd = want.policy_decoded as Record<string, unknown>;
      expect(r.policyDecoded).toEqual({
        abiMinor: pd.abi_minor,
        abiMajor: pd.abi_major,
        smt: pd.smt,
        migrateMa: pd.migrate_ma,
        debug: pd.debug,
        singleSocket: pd.single_socket,
        cxlAllow: pd.cxl_allow,
        memAes256Xts: pd.mem_aes_256_xts,
        raplDis: pd.rapl_dis,
        ciphertextHiding: pd.ciphertext_hiding,
        pageSwapDisable: pd.page_swap_disable,
      });
      expect(hex(r.familyId)).toBe(want.family_id);
      expect(hex(r.imageId)).toBe(want.image_id);
      expect(r.vmpl).toBe(want.vmpl);
      expect(r.signatureAlgorithm).toBe(want.signature_algo);
      expect(got(r.currentTcb)).toEqual(tcb(want.current_tcb as ExpectedTcb));
      expect(got(r.reportedTcb)).toEqual(tcb(want.reported_tcb as ExpectedTcb));
      expect(got(r.committedTcb)).toEqual(tcb(want.committed_tcb as ExpectedTcb));
      expect(got(r.launchTcb)).toEqual(tcb(want.launch_tcb as ExpectedTcb));
      expect(r.platformInfoDecoded.raw).toBe(want.platform_info);
      expect(r.keyInfo).toEqual({ authorKeyEn: want.author_key_en, maskChipKey: want.mask_chip_key, signingKey: "vcek" });
      expect(hex(r.reportData)).toBe(want.report_data);
      expect(hex(r.measurement)).toBe(want.measurement);
      expect(hex(r.hostData)).toBe(want.host_data);
      expect(hex(r.idKeyDigest)).toBe(want.id_key_digest);
      expect(hex(r.authorKeyDigest)).toBe(want.author_key_digest);
      expect(hex(r.reportId)).toBe(want.report_id);
      expect(hex(r.reportIdMa)).toBe(want.report_id_ma);
      expect(hex(r.chipId)).toBe(want.chip_id);
      const { major, minor, build } = r.currentVersion;
      expect(`${major}.${minor}.${build}`).toBe(want.current_version);
      const c = r.committedVersion;
      expect(`${c.major}.${c.minor}.${c.build}`).toBe(want.committed_version);
      if (r.version >= 3) {
        expect(r.cpuid).toEqual({ family: want.cpuid_fam_id, model: want.cpuid_mod_id, stepping: want.cpuid_step });
        expect(r.productLine).toBe("Milan");
      } else {
        expect(r.cpuid).toBeUndefined();
        expect(r.productLine).toBeUndefined();
      }
      expect(r.tcbLayout).toBe("legacy");
      expect(r.signedBytes.length).toBe(0x2a0);
    });
  }

  it("converts the little-endian 72-byte R and S to 48-byte big-endian scalars", () => {
    const bytes = fixtureBytes("sev-snp", "dstack-milan", "report.bin");
    const r = parseSnpReport(bytes);
    expect(hex(r.signature.r)).toBe(hex(bytes.slice(0x2a0, 0x2a0 + 48).reverse()));
    expect(hex(r.signature.s)).toBe(hex(bytes.slice(0x2e8, 0x2e8 + 48).reverse()));
  });
});

describe("parseSnpReport on reports from the test signer", () => {
  it("reads versions 2, 3 and 5 and the v5 mitigation vectors", () => {
    for (const version of [2, 3, 5]) {
      const f = { ...defaultReportFields("Genoa"), version };
      const r = parseSnpReport(buildSnpReport(f));
      expect(r.version).toBe(version);
      expect(r.cpuid).toEqual(version >= 3 ? { family: 0x19, model: 0x11, stepping: 1 } : undefined);
      expect(r.productLine).toBe(version >= 3 ? "Genoa" : undefined);
      expect(r.launchMitigationVector).toBe(version === 5 ? 3n : undefined);
      expect(r.currentMitigationVector).toBe(version === 5 ? 7n : undefined);
      expect(r.reportedTcb).toMatchObject({ bootloader: 9, tee: 0, snp: 23, microcode: 84 });
      expect(r.reportedTcb.fmc).toBeUndefined();
    }
  });

  it("decodes Turin TCB_VERSIONs with the FMC first (fmc, bl, tee, snp, reserved×3, ucode)", () => {
    const f = defaultReportFields("Turin");
    f.reportedTcb = testTcbBytes("Turin", { fmc: 5, bootloader: 6, tee: 7, snp: 8, microcode: 99 });
    const r = parseSnpReport(buildSnpReport(f));
    expect(r.productLine).toBe("Turin");
    expect(r.tcbLayout).toBe("turin");
    expect(r.reportedTcb).toMatchObject({ fmc: 5, bootloader: 6, tee: 7, snp: 8, microcode: 99 });
    expect(toHex(r.reportedTcb.raw)).toBe("0x0506070800000063");
  });

  it("recognizes a Turin v2 report by its CHIP_ID shape (8 bytes, then zeros)", () => {
    const f = { ...defaultReportFields("Turin"), version: 2 };
    const r = parseSnpReport(buildSnpReport(f));
    expect(r.productLine).toBe("Turin");
    expect(r.productLineSource).toBe("chip-id");
    expect(r.tcbLayout).toBe("turin");
    const milan = parseSnpReport(buildSnpReport({ ...defaultReportFields("Milan"), version: 2 }));
    expect(milan.tcbLayout).toBe("legacy");
  });

  it("maps the CPUID families and models of each product line", () => {
    const table: Array<[number, number, string | undefined]> = [
      [0x19, 0x01, "Milan"],
      [0x19, 0x11, "Genoa"],
      [0x19, 0xa0, "Genoa"], // Bergamo/Siena are certified under Genoa
      [0x1a, 0x02, "Turin"],
      [0x1a, 0x11, "Turin"],
    ];
    for (const [family, model, want] of table) {
      const r = parseSnpReport(buildSnpReport({ ...defaultReportFields("Milan"), cpuid: { family, model, stepping: 0 } }));
      expect(r.productLine).toBe(want);
    }
  });

  it("reads KEY_INFO: author key, masked chip key, VLEK", () => {
    const r = parseSnpReport(buildSnpReport({ ...defaultReportFields("Milan"), keyInfo: 0b111 }));
    expect(r.keyInfo).toEqual({ authorKeyEn: true, maskChipKey: true, signingKey: "vlek" });
  });
});

interface BadCase {
  name: string;
  edit: (f: SnpReportFields, bytes: Uint8Array) => Uint8Array | void;
  fields?: Partial<SnpReportFields>;
  wantError: string;
  wantMessage?: string;
  wantField?: string;
  wantOffset?: number;
}

const set =
  (offset: number, ...values: number[]) =>
  (_f: SnpReportFields, b: Uint8Array) =>
    void b.set(values, offset);

const BAD: BadCase[] = [
  { name: "empty", edit: () => new Uint8Array(0), wantError: "EVIDENCE_EMPTY" },
  {
    name: "one byte short",
    edit: (_f, b) => b.subarray(0, 1183),
    wantError: "EVIDENCE_TRUNCATED",
    wantMessage: "SEV-SNP report is shorter than 1184 bytes",
  },
  {
    name: "one byte long",
    edit: (_f, b) => Uint8Array.of(...b, 0),
    wantError: "EVIDENCE_TRAILING_BYTES",
    wantMessage: "SEV-SNP report is longer than 1184 bytes",
  },
  {
    name: "version 0",
    fields: { version: 0 },
    edit: () => {},
    wantError: "SNP_REPORT_VERSION_UNSUPPORTED",
    wantMessage: "unsupported SEV-SNP report version 0",
  },
  { name: "version 1", fields: { version: 1 }, edit: () => {}, wantError: "SNP_REPORT_VERSION_UNSUPPORTED" },
  { name: "version 4", fields: { version: 4 }, edit: () => {}, wantError: "SNP_REPORT_VERSION_UNSUPPORTED" },
  { name: "version 6", fields: { version: 6 }, edit: () => {}, wantError: "SNP_REPORT_VERSION_UNSUPPORTED" },
  { name: "version 3 with high bytes", edit: set(0x02, 0x01), wantError: "SNP_REPORT_VERSION_UNSUPPORTED" },
  {
    name: "signature algorithm 0",
    fields: { signatureAlgo: 0 },
    edit: () => {},
    wantError: "SNP_SIGNATURE_ALGORITHM_UNSUPPORTED",
    wantMessage: "unsupported signature algorithm 0",
  },
  { name: "signature algorithm 2", fields: { signatureAlgo: 2 }, edit: () => {}, wantError: "SNP_SIGNATURE_ALGORITHM_UNSUPPORTED" },
  {
    name: "policy bit 17 clear",
    fields: { policy: 0x10000n },
    edit: () => {},
    wantError: "SNP_POLICY_INVALID",
    wantMessage: "guest policy bit 17 is reserved and must be one",
  },
  {
    name: "policy bit 26 set",
    fields: { policy: 0x30000n | (1n << 26n) },
    edit: () => {},
    wantError: "SNP_POLICY_INVALID",
    wantMessage: "guest policy sets reserved bits 26..63",
  },
  { name: "policy bit 63 set", fields: { policy: 0x30000n | (1n << 63n) }, edit: () => {}, wantError: "SNP_POLICY_INVALID" },
  {
    name: "KEY_INFO bit 5",
    fields: { keyInfo: 1 << 5 },
    edit: () => {},
    wantError: "SNP_RESERVED_NONZERO",
    wantField: "KEY_INFO",
    wantOffset: 0x48,
  },
  {
    name: "SIGNING_KEY 7 (unsigned)",
    fields: { keyInfo: 7 << 2 },
    edit: () => {},
    wantError: "SNP_SIGNING_KEY_UNSUPPORTED",
    wantMessage: "the report is not signed (SIGNING_KEY = 7)",
  },
  {
    name: "SIGNING_KEY 2 (reserved)",
    fields: { keyInfo: 2 << 2 },
    edit: () => {},
    wantError: "SNP_SIGNING_KEY_UNSUPPORTED",
    wantMessage: "SIGNING_KEY 2 is reserved",
  },
  { name: "SIGNING_KEY 6 (reserved)", fields: { keyInfo: 6 << 2 }, edit: () => {}, wantError: "SNP_SIGNING_KEY_UNSUPPORTED" },
  {
    name: "unknown CPUID family",
    fields: { cpuid: { family: 0x17, model: 0x31, stepping: 0 } },
    edit: () => {},
    wantError: "SNP_PRODUCT_UNKNOWN",
    wantMessage: "unknown AMD product (CPUID family 0x17, model 0x31)",
  },
  {
    name: "unknown Zen 5 model",
    fields: { cpuid: { family: 0x1a, model: 0x44, stepping: 0 } },
    edit: () => {},
    wantError: "SNP_PRODUCT_UNKNOWN",
  },
  { name: "R above 48 bytes", edit: set(0x2a0 + 48, 1), wantError: "SNP_SIGNATURE_MALFORMED", wantField: "SIGNATURE.R", wantOffset: 0x2d0 },
  { name: "S above 48 bytes", edit: set(0x2e8 + 71, 1), wantError: "SNP_SIGNATURE_MALFORMED", wantField: "SIGNATURE.S", wantOffset: 0x32f },
  {
    name: "signature reserved area",
    edit: set(0x49f, 1),
    wantError: "SNP_RESERVED_NONZERO",
    wantMessage: "reserved field SIGNATURE.reserved is not zero",
    wantOffset: 0x49f,
  },
  {
    name: "v3 mitigation-vector area",
    edit: set(0x1f8, 1),
    wantError: "SNP_RESERVED_NONZERO",
    wantField: "reserved (0x1F8)",
    wantOffset: 0x1f8,
  },
  {
    name: "v2 CPUID bytes",
    fields: { version: 2 },
    edit: set(0x188, 0x19),
    wantError: "SNP_RESERVED_NONZERO",
    wantField: "reserved (0x188)",
    wantOffset: 0x188,
  },
];

describe("parseSnpReport rejects malformed reports", () => {
  for (const c of BAD) {
    it(c.name, () => {
      const f = { ...defaultReportFields("Milan"), ...c.fields };
      const built = buildSnpReport(f);
      const bytes = c.edit(f, built) ?? built;
      const e = failure(() => parseSnpReport(bytes));
      expect(e.code).toBe(c.wantError);
      expect(e.stage).toBe("format");
      if (c.wantMessage) expect(e.shortMessage).toBe(c.wantMessage);
      if (c.wantField) expect(e.at?.field).toBe(c.wantField);
      if (c.wantOffset !== undefined) expect(e.at?.offset).toBe(c.wantOffset);
    });
  }

  it("fails typed at every truncated length", () => {
    const bytes = fixtureBytes("sev-snp", "dstack-milan", "report.bin");
    for (let n = 0; n < bytes.length; n++) {
      const e = failure(() => parseSnpReport(bytes.subarray(0, n)));
      expect(e.code).toBe(n === 0 ? "EVIDENCE_EMPTY" : "EVIDENCE_TRUNCATED");
      expect(e.details).toEqual(n === 0 ? {} : { got: n, want: 1184 });
    }
  });

  // Every must-be-zero byte of each version, one at a time: the list in docs/evidence/sev-snp.md.
  const RESERVED: Record<number, Array<[number, number]>> = {
    2: [
      [0x04c, 0x050],
      [0x188, 0x1a0],
      [0x1eb, 0x1ec],
      [0x1ef, 0x1f0],
      [0x1f8, 0x2a0],
      [0x2d0, 0x2e8],
      [0x318, 0x330],
      [0x330, 0x4a0],
    ],
    3: [
      [0x04c, 0x050],
      [0x18b, 0x1a0],
      [0x1eb, 0x1ec],
      [0x1ef, 0x1f0],
      [0x1f8, 0x2a0],
      [0x2d0, 0x2e8],
      [0x318, 0x330],
      [0x330, 0x4a0],
    ],
    5: [
      [0x04c, 0x050],
      [0x18b, 0x1a0],
      [0x1eb, 0x1ec],
      [0x1ef, 0x1f0],
      [0x208, 0x2a0],
      [0x2d0, 0x2e8],
      [0x318, 0x330],
      [0x330, 0x4a0],
    ],
  };
  for (const [version, ranges] of Object.entries(RESERVED)) {
    it(`enforces every reserved byte of a version ${version} report`, () => {
      const bytes = buildSnpReport({ ...defaultReportFields("Milan"), version: Number(version) });
      expect(parseSnpReport(bytes).version).toBe(Number(version));
      let checked = 0;
      for (const [lo, hi] of ranges) {
        for (let o = lo; o < hi; o++) {
          const bad = bytes.slice();
          bad[o] = 0x80;
          const e = failure(() => parseSnpReport(bad));
          expect([e.code, e.at?.offset]).toEqual([o >= 0x2a0 && o < 0x330 ? "SNP_SIGNATURE_MALFORMED" : "SNP_RESERVED_NONZERO", o]);
          checked++;
        }
      }
      expect(checked).toBe(ranges.reduce((n, [lo, hi]) => n + hi - lo, 0));
    });
  }
});
