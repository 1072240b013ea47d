import { concatHex, hexToNumber } from "../../util/hex.ts";
import { UsageError } from "../../errors/index.ts";
import { IDS_CODES } from "../../ids/codes.ts";
import { hexField } from "../../ids/fields.ts";
import type { Hex } from "../../util/bytes.ts";
import type { MeasurementLayout } from "../kind.ts";
import { at, sliceToHex, ZERO32 } from "../layoutHelpers.ts";

/** SEV-SNP: the launch measurement and, optionally, the HOST_DATA the guest must carry. */
export interface SevSnpMeasurement {
  tee: "sev-snp";
  measurement: Hex;
  hostData: Hex | null;
}

/** MEASUREMENT(48) ‖ uint8 hasHostData ‖ HOST_DATA(32, zero when absent) = 81 bytes (docs/ids.md). */
export const snpMeasurement: MeasurementLayout<"sev-snp", SevSnpMeasurement> = {
  length: 81,
  encode(m) {
    const measurement = hexField("measurement", m.measurement, 48);
    if (m.hostData === null) return concatHex([measurement, "0x00", ZERO32]);
    return concatHex([measurement, "0x01", hexField("hostData", m.hostData, 32)]);
  },
  decode(v) {
    const flag = hexToNumber(at(v, 48, 49));
    const hostData = at(v, 49, 81);
    if (flag > 1 || (flag === 0 && hostData !== ZERO32)) {
      throw new UsageError(IDS_CODES.IDS_SNP_HOST_DATA_FLAG, "the SEV-SNP hasHostData byte must be 0 or 1, with zero host data when 0", {
        at: { field: "hasHostData", offset: 48 },
        details: { got: flag },
      });
    }
    return { tee: "sev-snp", measurement: at(v, 0, 48), hostData: flag === 1 ? hostData : null };
  },
  matches(c, v) {
    if (sliceToHex(v, 0, 48) !== c.measurement) return false;
    return v[48] === 0 || sliceToHex(v, 49, 81) === c.hostData;
  },
  fromVerified: ({ claims: c }, { withHostData }) => ({
    tee: "sev-snp",
    measurement: c.measurement,
    hostData: withHostData ? c.hostData : null,
  }),
};
