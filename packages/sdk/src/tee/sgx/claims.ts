import type { Hex } from "../../util/bytes.ts";

export interface SgxClaims {
  mrenclave: Hex;
  mrsigner: Hex;
  isvProdId: number;
  isvSvn: number;
  reportData: Hex;
  /** ATTRIBUTES.FLAGS (INIT, DEBUG, MODE64BIT, PROVISIONKEY, EINITTOKEN_KEY, KSS, AEXNOTIFY…): 0x-hex of the 64-bit value. */
  attributes: Hex;
  /** ATTRIBUTES.XFRM, the XSAVE feature mask: 0x-hex of the 64-bit value. */
  xfrm: Hex;
}
