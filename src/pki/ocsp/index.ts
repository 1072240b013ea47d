export * from "./codes.ts";
export * from "./ocspResponse.ts";
