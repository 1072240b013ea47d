export * from "./amdSigningChain.ts";
export * from "./codes.ts";
export * from "./selectSnpCertificates.ts";
export * from "./snpAdapter.ts";
export * from "./snpCollateralRequests.ts";
export * from "./vekExtensions.ts";
export * from "./verifySnpReport.ts";
