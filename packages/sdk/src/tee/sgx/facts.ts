import type { KindFacts } from "../kind.ts";
import { reportData64, requiredFlag, ZERO32 } from "../layoutHelpers.ts";
import { sgxMeasurement } from "./measurement.ts";

export const sgxFacts: KindFacts<"sgx"> = {
  kind: "sgx",
  label: "Intel SGX",
  instance: "Intel SGX enclave",
  vendor: "intel",
  measurement: sgxMeasurement,
  reportData: reportData64,
  flags: {
    measureOptions: ["bySigner"],
    names: ["mrenclave", "mrsigner", "isvProdId", "minIsvSvn"],
    fromFlags(o, parse) {
      if (o.mrenclave !== undefined) {
        if (o.mrsigner !== undefined || o.isvProdId !== undefined || o.minIsvSvn !== undefined) {
          throw parse.usage(
            "an SGX measurement is either --mrenclave alone, or --mrsigner with --isv-prod-id and --min-isv-svn",
            "--mrenclave",
          );
        }
        return { tee: "sgx", mrenclave: parse.hex("--mrenclave", String(o.mrenclave), 32), mrsigner: ZERO32, isvProdId: 0, minIsvSvn: 0 };
      }
      if (typeof o.mrsigner !== "string")
        throw parse.usage("--tee sgx needs --mrenclave, or --mrsigner with --isv-prod-id and --min-isv-svn", "--mrenclave");
      const mrsigner = parse.hex("--mrsigner", o.mrsigner, 32);
      if (mrsigner === ZERO32) throw parse.bad("--mrsigner", o.mrsigner, "a non-zero signer hash");
      return {
        tee: "sgx",
        mrenclave: ZERO32,
        mrsigner,
        isvProdId: Number(parse.whole("--isv-prod-id", requiredFlag(o, "isvProdId", "sgx --mrsigner", parse), 65_535)),
        minIsvSvn: Number(parse.whole("--min-isv-svn", requiredFlag(o, "minIsvSvn", "sgx --mrsigner", parse), 65_535)),
      };
    },
  },
};
