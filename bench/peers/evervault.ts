/**
 * @evervault/attestation-bindings (Rust, N-API) for Nitro. Its one entry
 * point, attestEnclave(cert, pcrs, doc), validates the document's chain at the
 * current time (there is no "as of" parameter) and requires user_data to be
 * the public key of the TLS certificate `cert` of an Evervault enclave
 * connection. It reports failures only as `false` plus a line on stderr, so
 * the probe runs in a child process to capture that line as the reason.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseCertificate } from "../../src/pki/x509/certificate.ts";
import type { BenchVector } from "../verify/vectors.ts";
import type { Peer, PeerSetup } from "./peer.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

const PROBE = `
const { attestEnclave } = require("@evervault/attestation-bindings");
const fs = require("node:fs");
const [doc, cert] = process.argv.slice(1).map((f) => fs.readFileSync(f));
process.stdout.write(String(attestEnclave(cert, [], doc)));
`;

/** Runs attestEnclave once in a child process; returns whether it accepted and what it printed. */
function probe(doc: Uint8Array, cert: Uint8Array): { accepted: boolean; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), "keepledger-evervault-"));
  try {
    const docPath = join(dir, "doc.cose");
    const certPath = join(dir, "cert.der");
    writeFileSync(docPath, doc);
    writeFileSync(certPath, cert);
    const r = spawnSync(process.execPath, ["-e", PROBE, docPath, certPath], { cwd: REPO, encoding: "utf8", timeout: 30_000 });
    if (r.error) return { accepted: false, stderr: `the probe could not run: ${r.error.message}` };
    return { accepted: r.stdout.trim() === "true", stderr: `${r.stderr}`.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const evervault: Peer = {
  name: "@evervault/attestation-bindings",
  kinds: ["nitro"],
  async setup(vector: BenchVector): Promise<PeerSetup> {
    const leafPem = vector.files.get("leaf.pem");
    if (!leafPem) return { absent: `${vector.set} has no leaf.pem` };
    // The vectors come with no enclave TLS certificate; the document's own leaf is the closest stand-in.
    const cert = parseCertificate(Buffer.from(leafPem).toString("utf8")).der;
    const { accepted, stderr } = probe(vector.evidence, cert);
    if (!accepted) {
      const notAfter = (vector.expected.validity_window as { not_after?: string } | undefined)?.not_after ?? "before now";
      return {
        absent:
          `cannot verify ${vector.set}: it validates at the current time only (no "as of"; the document's leaf certificate ` +
          `expired ${notAfter}) and requires user_data to be the public key of an Evervault enclave TLS certificate ` +
          `(the document's user_data is not). It said: ${stderr || "false"}`,
      };
    }
    // Should a vector ever be inside its window now (and carry such user_data), it is timed like any peer.
    const { attestEnclave } = createRequire(import.meta.url)("@evervault/attestation-bindings") as {
      attestEnclave(cert: Buffer, expectedPcrs: unknown[], doc: Buffer): boolean;
    };
    const doc = Buffer.from(vector.evidence);
    const certBuffer = Buffer.from(cert);
    return {
      run: () => attestEnclave(certBuffer, [], doc),
      note: "one mode: validates the chain at the current time and the COSE signature on every call",
    };
  },
};
