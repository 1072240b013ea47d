/**
 * The pure facts of a TEE kind: its name, who roots its evidence, its measurement layout, where the
 * binding sits in its evidence and the CLI flags that name a measurement. No node: imports and no
 * verifier, so the SDK and a browser bundle can read them (a layer rule keeps it so).
 */
import type { TeeKind } from "../kinds/index.ts";
import type { Hex } from "../util/bytes.ts";
import type { ArmCcaMeasurement } from "./arm-cca/measurement.ts";
import type { CpuGpuMeasurement } from "./cpu-gpu/measurement.ts";
import type { DebugMeasurement } from "./debug/measurement.ts";
import type { NitroMeasurement } from "./nitro/measurement.ts";
import type { NvidiaGpuMeasurement } from "./nvidia-gpu/measurement.ts";
import type { SevSnpMeasurement } from "./sev-snp/measurement.ts";
import type { SgxMeasurement } from "./sgx/measurement.ts";
import type { TdxMeasurement } from "./tdx/measurement.ts";
import type { AzureCvmMeasurement } from "./azure-cvm/measurement.ts";
import type { ClaimsByKind, VerifiedEvidence } from "./types.ts";

/** Each kind's measurement: what the WorkloadRegistry approves (layouts in docs/ids.md). */
export interface MeasurementByKind {
  sgx: SgxMeasurement;
  tdx: TdxMeasurement;
  "sev-snp": SevSnpMeasurement;
  nitro: NitroMeasurement;
  debug: DebugMeasurement;
  "azure-cvm": AzureCvmMeasurement;
  "arm-cca": ArmCcaMeasurement;
  "nvidia-gpu": NvidiaGpuMeasurement;
  "cpu-gpu": CpuGpuMeasurement;
}
export type Measurement = MeasurementByKind[TeeKind];

/** Who roots a kind's evidence: groups kinds for platform revocation and audit. */
export type TeeVendor = "intel" | "amd" | "aws" | "nvidia" | "microsoft" | "arm" | "none";

export interface MeasurementLayout<K extends TeeKind, M extends { tee: TeeKind }> {
  /** The packed value length (bytes) the WorkloadRegistry accepts. */
  readonly length: number;
  /** The packed value, with every length and mode checked as the contract checks it. */
  encode(m: M): Hex;
  /** The fields of a packed value (of the right length); a typed error on bad flags or modes. */
  decode(value: Hex): M;
  /** Whether verified claims are an approved packed value (of the right length). */
  matches(claims: ClaimsByKind[K], value: Uint8Array): boolean;
  /** The measurement of verified evidence (the CLI measures only after verifying). */
  fromVerified(evidence: VerifiedEvidence<K>, options: MeasureOptions): M;
}

/** How `workload measure --from-evidence` picks among a kind's measurement modes. */
export interface MeasureOptions {
  /** SGX: approve the signer, product and minimum ISVSVN instead of the exact enclave. */
  bySigner?: boolean;
  /** SEV-SNP: approve the HOST_DATA too. */
  withHostData?: boolean;
  /** Azure CVM: the PCRs the measurement covers (default 4, 7, 11); each must be in the TPM quote. */
  pcrs?: readonly number[];
}

/** The CLI's option parsers, passed in so that the facts stay below the CLI and its error codes stay its own. */
export interface FlagParsers {
  /** `bytes` bytes of hex, returned lowercase with 0x; throws the CLI's bad-option error. */
  hex(flag: string, value: string, bytes: number): Hex;
  /** A whole number from 0 to max; throws the CLI's bad-option error. */
  whole(flag: string, value: string, max: number): bigint;
  /** The CLI's bad-option error: `flag` must be `want`. */
  bad(flag: string, value: string, want: string): Error;
  /** The CLI's bad-option error with its own message. */
  usage(message: string, flag: string): Error;
}

export type FlagValues = Readonly<Record<string, string | boolean | undefined>>;

export interface KindFacts<K extends TeeKind = TeeKind, M extends { tee: TeeKind } = MeasurementByKind[K]> {
  readonly kind: K;
  /** "Intel SGX", "AMD SEV-SNP", … */
  readonly label: string;
  /** What one instance is called, for people: "Intel SGX enclave", "AMD SEV-SNP guest", … */
  readonly instance: string;
  /** Who roots the evidence: groups kinds for platform revocation and audit (findPlatformVerdicts). */
  readonly vendor: TeeVendor;
  /**
   * Whose hardware platforms the evidence runs on, when not `vendor` itself (an Azure CVM is Microsoft's evidence
   * on AMD or Intel hardware): platform revocations of these vendors apply to the kind. Default: [vendor].
   */
  readonly hardwareVendors?: readonly TeeVendor[];
  readonly measurement: MeasurementLayout<K, M>;
  /** Where the binding hash sits: 64-byte REPORTDATA = hash ‖ 32 zero bytes, Nitro user_data = hash. */
  readonly reportData: {
    readonly length: 32 | 64;
    /** The report data that carries this 32-byte binding hash. */
    bind(bindingHash: Hex): Hex;
    /** The bound bytes of verified evidence, or null when it carries none. */
    of(claims: ClaimsByKind[K]): Uint8Array | null;
  };
  /**
   * Kinds without a vendor PKI (Arm CCA): the identity of the platform key that endorsed verified evidence,
   * which the workload's on-chain allow-list must hold (src/policy/checkCpakAllowed.ts); null when the
   * evidence does not name one (refused). Absent for kinds whose platforms are endorsed by a pinned vendor root.
   */
  readonly listedPlatformKey?: (platform: Readonly<Record<string, unknown>>) => Hex | null;
  /** The CLI's per-kind flags for `workload measure --tee <kind>` (camelCase keys) and how they make a measurement. */
  readonly flags: {
    readonly names: readonly string[];
    fromFlags(flags: FlagValues, parse: FlagParsers): M;
    /** The measure options (`--by-signer`, `--with-host-data`) that apply to this kind's evidence. */
    readonly measureOptions: readonly (keyof MeasureOptions)[];
  };
}
