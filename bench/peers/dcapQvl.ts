/** @phala/dcap-qvl (pure JavaScript DCAP verifier) on the SGX and TDX vectors. */
import { verify } from "@phala/dcap-qvl";
import { quoteCollateralV3, type BenchVector } from "../verify/vectors.ts";
import type { Peer, PeerSetup } from "./peer.ts";
import { expectedDcapStatus } from "./expectedDcapStatus.ts";

export const dcapQvl: Peer = {
  name: "@phala/dcap-qvl",
  kinds: ["sgx", "tdx"],
  async setup(vector: BenchVector): Promise<PeerSetup> {
    const quote = Buffer.from(vector.evidence);
    const collateral = quoteCollateralV3(vector);
    const nowSecs = Math.floor(vector.at.getTime() / 1000);
    const status = verify(quote, collateral, nowSecs).status;
    const want = expectedDcapStatus(vector);
    if (status !== want) return { absent: `verifies ${vector.set} to ${status}, expected ${want}` };
    return {
      run: () => verify(quote, collateral, nowSecs),
      note: "one mode: parses the quote and collateral and checks every signature on every call (no caches)",
    };
  },
};
