/**
 * @lit-protocol/sev-snp-utils-sdk (virtee's `sev` crate compiled to
 * WebAssembly) on the SEV-SNP vector. It takes the report as base64 and the
 * VCEK as DER, and checks ARK (self-signed) → ASK → VCEK → report with the
 * Milan ARK and ASK built in. It has no "as of" time, checks no validity
 * periods or CRLs and does not bind the VCEK to the report's CHIP_ID or TCB,
 * so it does less than keepledger per call.
 */
import { initWasmSevSnpUtilsSdk, verify_attestation_report } from "@lit-protocol/sev-snp-utils-sdk";
import type { BenchVector } from "../verify/vectors.ts";
import type { Peer, PeerSetup } from "./peer.ts";

let ready: Promise<unknown> | undefined;

export const litSevSnp: Peer = {
  name: "@lit-protocol/sev-snp-utils-sdk",
  kinds: ["sev-snp"],
  async setup(vector: BenchVector): Promise<PeerSetup> {
    ready ??= initWasmSevSnpUtilsSdk();
    await ready;
    const productLine = vector.expected.product as string | undefined;
    if (productLine !== "Milan") return { absent: `only Milan chains are built in; ${vector.set} is ${productLine}` };
    const vcek = vector.files.get("vcek.der");
    if (!vcek) return { absent: `${vector.set} has no vcek.der` };
    // Its API takes the report as base64: encoded once here, as a caller holding base64 would.
    const report = Buffer.from(vector.evidence).toString("base64");
    const vcekDer = new Uint8Array(vcek);
    try {
      await verify_attestation_report(report, vcekDer);
    } catch (e) {
      return { absent: `does not verify ${vector.set}: ${String(e)}` };
    }
    return {
      run: () => verify_attestation_report(report, vcekDer),
      note: "one mode: parses the built-in ARK/ASK and the VCEK and checks ARK→ASK→VCEK→report on every call; no validity dates, CRL, CHIP_ID or TCB checks",
    };
  },
};
