/**
 * Sorts the files of a collateral directory (or a request body) into what the
 * NVIDIA GPU verifier uses, by content, never by name: PEM certificates (the
 * device chain, hopperCertChain.txt), RIMs (a SWID SoftwareIdentity document)
 * and DER OCSP responses. Anything else (the report itself, READMEs, JSON) is
 * left out. No I/O: the caller reads the files.
 */
import { looksLikeOcspResponse, parseOcspResponse, type ParsedOcspResponse } from "../../pki/ocsp/ocspResponse.ts";
import { parsePemCertificates, type ParsedCertificate } from "../../pki/x509/certificate.ts";
import type { PkiCaches } from "../../pki/x509/pkiCaches.ts";
import { parseRim, type ParsedRim } from "./rim/parseRim.ts";
import type { NvidiaGpuCollateral } from "./verifyNvidiaGpu.ts";

export interface CollateralFile {
  name: string;
  bytes: Uint8Array;
}

const RIM_START = /^(?:\uFEFF)?(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<SoftwareIdentity[\s>]/;

export function recognizeNvidiaGpuCollateral(files: readonly CollateralFile[], caches?: PkiCaches): NvidiaGpuCollateral {
  const out = { certificates: [] as ParsedCertificate[], rims: [] as ParsedRim[], ocspResponses: [] as ParsedOcspResponse[] };
  for (const file of files) {
    const head = Buffer.from(file.bytes.subarray(0, 4096)).toString("utf8");
    if (RIM_START.test(head)) out.rims.push(parseRim(file.bytes, caches));
    else if (head.includes("-----BEGIN CERTIFICATE-----"))
      out.certificates.push(...parsePemCertificates(Buffer.from(file.bytes).toString("latin1"), file.name));
    else if (looksLikeOcspResponse(file.bytes)) out.ocspResponses.push(parseOcspResponse(file.bytes, caches));
  }
  return out;
}
