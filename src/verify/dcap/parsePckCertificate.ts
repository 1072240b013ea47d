import { EvidenceFormatError, isKeepledgerError } from "../../errors/KeepledgerError.ts";
import { parseCertificate, type ParsedCertificate } from "../x509/certificate.ts";
import { X509_CODES } from "../x509/codes.ts";

/**
 * parseCertificate for certificates taken from untrusted quotes. The shared
 * parser reads some fields (basicConstraints, keyUsage, names) outside its own
 * try block, so @peculiar/x509 can throw plain Errors on malformed extensions;
 * those become the typed CERT_MALFORMED here.
 */
export function parsePckCertificate(der: Uint8Array, field: string): ParsedCertificate {
  try {
    return parseCertificate(der, field);
  } catch (cause) {
    if (isKeepledgerError(cause)) throw cause;
    throw new EvidenceFormatError(X509_CODES.CERT_MALFORMED, `${field} could not be parsed`, { at: { field }, cause });
  }
}
