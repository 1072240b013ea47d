/**
 * The measurement `keepledger workload measure` approves: from per-kind flags, or taken from evidence with
 * the engine's own parsers (detect + parse only: nothing is verified, the file is only where the values
 * come from).
 */
import { readFile } from "node:fs/promises";
import type { Hex } from "viem";
import { isKeepledgerError, UsageError } from "../errors/index.ts";
import type { SgxQuote, TdxQuote } from "../tee/dcap/types.ts";
import type { DebugEvidence } from "../tee/debug/parseDebugEvidence.ts";
import { decodeEvidenceInput } from "../evidence/decodeEvidenceInput.ts";
import type { NitroDocument } from "../tee/nitro/parseNitroDocument.ts";
import type { SnpReport } from "../tee/sev-snp/parseSnpReport.ts";
import type { Measurement } from "../tee/kindFacts.ts";
import { isSgxDebug } from "../tee/sgx/verifySgxQuote.ts";
import { isTdDebug } from "../tee/tdx/verifyTdxQuote.ts";
import { detectAdapter } from "../verify/verifyEvidence.ts";
import { CLI_CODES } from "./codes.ts";
import { badOption, hexOption, wholeOption } from "./governance.ts";

export const TEE_FLAG_KINDS = ["sgx", "tdx", "sev-snp", "nitro", "debug"] as const;

export interface MeasurementFlags {
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
  fromEvidence?: string;
  bySigner?: boolean;
  withHostData?: boolean;
}

const KIND_FLAGS: Record<(typeof TEE_FLAG_KINDS)[number], Array<keyof MeasurementFlags>> = {
  sgx: ["mrenclave", "mrsigner", "isvProdId", "minIsvSvn"],
  tdx: ["mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3"],
  "sev-snp": ["measurement", "hostData"],
  nitro: ["pcr0", "pcr1", "pcr2"],
  debug: ["measurement"],
};
const ALL_VALUE_FLAGS = [...new Set(Object.values(KIND_FLAGS).flat())];
const ZERO32: Hex = `0x${"00".repeat(32)}`;

function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function required(o: MeasurementFlags, key: keyof MeasurementFlags, tee: string): string {
  const v = o[key];
  if (typeof v !== "string")
    throw new UsageError(CLI_CODES.CLI_BAD_OPTION, `--tee ${tee} needs ${flagName(key)}`, { at: { field: flagName(key) } });
  return v;
}

/** The measurement named by the per-kind flags. */
export function measurementFromFlags(o: MeasurementFlags): Measurement {
  const tee = o.tee;
  if (tee === undefined || !(TEE_FLAG_KINDS as readonly string[]).includes(tee)) {
    throw badOption("--tee", tee ?? "", `one of ${TEE_FLAG_KINDS.join(", ")} (or use --from-evidence <file>)`);
  }
  const kind = tee as (typeof TEE_FLAG_KINDS)[number];
  const stray = ALL_VALUE_FLAGS.filter((k) => o[k] !== undefined && !KIND_FLAGS[kind].includes(k));
  if (stray.length > 0) {
    throw new UsageError(
      CLI_CODES.CLI_BAD_OPTION,
      `${stray.map(flagName).join(", ")} ${stray.length > 1 ? "do" : "does"} not apply to --tee ${kind}; it takes ${KIND_FLAGS[kind].map(flagName).join(", ")}`,
      {
        at: { field: flagName(stray[0]!) },
      },
    );
  }
  switch (kind) {
    case "sgx": {
      if (o.mrenclave !== undefined) {
        if (o.mrsigner !== undefined || o.isvProdId !== undefined || o.minIsvSvn !== undefined) {
          throw new UsageError(
            CLI_CODES.CLI_BAD_OPTION,
            "an SGX measurement is either --mrenclave alone, or --mrsigner with --isv-prod-id and --min-isv-svn",
            { at: { field: "--mrenclave" } },
          );
        }
        return { tee: "sgx", mrenclave: hexOption("--mrenclave", o.mrenclave, 32), mrsigner: ZERO32, isvProdId: 0, minIsvSvn: 0 };
      }
      if (o.mrsigner === undefined)
        throw new UsageError(CLI_CODES.CLI_BAD_OPTION, "--tee sgx needs --mrenclave, or --mrsigner with --isv-prod-id and --min-isv-svn", {
          at: { field: "--mrenclave" },
        });
      const mrsigner = hexOption("--mrsigner", o.mrsigner, 32);
      if (mrsigner === ZERO32) throw badOption("--mrsigner", o.mrsigner, "a non-zero signer hash");
      return {
        tee: "sgx",
        mrenclave: ZERO32,
        mrsigner,
        isvProdId: Number(wholeOption("--isv-prod-id", required(o, "isvProdId", "sgx --mrsigner"), 65_535)),
        minIsvSvn: Number(wholeOption("--min-isv-svn", required(o, "minIsvSvn", "sgx --mrsigner"), 65_535)),
      };
    }
    case "tdx":
      return {
        tee: "tdx",
        mrtd: hexOption("--mrtd", required(o, "mrtd", kind), 48),
        rtmr0: hexOption("--rtmr0", required(o, "rtmr0", kind), 48),
        rtmr1: hexOption("--rtmr1", required(o, "rtmr1", kind), 48),
        rtmr2: hexOption("--rtmr2", required(o, "rtmr2", kind), 48),
        rtmr3: hexOption("--rtmr3", required(o, "rtmr3", kind), 48),
      };
    case "sev-snp":
      return {
        tee: "sev-snp",
        measurement: hexOption("--measurement", required(o, "measurement", kind), 48),
        hostData: o.hostData === undefined ? null : hexOption("--host-data", o.hostData, 32),
      };
    case "nitro":
      return {
        tee: "nitro",
        pcr0: hexOption("--pcr0", required(o, "pcr0", kind), 48),
        pcr1: hexOption("--pcr1", required(o, "pcr1", kind), 48),
        pcr2: hexOption("--pcr2", required(o, "pcr2", kind), 48),
      };
    case "debug":
      return { tee: "debug", measurement: hexOption("--measurement", required(o, "measurement", kind), 32) };
  }
}

