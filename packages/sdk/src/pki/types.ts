/**
 * The names the facts side needs from the vendors' PKI, as plain types: the verifier (src/pki in the
 * keepledger package) implements them, the SDK only names them, so a dApp bundle carries no X.509 code.
 */

/** The AMD product lines whose ARK keepledger pins (src/pki/roots.ts: AMD_ARKS has one root per line). */
export type AmdProductLine = "Milan" | "Genoa" | "Turin";

export type StampedDocument = "crl" | "tcbInfo" | "qeIdentity";

/** One verified (or offered) document, as far as freshness goes (src/pki/freshness/collateralStamp.ts orders them). */
export interface CollateralStamp {
  document: StampedDocument;
  /** "crl:<issuer>#<key id>", "tcbInfo:SGX:<fmspc>", "qeIdentity:QE". */
  key: string;
  /** CRL thisUpdate, or the document's issueDate. */
  issued: Date;
  /** CRL number (0 when the CRL has none), or tcbEvaluationDataNumber. */
  number: number;
  nextUpdate?: Date;
  /** Lowercase hex SHA-256 of the CRL DER or of the signed JSON body: which document exactly. */
  digest: string;
}
