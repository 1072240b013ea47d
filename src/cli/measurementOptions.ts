/**
 * The measurement `keepledger workload measure` approves: from per-kind flags (each kind's facts name its
 * flags and build its measurement), or taken from evidence that is first VERIFIED, as `keepledger verify`
 * would, with the collateral and time given (`--collateral`, `--at`): the measurement and the debug label
 * come from the verified evidence, never from bytes nobody checked.
 */
import { readFile } from "node:fs/promises";
import { isKeepledgerError, UsageError } from "@keepledger/sdk/internal/errors/index";
import { TEE_KINDS, type TeeKind } from "@keepledger/sdk/internal/kinds/index";
import { factsOf, type KindFacts, type Measurement } from "@keepledger/sdk/internal/tee/kindFacts";
import type { FlagParsers, MeasureOptions } from "@keepledger/sdk/internal/tee/kind";
import { flagName } from "@keepledger/sdk/internal/tee/layoutHelpers";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { verifyEvidence } from "../verify/verifyEvidence.ts";
import { CLI_CODES } from "./codes.ts";
import { collateralProviders, parseAt, unsafeAdapters, type VerificationInputs } from "./verificationInputs.ts";
import { badOption, hexOption, wholeOption } from "./governance.ts";

export const TEE_FLAG_KINDS: readonly TeeKind[] = TEE_KINDS;

export interface MeasurementFlags extends VerificationInputs {
  tee?: string;
  mrenclave?: string;
  mrsigner?: string;
  isvProdId?: string;
  minIsvSvn?: string;
  mrtd?: string;
  rtmr0?: string;
  rtmr1?: string;
  rtmr2?: string;
  rtmr3?: string;
  measurement?: string;
  hostData?: string;
  pcr0?: string;
  pcr1?: string;
  pcr2?: string;
  hardware?: string;
  hardwareMeasurement?: string;
  pcrValues?: string;
  /** With --from-evidence: the PCRs an Azure CVM measurement covers, "4,7,11". */
  pcrs?: string;
  hashAlg?: string;
  rim?: string;
  rem0?: string;
  rem1?: string;
  rem2?: string;
  rem3?: string;
  personalizationValue?: string;
  driverRimDigest?: string;
  vbiosRimDigest?: string;
  cpuTee?: string;
  cpuMeasurementHash?: string;
  minGpus?: string;
  gpuRimSetDigest?: string;
  gpuModels?: string;
  minDriverVersion?: string;
  minVbiosVersion?: string;
  fromEvidence?: string;
  bySigner?: boolean;
  withHostData?: boolean;
}

/** Every kind's measurement flag keys (camelCase), once each. */
export const ALL_VALUE_FLAGS: readonly string[] = [...new Set(TEE_KINDS.flatMap((k) => factsOf(k).flags.names))];

/** The CLI's parsers and errors, handed to the kinds' facts. */
const CLI_PARSERS: FlagParsers = {
  hex: hexOption,
  whole: (flag, value, max) => wholeOption(flag, value, max),
  bad: badOption,
  usage: (message, flag) => new UsageError(CLI_CODES.CLI_BAD_OPTION, message, { at: { field: flag } }),
};

/** The measurement named by the per-kind flags. */
export function measurementFromFlags(o: MeasurementFlags): Measurement {
  const tee = o.tee;
  if (tee === undefined || !(TEE_FLAG_KINDS as readonly string[]).includes(tee)) {
    throw badOption("--tee", tee ?? "", `one of ${TEE_FLAG_KINDS.join(", ")} (or use --from-evidence <file>)`);
  }
  const facts = factsOf(tee as TeeKind);
  const values = o as unknown as Record<string, string | boolean | undefined>;
  const stray = ALL_VALUE_FLAGS.filter((k) => values[k] !== undefined && !facts.flags.names.includes(k));
  if (stray.length > 0) {
    throw new UsageError(
      CLI_CODES.CLI_BAD_OPTION,
      `${stray.map(flagName).join(", ")} ${stray.length > 1 ? "do" : "does"} not apply to --tee ${tee}; it takes ${facts.flags.names.map(flagName).join(", ")}`,
      { at: { field: flagName(stray[0]!) } },
    );
  }
  return facts.flags.fromFlags(values, CLI_PARSERS);
}

