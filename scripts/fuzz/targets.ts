/**
 * What `npm run fuzz` mutates, per kind: one valid input (a real vector, or
 * debug evidence made with createDebugEvidence), the collateral and "as of"
 * time it verifies with, the integer fields worth lying in, and what counts as
 * the same input (only such inputs may verify).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { directoryCollateral } from "../../src/collateral/staticCollateral.ts";
import type { CollateralProvider } from "../../src/collateral/types.ts";
import { parseDcapQuote } from "../../src/tee/dcap/parseDcapQuote.ts";
import type { DcapQuote } from "../../src/tee/dcap/types.ts";
import { createDebugEvidence } from "../../src/tee/debug/createDebugEvidence.ts";
import { DEBUG_LAYOUT } from "../../src/tee/debug/debugEvidenceFormat.ts";
import { SNP_OFFSETS } from "../../src/tee/sev-snp/layout.ts";
import { bytesEqual } from "@keepledger/sdk/internal/util/bytes";
import type { TeeAdapter } from "../../src/tee/adapter.ts";
import { defaultAdapters } from "../../src/tee/table.ts";
import type { VerifyEvidenceOptions } from "../../src/verify/verifyEvidence.ts";
import { createVerifierContext, type VerifierContext } from "../../src/tee/verifierContext.ts";
import { dcapPemMutation } from "./dcapPemMutation.ts";
import { azureJsonMutation } from "./azureJsonMutation.ts";
import { cborLengthFields } from "./lengthFields.ts";
import type { LengthField, MutationTarget } from "./mutate.ts";

export const FUZZ_KINDS = ["sgx", "tdx", "sev-snp", "nitro", "debug", "nvidia-gpu", "azure-cvm", "arm-cca", "cpu-gpu"] as const;
export type FuzzKind = (typeof FUZZ_KINDS)[number];

export interface FuzzTarget extends MutationTarget {
  kind: FuzzKind;
  /** Where the valid input comes from, for the report. */
  source: string;
  at: Date;
  collateral: CollateralProvider[];
  /** The adapters to verify with, when not the production ones. */
  adapters?: readonly TeeAdapter[];
  /**
   * One verifier context for every input of the run, as a validator keeps one: a cache keyed wrongly
   * (a mutant answered from the valid input's entry) would show as a mutant that verifies.
   */
  context: VerifierContext;
  /** Whether decoded evidence bytes are the valid input in another accepted form (so may verify). */
  equivalent(decoded: Uint8Array): boolean;
}

/** The options every verification of this target's inputs uses. */
export function verifyOptionsOf(target: FuzzTarget): VerifyEvidenceOptions {
  return {
    at: target.at,
    collateral: target.collateral,
    context: target.context,
    ...(target.adapters ? { adapters: target.adapters } : {}),
  };
}

const FIXTURES = fileURLToPath(new URL("../../test/fixtures/", import.meta.url));

/** The debug Keep: a fixed key and time so every run mutates the same evidence. */
const DEBUG_TIME = new Date("2026-01-01T00:00:00Z");

function verifyAt(kind: string, set: string): Date {
  const expected = JSON.parse(readFileSync(`${FIXTURES}${kind}/${set}/expected.json`, "utf8")) as { verify_at: string };
  return new Date(expected.verify_at);
}

function field(name: string, offset: number, size: 1 | 2 | 4, endian: "le" | "be" = "le"): LengthField {
  return { name, offset, size, endian };
}

const u16 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);

/** The header, signature-data and certification-data length and type fields of a v3 (SGX) or v4 (TDX) quote. */
function dcapFields(q: Uint8Array): LengthField[] {
  const fields = [field("version", 0, 2), field("attestationKeyType", 2, 2), field("teeType", 4, 4)];
  const version = u16(q, 0);
  const bodyEnd = 48 + (version === 3 ? 384 : 584);
  fields.push(field("signature.length", bodyEnd, 4));
  let at = bodyEnd + 4 + 128; // quote signature, attestation key
  if (version !== 3) {
    fields.push(field("certificationData.type", at, 2), field("certificationData.size", at + 2, 4));
    at += 6;
  }
  at += 384 + 64; // QE report, its signature
  fields.push(field("qeAuthData.length", at, 2));
  at += 2 + u16(q, at);
  fields.push(field("pckChain.type", at, 2), field("pckChain.size", at + 2, 4));
  return fields;
}

