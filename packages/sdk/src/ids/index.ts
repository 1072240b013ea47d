/** keepledger identifiers (docs/ids.md): what every other module imports to name things the chain names. */
export * from "./enums.ts";
export * from "./workloadId.ts";
export * from "./measurement.ts";
export * from "./verdictCodec.ts";
export * from "./unboundSubject.ts";
export * from "./binding.ts";
export { IDS_CODES } from "./codes.ts";
export * from "./keyIds.ts";
export * from "./cpakId.ts";
