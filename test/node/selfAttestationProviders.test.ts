/**
 * The validator's own evidence providers against temporary directories that behave like the device
 * interfaces (test/node/support/fakeDevices.ts): the configfs TSM report ABI of TDX and SEV-SNP guests
 * and Gramine's /dev/attestation. The evidence they return is signed by the test signers, so it is
 * verified with the engine here: the report data the node wrote is the report data the evidence carries.
 */
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { staticCollateral } from "../../src/collateral/staticCollateral.ts";
import { toHex } from "@keepledger/sdk/internal/util/bytes";
import { configfsTsmProvider } from "../../src/node/selfAttestation/configfsTsmProvider.ts";
import { gramineProvider } from "../../src/node/selfAttestation/gramineProvider.ts";
import { parseSnpCertTable, snpCertTableFiles } from "../../src/node/selfAttestation/parseSnpCertTable.ts";
import { verifyEvidence } from "../../src/verify/verifyEvidence.ts";
import { buildQuote, buildScenario } from "../support/dcapTestSigner.ts";
import { buildSnpReport, signSnpReport, snpTestCase } from "../support/snpTestSigner.ts";
import { createCrl } from "../support/testPki.ts";
import { fakeGramine, fakeTsm, type FakeDevice } from "./support/fakeDevices.ts";

const devices: FakeDevice[] = [];
afterEach(() => devices.splice(0).forEach((d) => d.stop()));
const temp = () => mkdtempSync(join(tmpdir(), "kl-device-"));
const reportData = () => new Uint8Array(64).map((_, i) => (i * 7 + 3) & 0xff);

/** A certificate table (GUID in string order, offset, length; zero entry) holding `certs`. */
function certTable(certs: Array<{ guid: string; der: Uint8Array }>): Uint8Array {
  const header = 24 * (certs.length + 1);
  const out = Buffer.alloc(header + certs.reduce((n, c) => n + c.der.length, 0));
  let offset = header;
  certs.forEach((c, i) => {
    Buffer.from(c.guid.replace(/-/g, ""), "hex").copy(out, 24 * i);
    out.writeUInt32LE(offset, 24 * i + 16);
    out.writeUInt32LE(c.der.length, 24 * i + 20);
    Buffer.from(c.der).copy(out, offset);
    offset += c.der.length;
  });
  return new Uint8Array(out);
}

describe("configfs-tsm provider", () => {
  it("TDX guest: writes inblob, reads the quote from outblob, and the quote carries the report data", async () => {
    const scenario = await buildScenario({ tee: "tdx" });
    const root = temp();
    devices.push(
      fakeTsm(root, {
        provider: "tdx_guest",
        outblob: async (inblob) =>
          (
            await buildQuote({
              tee: "tdx",
              pckLeaf: scenario.pckLeaf,
              pckChain: [scenario.pckLeaf, scenario.pki.platformCa, scenario.pki.root],
              tdBody: { reportData: inblob },
            })
          ).bytes,
      }),
    );
    const data = reportData();
    const got = await configfsTsmProvider({ root }).getEvidence(data, new Date());
    expect(got.collateral).toEqual([]);
    const verified = await verifyEvidence(got.evidence, {
      at: scenario.at,
      collateral: { name: "pcs", fetch: async () => scenario.collateral },
      trustedRoots: scenario.roots,
    });
    expect(verified.tee).toBe("tdx");
    expect((verified.claims as { reportData: string }).reportData).toBe(toHex(data));
    expect(readdirSync(root)).toEqual([]); // the report directory is removed afterwards
  });

  it("SEV-SNP guest: the report from outblob and the VCEK chain from auxblob's certificate table verify together", async () => {
    const c = await snpTestCase();
    const crl = await createCrl(c.pki.ark, [], { thisUpdate: new Date(Date.UTC(2025, 0, 1)), nextUpdate: new Date(Date.UTC(2030, 0, 1)) });
    const table = certTable([
      { guid: "63da758d-e664-4564-adc5-f4b93be8accd", der: c.vek.cert.der },
      { guid: "4ab7b379-bbac-4fe4-a02f-05aef327c782", der: c.pki.ask.cert.der },
      { guid: "c0b406a4-a803-4952-9743-3fb6014cd0ae", der: c.pki.ark.cert.der },
      { guid: "92f81bc3-5811-4d3d-97ff-d19f88dc67ea", der: crl.der },
    ]);
    const root = temp();
    devices.push(
      fakeTsm(root, {
        provider: "sev_guest",
        auxblob: table,
        outblob: (inblob) => signSnpReport(buildSnpReport({ ...c.fields, reportData: inblob }), c.vek.keys),
      }),
    );
    const data = reportData();
    const got = await configfsTsmProvider({ root, privlevel: 0 }).getEvidence(data, new Date());
    expect(got.collateral.map((f) => f.name)).toEqual(["vcek.der", "ask.der", "ark.der", "crl.der"]);
    const verified = await verifyEvidence(got.evidence, {
      at: new Date(Date.UTC(2026, 0, 1)),
      collateral: staticCollateral(got.collateral),
      trustedRoots: c.trustedRoots,
    });
    expect(verified.tee).toBe("sev-snp");
    expect((verified.claims as { reportData: string }).reportData).toBe(toHex(data));
  });

  it("throws away a report another writer raced, and tries again with a new report directory", async () => {
    const root = temp();
    let races = 1;
    devices.push(fakeTsm(root, { provider: "tdx_guest", outblob: async (inblob) => inblob, raceNext: () => races-- > 0 }));
    const got = await configfsTsmProvider({ root }).getEvidence(reportData(), new Date());
    expect(got.evidence).toEqual(reportData());
    races = 1;
    await expect(configfsTsmProvider({ root, attempts: 1 }).getEvidence(reportData(), new Date())).rejects.toMatchObject({
      code: "SELF_TSM_RACE",
    });
  });

  it.each([
    { name: "no configfs TSM interface", setup: () => ({ root: join(temp(), "missing") }), code: "SELF_TSM_UNAVAILABLE" },
    {
      name: "a provider that is neither TDX nor SEV-SNP",
      setup: () => {
        const root = temp();
        devices.push(fakeTsm(root, { provider: "arm_cca_guest", outblob: async (b) => b }));
        return { root };
      },
      code: "SELF_TSM_PROVIDER_UNKNOWN",
    },
    {
      name: "an outblob that does not carry the report data",
      setup: () => {
        const root = temp();
        devices.push(fakeTsm(root, { provider: "tdx_guest", outblob: async () => new Uint8Array(100) }));
        return { root, attempts: 1 };
      },
      code: "SELF_EVIDENCE_MISMATCH",
    },
  ])("refuses $name with $code", async ({ setup, code }) => {
    await expect(configfsTsmProvider(setup()).getEvidence(reportData(), new Date())).rejects.toMatchObject({ code });
  });

  it("takes exactly 64 bytes of report data", async () => {
    await expect(configfsTsmProvider({ root: temp() }).getEvidence(new Uint8Array(32), new Date())).rejects.toMatchObject({
      code: "SELF_REPORT_DATA_LENGTH",
    });
  });
});

