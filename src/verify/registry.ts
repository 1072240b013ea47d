import type { TeeAdapter } from "./adapter.ts";
import { sgxAdapter } from "./sgx/sgxAdapter.ts";
import { tdxAdapter } from "./tdx/tdxAdapter.ts";

/**
 * Every supported kind of evidence, one adapter each. Supporting a new kind or
 * quote version means adding its folder and one line here.
 */
export const DEFAULT_ADAPTERS: readonly TeeAdapter[] = [sgxAdapter as TeeAdapter, tdxAdapter as TeeAdapter];