const hex = (b: Uint8Array): Hex => `0x${Buffer.from(b).toString("hex")}`;

export interface EvidenceMeasurement {
  measurement: Measurement;
  /** The evidence says it runs in debug mode (or is a debug Keep, no TEE): insecure. */
  debug: boolean;
}

/** Takes the measurement from evidence: SGX by mrenclave (or --by-signer), SEV-SNP without host data (or --with-host-data). */
export async function measurementFromEvidence(
  file: string,
  o: Pick<MeasurementFlags, "bySigner" | "withHostData">,
): Promise<EvidenceMeasurement> {
  let raw: Uint8Array;
  try {
    raw = new Uint8Array(await readFile(file));
  } catch (cause) {
    throw new UsageError(CLI_CODES.CLI_FILE_UNREADABLE, `cannot read evidence file ${file}`, { cause });
  }
  let adapter;
  let parsed: unknown;
  try {
    const { bytes } = decodeEvidenceInput(raw);
    adapter = detectAdapter(bytes);
    parsed = adapter.parse(bytes);
  } catch (cause) {
    const why = isKeepledgerError(cause) ? `${cause.code}: ${cause.message}` : String(cause);
    throw new UsageError(CLI_CODES.CLI_EVIDENCE_MEASUREMENT, `cannot take a measurement from ${file}: ${why}`, { cause });
  }
  if (o.bySigner && adapter.kind !== "sgx") throw badOption("--by-signer", "set", "used with SGX evidence only");
  if (o.withHostData && adapter.kind !== "sev-snp") throw badOption("--with-host-data", "set", "used with SEV-SNP evidence only");
  switch (adapter.kind) {
    case "sgx": {
      const body = (parsed as SgxQuote).body;
      const debug = isSgxDebug(body.attributes);
      if (o.bySigner)
        return {
          debug,
          measurement: { tee: "sgx", mrenclave: ZERO32, mrsigner: hex(body.mrSigner), isvProdId: body.isvProdId, minIsvSvn: body.isvSvn },
        };
      return { debug, measurement: { tee: "sgx", mrenclave: hex(body.mrEnclave), mrsigner: ZERO32, isvProdId: 0, minIsvSvn: 0 } };
    }
    case "tdx": {
      const b = (parsed as TdxQuote).body;
      return {
        debug: isTdDebug(b.tdAttributes),
        measurement: { tee: "tdx", mrtd: hex(b.mrTd), rtmr0: hex(b.rtmr0), rtmr1: hex(b.rtmr1), rtmr2: hex(b.rtmr2), rtmr3: hex(b.rtmr3) },
      };
    }
    case "sev-snp": {
      const r = parsed as SnpReport;
      return {
        debug: r.policyDecoded.debug,
        measurement: { tee: "sev-snp", measurement: hex(r.measurement), hostData: o.withHostData ? hex(r.hostData) : null },
      };
    }
    case "nitro": {
      const d = parsed as NitroDocument;
      const pcr = (i: number): Hex => {
        const v = d.pcrs.get(i);
        if (v === undefined || v.length !== 48)
          throw new UsageError(CLI_CODES.CLI_EVIDENCE_MEASUREMENT, `the Nitro document in ${file} has no 48-byte PCR${i}`, {
            at: { field: `pcrs.${i}` },
          });
        return hex(v);
      };
      const pcrs = { pcr0: pcr(0), pcr1: pcr(1), pcr2: pcr(2) };
      // The NSM zeroes PCR0-2 of enclaves started in debug mode (as verifyNitroDocument labels them).
      return { debug: Object.values(pcrs).some((p) => /^0x0+$/.test(p)), measurement: { tee: "nitro", ...pcrs } };
    }
    default:
      return { debug: true, measurement: { tee: "debug", measurement: hex((parsed as DebugEvidence).measurement) } };
  }
}
