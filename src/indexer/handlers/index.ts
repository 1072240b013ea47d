/**
 * The event → entity table of docs/registry.md as code: one handler per (contract, event). The
 * subgraph mappings (subgraph/src/) implement the same table in AssemblyScript.
 */
import type { ContractName } from "../decodeLogs.ts";
import { attestationRegistryHandlers } from "./attestationRegistry.ts";
import { cpakAllowListHandlers } from "./cpakAllowList.ts";
import type { EventHandler } from "./context.ts";
import { keyRegistryHandlers } from "./keyRegistry.ts";
import { validatorSetHandlers } from "./validatorSet.ts";
import { workloadRegistryHandlers } from "./workloadRegistry.ts";

export const EVENT_HANDLERS: Record<ContractName, Record<string, EventHandler>> = {
  workloadRegistry: workloadRegistryHandlers,
  validatorSet: validatorSetHandlers,
  attestationRegistry: attestationRegistryHandlers,
  cpakAllowList: cpakAllowListHandlers,
  keyRegistry: keyRegistryHandlers,
};

/** Events the ABIs declare that no handler needs (never emitted by keepledger's contracts). */
export const IGNORED_EVENTS: ReadonlySet<string> = new Set(["EIP712DomainChanged"]);

export { IndexInconsistencyError, type HandlerContext, type RegistryChange, type ChangeKind } from "./context.ts";
