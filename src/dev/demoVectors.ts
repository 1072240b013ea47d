/**
 * The real evidence vectors the dev network seeds (Phala dcap-qvl's SGX and TDX quotes, go-sev-guest's
 * Milan debug SNP report, Arm's published CCA test token with its test CPAK) with their collateral, and the measurements and dev policies of the demo
 * workloads that accept them. They verify for real as of the chain's clock (2025-07-01, inside their
 * validity windows). They ship with the package in data/dev-vectors/<kind>/<set> (package.json `files`),
 * found relative to this module — src/dev or dist/dev, both two levels below the package root — never
 * relative to the working directory; each set is a byte-for-byte copy of test/fixtures/<kind>/<set>
 * (test/dev/devVectorsShipped.test.ts).
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { keccak256, stringToBytes, type Hex } from "viem";
import { defaultPolicy, type WorkloadPolicy } from "../policy/types.ts";
import { cpaksFromCollateralFiles } from "../tee/arm-cca/cpak.ts";
import type { Measurement } from "../tee/kindFacts.ts";
import type { TcbStatus, TeeKind } from "../kinds/index.ts";

/** 2025-07-01T00:00:00Z: inside the validity windows of the three vectors (their expected.json). */
export const DEV_CHAIN_START = new Date(Date.UTC(2025, 6, 1));

/** The package's data/dev-vectors folder. */
export const DEV_VECTORS_DIR = fileURLToPath(new URL("../../data/dev-vectors/", import.meta.url));

/** The sets keepledger dev seeds, as <kind>/<set> under DEV_VECTORS_DIR and test/fixtures. */
export const DEV_VECTOR_SETS = [
  "sgx/dcapqvl-sgx",
  "tdx/dcapqvl-tdx",
  "sev-snp/go-sev-guest-milan-debug",
  "arm-cca/tfm-tools-example-ffm00-tag399",
] as const;

export interface DemoVector {
  /** The demo workload that accepts it. */
  workload: string;
  tee: TeeKind;
  /** The status the verifier gives it as of DEV_CHAIN_START. */
  tcbStatus: TcbStatus;
  /** Where it is read from, inside the package (data/dev-vectors/<kind>/<set>). */
  source: string;
  evidence: Buffer;
  collateral: { name: string; data: string }[];
  measurement: Measurement;
  /** Arm CCA: the CPAK ids (src/ids cpakId) the workload's on-chain allow-list gets, from the vector's own collateral. */
  cpaks?: Hex[];
}

/** The debug measurement of the demo debug Keep (its "code hash"). */
export const DEMO_DEBUG_MEASUREMENT: Hex = keccak256(stringToBytes("keepledger.dev.demo-debug-keep"));
export const DEMO_DEBUG_WORKLOAD = "demo-debug-keep";

const h = (s: string) => `0x${s}` as Hex;

function load(kind: string, set: string, file: string) {
  const dir = `${DEV_VECTORS_DIR}${kind}/${set}/`;
  const expected = JSON.parse(readFileSync(`${dir}expected.json`, "utf8")) as Record<string, Record<string, Record<string, string>>>;
  const collateral = readdirSync(dir)
    .filter((f) => f !== file && f !== "expected.json" && !f.endsWith(".md"))
    .sort()
    .map((f) => ({ name: f, data: readFileSync(`${dir}${f}`).toString("base64") }));
  return { expected, evidence: readFileSync(`${dir}${file}`), collateral, source: `data/dev-vectors/${kind}/${set}` };
}

export function demoVectors(): DemoVector[] {
  const sgx = load("sgx", "dcapqvl-sgx", "quote.bin");
  const tdx = load("tdx", "dcapqvl-tdx", "quote.bin");
  const snp = load("sev-snp", "go-sev-guest-milan-debug", "report.bin");
  const cca = load("arm-cca", "tfm-tools-example-ffm00-tag399", "token.cbor");
  const ccaClaims = cca.expected.key_claims as unknown as {
    realm_initial_measurement: string;
    realm_extensible_measurements: string[];
    personalization_value: string;
  };
  const sgxReport = sgx.expected.quote!.report!;
  const tdxReport = tdx.expected.quote!.report!;
  return [
    {
      workload: "demo-sgx-enclave",
      tee: "sgx",
      tcbStatus: "ConfigurationAndSWHardeningNeeded",
      source: sgx.source,
      evidence: sgx.evidence,
      collateral: sgx.collateral,
      measurement: { tee: "sgx", mrenclave: h(sgxReport.mrenclave!), mrsigner: `0x${"00".repeat(32)}`, isvProdId: 0, minIsvSvn: 0 },
    },
    {
      workload: "demo-tdx-vm",
      tee: "tdx",
      tcbStatus: "UpToDate",
      source: tdx.source,
      evidence: tdx.evidence,
      collateral: tdx.collateral,
      measurement: {
        tee: "tdx",
        mrtd: h(tdxReport.mrtd!),
        rtmr0: h(tdxReport.rtmr0!),
        rtmr1: h(tdxReport.rtmr1!),
        rtmr2: h(tdxReport.rtmr2!),
        rtmr3: h(tdxReport.rtmr3!),
      },
    },
    {
      workload: "demo-snp-vm",
      tee: "sev-snp",
      tcbStatus: "NotApplicable",
      source: snp.source,
      evidence: snp.evidence,
      collateral: snp.collateral,
      measurement: { tee: "sev-snp", measurement: h(snp.expected.report!.measurement as unknown as string), hostData: null },
    },
    {
      // Signed by Arm's published test CPAK (posted with it as collateral): it verifies labelled insecure,
      // which its dev policy accepts. Like the other real vectors it binds no dev-network key (unbound).
      workload: "demo-cca-realm",
      tee: "arm-cca",
      tcbStatus: "NotApplicable",
      source: cca.source,
      evidence: cca.evidence,
      collateral: cca.collateral,
      measurement: {
        tee: "arm-cca",
        hashAlgorithm: "sha-256",
        rim: h(ccaClaims.realm_initial_measurement),
        rems: ccaClaims.realm_extensible_measurements.map(h) as [Hex, Hex, Hex, Hex],
        personalizationValue: h(ccaClaims.personalization_value),
      },
      // No vendor PKI for CCA: the workload lists the CPAK that signs the platform token (issue 12).
      cpaks: [
        ...new Set(
          cpaksFromCollateralFiles(cca.collateral.map((f) => ({ name: f.name, bytes: Buffer.from(f.data, "base64") }))).map(
            (c) => c.fingerprint,
          ),
        ),
      ],
    },
  ];
}

/**
 * A dev policy for one real vector: its TEE, its TCB status accepted, unbound evidence allowed. Its launch
 * fields stay the safe defaults: the seeded vectors fit them (SGX flags INIT | MODE64BIT, TDX SEPT_VE_DISABLE
 * with zero owner fields, SNP VMPL 0 without MIGRATE_MA; demoVectors.test.ts).
 */
export function vectorPolicy(v: DemoVector): WorkloadPolicy {
  return {
    ...defaultPolicy(),
    allowedTees: [v.tee],
    acceptedTcbStatuses: [v.tcbStatus],
    dev: true,
    allowUnboundEvidence: true,
    verdictLifetime: 86_400,
  };
}

/** The demo debug Keep's dev policy: evidence may be a day of chain time old, so the sample request keeps working. */
export function debugKeepPolicy(): WorkloadPolicy {
  return {
    ...defaultPolicy(),
    allowedTees: ["debug"],
    acceptedTcbStatuses: ["NotApplicable"],
    dev: true,
    maxEvidenceAge: 86_400,
    verdictLifetime: 86_400,
  };
}
