import type { ByteCursor } from "../../evidence/ByteCursor.ts";
import { TD10_REPORT_SIZE, TD15_REPORT_SIZE, type TdReport } from "./types.ts";

/** Reads a TD report body: TD 1.0 (584 bytes) or TD 1.5 (648 bytes). */
export function parseTdReport(cursor: ByteCursor, kind: "td10" | "td15"): TdReport {
  const field = "quote.body";
  const c = cursor.sub(kind === "td10" ? TD10_REPORT_SIZE : TD15_REPORT_SIZE, field);
  const report: TdReport = {
    kind,
    raw: c.bytes,
    teeTcbSvn: c.bytesOf(16, `${field}.teeTcbSvn`),
    mrSeam: c.bytesOf(48, `${field}.mrSeam`),
    mrSignerSeam: c.bytesOf(48, `${field}.mrSignerSeam`),
    seamAttributes: c.bytesOf(8, `${field}.seamAttributes`),
    tdAttributes: c.bytesOf(8, `${field}.tdAttributes`),
    xfam: c.bytesOf(8, `${field}.xfam`),
    mrTd: c.bytesOf(48, `${field}.mrTd`),
    mrConfigId: c.bytesOf(48, `${field}.mrConfigId`),
    mrOwner: c.bytesOf(48, `${field}.mrOwner`),
    mrOwnerConfig: c.bytesOf(48, `${field}.mrOwnerConfig`),
    rtmr0: c.bytesOf(48, `${field}.rtmr0`),
    rtmr1: c.bytesOf(48, `${field}.rtmr1`),
    rtmr2: c.bytesOf(48, `${field}.rtmr2`),
    rtmr3: c.bytesOf(48, `${field}.rtmr3`),
    reportData: c.bytesOf(64, `${field}.reportData`),
  };
  if (kind === "td15") {
    report.teeTcbSvn2 = c.bytesOf(16, `${field}.teeTcbSvn2`);
    report.mrServiceTd = c.bytesOf(48, `${field}.mrServiceTd`);
  }
  c.end(field);
  return report;
}