describe("gramine provider", () => {
  it("writes user_report_data and returns the DCAP quote that carries it", async () => {
    const scenario = await buildScenario({ tee: "sgx" });
    const root = temp();
    devices.push(
      fakeGramine(root, {
        quote: async (data) =>
          (
            await buildQuote({
              tee: "sgx",
              pckLeaf: scenario.pckLeaf,
              pckChain: [scenario.pckLeaf, scenario.pki.platformCa, scenario.pki.root],
              sgxBody: { reportData: data },
            })
          ).bytes,
      }),
    );
    const data = reportData();
    const got = await gramineProvider({ root }).getEvidence(data, new Date());
    const verified = await verifyEvidence(got.evidence, {
      at: scenario.at,
      collateral: { name: "pcs", fetch: async () => scenario.collateral },
      trustedRoots: scenario.roots,
    });
    expect((verified.claims as { reportData: string }).reportData).toBe(toHex(data));
  });

  it.each([
    { name: "no /dev/attestation", root: () => join(temp(), "none"), code: "SELF_GRAMINE_UNAVAILABLE" },
    {
      name: "attestation type none",
      root: () => {
        const root = temp();
        devices.push(fakeGramine(root, { attestationType: "none", quote: async (d) => d }));
        return root;
      },
      code: "SELF_GRAMINE_ATTESTATION_TYPE",
    },
  ])("refuses $name with $code", async ({ root, code }) => {
    await expect(gramineProvider({ root: root() }).getEvidence(reportData(), new Date())).rejects.toMatchObject({ code });
  });
});

describe("SEV-SNP certificate table", () => {
  it("names known GUIDs and keeps unknown ones", () => {
    const t = certTable([
      { guid: "63da758d-e664-4564-adc5-f4b93be8accd", der: Uint8Array.of(1, 2) },
      { guid: "00112233-4455-6677-8899-aabbccddeeff", der: Uint8Array.of(3) },
    ]);
    expect(parseSnpCertTable(t).map((e) => [e.kind, [...e.bytes]])).toEqual([
      ["vcek", [1, 2]],
      ["00112233-4455-6677-8899-aabbccddeeff", [3]],
    ]);
    expect(snpCertTableFiles(new Uint8Array())).toEqual([]);
  });

  it.each([
    {
      name: "an entry pointing past the end",
      table: () => {
        const t = Buffer.from(certTable([{ guid: "63da758d-e664-4564-adc5-f4b93be8accd", der: Uint8Array.of(1) }]));
        t.writeUInt32LE(9_999, 16);
        return new Uint8Array(t);
      },
      code: "SNP_CERT_TABLE_MALFORMED",
    },
    {
      name: "no terminating entry",
      table: () => {
        const t = Buffer.alloc(24);
        Buffer.from("63da758de6644564adc5f4b93be8accd", "hex").copy(t, 0);
        t.writeUInt32LE(24, 20); // the only entry covers the table itself; no zero entry follows
        return new Uint8Array(t);
      },
      code: "EVIDENCE_TRUNCATED",
    },
  ])("refuses $name with $code", ({ table, code }) => {
    expect(() => parseSnpCertTable(table())).toThrowError(expect.objectContaining({ code }));
  });
});

it("leaves no report directory behind when the device fails", async () => {
  const root = temp();
  devices.push(fakeTsm(root, { provider: "tdx_guest", outblob: async () => new Uint8Array(10) }));
  await expect(configfsTsmProvider({ root, attempts: 1 }).getEvidence(reportData(), new Date())).rejects.toMatchObject({
    code: "SELF_EVIDENCE_MISMATCH",
  });
  expect(existsSync(root) && readdirSync(root)).toEqual([]);
});
