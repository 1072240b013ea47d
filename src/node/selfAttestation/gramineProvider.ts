/**
 * The `gramine` provider: inside a Gramine SGX enclave, /dev/attestation/attestation_type says which
 * attestation the manifest enabled ("dcap" is the one keepledger verifies), writing 64 bytes to
 * user_report_data sets the enclave's REPORTDATA, and reading quote returns a DCAP quote over it.
 * Requests are serialized: the pseudo-files are one per enclave.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { InfrastructureError, UsageError } from "@keepledger/sdk/internal/errors/index";
import { SELF_ATTESTATION_CODES } from "./codes.ts";
import type { EvidenceProvider } from "./EvidenceProvider.ts";

export interface GramineOptions {
  /** Default /dev/attestation. */
  root?: string;
  /** Reads of `quote` until it carries the report data (default 20, 10 ms apart). */
  attempts?: number;
}

export const DEFAULT_GRAMINE_ROOT = "/dev/attestation";

export function gramineProvider(options: GramineOptions = {}): EvidenceProvider {
  const root = options.root ?? DEFAULT_GRAMINE_ROOT;
  let queue: Promise<unknown> = Promise.resolve();
  const run = async (reportData: Uint8Array) => {
    let type: string;
    try {
      type = (await readFile(join(root, "attestation_type"), "utf8")).trim();
    } catch (cause) {
      throw new UsageError(SELF_ATTESTATION_CODES.SELF_GRAMINE_UNAVAILABLE, `Gramine's attestation interface is not available at ${root}`, {
        cause,
        details: { root },
      });
    }
    if (type !== "dcap") {
      throw new UsageError(
        SELF_ATTESTATION_CODES.SELF_GRAMINE_ATTESTATION_TYPE,
        `Gramine attestation type is "${type}", keepledger needs "dcap"`,
        { details: { got: type, want: "dcap" } },
      );
    }
    await writeFile(join(root, "user_report_data"), reportData);
    for (let i = 0; i < (options.attempts ?? 20); i++) {
      const quote = new Uint8Array(await readFile(join(root, "quote")));
      if (Buffer.from(quote).indexOf(Buffer.from(reportData)) >= 0) return { evidence: quote, collateral: [] };
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new InfrastructureError(
      SELF_ATTESTATION_CODES.SELF_EVIDENCE_MISMATCH,
      "the Gramine quote does not carry the report data written to user_report_data",
    );
  };
  return {
    name: "gramine",
    insecure: false,
    getEvidence(reportData) {
      if (reportData.length !== 64) {
        return Promise.reject(
          new UsageError(SELF_ATTESTATION_CODES.SELF_REPORT_DATA_LENGTH, "report data must be 64 bytes", {
            details: { got: reportData.length, want: 64 },
          }),
        );
      }
      const result = queue.then(
        () => run(reportData),
        () => run(reportData),
      );
      queue = result.catch(() => undefined);
      return result;
    },
  };
}
