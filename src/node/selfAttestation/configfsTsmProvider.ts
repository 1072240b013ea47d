/**
 * The `configfs-tsm` provider: the Linux configfs TSM report ABI (Documentation/ABI/testing/configfs-tsm-report)
 * that TDX and SEV-SNP guests share. The node creates its own report directory under
 * /sys/kernel/config/tsm/report/, writes the 64 bytes of report data to `inblob`, reads `outblob` (a TDX
 * quote or an SEV-SNP report) and, for SEV-SNP, `auxblob` (the host's certificate table), then removes
 * the directory. `generation` counts writes: if it moved by more than the node's own write, another
 * writer raced it and the report is thrown away. The outblob must carry the report data that was written.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rm, rmdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { InfrastructureError, UsageError } from "@keepledger/sdk/internal/errors/index";
import { SELF_ATTESTATION_CODES } from "./codes.ts";
import type { EvidenceProvider } from "./EvidenceProvider.ts";
import { snpCertTableFiles } from "./parseSnpCertTable.ts";

export interface ConfigfsTsmOptions {
  /** The TSM report directory (default /sys/kernel/config/tsm/report). */
  root?: string;
  /** SEV-SNP: the VMPL to request, written to `privlevel`. */
  privlevel?: number;
  /** How long to wait for the report after writing inblob (default 30 s). */
  timeoutMs?: number;
  /** Attempts when a race is detected (default 3). */
  attempts?: number;
}

export const DEFAULT_TSM_ROOT = "/sys/kernel/config/tsm/report";

async function readText(path: string): Promise<string> {
  return (await readAttribute(path)).toString("utf8").trim();
}

/**
 * Reads an attribute of a report directory. The kernel creates the attributes with the directory; a
 * device emulator may lag a little, so a missing attribute is waited for briefly before failing.
 */
async function readAttribute(path: string, waitMs = 2_000): Promise<Buffer> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

async function readGeneration(dir: string): Promise<number> {
  const n = Number(await readText(join(dir, "generation")));
  if (!Number.isSafeInteger(n))
    throw new InfrastructureError(SELF_ATTESTATION_CODES.SELF_TSM_RACE, "the TSM generation counter is not a number");
  return n;
}

export function configfsTsmProvider(options: ConfigfsTsmOptions = {}): EvidenceProvider {
  const root = options.root ?? DEFAULT_TSM_ROOT;
  const timeoutMs = options.timeoutMs ?? 30_000;
  let queue: Promise<unknown> = Promise.resolve();

  const once = async (reportData: Uint8Array) => {
    try {
      if (!(await stat(root)).isDirectory()) throw new Error("not a directory");
    } catch (cause) {
      throw new UsageError(SELF_ATTESTATION_CODES.SELF_TSM_UNAVAILABLE, `the configfs TSM report interface is not available at ${root}`, {
        cause,
        details: { root },
      });
    }
    const dir = join(root, `keepledger-${process.pid}-${randomBytes(6).toString("hex")}`);
    try {
      await mkdir(dir);
    } catch (cause) {
      throw new UsageError(SELF_ATTESTATION_CODES.SELF_TSM_UNAVAILABLE, `cannot create a TSM report under ${root}`, {
        cause,
        details: { root },
      });
    }
    try {
      const provider = await readText(join(dir, "provider"));
      if (provider !== "tdx_guest" && provider !== "sev_guest") {
        throw new UsageError(SELF_ATTESTATION_CODES.SELF_TSM_PROVIDER_UNKNOWN, `TSM provider ${provider} is not tdx_guest or sev_guest`, {
          details: { provider },
        });
      }
      if (provider === "sev_guest" && options.privlevel !== undefined) await writeFile(join(dir, "privlevel"), String(options.privlevel));
      const before = await readGeneration(dir);
      await writeFile(join(dir, "inblob"), reportData);
      // The kernel bumps the counter within the write; wait for it (a device emulator may lag).
      const deadline = Date.now() + timeoutMs;
      let generation = await readGeneration(dir);
      while (generation === before && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 5));
        generation = await readGeneration(dir);
      }
      if (generation !== before + 1) {
        throw new InfrastructureError(
          SELF_ATTESTATION_CODES.SELF_TSM_RACE,
          `the TSM report was written ${generation - before} times, expected once`,
          { details: { before, generation } },
        );
      }
      const outblob = new Uint8Array(await readAttribute(join(dir, "outblob")));
      const auxblob =
        provider === "sev_guest"
          ? await readAttribute(join(dir, "auxblob"), 0).then(
              (b) => new Uint8Array(b),
              () => new Uint8Array(),
            )
          : new Uint8Array();
      const after = await readGeneration(dir);
      if (after !== generation) {
        throw new InfrastructureError(SELF_ATTESTATION_CODES.SELF_TSM_RACE, "the TSM report changed while it was read", {
          details: { generation, after },
        });
      }
      if (Buffer.from(outblob).indexOf(Buffer.from(reportData)) < 0) {
        throw new InfrastructureError(
          SELF_ATTESTATION_CODES.SELF_EVIDENCE_MISMATCH,
          "the TSM outblob does not carry the report data written to inblob",
        );
      }
      return { evidence: outblob, collateral: snpCertTableFiles(auxblob) };
    } finally {
      // configfs removes attribute files with the directory; a plain directory needs them removed first.
      await rmdir(dir).catch(() => rm(dir, { recursive: true, force: true }));
    }
  };

  return {
    name: "configfs-tsm",
    insecure: false,
    getEvidence(reportData) {
      if (reportData.length !== 64) {
        return Promise.reject(
          new UsageError(SELF_ATTESTATION_CODES.SELF_REPORT_DATA_LENGTH, "report data must be 64 bytes", {
            details: { got: reportData.length, want: 64 },
          }),
        );
      }
      const run = async () => {
        const attempts = options.attempts ?? 3;
        for (let i = 1; ; i++) {
          try {
            return await once(reportData);
          } catch (error) {
            if (i >= attempts || !(error instanceof InfrastructureError)) throw error;
          }
        }
      };
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
  };
}
