import { EvidenceFormatError } from "../../errors/KeepledgerError.ts";
import { fromHex, toHex, tryFromHex, type Hex } from "../../util/bytes.ts";
import type { AzureCvmClaims } from "./claims.ts";
import { AZCVM_FORMAT_CODES } from "./codes.ts";

/**
 * Where the binding hash sits (KindFacts.reportData in phase 2): the TPM quote's extraData is the 32-byte
 * binding hash itself, as Nitro's user_data is. The hardware REPORT_DATA holds the runtime data hash instead,
 * and the runtime data holds the AK that signed the quote, so the chain is hardware → AK → nonce.
 */
export const AZURE_CVM_REPORT_DATA = {
  length: 32 as const,
  bind(bindingHash: Hex): Hex {
    const bytes = tryFromHex(bindingHash);
    if (!bytes || bytes.length !== 32) {
      throw new EvidenceFormatError(AZCVM_FORMAT_CODES.AZCVM_BINDING_INVALID, "a binding hash is 32 bytes of hex", {
        details: { length: bytes?.length ?? null },
      });
    }
    return toHex(bytes);
  },
  of(claims: AzureCvmClaims): Uint8Array | null {
    return fromHex(claims.nonce);
  },
};
