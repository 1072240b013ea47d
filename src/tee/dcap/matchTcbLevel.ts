import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { DCAP_CODES } from "./codes.ts";
import type { TcbInfo, TcbLevel } from "./intelCollateral.ts";
import type { PckExtensions } from "./parsePckExtensions.ts";

export interface MatchTcbLevelOptions {
  tcbInfo: TcbInfo;
  pck: PckExtensions;
  /** TDX only: TEE_TCB_SVN from the TD report. */
  teeTcbSvn?: Uint8Array;
}

/** Every SGX component SVN of the PCK certificate ≥ the level's, and PCESVN ≥ the level's. */
function sgxAtLeast(pck: PckExtensions, level: TcbLevel): boolean {
  for (let i = 0; i < 16; i++) if (pck.components[i]! < level.tcb.sgxtcbcomponents[i]!.svn) return false;
  return pck.pceSvn >= level.tcb.pcesvn;
}

/**
 * Every TEE_TCB_SVN byte ≥ the level's TDX component. As in Intel's QVL, when
 * the TDX module major version (byte 1) is non-zero, bytes 0 and 1 (module SVN
 * and version) are left to the TDX module identity check instead.
 */
function tdxAtLeast(teeTcbSvn: Uint8Array, level: TcbLevel): boolean {
  const components = level.tcb.tdxtcbcomponents;
  if (!components) return false;
  for (let i = teeTcbSvn[1]! > 0 ? 2 : 0; i < 16; i++) if (teeTcbSvn[i]! < components[i]!.svn) return false;
  return true;
}

/**
 * Finds the platform's TCB level as Intel's QVL does: the first level, in the
 * order the TCB Info lists them (Intel lists newest first), whose SGX components
 * and PCESVN — and for TDX the TDX components against TEE_TCB_SVN — are all at
 * or below the platform's. No match is a rejection (DCAP_TCB_NOT_SUPPORTED),
 * never "OutOfDate": Intel does not rate that TCB at all.
 */
export function matchTcbLevel(options: MatchTcbLevelOptions): TcbLevel {
  const { tcbInfo, pck, teeTcbSvn } = options;
  const sgxMatches = tcbInfo.tcbLevels.filter((level) => sgxAtLeast(pck, level));
  const level = teeTcbSvn === undefined ? sgxMatches[0] : sgxMatches.find((l) => tdxAtLeast(teeTcbSvn, l));
  if (!level) {
    const what = sgxMatches.length === 0 ? "SGX components and PCESVN of the PCK certificate" : "TDX components (TEE_TCB_SVN)";
    throw new VerificationError(DCAP_CODES.DCAP_TCB_NOT_SUPPORTED, `no TCB level in the TCB Info matches the platform's ${what}`, {
      at: { field: "tcbInfo.tcbLevels" },
      details: {
        fmspc: pck.fmspc,
        components: pck.components,
        pceSvn: pck.pceSvn,
        ...(teeTcbSvn ? { teeTcbSvn: Buffer.from(teeTcbSvn).toString("hex") } : {}),
        tcbEvaluationDataNumber: tcbInfo.tcbEvaluationDataNumber,
      },
    });
  }
  return level;
}
