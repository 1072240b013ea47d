import { clearPckChainDataCache } from "../../evidence/dcap/parsePckChainData.ts";
import { clearDcapHashCaches } from "./dcapHashes.ts";
import { clearIntelCollateralCache } from "./intelCollateral.ts";
import { clearPckExtensionCache } from "./parsePckExtensions.ts";
import { clearIntelSignatureCache } from "./verifyIntelDocument.ts";
import { clearQuoteSignatureCaches } from "./verifyQuoteSignatures.ts";

/**
 * Drops everything the DCAP verifier remembers by exact bytes (parsed TCB Info
 * and QE Identity, their signature checks, QE report signature checks,
 * attestation keys, PCK extensions, collateral hashes, decoded PEM chains),
 * for cold measurements.
 * Certificate/CRL parsing and X.509 signature caches are cleared with
 * clearParseCaches() and clearSignatureCache() from src/pki/x509.
 */
export function clearDcapCaches(): void {
  clearPckChainDataCache();
  clearDcapHashCaches();
  clearIntelCollateralCache();
  clearPckExtensionCache();
  clearIntelSignatureCache();
  clearQuoteSignatureCaches();
}
