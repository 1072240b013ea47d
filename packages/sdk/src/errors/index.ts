export * from "./KeepledgerError.ts";
export * from "./catalogue.ts";
