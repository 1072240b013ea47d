/**
 * Intel DCAP quote structures shared by SGX (v3) and TDX (v4, v5) quotes, as
 * laid out in Intel's "SGX ECDSA Quote Library API" and "TDX DCAP Quoting
 * Library API". Byte fields are views into the quote (no copies); numbers are
 * little-endian on the wire.
 */

export const TEE_TYPE_SGX = 0x00000000;
export const TEE_TYPE_TDX = 0x00000081;
/** ECDSA-256-with-P-256 curve: the only attestation key type Intel's QEs use. */
export const ATTESTATION_KEY_TYPE_ECDSA_P256 = 2;
export const QUOTE_HEADER_SIZE = 48;
export const ENCLAVE_REPORT_SIZE = 384;
export const TD10_REPORT_SIZE = 584;
export const TD15_REPORT_SIZE = 648;
/** Certification data types (Intel SGX ECDSA Quote Library API, appendix). */
export const CERT_DATA_PCK_CHAIN = 5;
export const CERT_DATA_QE_REPORT = 6;

export interface QuoteHeader {
  version: number;
  attestationKeyType: number;
  /** 0x00 SGX, 0x81 TDX (reserved and zero in v3 quotes). */
  teeType: number;
  qeSvn: number;
  pceSvn: number;
  qeVendorId: Uint8Array;
  userData: Uint8Array;
}

/** An SGX REPORT body (384 bytes): the ISV enclave's report in SGX quotes, and the QE's report in every quote. */
export interface EnclaveReport {
  /** The exact 384 bytes (what the PCK key signs for the QE report). */
  raw: Uint8Array;
  cpuSvn: Uint8Array;
  miscSelect: number;
  /** MISCSELECT as the 4 bytes on the wire, for masking bytewise. */
  miscSelectRaw: Uint8Array;
  isvExtProdId: Uint8Array;
  /** 16 bytes: FLAGS (8, little-endian) then XFRM (8). */
  attributes: Uint8Array;
  mrEnclave: Uint8Array;
  mrSigner: Uint8Array;
  configId: Uint8Array;
  isvProdId: number;
  isvSvn: number;
  configSvn: number;
  isvFamilyId: Uint8Array;
  reportData: Uint8Array;
}

/** A TDX TD report body: TD 1.0 (584 bytes) or TD 1.5 (648 bytes, adds TEE_TCB_SVN2 and MRSERVICETD). */
export interface TdReport {
  kind: "td10" | "td15";
  raw: Uint8Array;
  teeTcbSvn: Uint8Array;
  mrSeam: Uint8Array;
  mrSignerSeam: Uint8Array;
  seamAttributes: Uint8Array;
  tdAttributes: Uint8Array;
  xfam: Uint8Array;
  mrTd: Uint8Array;
  mrConfigId: Uint8Array;
  mrOwner: Uint8Array;
  mrOwnerConfig: Uint8Array;
  rtmr0: Uint8Array;
  rtmr1: Uint8Array;
  rtmr2: Uint8Array;
  rtmr3: Uint8Array;
  reportData: Uint8Array;
  /** TD 1.5 only. */
  teeTcbSvn2?: Uint8Array;
  /** TD 1.5 only. */
  mrServiceTd?: Uint8Array;
}

/** Certification data type 5: the PCK certificate chain, PEM, leaf first. */
export interface PckChainData {
  /** The certification data bytes as carried in the quote. */
  raw: Uint8Array;
  /** SHA-256 (base64) of the PEM text without its optional NUL terminator: the chain's identity in caches. */
  readonly digest: string;
  /** Each PEM block decoded to DER, in order (leaf first). */
  certificates: Uint8Array[];
}

/** The ECDSA quote signature data (v3) or its v4/v5 equivalent with type-6 nesting. */
export interface QuoteSignatureData {
  /** ECDSA P-256 signature (r‖s) by the attestation key over the signed region. */
  quoteSignature: Uint8Array;
  /** The attestation public key, raw x‖y (64 bytes). */
  attestationKey: Uint8Array;
  qeReport: EnclaveReport;
  /** ECDSA P-256 signature (r‖s) by the PCK key over the QE report's 384 bytes. */
  qeReportSignature: Uint8Array;
  qeAuthData: Uint8Array;
  pckChain: PckChainData;
  /** 6 when the QE data is nested in QE report certification data (v4/v5), otherwise undefined. */
  outerCertificationDataType?: number;
}

interface QuoteCommon {
  raw: Uint8Array;
  header: QuoteHeader;
  /** The bytes the attestation key signs: header ‖ body (v5: header ‖ body type ‖ body size ‖ body). */
  signedRegion: Uint8Array;
  signature: QuoteSignatureData;
  /** Zero bytes after the signature data (TDX guest drivers pad quotes). */
  trailingZeroBytes: number;
}

export interface SgxQuote extends QuoteCommon {
  tee: "sgx";
  body: EnclaveReport;
}

export interface TdxQuote extends QuoteCommon {
  tee: "tdx";
  body: TdReport;
  /** v5 only: 2 (TD 1.0) or 3 (TD 1.5). */
  bodyType?: number;
}

export type DcapQuote = SgxQuote | TdxQuote;
