import { EvidenceFormatError } from "../../errors/KeepledgerError.ts";
import { bytesEqual } from "../../util/bytes.ts";
import type { ParsedCertificate, ParsedCrl } from "../x509/certificate.ts";
import { X509_CODES } from "../x509/codes.ts";
import { DER, childrenOf, readSingle } from "../x509/der.ts";

/**
 * RFC 5280 §4.1.1.2 / §5.1.1.2: the unsigned outer signatureAlgorithm must
 * equal the signed one inside tbsCertificate / tbsCertList. Without this
 * check the outer AlgorithmIdentifier (for RSA-PSS, e.g. the MGF tag) can be
 * altered without breaking the signature, giving a second DER — and a second
 * collateral hash — for the same certificate.
 */
export function assertSignedAlgorithmMatches(item: ParsedCertificate | ParsedCrl, what: string): void {
  const outer = childrenOf(readSingle(item.der, DER.SEQUENCE, what), what)[1];
  const tbs = childrenOf(readSingle(item.tbs, DER.SEQUENCE, `${what}.tbs`), `${what}.tbs`);
  // Certificates: [0] version, serialNumber, signature…; CRLs: version INTEGER (optional), signature…
  const isCert = "fingerprint" in item;
  const index = isCert ? (tbs[0]?.tag === 0xa0 ? 2 : 1) : tbs[0]?.tag === DER.INTEGER ? 1 : 0;
  const inner = tbs[index];
  if (outer === undefined || inner === undefined || !bytesEqual(outer.raw, inner.raw)) {
    throw new EvidenceFormatError(X509_CODES.CERT_MALFORMED, `${what}: the signature algorithm outside the signed part differs from the one inside`, {
      at: { field: what },
      details: isCert ? { subject: (item as ParsedCertificate).subject } : { issuer: item.issuer },
    });
  }
}
