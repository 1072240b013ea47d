/**
 * The real evidence vectors the dev network seeds (Phala dcap-qvl's SGX and TDX quotes, go-sev-guest's
 * Milan debug SNP report, Arm's published CCA test token with its test CPAK, and the test composite: the real TDX
 * quote with a GPU from keepledger's NVIDIA test signer) with their collateral, and the measurements and dev policies of the demo
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
import { measurementHash, type Measurement } from "@keepledger/sdk/internal/tee/kindFacts";
import type { TcbStatus, TeeKind } from "@keepledger/sdk/internal/kinds/index";

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
  "cpu-gpu/keepledger-test-tdx-gh100",
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
  /** Why its verdict is INSECURE (test keys, a debug guest), for the dev summary; absent when nothing says so. */
  insecure?: string;
  /** Arm CCA: the CPAK ids (src/ids cpakId) the workload's on-chain allow-list gets, from the vector's own collateral. */
  cpaks?: Hex[];
}

/** The debug measurement of the demo debug Keep (its "code hash"). */
export const DEMO_DEBUG_MEASUREMENT: Hex = keccak256(stringToBytes("keepledger.dev.demo-debug-keep"));
export const DEMO_DEBUG_WORKLOAD = "demo-debug-keep";

const h = (s: string) => `0x${s}` as Hex;

/** A set's evidence file, its expected.json and the rest as collateral (only the files `take` keeps, when given). */
function load(kind: string, set: string, file: string, take: (f: string) => boolean = () => true) {
  const dir = `${DEV_VECTORS_DIR}${kind}/${set}/`;
  const expected = JSON.parse(readFileSync(`${dir}expected.json`, "utf8")) as Record<string, Record<string, Record<string, string>>>;
  const collateral = readdirSync(dir)
    .filter((f) => f !== file && f !== "expected.json" && !f.endsWith(".md") && take(f))
    .sort()
    .map((f) => ({ name: f, data: readFileSync(`${dir}${f}`).toString("base64") }));
  return { expected, evidence: readFileSync(`${dir}${file}`), collateral, source: `data/dev-vectors/${kind}/${set}` };
}

export function demoVectors(): DemoVector[] {
  const sgx = load("sgx", "dcapqvl-sgx", "quote.bin");
  const tdx = load("tdx", "dcapqvl-tdx", "quote.bin");
  const snp = load("sev-snp", "go-sev-guest-milan-debug", "report.bin");
  const cca = load("arm-cca", "tfm-tools-example-ffm00-tag399", "token.cbor");
  const COMPOSITE = "cpu-gpu/keepledger-test-tdx-gh100";
  const [cgKind, cgSet] = COMPOSITE.split("/") as [string, string];
  const composite = load(cgKind, cgSet, "composite.klcg", (f) => f !== "gpu-report.bin");
  const gpu = load(cgKind, cgSet, "gpu-report.bin", (f) => f.startsWith("gpu-"));
  const gpuRims = composite.expected.gpu_rims as unknown as { driver: string; vbios: string };
  const ccaClaims = cca.expected.key_claims as unknown as {
    realm_initial_measurement: string;
    realm_extensible_measurements: string[];
    personalization_value: string;
  };
  const sgxReport = sgx.expected.quote!.report!;
  const tdxReport = tdx.expected.quote!.report!;
  const tdxMeasurement: Measurement = {
    tee: "tdx",
    mrtd: h(tdxReport.mrtd!),
    rtmr0: h(tdxReport.rtmr0!),
    rtmr1: h(tdxReport.rtmr1!),
    rtmr2: h(tdxReport.rtmr2!),
    rtmr3: h(tdxReport.rtmr3!),
  };
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
      measurement: tdxMeasurement,
    },
    {
      workload: "demo-snp-vm",
      tee: "sev-snp",
      tcbStatus: "NotApplicable",
      source: snp.source,
      evidence: snp.evidence,
      collateral: snp.collateral,
      measurement: { tee: "sev-snp", measurement: h(snp.expected.report!.measurement as unknown as string), hostData: null },
      insecure: "a debug SEV-SNP guest",
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
      insecure: "Arm's published test CPAK",
    },
    {
      // A GPU from keepledger's NVIDIA test roots: it verifies labelled insecure (like Arm's test CPAK), with its
      // RIMs and OCSP answers posted as collateral; unbound, its nonce being the composite's TDX binding.
      workload: "demo-gpu",
      tee: "nvidia-gpu",
      tcbStatus: "NotApplicable",
      source: gpu.source,
      evidence: gpu.evidence,
      collateral: gpu.collateral,
      measurement: { tee: "nvidia-gpu", driverRimDigest: h(gpuRims.driver), vbiosRimDigest: h(gpuRims.vbios) },
      insecure: "a GPU signed by keepledger's NVIDIA test roots",
    },
    {
      // One Keep of a confidential VM with a GPU: the real TDX quote and that test GPU, bound to the quote's
      // REPORTDATA. Its approved measurement names the TDX measurement and GPU requirements, not exact RIMs.
      workload: "demo-cpu-gpu-vm",
      tee: "cpu-gpu",
      tcbStatus: "UpToDate",
      source: composite.source,
      evidence: composite.evidence,
      collateral: composite.collateral,
      measurement: {
        tee: "cpu-gpu",
        cpuTee: "tdx",
        cpuMeasurementHash: measurementHash(tdxMeasurement),
        minGpus: 1,
        gpuRimSetDigest: null,
        gpuModels: [{ chip: "GH100" }],
        minDriverVersion: "550.0",
        minVbiosVersion: "96.00.9f",
      },
      insecure: "its GPU is signed by keepledger's NVIDIA test roots",
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
