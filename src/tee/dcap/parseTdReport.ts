import type { ByteCursor } from "../../evidence/ByteCursor.ts";
import { TD10_REPORT_SIZE, TD15_REPORT_SIZE, type TdReport } from "./types.ts";

/**
 * Reads a TD report body: TD 1.0 (584 bytes) or TD 1.5 (648 bytes). The one length check of `sub` covers every
 * field: the layout is fixed (Intel TDX DCAP quote, TD Quote Body), so each is a view at its offset.
 */
export function parseTdReport(cursor: ByteCursor, kind: "td10" | "td15"): TdReport {
  const raw = cursor.sub(kind === "td10" ? TD10_REPORT_SIZE : TD15_REPORT_SIZE, "quote.body").bytes;
  const at = (offset: number, size: number): Uint8Array => raw.subarray(offset, offset + size);
  const report: TdReport = {
    kind,
    raw,
    teeTcbSvn: at(0, 16),
    mrSeam: at(16, 48),
    mrSignerSeam: at(64, 48),
    seamAttributes: at(112, 8),
    tdAttributes: at(120, 8),
    xfam: at(128, 8),
    mrTd: at(136, 48),
    mrConfigId: at(184, 48),
    mrOwner: at(232, 48),
    mrOwnerConfig: at(280, 48),
    rtmr0: at(328, 48),
    rtmr1: at(376, 48),
    rtmr2: at(424, 48),
    rtmr3: at(472, 48),
    reportData: at(520, 64),
  };
  if (kind === "td15") {
    report.teeTcbSvn2 = at(584, 16);
    report.mrServiceTd = at(600, 48);
  }
  return report;
}
