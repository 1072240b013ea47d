import type { EnclaveReport } from "./types.ts";
import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { DCAP_CODES } from "./codes.ts";
import type { PlatformTcbStatus, QeIdentity } from "./intelCollateral.ts";

export interface QeTcb {
  /** The matched level's status, or "Revoked" when the QE's ISVSVN is below every level (as Intel's QVL rates it). */
  status: PlatformTcbStatus;
  advisoryIds: string[];
  tcbDate?: Date;
}

function maskedEquals(value: Uint8Array, mask: string, want: string): boolean {
  const m = Buffer.from(mask, "hex");
  const w = Buffer.from(want, "hex");
  if (m.length !== value.length || w.length !== value.length) return false;
  for (let i = 0; i < value.length; i++) if ((value[i]! & m[i]!) !== w[i]) return false;
  return true;
}

function mismatch(field: string, got: unknown, want: unknown): never {
  throw new VerificationError(DCAP_CODES.DCAP_QE_IDENTITY_MISMATCH, `the quoting enclave's ${field} does not match Intel's QE Identity`, {
    at: { field: `quote.qeReport.${field}` },
    details: { got, want },
  });
}

/**
 * Checks the QE report against the QE Identity: MISCSELECT and ATTRIBUTES under
 * their masks, MRSIGNER and ISVPRODID exactly; then rates the QE's TCB by the
 * first level whose ISVSVN ≤ the report's.
 */
export function checkQeIdentity(report: EnclaveReport, identity: QeIdentity): QeTcb {
  const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
  if (!maskedEquals(report.miscSelectRaw, identity.miscselectMask, identity.miscselect)) {
    mismatch("miscSelect", hex(report.miscSelectRaw), { miscselect: identity.miscselect, mask: identity.miscselectMask });
  }
  if (!maskedEquals(report.attributes, identity.attributesMask, identity.attributes)) {
    mismatch("attributes", hex(report.attributes), { attributes: identity.attributes, mask: identity.attributesMask });
  }
  if (hex(report.mrSigner) !== identity.mrsigner) mismatch("mrSigner", hex(report.mrSigner), identity.mrsigner);
  if (report.isvProdId !== identity.isvprodid) mismatch("isvProdId", report.isvProdId, identity.isvprodid);
  const level = identity.tcbLevels.find((l) => l.tcb.isvsvn <= report.isvSvn);
  if (!level) return { status: "Revoked", advisoryIds: [] };
  return { status: level.tcbStatus, advisoryIds: level.advisoryIDs ?? [], tcbDate: level.tcbDate };
}
