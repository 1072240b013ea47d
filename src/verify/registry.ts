import type { TeeAdapter } from "./adapter.ts";
import { debugAdapter } from "./debug/debugAdapter.ts";
import { nitroAdapter } from "./nitro/nitroAdapter.ts";
import { snpAdapter } from "./sev-snp/snpAdapter.ts";
import { sgxAdapter } from "./sgx/sgxAdapter.ts";
import { tdxAdapter } from "./tdx/tdxAdapter.ts";

/**
 * Every supported kind of evidence, one adapter each. Supporting a new kind or
 * quote version means adding its folder and one line here. Detection is
 * strict: exactly one adapter must claim the bytes.
 */
export const DEFAULT_ADAPTERS: readonly TeeAdapter[] = [
  sgxAdapter as TeeAdapter,
  tdxAdapter as TeeAdapter,
  snpAdapter as TeeAdapter,
  nitroAdapter as TeeAdapter,
  debugAdapter as TeeAdapter,
];
