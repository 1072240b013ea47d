/**
 * Tampering with the real H100 evidence and NVIDIA's shipped RIMs, byte by byte, through what a validator
 * runs: the adapter with one long-lived verifier context, warmed by the untouched evidence first, so that
 * every refusal below is also proof that nothing remembered (parsed certificates, signature checks,
 * verified RIMs) carries a verdict over to bytes that differ. The only acceptable outcome of a flip is a
 * typed refusal with a code of the stage that owns the byte.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { expectedOf, fixtureBytes, fixturePath } from "../../../test/support/fixtures.ts";
import { directoryCollateral } from "../../collateral/staticCollateral.ts";
import type { CollateralSet } from "../../collateral/types.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { NVIDIA_RIM_ROOT_CA } from "../../pki/roots.ts";
import { createVerifierContext, type VerifierContext } from "../verifierContext.ts";
import { createNvidiaGpuAdapter } from "./adapter.ts";
import { NVGPU_FORMAT_CODES } from "./codes.ts";
import { NVIDIA_TEST_ROOTS } from "./knownTestRoots.ts";
import { parseNvidiaGpuEvidence } from "./parseNvidiaGpuEvidence.ts";
import { parseRim } from "./rim/parseRim.ts";
import { verifyRimCached } from "./rim/rimCache.ts";

const SET = "h100-nvtrust-sample-550.90.07-fullrim";
const RIMS = ["NV_GPU_DRIVER_GH100_550.90.07.swidtag", "NV_GPU_VBIOS_1010_0200_882_96009F0001.swidtag"] as const;
// No OCSP response is public for the vector: revocation is waived, explicitly (revocation has its own tests).
const adapter = createNvidiaGpuAdapter({ dangerouslyAllowUncheckedRevocation: true });
const FORMAT = new Set<string>(Object.keys(NVGPU_FORMAT_CODES));

let collateral: CollateralSet;
let context: VerifierContext;
const at = new Date(expectedOf("nvidia-gpu", SET).verify_at);
const hexText = (report: Uint8Array): Uint8Array => new Uint8Array(Buffer.from(Buffer.from(report).toString("hex")));

/** The adapter's verdict on evidence bytes: "ok" or a typed error's code (an untyped throw fails the test). */
function outcome(evidence: Uint8Array, when: Date = at): string {
  try {
    adapter.verify(adapter.parse(evidence, context), { evidence, collateral, at: when, caches: context });
    return "ok";
  } catch (e) {
    if (!isKeepledgerError(e)) throw new Error(`untyped failure: ${String(e)}`, { cause: e });
    return e.code;
  }
}

beforeAll(async () => {
  collateral = (await directoryCollateral(fixturePath("nvidia-gpu", SET))).collateral;
  context = createVerifierContext();
  expect(outcome(fixtureBytes("nvidia-gpu", SET, "hopperAttestationReport.txt"))).toBe("ok");
});

