import { describe, expect, it } from "vitest";
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { toHex } from "@keepledger/sdk/internal/util/bytes";
import { buildScenario, type Scenario } from "../../../test/support/dcapTestSigner.ts";
import { parseAzureEvidence } from "./parseAzureEvidence.ts";
import { verifyAzureEvidence } from "./verifyAzureEvidence.ts";
import { azureCvmCollateralRequests } from "./collateralRequests.ts";

/*
 * No public Azure TDX capture comes with Intel collateral for its FMSPC, so the path "TD quote with
 * collateral → a real TCB status" is shown on evidence made whole with the DCAP test signer: a TD quote
 * and its collateral under a test Intel PKI, and around it an HCL report, runtime data and TPM quote
 * written here the way the paravisor and the vTPM write them, signed with a fresh RSA-2048 AK.
 */

const sha256 = (b: Uint8Array): Uint8Array => new Uint8Array(createHash("sha256").update(b).digest());
const le32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const be = (n: number | bigint, size: number): Uint8Array => {
  const out = new Uint8Array(size);
  let v = BigInt(n);
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
};
const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

interface Built {
  file: Uint8Array;
  scenario: Scenario;
  nonce: Uint8Array;
}

async function buildAzureTdx(options: { tamperTdReport?: boolean } = {}): Promise<Built> {
  const ak = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = ak.publicKey.export({ format: "jwk" });
  const runtime = new Uint8Array(
    Buffer.from(
      JSON.stringify({
        keys: [{ kid: "HCLAkPub", key_ops: ["sign"], kty: "RSA", e: jwk.e, n: jwk.n }],
        "vm-configuration": { "secure-boot": true, "tpm-enabled": true, vmUniqueId: "00000000-0000-4000-8000-000000000001" },
        "user-data": "00".repeat(64),
      }),
    ),
  );
  const reportData = cat(sha256(runtime), new Uint8Array(32));
  const scenario = await buildScenario({ tee: "tdx", quote: { tdBody: { reportData } } });
  const body = scenario.quote.subarray(48, 48 + 584);

  // TDREPORT: REPORTMACSTRUCT (type 0x81, REPORT_DATA at 128) ‖ TEE_TCB_INFO (valid, then the body's first 120 bytes) ‖ TDINFO.
  const td = new Uint8Array(1024);
  td[0] = 0x81;
  td.set(reportData, 128);
  td.set(body.subarray(0, 120), 256 + 8);
  td.set(body.subarray(120, 520), 512);
  // REPORTMACSTRUCT's TEE_TCB_INFO_HASH and TEE_INFO_HASH: SHA-384 of TEE_TCB_INFO (239 bytes) and of TDINFO.
  td.set(
    createHash("sha384")
      .update(td.subarray(256, 256 + 239))
      .digest(),
    32,
  );
  td.set(createHash("sha384").update(td.subarray(512, 1024)).digest(), 80);
  if (options.tamperTdReport) td[512 + 20]! ^= 1;
  const igvm = cat(le32(20 + runtime.length), le32(1), le32(4), le32(1), le32(runtime.length), runtime);
  const header = cat(new Uint8Array(Buffer.from("HCLA")), le32(2), le32(32 + 1184 + igvm.length), le32(2), le32(0), new Uint8Array(12));
  // Zero-padded to the NV index's 2600 bytes, as the paravisor writes it.
  const unpadded = cat(header, td, new Uint8Array(1184 - 1024), igvm);
  const hcl = cat(unpadded, new Uint8Array(2600 - unpadded.length));

  const pcrs = Array.from({ length: 24 }, (_, i) => sha256(new Uint8Array([i])));
  const nonce = sha256(new TextEncoder().encode("binding"));
  const attest = cat(
    be(0xff544347, 4),
    be(0x8018, 2),
    be(34, 2),
    new Uint8Array(34).fill(0x0b),
    be(nonce.length, 2),
    nonce,
    be(123456789n, 8),
    be(3, 4),
    be(0, 4),
    new Uint8Array([1]),
    be(0x2020031200120003n, 8),
    be(1, 4),
    be(0x000b, 2),
    new Uint8Array([3, 0xff, 0xff, 0xff]),
    be(32, 2),
    sha256(cat(...pcrs)),
  );
  const signature = new Uint8Array(sign("sha256", attest, ak.privateKey));
  const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
  const file = {
    version: 1,
    hcl_report: Buffer.from(hcl).toString("base64url"),
    tpm_quote: { signature: hex(signature), message: hex(attest), pcrs: pcrs.map(hex) },
    td_quote: Buffer.from(scenario.quote).toString("base64url"),
  };
  return { file: new Uint8Array(Buffer.from(JSON.stringify(file))), scenario, nonce };
}

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (!isKeepledgerError(e)) throw e;
    return e.code;
  }
  return "accepted";
}

