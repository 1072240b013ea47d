/**
 * The real vectors the verification benchmark runs on, one per kind, each
 * verified as of its `verify_at` (test/fixtures/<kind>/<set>/expected.json).
 * Files are read once into memory: no measurement touches the disk.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const BENCH_KINDS = ["sgx", "tdx", "sev-snp", "nitro", "nvidia-gpu", "azure-cvm", "arm-cca", "cpu-gpu"] as const;
export type BenchKind = (typeof BENCH_KINDS)[number];

export interface CollateralFile {
  name: string;
  bytes: Uint8Array;
}

export interface BenchVector {
  kind: BenchKind;
  /** The fixture set, e.g. "dcapqvl-sgx". */
  set: string;
  /** The raw evidence bytes. */
  evidence: Uint8Array;
  /** The "as of" time of the vector. */
  at: Date;
  /** Collateral files as keepledger's offline provider reads them (recognized by content). */
  collateral: CollateralFile[];
  /** Every file of the set by name, for the peers and the bounds (which take collateral in their own shapes). */
  files: ReadonlyMap<string, Uint8Array>;
  expected: Record<string, unknown> & { verify_at: string };
}

const FIXTURES = fileURLToPath(new URL("../../test/fixtures/", import.meta.url));

/**
 * DCAP collateral as a PCS/PCCS serves it, one document per file. The same
 * bytes are in collateral.json (the single-file layout dcap-qvl takes);
 * checkSameIntelCollateral proves it before anything is measured.
 */
const DCAP_COLLATERAL = [
  "tcb_info.json",
  "tcb_info_issuer_chain.pem",
  "qe_identity.json",
  "qe_identity_issuer_chain.pem",
  "pck_crl.der",
  "pck_crl_issuer_chain.pem",
  "root_ca_crl.der",
];

const LAYOUT: Record<BenchKind, { set: string; evidence: string; collateral: string[]; other: string[] }> = {
  sgx: { set: "dcapqvl-sgx", evidence: "quote.bin", collateral: DCAP_COLLATERAL, other: ["collateral.json"] },
  tdx: { set: "dcapqvl-tdx", evidence: "quote.bin", collateral: DCAP_COLLATERAL, other: ["collateral.json"] },
  // cert_chain.pem is the ASK and ARK as KDS serves them; the ARK is pinned in keepledger anyway.
  "sev-snp": { set: "dstack-milan", evidence: "report.bin", collateral: ["cert_chain.pem", "vcek.der"], other: [] },
  // The certificate chain travels inside the document: no collateral.
  nitro: { set: "dstack-nitro-doc-a", evidence: "attestation_doc.cose", collateral: [], other: ["leaf.pem"] },
  // The report as NVIDIA's tools write it (hex); the device chain and both RIMs are collateral. No OCSP responses exist.
  "nvidia-gpu": {
    set: "h100-nvtrust-sample-550.90.07-fullrim",
    evidence: "hopperAttestationReport.txt",
    collateral: ["hopperCertChain.txt", "NV_GPU_DRIVER_GH100_550.90.07.swidtag", "NV_GPU_VBIOS_1010_0200_882_96009F0001.swidtag"],
    other: [],
  },
  // The VCEK travels in the evidence file; the folder's PEM is the ASK, ARK and ASVK as KDS serves them.
  "azure-cvm": { set: "az-snp-vtpm-milan-2025-v1", evidence: "evidence-v1.json", collateral: ["milan_ask_ark_asvk.pem"], other: [] },
  // Arm's published test token; its CPAK (the test key) is the collateral: verified, labelled insecure.
  "arm-cca": { set: "tfm-tools-example-ffm00-tag399", evidence: "token.cbor", collateral: ["cpak.pub.pem"], other: [] },
  // The test composite: the real TDX quote with its Intel collateral, and one GPU from keepledger's NVIDIA test roots
  // with its device chain, RIMs and OCSP answers (verified, labelled insecure; nothing unsafe switched on).
  "cpu-gpu": {
    set: "keepledger-test-tdx-gh100",
    evidence: "composite.klcg",
    collateral: [
      ...DCAP_COLLATERAL,
      "gpu-device-chain.pem",
      "gpu-driver-rim.swidtag",
      "gpu-vbios-rim.swidtag",
      ...[0, 1, 2, 3, 4, 5].map((i) => `gpu-ocsp-${i}.der`),
    ],
    other: ["collateral.json"],
  },
};

function read(kind: BenchKind, set: string, name: string): Uint8Array {
  return new Uint8Array(readFileSync(`${FIXTURES}${kind}/${set}/${name}`));
}

export function loadBenchVector(kind: BenchKind): BenchVector {
  const layout = LAYOUT[kind];
  const files = new Map<string, Uint8Array>();
  for (const name of [layout.evidence, ...layout.collateral, ...layout.other]) files.set(name, read(kind, layout.set, name));
  const expected = JSON.parse(Buffer.from(read(kind, layout.set, "expected.json")).toString("utf8")) as BenchVector["expected"];
  if (kind === "sgx" || kind === "tdx" || kind === "cpu-gpu") checkSameIntelCollateral(files);
  return {
    kind,
    set: layout.set,
    evidence: files.get(layout.evidence)!,
    at: new Date(expected.verify_at),
    collateral: layout.collateral.map((name) => ({ name, bytes: files.get(name)! })),
    files,
    expected,
  };
}

/** dcap-qvl's QuoteCollateralV3 layout (collateral.json): signed bodies as strings, CRLs as hex DER. */
export interface QuoteCollateralV3 {
  pck_crl_issuer_chain: string;
  root_ca_crl: string;
  pck_crl: string;
  tcb_info_issuer_chain: string;
  tcb_info: string;
  tcb_info_signature: string;
  qe_identity_issuer_chain: string;
  qe_identity: string;
  qe_identity_signature: string;
}

export function quoteCollateralV3(vector: BenchVector): QuoteCollateralV3 {
  return JSON.parse(text(vector.files, "collateral.json")) as QuoteCollateralV3;
}

function text(files: ReadonlyMap<string, Uint8Array>, name: string): string {
  return Buffer.from(files.get(name)!).toString("utf8");
}

/** Every peer and keepledger get the same Intel collateral: fail loudly if the two layouts ever differ. */
function checkSameIntelCollateral(files: ReadonlyMap<string, Uint8Array>): void {
  const combined = JSON.parse(text(files, "collateral.json")) as QuoteCollateralV3;
  const hex = (name: string): string => Buffer.from(files.get(name)!).toString("hex");
  const same =
    combined.pck_crl === hex("pck_crl.der") &&
    combined.root_ca_crl === hex("root_ca_crl.der") &&
    combined.pck_crl_issuer_chain === text(files, "pck_crl_issuer_chain.pem") &&
    combined.tcb_info_issuer_chain === text(files, "tcb_info_issuer_chain.pem") &&
    combined.qe_identity_issuer_chain === text(files, "qe_identity_issuer_chain.pem") &&
    text(files, "tcb_info.json").includes(`"tcbInfo":${combined.tcb_info}`) &&
    text(files, "tcb_info.json").includes(combined.tcb_info_signature) &&
    text(files, "qe_identity.json").includes(`"enclaveIdentity":${combined.qe_identity}`) &&
    text(files, "qe_identity.json").includes(combined.qe_identity_signature);
  if (!same)
    throw new Error("collateral.json and the per-document collateral files differ: the peers would not verify what keepledger verifies");
}
