import { describe, expect, it } from "vitest";
import { fixtureBytes, fixtureText } from "../../../test/support/fixtures.ts";
import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { detectNvidiaGpuEvidence, parseNvidiaGpuEvidence } from "./parseNvidiaGpuEvidence.ts";
import { parseSpdmReport } from "./parseSpdmReport.ts";

const SET = "h100-nvtrust-sample-550.90.07-fullrim";
const NEG = "h100-invalid-signature-negative";
const reportBytes = (): Uint8Array =>
  new Uint8Array(Buffer.from(fixtureText("nvidia-gpu", SET, "hopperAttestationReport.txt").trim(), "hex"));
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

function errorOf(fn: () => unknown): EvidenceFormatError | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof EvidenceFormatError) return e;
    throw e;
  }
  return undefined;
}

describe("the real H100 attestation report", () => {
  const expected = JSON.parse(fixtureText("nvidia-gpu", SET, "expected.json")).key_claims;

  it("parses the request, 64 blocks, the opaque fields and the signature", () => {
    const ev = parseNvidiaGpuEvidence(fixtureBytes("nvidia-gpu", SET, "hopperAttestationReport.txt"));
    const { report, info } = ev;
    expect(ev.certChain).toBeNull();
    expect(report.bytes).toHaveLength(4117);
    expect(hex(report.request.nonce)).toBe(expected.nonce);
    expect(hex(report.response.nonce)).toBe(expected.responder_nonce);
    expect(report.response.blocks).toHaveLength(64);
    expect(report.response.blocks.map((b) => b.index)).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
    expect(report.response.signature).toHaveLength(96);
    expect(report.signedBytes).toHaveLength(4117 - 96);
    expect(info).toMatchObject({
      driverVersion: expected.driver_version,
      vbiosVersion: expected.vbios_version.toLowerCase(),
      project: expected.project,
      projectSku: expected.project_sku,
      chipSku: expected.chip_sku,
      boardId: expected.board_id,
      nvdec0Status: 0x55,
      protectedPcieStatus: 0x55,
      opaqueDataVersion: null,
    });
    expect(hex(info.fwid)).toBe(expected.fwid);
  });

  it("matches the independent checker's measurement blocks", () => {
    const blocks = JSON.parse(fixtureText("nvidia-gpu", SET, "verify_output.json")).report.measurements as Record<string, string>;
    const report = parseSpdmReport(reportBytes());
    for (const [index, digest] of Object.entries(blocks)) expect(hex(report.response.blocks[Number(index) - 1]!.digest)).toBe(digest);
  });

  it("parses the negative vector's claims (it is well formed; its signature is what fails)", () => {
    const { info } = parseNvidiaGpuEvidence(fixtureBytes("nvidia-gpu", NEG, "hopperAttestationReportInvalidSignature.txt"));
    expect(info.driverVersion).toBe("560.00");
    expect(info.vbiosVersion).toBe("96.00.a5.00.01");
    expect(info.project).toBe("G520");
  });

  it("fails every truncation with a typed NVGPU format error, never a crash", () => {
    const bytes = reportBytes();
    for (let n = 0; n < bytes.length; n++) {
      const e = errorOf(() => parseSpdmReport(bytes.subarray(0, n)));
      expect(e, `cut at ${n}`).toBeInstanceOf(EvidenceFormatError);
      expect(e!.code, `cut at ${n}`).toMatch(/^NVGPU_/);
    }
  });

  it.each([
    { name: "trailing bytes", mutate: (b: Uint8Array) => Uint8Array.of(...b, 0), want: "NVGPU_REPORT_TRAILING_BYTES" },
    { name: "SPDM 1.2 request", mutate: (b: Uint8Array) => set(b, 0, 0x12), want: "NVGPU_SPDM_VERSION_UNSUPPORTED" },
    { name: "SPDM 1.0 response", mutate: (b: Uint8Array) => set(b, 37, 0x10), want: "NVGPU_SPDM_VERSION_UNSUPPORTED" },
    { name: "unsigned request", mutate: (b: Uint8Array) => set(b, 2, 0x00), want: "NVGPU_SPDM_MESSAGE_UNEXPECTED" },
    { name: "one block requested", mutate: (b: Uint8Array) => set(b, 3, 0x01), want: "NVGPU_SPDM_MESSAGE_UNEXPECTED" },
    { name: "another response code", mutate: (b: Uint8Array) => set(b, 38, 0x61), want: "NVGPU_SPDM_MESSAGE_UNEXPECTED" },
    { name: "zero blocks", mutate: (b: Uint8Array) => set(b, 41, 0), want: "NVGPU_MEASUREMENT_BLOCK_INVALID" },
    { name: "fewer blocks than the record holds", mutate: (b: Uint8Array) => set(b, 41, 63), want: "NVGPU_MEASUREMENT_BLOCK_INVALID" },
    { name: "a block out of order", mutate: (b: Uint8Array) => set(b, 45, 2), want: "NVGPU_MEASUREMENT_BLOCK_INVALID" },
    { name: "a non-DMTF block", mutate: (b: Uint8Array) => set(b, 46, 0), want: "NVGPU_MEASUREMENT_BLOCK_INVALID" },
    { name: "a 47-byte digest", mutate: (b: Uint8Array) => set(b, 50, 47), want: "NVGPU_MEASUREMENT_BLOCK_INVALID" },
  ])("refuses $name", ({ mutate, want }) => {
    expect(errorOf(() => parseSpdmReport(mutate(reportBytes())))?.code).toBe(want);
  });

  it("refuses lying opaque fields", () => {
    const b = reportBytes();
    // The opaque data starts after the record (37 + 8 + 3520), the responder nonce and the 2-byte length.
    const opaque = 37 + 8 + 3520 + 32 + 2;
    expect(b[opaque]).toBe(6); // VBIOS_VERSION, 8 bytes
    expect(errorOf(() => parseSpdmReport(set(b, opaque + 2, 7)))?.code).toMatch(/^NVGPU_(OPAQUE_DATA_INVALID|REPORT_TRUNCATED)$/);
    const dup = reportBytes();
    dup[opaque] = 14; // a second BOARD_ID
    expect(errorOf(() => parseSpdmReport(dup))?.code).toBe("NVGPU_OPAQUE_DATA_INVALID");
  });
});

