/**
 * The uint8 codes of the on-chain enums (contracts/libraries/KeepTypes.sol), mapped to the names the
 * rest of keepledger uses (packages/sdk/src/kinds/index.ts). The contract side is the source of the numbers.
 */
import { UsageError } from "../errors/index.ts";
import type { AmdProductLine } from "../pki/types.ts";
import type { TcbStatus, TeeKind } from "../kinds/index.ts";
import { IDS_CODES } from "./codes.ts";

/** TeeKind codes: 0 is Unknown and never valid. */
export const TEE_KIND_CODES = {
  sgx: 1,
  tdx: 2,
  "sev-snp": 3,
  nitro: 4,
  debug: 5,
  "nvidia-gpu": 6,
  "azure-cvm": 7,
  "arm-cca": 8,
  "cpu-gpu": 9,
} as const satisfies Record<TeeKind, number>;

/** TcbStatus codes: 0 is Unknown; Unknown and Revoked (7) never finalize a verdict. */
export const TCB_STATUS_CODES = {
  UpToDate: 1,
  SWHardeningNeeded: 2,
  ConfigurationNeeded: 3,
  ConfigurationAndSWHardeningNeeded: 4,
  OutOfDate: 5,
  OutOfDateConfigurationNeeded: 6,
  Revoked: 7,
  NotApplicable: 8,
} as const satisfies Record<TcbStatus, number>;

/** A validator's logging profile; bound into its self-attestation (see binding.ts). */
export const LOGGING_PROFILES = ["production", "staging", "debug"] as const;
export type LoggingProfile = (typeof LOGGING_PROFILES)[number];

/** AMD product-line bits of Policy.deniedAmdProductLines. */
export const AMD_PRODUCT_LINE_BITS = { Milan: 1, Genoa: 2, Turin: 4 } as const satisfies Record<AmdProductLine, number>;

export function teeKindCode(kind: TeeKind): number {
  const code = (TEE_KIND_CODES as Record<string, number>)[kind];
  if (code === undefined) throw new UsageError(IDS_CODES.IDS_UNKNOWN_TEE_KIND, `unknown TEE kind "${kind}"`, { details: { got: kind } });
  return code;
}

export function teeKindFromCode(code: number): TeeKind {
  const entry = Object.entries(TEE_KIND_CODES).find(([, c]) => c === code);
  if (!entry)
    throw new UsageError(IDS_CODES.IDS_UNKNOWN_TEE_KIND, `unknown TEE kind code ${code}`, { details: { got: code, want: "1..5" } });
  return entry[0] as TeeKind;
}

export function tcbStatusCode(status: TcbStatus): number {
  const code = (TCB_STATUS_CODES as Record<string, number>)[status];
  if (code === undefined)
    throw new UsageError(IDS_CODES.IDS_UNKNOWN_TCB_STATUS, `unknown TCB status "${status}"`, { details: { got: status } });
  return code;
}

export function tcbStatusFromCode(code: number): TcbStatus {
  const entry = Object.entries(TCB_STATUS_CODES).find(([, c]) => c === code);
  if (!entry)
    throw new UsageError(IDS_CODES.IDS_UNKNOWN_TCB_STATUS, `unknown TCB status code ${code}`, { details: { got: code, want: "1..8" } });
  return entry[0] as TcbStatus;
}

export function loggingProfileCode(profile: LoggingProfile): number {
  const code = LOGGING_PROFILES.indexOf(profile);
  if (code < 0)
    throw new UsageError(IDS_CODES.IDS_UNKNOWN_LOGGING_PROFILE, `unknown logging profile "${profile}"`, { details: { got: profile } });
  return code;
}

export function loggingProfileFromCode(code: number): LoggingProfile {
  const profile = LOGGING_PROFILES[code];
  if (profile === undefined) {
    throw new UsageError(IDS_CODES.IDS_UNKNOWN_LOGGING_PROFILE, `unknown logging profile code ${code}`, {
      details: { got: code, want: "0..2" },
    });
  }
  return profile;
}

/** The allowedTees bitmask (1 << code) of a list of kinds. */
export function teeKindMask(kinds: readonly TeeKind[]): number {
  return kinds.reduce((mask, kind) => mask | (1 << teeKindCode(kind)), 0);
}

/** The kinds of an allowedTees bitmask, in code order. */
export function teeKindsOfMask(mask: number): TeeKind[] {
  return (Object.keys(TEE_KIND_CODES) as TeeKind[]).filter((kind) => (mask & (1 << TEE_KIND_CODES[kind])) !== 0);
}

/** The acceptedTcbStatuses bitmask (1 << code) of a list of statuses. */
export function tcbStatusMask(statuses: readonly TcbStatus[]): number {
  return statuses.reduce((mask, status) => mask | (1 << tcbStatusCode(status)), 0);
}

/** The statuses of an acceptedTcbStatuses bitmask, in code order. */
export function tcbStatusesOfMask(mask: number): TcbStatus[] {
  return (Object.keys(TCB_STATUS_CODES) as TcbStatus[]).filter((s) => (mask & (1 << TCB_STATUS_CODES[s])) !== 0);
}

/** The deniedAmdProductLines bitmask of a list of product lines. */
export function amdProductLineMask(lines: readonly AmdProductLine[]): number {
  return lines.reduce((mask, line) => {
    const bit = (AMD_PRODUCT_LINE_BITS as Record<string, number>)[line];
    if (bit === undefined)
      throw new UsageError(IDS_CODES.IDS_UNKNOWN_AMD_PRODUCT_LINE, `unknown AMD product line "${line}"`, { details: { got: line } });
    return mask | bit;
  }, 0);
}
