export * from "./codes.ts";
export * from "./layout.ts";
export * from "./parseSnpReport.ts";
export * from "./policy.ts";
export * from "./productLine.ts";
export * from "./tcbVersion.ts";