export interface EvidenceMeasurement {
  measurement: Measurement;
  /** The verified evidence runs in debug mode (or is a debug Keep, no TEE): insecure. */
  debug: boolean;
  /** The evidence as verified (kind, TCB status, as of when). */
  verified: VerifiedEvidence;
}

/** `--pcrs 4,7,11`: distinct PCR indices 0..23. */
function pcrListOption(value: string): number[] {
  const items = value.split(",").map((s) => s.trim());
  const pcrs = items.map((s) => Number(wholeOption("--pcrs", s, 23)));
  if (new Set(pcrs).size !== pcrs.length) throw badOption("--pcrs", value, "distinct PCR indices 0..23");
  return pcrs;
}

/** The kinds whose evidence a measure option applies to, as the error names them. */
function kindsTaking(option: keyof MeasureOptions): string {
  return TEE_KINDS.filter((k) => factsOf(k).flags.measureOptions.includes(option))
    .map((k) => factsOf(k).label.replace(/^(Intel|AMD|AWS) /, ""))
    .join(" or ");
}

/**
 * Verifies the evidence (as of `--at`, with `--collateral`) and takes its measurement: SGX by mrenclave
 * (or --by-signer), SEV-SNP without host data (or --with-host-data). Evidence that does not verify is an
 * explicit CLI_EVIDENCE_MEASUREMENT error naming why.
 */
export async function measurementFromEvidence(
  file: string,
  o: Pick<MeasurementFlags, "bySigner" | "withHostData" | "pcrs" | keyof VerificationInputs>,
): Promise<EvidenceMeasurement> {
  const at = parseAt(o.at);
  let raw: Uint8Array;
  try {
    raw = new Uint8Array(await readFile(file));
  } catch (cause) {
    throw new UsageError(CLI_CODES.CLI_FILE_UNREADABLE, `cannot read evidence file ${file}`, { cause });
  }
  let verified: VerifiedEvidence;
  try {
    verified = await verifyEvidence(raw, {
      at,
      collateral: await collateralProviders(o),
      ...unsafeAdapters(o),
    });
  } catch (cause) {
    if (isKeepledgerError(cause) && cause.stage === "usage") throw cause;
    const why = isKeepledgerError(cause) ? `${cause.code}: ${cause.message}` : String(cause);
    throw new UsageError(
      CLI_CODES.CLI_EVIDENCE_MEASUREMENT,
      `cannot take a measurement from ${file}: it does not verify as of ${at.toISOString()} (${why}); give its collateral with --collateral and a time in its validity with --at`,
      { cause },
    );
  }
  const facts = factsOf(verified.tee) as unknown as KindFacts<TeeKind, Measurement>;
  if (o.bySigner && !facts.flags.measureOptions.includes("bySigner"))
    throw badOption("--by-signer", "set", `used with ${kindsTaking("bySigner")} evidence only`);
  if (o.withHostData && !facts.flags.measureOptions.includes("withHostData"))
    throw badOption("--with-host-data", "set", `used with ${kindsTaking("withHostData")} evidence only`);
  if (o.pcrs !== undefined && !facts.flags.measureOptions.includes("pcrs"))
    throw badOption("--pcrs", o.pcrs, `used with ${kindsTaking("pcrs")} evidence only`);
  const measurement = facts.measurement.fromVerified(verified, {
    ...(o.bySigner ? { bySigner: true } : {}),
    ...(o.withHostData ? { withHostData: true } : {}),
    ...(o.pcrs !== undefined ? { pcrs: pcrListOption(o.pcrs) } : {}),
  });
  return { measurement, debug: verified.debug, verified };
}
