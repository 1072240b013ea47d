/**
 * The only imports of the SEV-SNP and DCAP verifiers (they move to src/tee/sev-snp and src/tee/dcap in the
 * restructuring: fix the paths here, and in hardwareParsers.ts for the parsers, at merge).
 */
export { verifySnpReport } from "../sev-snp/verifySnpReport.ts";
export { snpCollateralRequests } from "../sev-snp/snpCollateralRequests.ts";
export { SNP_VERIFY_CODES } from "../sev-snp/codes.ts";
export { verifyTdxQuote, isTdDebug } from "../tdx/verifyTdxQuote.ts";
export { verifyPckChain } from "../dcap/verifyPckChain.ts";
export { parsePckExtensions } from "../dcap/parsePckExtensions.ts";
export { verifyQeReportBinding, verifyQeReportSignature, verifyQuoteSignature } from "../dcap/verifyQuoteSignatures.ts";
export { collateralRequestFor } from "../dcap/collateralRequestFor.ts";
export { DCAP_CODES } from "../dcap/codes.ts";
export type { VerifierContext } from "../verifierContext.ts";
export type { SnpClaims, TdxClaims, PlatformInfo } from "@keepledger/sdk/internal/tee/types";
