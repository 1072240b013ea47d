export * from "./amdKdsCollateral.ts";
export * from "./codes.ts";
export * from "./kdsCache.ts";
export * from "./kdsHttp.ts";
export * from "./kdsPaths.ts";