const SNP_FIELDS: LengthField[] = [
  field("VERSION", SNP_OFFSETS.VERSION, 4),
  field("VMPL", SNP_OFFSETS.VMPL, 4),
  field("SIGNATURE_ALGO", SNP_OFFSETS.SIGNATURE_ALGO, 4),
  field("KEY_INFO", SNP_OFFSETS.KEY_INFO, 4),
  field("CPUID_FAM_ID", SNP_OFFSETS.CPUID_FAM_ID, 1),
  field("CPUID_MOD_ID", SNP_OFFSETS.CPUID_MOD_ID, 1),
  field("CURRENT_VERSION", SNP_OFFSETS.CURRENT_VERSION, 4),
];

const DEBUG_FIELDS: LengthField[] = [
  field("version", DEBUG_LAYOUT.version.offset, 2),
  field("flags", DEBUG_LAYOUT.flags.offset, 2),
  field("timestamp.lo", DEBUG_LAYOUT.timestamp.offset, 4),
  field("timestamp.hi", DEBUG_LAYOUT.timestamp.offset + 4, 4),
  field("signature.S.hi", DEBUG_LAYOUT.signature.offset + 63, 1),
];

function fixture(kind: string, set: string, file: string): Uint8Array {
  return new Uint8Array(readFileSync(`${FIXTURES}${kind}/${set}/${file}`));
}

/**
 * The same quote in another accepted encoding: the same signed region, quote
 * signature, attestation key, QE report, QE report signature, QE auth data
 * and PCK certificates (DER). What may differ is what nothing signs and the
 * parser still accepts because real quotes differ there: a v4 quote with or
 * without its 70 bytes of zero padding, and the PEM chain with or without its
 * NUL terminator (docs/evidence/dcap.md, "One quote, one encoding").
 */
function dcapEquivalent(base: Uint8Array): (decoded: Uint8Array) => boolean {
  const identity = (q: DcapQuote): string => {
    const s = q.signature;
    const parts = [
      q.signedRegion,
      s.quoteSignature,
      s.attestationKey,
      s.qeReport.raw,
      s.qeReportSignature,
      s.qeAuthData,
      ...s.pckChain.certificates,
    ];
    return `${q.tee}/${s.outerCertificationDataType ?? "-"}/${parts.map((p) => Buffer.from(p).toString("hex")).join(":")}`;
  };
  const want = identity(parseDcapQuote(base));
  return (d) => {
    try {
      return identity(parseDcapQuote(d)) === want;
    } catch {
      return false;
    }
  };
}

/** Identical bytes, with or without the COSE_Sign1 tag (18, one byte 0xd2) in front. */
/** The same JSON value (whitespace aside): the Azure CVM parser reads members, not bytes, so only such inputs may verify. */
function jsonEquivalent(base: Uint8Array): (decoded: Uint8Array) => boolean {
  const canonical = (b: Uint8Array): string | undefined => {
    try {
      return JSON.stringify(JSON.parse(Buffer.from(b).toString("utf8")));
    } catch {
      return undefined;
    }
  };
  const want = canonical(base);
  return (d) => canonical(d) === want;
}

function nitroEquivalent(base: Uint8Array): (decoded: Uint8Array) => boolean {
  const untagged = (b: Uint8Array): Uint8Array => (b[0] === 0xd2 ? b.subarray(1) : b);
  return (d) => bytesEqual(untagged(d), untagged(base));
}

