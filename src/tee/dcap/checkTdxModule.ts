import type { TdReport } from "./types.ts";
import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { DCAP_CODES } from "./codes.ts";
import type { PlatformTcbStatus, TcbInfo } from "./intelCollateral.ts";

export interface TdxModuleTcb {
  /** "TDX_01", … or undefined for a module of major version 0 (rated by the platform level alone). */
  identityId?: string;
  status?: PlatformTcbStatus;
  advisoryIds: string[];
}

function mismatch(message: string, details: Record<string, unknown>): never {
  throw new VerificationError(DCAP_CODES.DCAP_TDX_MODULE_MISMATCH, message, { at: { field: "quote.body.mrSignerSeam" }, details });
}

/**
 * The TDX module check of Intel's QVL: TEE_TCB_SVN[1] is the module's major
 * version; when it is non-zero the identity "TDX_<version>" from
 * tdxModuleIdentities supplies MRSIGNER and attributes, otherwise the TCB
 * Info's tdxModule does. MRSIGNERSEAM must equal that MRSIGNER and
 * SEAMATTRIBUTES must be zero and equal the expected attributes. The module's
 * TCB level is the first whose ISVSVN ≤ TEE_TCB_SVN[0]; none is TCB_NOT_SUPPORTED.
 */
export function checkTdxModule(body: TdReport, tcbInfo: TcbInfo): TdxModuleTcb {
  const version = body.teeTcbSvn[1]!;
  const isvSvn = body.teeTcbSvn[0]!;
  const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
  let expected = tcbInfo.tdxModule;
  let identity: NonNullable<TcbInfo["tdxModuleIdentities"]>[number] | undefined;
  const identityId = `TDX_${version.toString(16).padStart(2, "0").toUpperCase()}`;
  if (version > 0) {
    identity = tcbInfo.tdxModuleIdentities?.find((m) => m.id.toUpperCase() === identityId);
    if (!identity)
      mismatch(`the TCB Info has no TDX module identity ${identityId}`, {
        want: identityId,
        got: tcbInfo.tdxModuleIdentities?.map((m) => m.id) ?? [],
      });
    expected = identity;
  }
  if (!expected) mismatch("the TCB Info describes no TDX module", {});
  if (hex(body.mrSignerSeam) !== expected.mrsigner)
    mismatch("MRSIGNERSEAM does not match the TDX module identity", { got: hex(body.mrSignerSeam), want: expected.mrsigner });
  const attributes = hex(body.seamAttributes);
  if (/[^0]/.test(attributes) || attributes !== expected.attributes) {
    mismatch("SEAMATTRIBUTES are not zero or do not match the TDX module identity", { got: attributes, want: expected.attributes });
  }
  if (!identity) return { advisoryIds: [] };
  const level = identity.tcbLevels.find((l) => l.tcb.isvsvn <= isvSvn);
  if (!level) {
    throw new VerificationError(
      DCAP_CODES.DCAP_TCB_NOT_SUPPORTED,
      `no TCB level of TDX module ${identityId} matches its ISVSVN ${isvSvn}`,
      {
        at: { field: "quote.body.teeTcbSvn" },
        details: { identity: identityId, isvSvn, levels: identity.tcbLevels.map((l) => l.tcb.isvsvn) },
      },
    );
  }
  return { identityId, status: level.tcbStatus, advisoryIds: level.advisoryIDs ?? [] };
}