describe("the SPDM GET_MEASUREMENTS report, every byte", () => {
  const report = parseNvidiaGpuEvidence(fixtureBytes("nvidia-gpu", SET, "hopperAttestationReport.txt")).report.bytes;
  const signedLength = report.length - 96;

  it(`every byte of the signed region (request + response up to the signature, ${signedLength} bytes), flipped, is refused by the parser or the signature`, () => {
    const codes = new Map<string, number>();
    for (let i = 0; i < signedLength; i++) {
      const bytes = report.slice();
      bytes[i]! ^= 0x01;
      const code = outcome(hexText(bytes));
      expect(code === "NVGPU_REPORT_SIGNATURE_INVALID" || FORMAT.has(code), `byte ${i}: ${code}`).toBe(true);
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    // Most flips leave a well-formed report (digests, nonces, opaque values): the signature is what refuses them.
    expect(codes.get("NVGPU_REPORT_SIGNATURE_INVALID")).toBeGreaterThan(signedLength / 2);
    expect(codes.has("NVGPU_SPDM_VERSION_UNSUPPORTED")).toBe(true);
  }, 120_000);

  it("every byte of the 96-byte signature (r ‖ s), flipped, is refused with NVGPU_REPORT_SIGNATURE_INVALID", () => {
    for (let i = signedLength; i < report.length; i++) {
      for (const mask of [0x01, 0x80]) {
        const bytes = report.slice();
        bytes[i]! ^= mask;
        expect(outcome(hexText(bytes)), `byte ${i} ^ 0x${mask.toString(16)}`).toBe("NVGPU_REPORT_SIGNATURE_INVALID");
      }
    }
  });

  it("the untouched evidence still verifies with the same context afterwards", () => {
    expect(outcome(fixtureBytes("nvidia-gpu", SET, "hopperAttestationReport.txt"))).toBe("ok");
  });
});

/**
 * RIM flips cost a full XML parse and C14N 1.1 of a 20 KB document each (about 1 ms; 3 ms on a loaded
 * 2-core machine), so by default the test covers every byte of what identifies and signs a RIM — SignedInfo
 * (with DigestValue), SignatureValue, the SoftwareIdentity start tag (tagId, name), Meta (colloquialVersion)
 * and one whole active Resource (index, active, a golden hash) — and every 13th byte of the rest of the signed
 * content. KEEPLEDGER_TAMPER_FULL=1 flips every byte of the signed content (16,531 and 15,939 bytes outside
 * <ds:Signature>; 133 and 46 s on that loaded machine) and of KeyInfo: all refused when last run (2026-12-03).
 */
const FULL = process.env.KEEPLEDGER_TAMPER_FULL === "1";

describe.each(RIMS)("the RIM %s, byte by byte", (file) => {
  const original = fixtureBytes("nvidia-gpu", SET, file);
  const text = Buffer.from(original).toString("latin1");
  const region = (open: string, close: string, from = 0): [number, number] => {
    const start = text.indexOf(open, from);
    return [start, text.indexOf(close, start) + close.length];
  };
  const signature = region("<ds:Signature ", "</ds:Signature>");
  const signedInfo = region("<ds:SignedInfo", "</ds:SignedInfo>");
  const signatureValue = region("<ds:SignatureValue>", "</ds:SignatureValue>");
  const dense = [
    region("<SoftwareIdentity", ">"),
    region("<ns0:Meta", "/>"),
    region('<ns0:Resource type="Measurement" index="', "/>", text.indexOf('active="True"') - 80),
  ];
  const inSigned = (i: number): boolean => i < signature[0] || i >= signature[1];
  const everyByte = (i: number): boolean => FULL || i % 13 === 0 || dense.some(([a, b]) => i >= a && i < b);

  /** Parse and verify through the context's RIM cache, which holds the untouched RIM (verified in beforeAll). */
  function rimOutcome(bytes: Uint8Array): string {
    try {
      verifyRimCached(parseRim(bytes, context.pki), {
        at,
        // The roots the adapter verifies RIMs against (the pinned root and keepledger's labelled test roots):
        // the cache is keyed by them.
        roots: [NVIDIA_RIM_ROOT_CA, ...NVIDIA_TEST_ROOTS.rim],
        ocspResponses: [],
        dangerouslyAllowUncheckedRevocation: true,
        caches: context.pki,
        cache: context.nvidiaRims,
      });
      return "ok";
    } catch (e) {
      if (!isKeepledgerError(e)) throw new Error(`untyped failure: ${String(e)}`, { cause: e });
      return e.code;
    }
  }
  const flip = (i: number): string => {
    const bytes = original.slice();
    bytes[i]! ^= 0x01;
    return rimOutcome(bytes);
  };

  it("the untouched RIM verifies, from the verified-RIM cache the evidence filled", () => {
    expect(context.nvidiaRims.verified.size).toBe(2);
    expect(rimOutcome(original)).toBe("ok");
    expect(context.nvidiaRims.verified.size).toBe(2);
  });

  it("every byte of SignedInfo and SignatureValue, flipped, is refused: not the profile, not the digest, or not the signature", () => {
    const codes = new Set<string>();
    for (const [start, end] of [signedInfo, signatureValue]) {
      for (let i = start; i < end; i++) {
        const code = flip(i);
        expect(["NVGPU_RIM_SIGNATURE_INVALID", "NVGPU_RIM_XML_INVALID", "NVGPU_RIM_SCHEMA_INVALID"], `byte ${i}`).toContain(code);
        codes.add(code);
      }
    }
    expect(codes.has("NVGPU_RIM_SIGNATURE_INVALID")).toBe(true);
  }, 120_000);

  it(`${FULL ? "every byte" : "every byte of the identity fields and an active Resource, every 13th elsewhere,"} of the signed content, flipped, fails to parse or breaks the digest`, () => {
    const codes = new Set<string>();
    let flips = 0;
    for (let i = 0; i < original.length; i++) {
      if (!inSigned(i) || !everyByte(i)) continue;
      const code = flip(i);
      expect(["NVGPU_RIM_SIGNATURE_INVALID", "NVGPU_RIM_XML_INVALID", "NVGPU_RIM_SCHEMA_INVALID"], `byte ${i}`).toContain(code);
      codes.add(code);
      flips++;
    }
    expect(flips).toBeGreaterThan(FULL ? 15_000 : 1_500);
    expect(codes.has("NVGPU_RIM_SIGNATURE_INVALID")).toBe(true);
  }, 600_000);

  it(`${FULL ? "every byte" : "every 7th byte"} of the KeyInfo chain (unsigned by the XML-DSig, signed by its CAs), flipped, is refused`, () => {
    for (let i = signatureValue[1]; i < signature[1]; i += FULL ? 1 : 7) {
      expect(flip(i), `byte ${i}`).not.toBe("ok");
    }
  }, 600_000);
});

describe("expiry of the real evidence, through the same warm context", () => {
  const evidence = fixtureBytes("nvidia-gpu", SET, "hopperAttestationReport.txt");
  it.each([
    // The driver RIM's L4 signer lapses first of everything the verdict rests on (the device chain runs to 9999).
    { name: "a second after the driver RIM signer expired", when: "2026-06-01T02:08:30Z", want: "CERT_EXPIRED" },
    { name: "a second before the VBIOS RIM signer was issued", when: "2026-01-07T18:39:20Z", want: "CERT_NOT_YET_VALID" },
    { name: "before the device chain's Provisioner ICA was issued", when: "2022-02-28T23:59:59Z", want: "CERT_NOT_YET_VALID" },
  ])("refuses as of $name ($want), though both RIMs are cached", ({ when, want }) => {
    expect(context.nvidiaRims.verified.size).toBeGreaterThanOrEqual(2);
    expect(outcome(evidence, new Date(when))).toBe(want);
  });

  it("verifies at both edges of the window and says when it expires", () => {
    const verdict = (when: Date) => adapter.verify(adapter.parse(evidence, context), { evidence, collateral, at: when, caches: context });
    expect(verdict(new Date("2026-01-07T18:39:21Z")).expiresAt.toISOString()).toBe("2026-06-01T02:08:29.000Z");
    expect(verdict(new Date("2026-06-01T02:08:29Z")).ok).toBe(true);
    expect(verdict(at).ok).toBe(true);
  });
});
