import type { Address, Hex } from "../../util/hex.ts";
import type { Sealed } from "./hpke.ts";

/** What a validator answers to a release: its 1-based share index, the share sealed to the recipient, the version's share hashes. */
export interface ReleaseResponse {
  validator: Address;
  index: number;
  sealed: Sealed;
  shareHashes: Hex[];
  requestHash: Hex;
}
