/** @phala/dcap-qvl-web (the Rust dcap-qvl compiled to WebAssembly) on the SGX and TDX vectors. */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { initSync, js_verify } from "@phala/dcap-qvl-web";
import { quoteCollateralV3, type BenchVector } from "../verify/vectors.ts";
import { expectedDcapStatus } from "./expectedDcapStatus.ts";
import type { Peer, PeerSetup } from "./peer.ts";

let initialized = false;

/** The package fetches its .wasm by URL in browsers; in Node it is instantiated from the file, once. */
function init(): void {
  if (initialized) return;
  const wasm = createRequire(import.meta.url).resolve("@phala/dcap-qvl-web/dcap-qvl-web_bg.wasm");
  initSync({ module: readFileSync(wasm) });
  initialized = true;
}

export const dcapQvlWeb: Peer = {
  name: "@phala/dcap-qvl-web",
  kinds: ["sgx", "tdx"],
  async setup(vector: BenchVector): Promise<PeerSetup> {
    init();
    const quote = new Uint8Array(vector.evidence);
    const collateral = quoteCollateralV3(vector);
    const now = BigInt(Math.floor(vector.at.getTime() / 1000));
    const status = (js_verify(quote, collateral, now) as { status: string }).status;
    const want = expectedDcapStatus(vector);
    if (status !== want) return { absent: `verifies ${vector.set} to ${status}, expected ${want}` };
    return {
      run: () => js_verify(quote, collateral, now),
      note: "one mode: the collateral object crosses into WebAssembly and everything is parsed and checked on every call (no caches)",
    };
  },
};