function set(b: Uint8Array, i: number, v: number): Uint8Array {
  const out = Uint8Array.from(b);
  out[i] = v;
  return out;
}

describe("the evidence file forms", () => {
  it("detects hex text, binary reports and NVIDIA's JSON evidence object, and nothing else", () => {
    const text = fixtureBytes("nvidia-gpu", SET, "hopperAttestationReport.txt");
    const json = Buffer.from(
      JSON.stringify({
        evidence: Buffer.from(reportBytes()).toString("base64"),
        certificate: Buffer.from(fixtureText("nvidia-gpu", SET, "hopperCertChain.txt")).toString("base64"),
        arch: "HOPPER",
      }),
    );
    expect(detectNvidiaGpuEvidence(text)).toBe(true);
    expect(detectNvidiaGpuEvidence(reportBytes())).toBe(true);
    expect(detectNvidiaGpuEvidence(json)).toBe(true);
    expect(detectNvidiaGpuEvidence(new Uint8Array())).toBe(false);
    expect(detectNvidiaGpuEvidence(Buffer.from("{not json"))).toBe(false);
    expect(detectNvidiaGpuEvidence(Buffer.from("11e0zz"))).toBe(false);
    expect(detectNvidiaGpuEvidence(fixtureBytes("nvidia-gpu", SET, "hopperCertChain.txt"))).toBe(false);
    const parsed = parseNvidiaGpuEvidence(json);
    expect(parsed.certChain).toHaveLength(5);
    expect(hex(parsed.report.request.nonce)).toBe("931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb");
  });

  it.each([
    { name: "empty", input: "" },
    { name: "odd hex", input: "11e" },
    { name: "not hex", input: "hello" },
    { name: "JSON without a report", input: '{"certificate":""}' },
    { name: "JSON with a non-base64 report", input: '{"evidence":"!!","certificate":""}' },
    { name: "JSON array", input: "[1]" },
    { name: "broken JSON", input: "{" },
  ])("refuses $name with a typed error", ({ input }) => {
    expect(errorOf(() => parseNvidiaGpuEvidence(Buffer.from(input)))?.code).toBe("NVGPU_EVIDENCE_ENCODING_INVALID");
  });
});
