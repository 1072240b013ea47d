import type { Hex } from "../../util/bytes.ts";

export interface DebugClaims {
  measurement: Hex;
  reportData: Hex;
  publicKey: Hex;
}
