import type { EnclaveReport } from "./types.ts";
import { checkQeIdentity } from "./checkQeIdentity.ts";
import type { QeIdentity } from "./intelCollateral.ts";

type PinnedQe = Pick<QeIdentity, "miscselect" | "miscselectMask" | "attributes" | "attributesMask" | "mrsigner" | "isvprodid">;

/**
 * Intel's quoting enclaves as every PCS QE Identity v2 describes them
 * (MRSIGNER of Intel's enclave signing key; ISVPRODID 1 for the SGX QE, 2 for
 * the TD QE). Used only under `dangerouslyAllowMissingQeIdentity`, so that even
 * then the QE must be Intel's; the QE's TCB level stays unknown.
 */
export const INTEL_QE_IDENTITIES: Record<"QE" | "TD_QE", PinnedQe> = {
  QE: {
    miscselect: "00000000",
    miscselectMask: "ffffffff",
    attributes: "11000000000000000000000000000000",
    attributesMask: "fbffffffffffffff0000000000000000",
    mrsigner: "8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff",
    isvprodid: 1,
  },
  TD_QE: {
    miscselect: "00000000",
    miscselectMask: "ffffffff",
    attributes: "11000000000000000000000000000000",
    attributesMask: "fbffffffffffffff0000000000000000",
    mrsigner: "dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5",
    isvprodid: 2,
  },
};

/** Checks the QE report against a pinned identity (no TCB levels: the QE's TCB is not rated). */
export function checkPinnedQeIdentity(report: EnclaveReport, pinned: PinnedQe): void {
  checkQeIdentity(report, {
    ...pinned,
    id: "pinned",
    version: 2,
    issueDate: new Date(0),
    nextUpdate: new Date(0),
    tcbEvaluationDataNumber: 0,
    // Every ISVSVN matches level 0; the status is discarded by the caller.
    tcbLevels: [{ tcb: { isvsvn: 0 }, tcbDate: new Date(0), tcbStatus: "UpToDate" }],
  });
}
