/**
 * Measurement values: the packed byte layouts the WorkloadRegistry accepts for each TEE kind, and the
 * measurement hash keccak256(abi.encodePacked(keccak256("keepledger.measurement.v1"), uint8(tee), value)).
 */
import { concatHex, encodePacked, hexToNumber, keccak256, sliceHex, stringToBytes } from "viem";
import { UsageError } from "../errors/index.ts";
import type { Hex } from "../util/bytes.ts";
import type { TeeKind } from "../kinds/index.ts";
import { IDS_CODES } from "./codes.ts";
import { teeKindCode } from "./enums.ts";
import { anyHex, hexField, smallUintField } from "./fields.ts";

/** keccak256("keepledger.measurement.v1"), the domain tag of measurement hashes. */
export const MEASUREMENT_DOMAIN: Hex = keccak256(stringToBytes("keepledger.measurement.v1"));

/** SGX: an exact enclave (mrenclave, signer fields zero) or a signer + product + minimum ISVSVN (mrenclave zero). */
export interface SgxMeasurement {
  tee: "sgx";
  mrenclave: Hex;
  mrsigner: Hex;
  isvProdId: number;
  minIsvSvn: number;
}
export interface TdxMeasurement {
  tee: "tdx";
  mrtd: Hex;
  rtmr0: Hex;
  rtmr1: Hex;
  rtmr2: Hex;
  rtmr3: Hex;
}
/** SEV-SNP: the launch measurement and, optionally, the HOST_DATA the guest must carry. */
export interface SevSnpMeasurement {
  tee: "sev-snp";
  measurement: Hex;
  hostData: Hex | null;
}
export interface NitroMeasurement {
  tee: "nitro";
  pcr0: Hex;
  pcr1: Hex;
  pcr2: Hex;
}
/** The debug kind (no TEE): 32 bytes chosen by the workload. Only dev registries accept it. */
export interface DebugMeasurement {
  tee: "debug";
  measurement: Hex;
}
export type Measurement = SgxMeasurement | TdxMeasurement | SevSnpMeasurement | NitroMeasurement | DebugMeasurement;

/** The packed value length of each kind. */
export const MEASUREMENT_VALUE_LENGTHS = { sgx: 68, tdx: 240, "sev-snp": 81, nitro: 144, debug: 32 } as const satisfies Record<
  TeeKind,
  number
>;

const ZERO32: Hex = `0x${"00".repeat(32)}`;

/** The packed value of a measurement, with every length and mode checked as the contract checks it. */
export function encodeMeasurementValue(m: Measurement): Hex {
  switch (m.tee) {
    case "sgx": {
      const mrenclave = hexField("mrenclave", m.mrenclave, 32);
      const mrsigner = hexField("mrsigner", m.mrsigner, 32);
      const isvProdId = smallUintField("isvProdId", m.isvProdId, 16);
      const minIsvSvn = smallUintField("minIsvSvn", m.minIsvSvn, 16);
      const exactEnclave = mrenclave !== ZERO32 && mrsigner === ZERO32 && isvProdId === 0 && minIsvSvn === 0;
      const bySigner = mrenclave === ZERO32 && mrsigner !== ZERO32;
      if (!exactEnclave && !bySigner) {
        throw new UsageError(
          IDS_CODES.IDS_SGX_MEASUREMENT_MODE,
          "an SGX measurement is either an exact mrenclave (signer fields zero) or a zero mrenclave with a mrsigner",
          { details: { mrenclave, mrsigner, isvProdId, minIsvSvn } },
        );
      }
      return encodePacked(["bytes32", "bytes32", "uint16", "uint16"], [mrenclave, mrsigner, isvProdId, minIsvSvn]);
    }
    case "tdx":
      return concatHex([
        hexField("mrtd", m.mrtd, 48),
        hexField("rtmr0", m.rtmr0, 48),
        hexField("rtmr1", m.rtmr1, 48),
        hexField("rtmr2", m.rtmr2, 48),
        hexField("rtmr3", m.rtmr3, 48),
      ]);
    case "sev-snp": {
      const measurement = hexField("measurement", m.measurement, 48);
      if (m.hostData === null) return concatHex([measurement, "0x00", ZERO32]);
      return concatHex([measurement, "0x01", hexField("hostData", m.hostData, 32)]);
    }
    case "nitro":
      return concatHex([hexField("pcr0", m.pcr0, 48), hexField("pcr1", m.pcr1, 48), hexField("pcr2", m.pcr2, 48)]);
    case "debug":
      return hexField("measurement", m.measurement, 32);
    default:
      throw unknownKind((m as { tee: string }).tee);
  }
}

/** Parses a packed value (as found in a MeasurementAdded event) back into its fields. */
export function decodeMeasurementValue(tee: TeeKind, value: Hex): Measurement {
  const hex = anyHex("value", value);
  const want: number | undefined = (MEASUREMENT_VALUE_LENGTHS as Record<string, number>)[tee];
  if (want === undefined) throw unknownKind(tee);
  const got = (hex.length - 2) / 2;
  if (got !== want) {
    throw new UsageError(IDS_CODES.IDS_MEASUREMENT_VALUE_LENGTH, `a ${tee} measurement value is ${want} bytes, got ${got}`, {
      at: { field: "value" },
      details: { got, want },
    });
  }
  const at = (start: number, end: number): Hex => sliceHex(hex, start, end, { strict: true });
  let m: Measurement;
  switch (tee) {
    case "sgx":
      m = { tee, mrenclave: at(0, 32), mrsigner: at(32, 64), isvProdId: hexToNumber(at(64, 66)), minIsvSvn: hexToNumber(at(66, 68)) };
      break;
    case "tdx":
      m = { tee, mrtd: at(0, 48), rtmr0: at(48, 96), rtmr1: at(96, 144), rtmr2: at(144, 192), rtmr3: at(192, 240) };
      break;
    case "sev-snp": {
      const flag = hexToNumber(at(48, 49));
      const hostData = at(49, 81);
      if (flag > 1 || (flag === 0 && hostData !== ZERO32)) {
        throw new UsageError(IDS_CODES.IDS_SNP_HOST_DATA_FLAG, "the SEV-SNP hasHostData byte must be 0 or 1, with zero host data when 0", {
          at: { field: "hasHostData", offset: 48 },
          details: { got: flag },
        });
      }
      m = { tee, measurement: at(0, 48), hostData: flag === 1 ? hostData : null };
      break;
    }
    case "nitro":
      m = { tee, pcr0: at(0, 48), pcr1: at(48, 96), pcr2: at(96, 144) };
      break;
    default:
      m = { tee: "debug", measurement: hex };
  }
  // Re-encoding applies the mode checks (SGX) exactly as encoding does.
  encodeMeasurementValue(m);
  return m;
}

/** The measurement hash of a packed value of kind `tee`. */
export function measurementHashOfValue(tee: TeeKind, value: Hex): Hex {
  return keccak256(encodePacked(["bytes32", "uint8", "bytes"], [MEASUREMENT_DOMAIN, teeKindCode(tee), anyHex("value", value)]));
}

/** The measurement hash of a measurement. */
export function measurementHash(m: Measurement): Hex {
  return measurementHashOfValue(m.tee, encodeMeasurementValue(m));
}

function unknownKind(kind: string): UsageError {
  return new UsageError(IDS_CODES.IDS_UNKNOWN_TEE_KIND, `unknown TEE kind "${kind}"`, { details: { got: kind } });
}