export async function loadFuzzTarget(kind: FuzzKind): Promise<FuzzTarget> {
  return { ...(await loadTarget(kind)), context: createVerifierContext() };
}

async function loadTarget(kind: FuzzKind): Promise<Omit<FuzzTarget, "context">> {
  const identical = (base: Uint8Array) => (d: Uint8Array) => bytesEqual(d, base);
  switch (kind) {
    case "sgx":
    case "tdx": {
      const set = kind === "sgx" ? "dcapqvl-sgx" : "dcapqvl-tdx";
      const base = fixture(kind, set, "quote.bin");
      const lengthFields = dcapFields(base);
      return {
        kind,
        source: `test/fixtures/${kind}/${set}/quote.bin`,
        base,
        at: verifyAt(kind, set),
        collateral: [await directoryCollateral(`${FIXTURES}${kind}/${set}`)],
        lengthFields,
        headerLength: 48,
        structured: [dcapPemMutation(base, lengthFields)],
        equivalent: dcapEquivalent(base),
      };
    }
    case "sev-snp": {
      const base = fixture(kind, "dstack-milan", "report.bin");
      return {
        kind,
        source: "test/fixtures/sev-snp/dstack-milan/report.bin",
        base,
        at: verifyAt(kind, "dstack-milan"),
        collateral: [await directoryCollateral(`${FIXTURES}sev-snp/dstack-milan`)],
        // No AMD Milan CRL is among the vectors: the ASK is checked without one, explicitly (the fuzzer is
        // about the report bytes; the CRL requirement has its own tests).
        adapters: defaultAdapters({ dangerouslyAllowMissingAmdCrl: true }),
        lengthFields: SNP_FIELDS,
        headerLength: 0x50,
        equivalent: identical(base),
      };
    }
    case "nitro": {
      const base = fixture(kind, "dstack-nitro-doc-a", "attestation_doc.cose");
      return {
        kind,
        source: "test/fixtures/nitro/dstack-nitro-doc-a/attestation_doc.cose",
        base,
        at: verifyAt(kind, "dstack-nitro-doc-a"),
        collateral: [await directoryCollateral(`${FIXTURES}nitro/dstack-nitro-doc-a`)],
        lengthFields: cborLengthFields(base),
        headerLength: 10,
        equivalent: nitroEquivalent(base),
      };
    }
    case "nvidia-gpu": {
      const set = "h100-nvtrust-sample-550.90.07-fullrim";
      // The binary report (what the evidence decoder makes of the folder's hex text).
      const base = new Uint8Array(
        Buffer.from(
          Buffer.from(fixture(kind, set, "hopperAttestationReport.txt"))
            .toString("latin1")
            .trim(),
          "hex",
        ),
      );
      return {
        kind,
        source: `test/fixtures/nvidia-gpu/${set}/hopperAttestationReport.txt (as binary)`,
        base,
        at: verifyAt(kind, set),
        collateral: [await directoryCollateral(`${FIXTURES}nvidia-gpu/${set}`)],
        // NVIDIA publishes no OCSP responses: revocation is unchecked, explicitly (the fuzzer is about the
        // report bytes; the OCSP requirement has its own tests).
        adapters: defaultAdapters({ dangerouslyAllowUncheckedGpuRevocation: true }),
        lengthFields: nvidiaGpuFields(base),
        headerLength: 45,
        equivalent: identical(base),
      };
    }
    case "azure-cvm": {
      // The Milan v1 file (8 KiB: SNP report, runtime data, TPM quote, PCRs): the smallest, so the most mutants per second.
      const set = "az-snp-vtpm-milan-2025-v1";
      const base = fixture(kind, set, "evidence-v1.json");
      return {
        kind,
        source: `test/fixtures/azure-cvm/${set}/evidence-v1.json`,
        base,
        at: verifyAt(kind, set),
        collateral: [await directoryCollateral(`${FIXTURES}azure-cvm/${set}`)],
        // No AMD Milan CRL is among the vectors: checked without one, explicitly, as for sev-snp above.
        adapters: defaultAdapters({ dangerouslyAllowMissingAmdCrl: true }),
        lengthFields: [],
        headerLength: 16,
        structured: [azureJsonMutation(base)],
        equivalent: jsonEquivalent(base),
      };
    }
    case "debug": {
      const base = createDebugEvidence({
        privateKey: `0x${"11".repeat(32)}`,
        measurement: `0x${"ab".repeat(32)}`,
        reportData: `0x${"cd".repeat(64)}`,
        timestamp: DEBUG_TIME,
      });
      return {
        kind,
        source: "createDebugEvidence (fixed key, 2026-01-01T00:00:00Z)",
        base,
        at: new Date(DEBUG_TIME.getTime() + 60_000),
        collateral: [],
        lengthFields: DEBUG_FIELDS,
        headerLength: 12,
        equivalent: identical(base),
      };
    }
    case "cpu-gpu": {
      // The test composite: the real TDX quote and a GPU from keepledger's NVIDIA test roots (verifies, insecure),
      // with its OCSP answers: nothing unsafe is switched on.
      const set = "keepledger-test-tdx-gh100";
      const base = fixture(kind, set, "composite.klcg");
      return {
        kind,
        source: `test/fixtures/cpu-gpu/${set}/composite.klcg`,
        base,
        at: verifyAt(kind, set),
        collateral: [await directoryCollateral(`${FIXTURES}cpu-gpu/${set}`)],
        lengthFields: compositeFields(base),
        // magic, version, GPU count, CPU length
        headerLength: 10,
        equivalent: identical(base),
      };
    }
    case "arm-cca": {
      // Arm's published test token with its test CPAK (it verifies, labelled insecure).
      const set = "tfm-tools-example-ffm00-tag399";
      const base = fixture(kind, set, "token.cbor");
      return {
        kind,
        source: `test/fixtures/arm-cca/${set}/token.cbor`,
        base,
        at: verifyAt(kind, set),
        collateral: [await directoryCollateral(`${FIXTURES}arm-cca/${set}`)],
        lengthFields: cborLengthFields(base),
        // tag 399 head (3) + map head (1) + first key (3) + bstr head (3)
        headerLength: 10,
        equivalent: identical(base),
      };
    }
  }
}

