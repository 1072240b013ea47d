/**
 * The only imports of the SEV-SNP and DCAP parsers (they move to src/tee/sev-snp and src/tee/dcap in the
 * restructuring: fix the paths here, and in hardwareVerifiers.ts for the verifiers, at merge).
 */
export { parseSnpReport, type SnpReport } from "../sev-snp/parseSnpReport.ts";
export { SNP_REPORT_SIZE } from "../sev-snp/layout.ts";
export { parseTdxQuote } from "../tdx/parseTdxQuote.ts";
export type { TdxQuote } from "../dcap/types.ts";
export type { VerifierContext } from "../verifierContext.ts";