describe("Azure CVM on TDX with Intel collateral (DCAP test signer)", () => {
  it("takes its TCB status from the TCB Info, and its claims from the TD quote and the TPM quote", async () => {
    const { file, scenario, nonce } = await buildAzureTdx();
    const evidence = parseAzureEvidence(file);
    expect(azureCvmCollateralRequests(evidence)).toEqual([{ vendor: "intel", tee: "tdx", fmspc: "00906ed50000", pckCa: "platform" }]);
    const v = verifyAzureEvidence(evidence, {
      collateral: scenario.collateral,
      at: scenario.at,
      trustedRoots: scenario.roots,
      expectedNonce: nonce,
    });
    expect(v.tcb.status).toBe("UpToDate");
    expect(v.claims.hardware).toBe("tdx");
    expect(v.claims.hardwareMeasurement).toBe(toHex(new Uint8Array(48).fill(0x33)));
    expect(v.claims.tdx?.mrtd).toBe(v.claims.hardwareMeasurement);
    expect(v.claims.nonce).toBe(toHex(nonce));
    expect(Object.keys(v.claims.pcrs)).toHaveLength(24);
    expect(v.claims.vmId).toBe("00000000-0000-4000-8000-000000000001");
    expect(v.platform).toMatchObject({ hardware: "tdx", fmspc: "00906ed50000" });
    expect(v.collateralUsed?.length).toBeGreaterThan(0);
  });

  it("without the TCB Info, or without the CRLs, the same evidence is 'TCB status unknown without collateral'", async () => {
    const { file, scenario } = await buildAzureTdx();
    const evidence = parseAzureEvidence(file);
    const base = { at: scenario.at, trustedRoots: scenario.roots };
    const noTcbInfo = { ...scenario.collateral, intelDocuments: scenario.collateral.intelDocuments.filter((d) => d.type !== "tcbInfo") };
    expect(codeOf(() => verifyAzureEvidence(evidence, { ...base, collateral: noTcbInfo }))).toBe("AZCVM_TDX_TCB_UNKNOWN");
    const noCrls = { ...scenario.collateral, crls: [] };
    expect(codeOf(() => verifyAzureEvidence(evidence, { ...base, collateral: noCrls }))).toBe("AZCVM_TDX_TCB_UNKNOWN");
    expect(codeOf(() => verifyAzureEvidence(evidence, { ...base, collateral: { certificates: [], crls: [], intelDocuments: [] } }))).toBe(
      "AZCVM_TDX_TCB_UNKNOWN",
    );
  });

  it("a TDREPORT that is not the TD quote's is refused before any collateral is looked at", async () => {
    const { file, scenario } = await buildAzureTdx({ tamperTdReport: true });
    const evidence = parseAzureEvidence(file);
    expect(
      codeOf(() => verifyAzureEvidence(evidence, { collateral: scenario.collateral, at: scenario.at, trustedRoots: scenario.roots })),
    ).toBe("AZCVM_TD_QUOTE_MISMATCH");
  });

  it("collateral past its nextUpdate is refused as stale, not accepted and not 'unknown'", async () => {
    const { file, scenario } = await buildAzureTdx();
    const evidence = parseAzureEvidence(file);
    const later = new Date("2025-06-30T00:00:00Z");
    const code = codeOf(() => verifyAzureEvidence(evidence, { collateral: scenario.collateral, at: later, trustedRoots: scenario.roots }));
    expect(code).not.toBe("accepted");
    expect(code).not.toBe("AZCVM_TDX_TCB_UNKNOWN");
  });
});