/** The KLCG container's GPU count and part lengths, and the fields of the TDX quote and the GPU report inside. */
function compositeFields(b: Uint8Array): LengthField[] {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const cpuLength = view.getUint32(6, false);
  const gpuAt = 10 + cpuLength;
  const shift = (fields: LengthField[], by: number, part: string) =>
    fields.map((f) => ({ ...f, name: `${part}.${f.name}`, offset: f.offset + by }));
  return [
    field("gpuCount", 5, 1),
    field("cpu.length", 6, 4, "be"),
    field("gpu0.length", gpuAt, 4, "be"),
    ...shift(dcapFields(b.subarray(10, gpuAt)), 10, "cpu"),
    ...shift(nvidiaGpuFields(b.subarray(gpuAt + 4)), gpuAt + 4, "gpu0"),
  ];
}

/**
 * The SPDM GET_MEASUREMENTS request (37 bytes) then the MEASUREMENTS response: NumberOfBlocks, the
 * 24-bit record length (its low 16 bits), the first block's sizes, and the opaque-data length after the
 * record and the responder nonce (docs/evidence/nvidia-gpu.md, "The report").
 */
function nvidiaGpuFields(r: Uint8Array): LengthField[] {
  const record = 37 + 8;
  const recordLength = r[42]! | (r[43]! << 8) | (r[44]! << 16);
  return [
    field("request.param2", 3, 1),
    field("response.numberOfBlocks", 41, 1),
    field("response.measurementRecordLength", 42, 2),
    field("block1.measurementSize", record + 2, 2),
    field("block1.valueSize", record + 5, 2),
    field("opaqueLength", record + recordLength + 32, 2),
  ];
}
