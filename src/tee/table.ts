import type { TeeAdapter } from "./adapter.ts";
import type { TeeKind } from "@keepledger/sdk/internal/tee/types";
import { armCcaAdapter } from "./arm-cca/adapter.ts";
import { createCpuGpuAdapter } from "./cpu-gpu/adapter.ts";
import { debugAdapter } from "./debug/adapter.ts";
import { nitroAdapter } from "./nitro/adapter.ts";
import { createNvidiaGpuAdapter } from "./nvidia-gpu/adapter.ts";
import { createSnpAdapter } from "./sev-snp/adapter.ts";
import { sgxAdapter } from "./sgx/adapter.ts";
import { tdxAdapter } from "./tdx/adapter.ts";
import { createAzureCvmAdapter } from "./azure-cvm/adapter.ts";

/**
 * Every supported kind of evidence, one adapter each. Supporting a new kind or
 * quote version means adding its folder and one line here. Detection is
 * strict: exactly one adapter must claim the bytes.
 */
export const DEFAULT_ADAPTERS: readonly TeeAdapter[] = defaultAdapters();

/** The unsafe switches an operator may set on the adapters, each off by default (docs/operator-guide.md). */
export interface DefaultAdaptersOptions {
  /** UNSAFE: verify SEV-SNP ASKs (bare, or under an Azure CVM's paravisor) without AMD's CRL when none can be had. Development networks only. */
  dangerouslyAllowMissingAmdCrl?: boolean;
  /** UNSAFE: accept NVIDIA GPU evidence when no OCSP response covers a device or RIM certificate. Development only. */
  dangerouslyAllowUncheckedGpuRevocation?: boolean;
}

/** Every supported kind, with the operator's unsafe switches (none by default: DEFAULT_ADAPTERS). */
export function defaultAdapters(options: DefaultAdaptersOptions = {}): readonly TeeAdapter[] {
  const gpu = createNvidiaGpuAdapter({ dangerouslyAllowUncheckedRevocation: options.dangerouslyAllowUncheckedGpuRevocation === true });
  const single = [
    sgxAdapter as TeeAdapter,
    tdxAdapter as TeeAdapter,
    createSnpAdapter({ dangerouslyAllowMissingCrl: options.dangerouslyAllowMissingAmdCrl === true }) as TeeAdapter,
    nitroAdapter as TeeAdapter,
    debugAdapter as TeeAdapter,
    gpu as TeeAdapter,
    createAzureCvmAdapter({ dangerouslyAllowMissingAmdCrl: options.dangerouslyAllowMissingAmdCrl === true }) as TeeAdapter,
    armCcaAdapter as TeeAdapter,
  ];
  // The composite verifies its parts with the adapters above, the operator's switches included.
  return [...single, createCpuGpuAdapter({ cpuAdapters: single, gpuAdapter: gpu }) as TeeAdapter];
}

/** The default adapter of a kind (the strict one: every unsafe switch off). */
export function adapterFor<K extends TeeKind>(kind: K): TeeAdapter<K> {
  const adapter = DEFAULT_ADAPTERS.find((a) => a.kind === kind);
  if (adapter === undefined) throw new Error(`no adapter for TEE kind ${String(kind)}`);
  return adapter as unknown as TeeAdapter<K>;
}
