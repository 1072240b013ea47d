import type { CollateralSet } from "../../collateral/types.ts";
import type { VerifierContext } from "../verifierContext.ts";
import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { checkFreshness, intelDocumentStamp, type CollateralFreshnessOptions } from "../../pki/freshness/collateralStamp.ts";
import { DCAP_CODES } from "./codes.ts";
import { readIntelDocument, type IntelDocument, type QeIdentity, type TcbInfo } from "./intelCollateral.ts";

type Dated = { issueDate: Date; nextUpdate: Date; tcbEvaluationDataNumber: number };

/** Prefers documents in force at `at`, then the newest TCB evaluation, then the latest issue. */
function best<T extends Dated>(docs: IntelDocument<T>[], at: Date): IntelDocument<T> | undefined {
  const inForce = (d: IntelDocument<T>) => d.value.issueDate <= at && at <= d.value.nextUpdate;
  return [...docs].sort(
    (a, b) =>
      Number(inForce(b)) - Number(inForce(a)) ||
      b.value.tcbEvaluationDataNumber - a.value.tcbEvaluationDataNumber ||
      b.value.issueDate.getTime() - a.value.issueDate.getTime(),
  )[0];
}

function read<T>(
  collateral: CollateralSet,
  type: "tcbInfo" | "enclaveIdentity",
  context: VerifierContext | undefined,
): { docs: IntelDocument<T>[]; firstError?: VerificationError } {
  const docs: IntelDocument<T>[] = [];
  let firstError: VerificationError | undefined;
  for (const source of collateral.intelDocuments) {
    if (source.type !== type) continue;
    const r = readIntelDocument(source, context);
    if (r instanceof VerificationError) firstError ??= r;
    else docs.push(r as IntelDocument<T>);
  }
  return firstError ? { docs, firstError } : { docs };
}

/**
 * Picks the TCB Info for this TEE ("SGX" / "TDX") and FMSPC out of whatever the
 * collateral holds. Its signature and dates are checked afterwards by
 * verifyIntelDocument; FMSPC and PCE ID are compared with the PCK certificate here,
 * and the choice against the freshness floor (DCAP_TCB_INFO_STALE) and maximum age.
 */
export function selectTcbInfo(
  collateral: CollateralSet,
  id: "SGX" | "TDX",
  fmspc: string,
  pceId: string,
  at: Date,
  freshness?: CollateralFreshnessOptions,
  context?: VerifierContext,
): IntelDocument<TcbInfo> {
  const { docs, firstError } = read<TcbInfo>(collateral, "tcbInfo", context);
  const forTee = docs.filter((d) => d.value.id === id);
  const chosen = best(
    forTee.filter((d) => d.value.fmspc === fmspc),
    at,
  );
  if (!chosen) {
    if (docs.length === 0) {
      if (firstError) throw firstError;
      throw new VerificationError(DCAP_CODES.DCAP_TCB_INFO_MISSING, `no TCB Info in the collateral for ${id} FMSPC ${fmspc}`, {
        at: { field: "collateral.tcbInfo" },
        details: { tee: id, fmspc },
      });
    }
    throw new VerificationError(DCAP_CODES.DCAP_TCB_INFO_MISMATCH, `the TCB Info in the collateral is not for ${id} FMSPC ${fmspc}`, {
      at: { field: "collateral.tcbInfo" },
      details: { want: { id, fmspc }, got: docs.map((d) => ({ id: d.value.id, fmspc: d.value.fmspc })) },
    });
  }
  if (chosen.value.pceId !== pceId) {
    throw new VerificationError(
      DCAP_CODES.DCAP_TCB_INFO_MISMATCH,
      `the TCB Info is for PCE ID ${chosen.value.pceId}, the PCK certificate for ${pceId}`,
      {
        at: { field: "tcbInfo.pceId" },
        details: { got: chosen.value.pceId, want: pceId },
      },
    );
  }
  checkFreshness(intelDocumentStamp("tcbInfo", chosen.value, chosen.bodyHash), freshness, at, `TCB Info ${id} ${fmspc}`);
  return chosen;
}

/** Picks the QE Identity for this TEE: id "QE" for SGX, "TD_QE" for TDX, no older than the floor (DCAP_QE_IDENTITY_STALE). */
export function selectQeIdentity(
  collateral: CollateralSet,
  id: "QE" | "TD_QE",
  at: Date,
  freshness?: CollateralFreshnessOptions,
  context?: VerifierContext,
): IntelDocument<QeIdentity> | undefined {
  const { docs, firstError } = read<QeIdentity>(collateral, "enclaveIdentity", context);
  const chosen = best(
    docs.filter((d) => d.value.id === id),
    at,
  );
  if (!chosen && docs.length === 0 && firstError) throw firstError;
  if (chosen) checkFreshness(intelDocumentStamp("qeIdentity", chosen.value, chosen.bodyHash), freshness, at, `QE Identity ${id}`);
  return chosen;
}
