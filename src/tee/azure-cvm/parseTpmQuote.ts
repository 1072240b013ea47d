import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { ByteCursor } from "../../evidence/ByteCursor.ts";
import { AZCVM_FORMAT_CODES } from "./codes.ts";

export const TPM_GENERATED_VALUE = 0xff544347;
export const TPM_ST_ATTEST_QUOTE = 0x8018;
export const TPM_ALG_SHA256 = 0x000b;
export const TPM_ALG_RSASSA = 0x0014;
/** PCRs of a TPM 2.0 PC-client bank. */
import { PCR_COUNT } from "@keepledger/sdk/internal/tee/azure-cvm/measurement";
export { PCR_COUNT };
export const SHA256_SIZE = 32;
/** TPM2B_DATA holds at most sizeof(TPMT_HA) = 2 + 64 bytes; the TPM refuses a longer qualifyingData. */
const MAX_EXTRA_DATA = 64;

/** TPMS_ATTEST of a TPM2_Quote (TPM 2.0 Part 2 §10.12.12), big-endian; `raw` is what the AK signed. */
export interface TpmAttest {
  raw: Uint8Array;
  qualifiedSigner: Uint8Array;
  /** The caller's qualifyingData: the nonce, keepledger's binding. */
  extraData: Uint8Array;
  clock: bigint;
  resetCount: number;
  restartCount: number;
  safe: boolean;
  firmwareVersion: bigint;
  /** The selected PCR indices of the SHA-256 bank, ascending. */
  pcrSelection: number[];
  /** The raw pcrSelect bitmap (sizeofSelect bytes). */
  pcrSelect: Uint8Array;
  /** SHA-256 over the selected PCR values, in ascending index order. */
  pcrDigest: Uint8Array;
}

export interface TpmQuote {
  attest: TpmAttest;
  /** The RSASSA-PKCS1-v1_5 signature bytes (from a bare signature or a TPMT_SIGNATURE). */
  signature: Uint8Array;
  /** How the signature was carried. */
  signatureForm: "raw" | "TPMT_SIGNATURE";
}

function invalid(
  code: keyof typeof AZCVM_FORMAT_CODES,
  message: string,
  field: string,
  offset: number,
  details: Record<string, unknown> = {},
): never {
  throw new EvidenceFormatError(AZCVM_FORMAT_CODES[code], message, { at: { field, offset }, details });
}

/** TPMS_ATTEST of type TPM_ST_ATTEST_QUOTE with exactly one SHA-256 PCR bank; every size checked, nothing may follow. */
export function parseTpmAttest(bytes: Uint8Array): TpmAttest {
  const c = new ByteCursor(bytes);
  const magic = c.u32be("tpms_attest.magic");
  if (magic !== TPM_GENERATED_VALUE)
    invalid("AZCVM_TPM_ATTEST_INVALID", "TPMS_ATTEST magic is not TPM_GENERATED_VALUE", "tpms_attest.magic", 0, { got: magic });
  const type = c.u16be("tpms_attest.type");
  if (type !== TPM_ST_ATTEST_QUOTE) invalid("AZCVM_TPM_ATTEST_INVALID", "TPMS_ATTEST is not a quote", "tpms_attest.type", 4, { got: type });
  const signerSize = c.u16be("tpms_attest.qualifiedSigner.size");
  const qualifiedSigner = c.bytesOf(signerSize, "tpms_attest.qualifiedSigner");
  const extraAt = c.offset;
  const extraSize = c.u16be("tpms_attest.extraData.size");
  if (extraSize > MAX_EXTRA_DATA)
    invalid("AZCVM_TPM_ATTEST_INVALID", `extraData of ${extraSize} bytes exceeds ${MAX_EXTRA_DATA}`, "tpms_attest.extraData", extraAt, {
      size: extraSize,
    });
  const extraData = c.bytesOf(extraSize, "tpms_attest.extraData");
  const clock = c.u64be("tpms_attest.clockInfo.clock");
  const resetCount = c.u32be("tpms_attest.clockInfo.resetCount");
  const restartCount = c.u32be("tpms_attest.clockInfo.restartCount");
  const safeAt = c.offset;
  const safeByte = c.u8("tpms_attest.clockInfo.safe");
  if (safeByte > 1)
    invalid("AZCVM_TPM_ATTEST_INVALID", "clockInfo.safe is not a TPMI_YES_NO", "tpms_attest.clockInfo.safe", safeAt, { got: safeByte });
  const firmwareVersion = c.u64be("tpms_attest.firmwareVersion");
  const countAt = c.offset;
  const count = c.u32be("tpms_attest.quote.pcrSelect.count");
  if (count !== 1)
    invalid(
      "AZCVM_TPM_PCR_SELECTION_INVALID",
      `the quote selects ${count} PCR banks, not 1`,
      "tpms_attest.quote.pcrSelect.count",
      countAt,
      { count },
    );
  const hashAt = c.offset;
  const hash = c.u16be("tpms_attest.quote.pcrSelect[0].hash");
  if (hash !== TPM_ALG_SHA256)
    invalid("AZCVM_TPM_PCR_SELECTION_INVALID", "the quoted PCR bank is not SHA-256", "tpms_attest.quote.pcrSelect[0].hash", hashAt, {
      got: hash,
    });
  const sizeAt = c.offset;
  const sizeofSelect = c.u8("tpms_attest.quote.pcrSelect[0].sizeofSelect");
  if (sizeofSelect < 1 || sizeofSelect > PCR_COUNT / 8) {
    invalid(
      "AZCVM_TPM_PCR_SELECTION_INVALID",
      `sizeofSelect ${sizeofSelect} is not 1..3`,
      "tpms_attest.quote.pcrSelect[0].sizeofSelect",
      sizeAt,
      { got: sizeofSelect },
    );
  }
  const pcrSelect = c.bytesOf(sizeofSelect, "tpms_attest.quote.pcrSelect[0].pcrSelect");
  const pcrSelection: number[] = [];
  for (let i = 0; i < sizeofSelect * 8; i++) if ((pcrSelect[i >> 3]! >> (i & 7)) & 1) pcrSelection.push(i);
  if (pcrSelection.length === 0)
    invalid("AZCVM_TPM_PCR_SELECTION_INVALID", "the quote selects no PCR", "tpms_attest.quote.pcrSelect[0].pcrSelect", sizeAt + 1);
  const digestAt = c.offset;
  const digestSize = c.u16be("tpms_attest.quote.pcrDigest.size");
  if (digestSize !== SHA256_SIZE)
    invalid("AZCVM_TPM_ATTEST_INVALID", `pcrDigest is ${digestSize} bytes, not 32`, "tpms_attest.quote.pcrDigest", digestAt, {
      size: digestSize,
    });
  const pcrDigest = c.bytesOf(SHA256_SIZE, "tpms_attest.quote.pcrDigest");
  c.end("tpms_attest");
  return {
    raw: bytes,
    qualifiedSigner,
    extraData,
    clock,
    resetCount,
    restartCount,
    safe: safeByte === 1,
    firmwareVersion,
    pcrSelection,
    pcrSelect,
    pcrDigest,
  };
}

