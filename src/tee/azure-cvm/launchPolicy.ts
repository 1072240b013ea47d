/**
 * The launch policy of an Azure CVM is that of the hardware under its paravisor: the SEV-SNP part (VMPL, guest
 * policy bits, minimum TCB by product line) on the embedded SNP report, the TDX part (TD attributes, XFAM, owner
 * configuration) on the embedded TD quote. The bare kinds' checks run unchanged on those claims, so there is one
 * implementation of each rule and no Azure-specific launch fields (src/policy/types.ts LaunchPolicy).
 */
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { checkSnpLaunchPolicy, type SnpLaunchPolicy } from "../sev-snp/launchPolicy.ts";
import { checkTdxLaunchPolicy, type TdxLaunchPolicy } from "../tdx/launchPolicy.ts";

export function checkAzureCvmLaunchPolicy(evidence: VerifiedEvidence<"azure-cvm">, launch: object): void {
  const { snp, tdx } = evidence.claims;
  // The embedded report's verification, seen as the bare kind's: same claims, same platform facts.
  const base = { ...evidence, claims: undefined };
  if (snp !== null) checkSnpLaunchPolicy({ ...base, tee: "sev-snp", claims: snp }, launch as SnpLaunchPolicy);
  if (tdx !== null) checkTdxLaunchPolicy({ ...base, tee: "tdx", claims: tdx }, launch as TdxLaunchPolicy);
}
