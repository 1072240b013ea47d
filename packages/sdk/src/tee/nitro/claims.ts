import type { Hex } from "../../util/bytes.ts";

export interface NitroClaims {
  pcr0: Hex;
  pcr1: Hex;
  pcr2: Hex;
  moduleId: string;
  /** Milliseconds since the Unix epoch, as signed in the document. */
  timestamp: number;
  publicKey: Hex | null;
  userData: Hex | null;
  nonce: Hex | null;
}