/**
 * The quote's signature: a bare RSA signature of 256, 384 or 512 bytes (as trustee's attester stores it), or
 * a TPMT_SIGNATURE {sigAlg RSASSA, hash SHA-256, TPM2B sig} whose size accounts for every byte.
 */
export function parseTpmSignature(bytes: Uint8Array): { signature: Uint8Array; form: "raw" | "TPMT_SIGNATURE" } {
  if (bytes.length === 256 || bytes.length === 384 || bytes.length === 512) return { signature: bytes, form: "raw" };
  const c = new ByteCursor(bytes);
  const alg = c.u16be("tpmt_signature.sigAlg");
  const hash = c.u16be("tpmt_signature.hash");
  if (alg !== TPM_ALG_RSASSA || hash !== TPM_ALG_SHA256) {
    invalid("AZCVM_TPM_SIGNATURE_INVALID_FORMAT", "the TPM signature is not RSASSA with SHA-256", "tpmt_signature.sigAlg", 0, {
      sigAlg: alg,
      hash,
    });
  }
  const size = c.u16be("tpmt_signature.signature.size");
  if (size !== 256 && size !== 384 && size !== 512) {
    invalid("AZCVM_TPM_SIGNATURE_INVALID_FORMAT", `an RSA signature of ${size} bytes`, "tpmt_signature.signature.size", 4, { size });
  }
  const signature = c.bytesOf(size, "tpmt_signature.signature");
  c.end("tpmt_signature");
  return { signature, form: "TPMT_SIGNATURE" };
}

/** The 24 SHA-256 PCR values, index 0..23. */
export function parsePcrValues(values: readonly Uint8Array[]): Uint8Array[] {
  if (values.length !== PCR_COUNT) {
    throw new EvidenceFormatError(AZCVM_FORMAT_CODES.AZCVM_PCR_VALUES_INVALID, `${values.length} PCR values, not ${PCR_COUNT}`, {
      at: { field: "pcrs" },
      details: { count: values.length },
    });
  }
  values.forEach((v, i) => {
    if (v.length !== SHA256_SIZE) {
      throw new EvidenceFormatError(AZCVM_FORMAT_CODES.AZCVM_PCR_VALUES_INVALID, `PCR ${i} is ${v.length} bytes, not 32`, {
        at: { field: `pcrs[${i}]` },
        details: { length: v.length },
      });
    }
  });
  return [...values];
}
