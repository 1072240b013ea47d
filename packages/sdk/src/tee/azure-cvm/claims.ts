import type { Hex } from "../../util/bytes.ts";
import type { SnpClaims } from "../sev-snp/claims.ts";
import type { TdxClaims } from "../tdx/claims.ts";

/** What a workload policy matches an Azure confidential VM on. All hex is 0x-prefixed lowercase. */
export interface AzureCvmClaims {
  /** The hardware under the paravisor. */
  hardware: "snp" | "tdx";
  /** SEV-SNP MEASUREMENT or TDX MRTD (48 bytes): the paravisor (HCL) image Azure launched. */
  hardwareMeasurement: Hex;
  /** The hardware REPORT_DATA (64 bytes): SHA-256 of the runtime data, then 32 bytes. */
  hardwareReportData: Hex;
  /** The hardware report's own claims (exactly one is non-null). */
  snp: SnpClaims | null;
  tdx: TdxClaims | null;
  /** PCR index → SHA-256 bank value, for the PCRs the TPM quote selected (only those are attested). */
  pcrs: Record<number, Hex>;
  /** The TPM quote's extraData: the binding (docs/ids.md) for keepledger evidence. */
  nonce: Hex;
  /** SHA-256 of the HCL attestation key's SubjectPublicKeyInfo DER: the AK that signed the quote. */
  akSpkiSha256: Hex;
  /** vm-configuration's vmUniqueId (the Azure VM id), or null. */
  vmId: string | null;
  vmConfiguration: VmConfiguration;
  /** runtime data user-data, or null when absent. */
  userData: Hex | null;
  /** TPMS_ATTEST facts that identify the vTPM and its boot cycle. */
  tpm: { firmwareVersion: Hex; qualifiedSigner: Hex; resetCount: number; restartCount: number; clock: string };
  /** SEV-SNP guest policy DEBUG, or TDX TD_ATTRIBUTES.DEBUG. */
  debug: boolean;
}

/** The vm-configuration the paravisor reports; every member optional (older HCL versions omit some). */
export interface VmConfiguration {
  consoleEnabled?: boolean;
  secureBoot?: boolean;
  tpmEnabled?: boolean;
  tpmPersisted?: boolean;
  rootCertThumbprint?: string;
  vmUniqueId?: string;
}
