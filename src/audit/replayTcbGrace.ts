/**
 * The TCB grace-period decision of a verdict, replayed: given TCB Info newer than the one the stored
 * collateral carries (the auditor's own copy of Intel's, or a validator's node_tcb_info), the audit does
 * what a validator's TCB recovery did when it countersigned — verify the newer TCB Info as of issuedAt,
 * re-verify the stored evidence under it for the status it gives — and asks the same pure function
 * (src/policy/decideTcbGrace.ts) whether the verdict was issued inside the policy's tcbGracePeriod.
 */
import { recognizeCollateral } from "../collateral/recognizeCollateral.ts";
import { emptyCollateral, type CollateralSet, type SignedIntelJson } from "../collateral/types.ts";
import { staticCollateral } from "../collateral/staticCollateral.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import type { StoredCollateralFile } from "../evidenceStore/EvidenceStore.ts";
import { INTEL_SGX_ROOT_CA } from "../pki/roots.ts";
import type { TrustedRoot } from "../pki/x509/verifyCertificateChain.ts";
import { decideTcbGrace, type DecideTcbGraceResult } from "../policy/decideTcbGrace.ts";
import type { WorkloadPolicy } from "../policy/types.ts";
import type { TeeAdapter } from "../tee/adapter.ts";
import { verifyTcbInfoDocument } from "../tee/dcap/verifyIntelDocument.ts";
import { isDcapKind, tcbInfoIdOf } from "../tee/dcap/tcbInfoId.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { verifyEvidence } from "../verify/verifyEvidence.ts";

export interface ReplayTcbGraceOptions {
  evidence: Uint8Array;
  /** The collateral the evidence store keeps for the evidence (what the verdict was appraised under). */
  collateral: readonly StoredCollateralFile[];
  /** The evidence verified under that collateral as of issuedAt. */
  verified: VerifiedEvidence;
  /** TCB Info documents (with their signing chain, or relying on the stored collateral's) that may be newer. */
  tcbInfo: readonly StoredCollateralFile[];
  policy: WorkloadPolicy;
  /** The verdict's issuedAt, unix seconds: the time of the decision. */
  issuedAt: number;
  adapters?: readonly TeeAdapter[];
  trustedRoots?: readonly TrustedRoot[];
}

export type ReplayTcbGraceResult = { decision: "not-applicable"; detail: string } | (DecideTcbGraceResult & { detail: string });

function merge(files: readonly StoredCollateralFile[]): CollateralSet {
  const set = emptyCollateral();
  for (const f of files) {
    const c = recognizeCollateral(f.bytes).collateral;
    set.certificates.push(...c.certificates);
    set.crls.push(...c.crls);
    set.intelDocuments.push(...c.intelDocuments);
  }
  return set;
}

const hasTcbInfo = (f: StoredCollateralFile) => recognizeCollateral(f.bytes).collateral.intelDocuments.some((d) => d.type === "tcbInfo");

export async function replayTcbGrace(o: ReplayTcbGraceOptions): Promise<ReplayTcbGraceResult> {
  const { verified } = o;
  const fmspc = verified.platform.fmspc;
  const used = verified.platform.tcbEvaluationDataNumber;
  if (!isDcapKind(verified.tee) || typeof fmspc !== "string" || typeof used !== "number") {
    return { decision: "not-applicable", detail: `no TCB Info decides ${verified.tee} evidence` };
  }
  const at = new Date(o.issuedAt * 1000);
  const key = `tcbInfo:${tcbInfoIdOf(verified.tee)}:${fmspc.toLowerCase()}`;
  const context = merge([...o.tcbInfo, ...o.collateral]);
  // The newest TCB Info for this platform that verifies as of issuedAt (so was issued by then).
  let newest: { document: SignedIntelJson; number: number; issueDate: number } | undefined;
  for (const document of merge(o.tcbInfo).intelDocuments.filter((d) => d.type === "tcbInfo")) {
    let stamp;
    try {
      stamp = verifyTcbInfoDocument(document, { collateral: context, at, roots: o.trustedRoots ?? [INTEL_SGX_ROOT_CA] });
    } catch (error) {
      if (isKeepledgerError(error)) continue;
      throw error;
    }
    if (stamp.key !== key || (newest && newest.number >= stamp.number)) continue;
    newest = { document, number: stamp.number, issueDate: Math.floor(stamp.issued.getTime() / 1000) };
  }
  if (!newest || newest.number <= used) {
    return { decision: "unaffected", detail: `no verified TCB Info for ${key} newer than ${used} as of issuedAt` };
  }
  // The status the evidence gets under the newer TCB Info (or the code of the failure it meets), as TCB recovery computes it.
  const files = [...o.collateral.filter((f) => !hasTcbInfo(f)), ...o.tcbInfo];
  let status: string;
  try {
    status = (
      await verifyEvidence(o.evidence, {
        at,
        collateral: staticCollateral(files, "audit TCB Info"),
        ...(o.adapters ? { adapters: o.adapters } : {}),
        ...(o.trustedRoots ? { trustedRoots: o.trustedRoots } : {}),
      })
    ).tcb.status;
  } catch (error) {
    if (!isKeepledgerError(error)) throw error;
    status = error.code === "DCAP_TCB_REVOKED" ? "Revoked" : error.code;
  }
  const decided = decideTcbGrace({
    evaluationDataNumber: used,
    status: verified.tcb.status,
    newest: { evaluationDataNumber: newest.number, issueDate: newest.issueDate, status },
    policy: o.policy,
    now: o.issuedAt,
    fmspc,
  });
  const under = `TCB Info ${newest.number} (issued ${new Date(newest.issueDate * 1000).toISOString()}) gives ${status}`;
  if (decided.decision === "unaffected") return { ...decided, detail: `${under}, which the policy accepts` };
  if (decided.decision === "grace") {
    return {
      ...decided,
      detail: `${under}; issued inside the grace period, which ends ${new Date(decided.notice.graceEndsAt * 1000).toISOString()}: countersigned with a downgrade notice`,
    };
  }
  return { ...decided, detail: `${under}; the grace period ended before issuedAt: a validator refuses this (${decided.error.code})` };
}
