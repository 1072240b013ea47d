import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";

/** Format errors of the NVIDIA GPU evidence parsers (SPDM 1.1 report, opaque data, RIM XML). */
export const NVGPU_FORMAT_CODES = defineErrorCodes("tee/nvidia-gpu/format", {
  NVGPU_REPORT_TRUNCATED: {
    stage: "format",
    description:
      "The NVIDIA GPU attestation report ends before a field it declares (request, measurement record, nonce, opaque data or signature).",
  },
  NVGPU_REPORT_TRAILING_BYTES: {
    stage: "format",
    description: "The NVIDIA GPU attestation report has bytes after the 96-byte signature.",
  },
  NVGPU_SPDM_VERSION_UNSUPPORTED: {
    stage: "format",
    description: "The SPDM request or response is not version 1.1 (0x11), the version NVIDIA Hopper and Blackwell GPUs report.",
  },
  NVGPU_SPDM_MESSAGE_UNEXPECTED: {
    stage: "format",
    description:
      "The report is not a GET_MEASUREMENTS request (0xE0, signature requested, all blocks) followed by its MEASUREMENTS response (0x60).",
  },
  NVGPU_MEASUREMENT_BLOCK_INVALID: {
    stage: "format",
    description:
      "A measurement block is not a DMTF block (specification 1) with a 48-byte SHA-384 digest, its index is out of order, or the record length disagrees with the blocks.",
  },
  NVGPU_OPAQUE_DATA_INVALID: {
    stage: "format",
    description:
      "The report's opaque data is not a list of well-formed type-length-value fields, repeats a field, or a field has the wrong size.",
  },
  NVGPU_OPAQUE_FIELD_MISSING: {
    stage: "format",
    description:
      "The report's opaque data lacks a field keepledger needs (driver version, VBIOS version, project, SKUs, FWID, NVDEC0 status).",
  },
  NVGPU_EVIDENCE_ENCODING_INVALID: {
    stage: "format",
    description:
      "The NVIDIA GPU evidence file is neither hex text of an SPDM report nor the keepledger JSON envelope of report and certificate chain.",
  },
  NVGPU_RIM_XML_INVALID: {
    stage: "format",
    description:
      "A reference integrity manifest is not well-formed XML of the narrow form keepledger accepts (no DTD, no processing instructions, bounded depth and size).",
  },
  NVGPU_RIM_SCHEMA_INVALID: {
    stage: "format",
    description:
      "A reference integrity manifest lacks a SWID element or attribute keepledger reads (Meta colloquialVersion, Payload Resources with index, active, alternatives and hashes).",
  },
});

/** Verification errors of the NVIDIA GPU verifier. */
export const NVGPU_VERIFY_CODES = defineErrorCodes("tee/nvidia-gpu/verify", {
  NVGPU_REPORT_SIGNATURE_INVALID: {
    stage: "verification",
    description:
      "The ECDSA P-384 signature over the SPDM GET_MEASUREMENTS request and response does not verify with the device certificate chain's leaf key.",
  },
  NVGPU_CERT_CHAIN_MISSING: {
    stage: "verification",
    description: "No device certificate chain (GPU leaf up to the NVIDIA Device Identity CA) came with the evidence or its collateral.",
  },
  NVGPU_FWID_MISMATCH: {
    stage: "verification",
    description:
      "The report's FWID is not the FWID in the leaf certificate's TCG DICE TcbInfo extension, or the leaf has no such extension.",
  },
  NVGPU_OCSP_MISSING: {
    stage: "verification",
    description:
      "No OCSP response covers a certificate of the device or RIM chain; keepledger refuses unchecked revocation unless the caller explicitly allows it.",
  },
  NVGPU_RIM_MISSING: {
    stage: "verification",
    description:
      "No driver or VBIOS reference integrity manifest in the collateral is for the GPU's chip and has the driver or VBIOS version the GPU reports (Meta colloquialVersion).",
  },
  NVGPU_RIM_SIGNATURE_INVALID: {
    stage: "verification",
    description:
      "A RIM's XML-DSig does not verify: the methods are not C14N 1.1 / ECDSA P-384 / SHA-384 with an enveloped signature, the digest differs, or the signature does not verify.",
  },
  NVGPU_RIM_INDEX_CONFLICT: {
    stage: "verification",
    description: "The driver and VBIOS RIMs both have an active measurement at the same index.",
  },
  NVGPU_MEASUREMENT_MISMATCH: {
    stage: "verification",
    description: "An active golden measurement of a RIM matches none of its alternatives in the report's measurement block.",
  },
});

/** Defined beside the measurement layout (the facts side imports no codes file). */
export { NVGPU_USAGE_CODES } from "@keepledger/sdk/internal/tee/nvidia-gpu/measurement";
