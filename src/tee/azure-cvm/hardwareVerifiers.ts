/**
 * The only imports of the SEV-SNP and DCAP verifiers (they move to src/tee/sev-snp and src/tee/dcap in the
 * restructuring: fix the paths here, and in hardwareParsers.ts for the parsers, at merge).
 */
export { verifySnpReport } from "../../verify/sev-snp/verifySnpReport.ts";
export { snpCollateralRequests } from "../../verify/sev-snp/snpCollateralRequests.ts";
export { SNP_VERIFY_CODES } from "../../verify/sev-snp/codes.ts";
export { verifyTdxQuote, isTdDebug } from "../../verify/tdx/verifyTdxQuote.ts";
export { verifyPckChain } from "../../verify/dcap/verifyPckChain.ts";
export { parsePckExtensions } from "../../verify/dcap/parsePckExtensions.ts";
export { verifyQeReportBinding, verifyQeReportSignature, verifyQuoteSignature } from "../../verify/dcap/verifyQuoteSignatures.ts";
export { collateralRequestFor } from "../../verify/dcap/collateralRequestFor.ts";
export { DCAP_CODES } from "../../verify/dcap/codes.ts";
export type { VerifierContext } from "../../verify/verifierContext.ts";
export type { SnpClaims, TdxClaims, PlatformInfo } from "../../verify/types.ts";
