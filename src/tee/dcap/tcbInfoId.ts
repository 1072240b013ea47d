/**
 * The Intel TCB Info `id` of each DCAP kind ("SGX", "TDX"): which kinds Intel's TCB Info decides, and the
 * kind a verified TCB Info stamp ("tcbInfo:<SGX|TDX>:<fmspc>") is for. A fact of the shared DCAP folder, so
 * the node's TCB recovery and the audit's replay name no kind themselves.
 */
import type { TeeKind } from "@keepledger/sdk/internal/kinds/index";

const TCB_INFO_IDS = { sgx: "SGX", tdx: "TDX" } as const;
export type DcapKind = keyof typeof TCB_INFO_IDS;
export type TcbInfoId = (typeof TCB_INFO_IDS)[DcapKind];

/** Whether Intel's TCB Info (by FMSPC) decides the TCB status of this kind's evidence. */
export function isDcapKind(kind: TeeKind): kind is DcapKind {
  return Object.hasOwn(TCB_INFO_IDS, kind);
}

/** The TCB Info id of a DCAP kind: "SGX" or "TDX". */
export function tcbInfoIdOf(kind: DcapKind): TcbInfoId {
  return TCB_INFO_IDS[kind];
}

/** The DCAP kind of a TCB Info id, or undefined for one that is not. */
export function dcapKindOfTcbInfoId(id: string): DcapKind | undefined {
  return (Object.keys(TCB_INFO_IDS) as DcapKind[]).find((k) => TCB_INFO_IDS[k] === id);
}
