import { defineErrorCodes } from "../errors/catalogue.ts";

/**
 * Error codes of the SDK's own hex, address, ABI and EIP-712 primitives (packages/sdk/src/util), which
 * replace viem's so the SDK runs without it. Encoding a wrong value is the caller's mistake; decoding
 * malformed data (return data, logs, revert data from an RPC node) is a format error.
 */
export const UTIL_CODES = defineErrorCodes("util", {
  HEX_INVALID: { stage: "usage", description: "A value that must be 0x-prefixed hex (of whole bytes, where bytes are meant) is not." },
  HEX_OUT_OF_BOUNDS: { stage: "usage", description: "A byte slice of a hex string starts or ends outside the string." },
  HEX_NUMBER_RANGE: {
    stage: "usage",
    description: "An integer does not fit: negative where unsigned, too large for the requested size, or not a safe JavaScript number.",
  },
  ADDRESS_INVALID: {
    stage: "usage",
    description: "A value is not a 20-byte 0x-prefixed address, or its mixed case is not a valid EIP-55 checksum.",
  },
  ABI_TYPE_UNSUPPORTED: { stage: "usage", description: "An ABI type string is not one the SDK's codec knows (or is malformed)." },
  ABI_VALUE_INVALID: {
    stage: "usage",
    description: "A value does not match its ABI type (wrong kind, out of range, wrong length, wrong number of values).",
  },
  ABI_ITEM_NOT_FOUND: { stage: "usage", description: "An ABI has no function (or no unambiguous overload) of the requested name." },
  ABI_DATA_MALFORMED: {
    stage: "format",
    description:
      "ABI-encoded data (return data, a log, revert data) is truncated, points outside itself or holds a value its type does not allow.",
  },
  TYPED_DATA_INVALID: {
    stage: "usage",
    description: "EIP-712 typed data is inconsistent: an unknown or recursive struct type, or a missing field in the message.",
  },
});
