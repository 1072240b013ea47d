/**
 * `keepledger cert request|issue|verify`: short-lived X.509 certificates for a Keep's TLS key, derived
 * from its live on-chain verdict (docs/certificates.md).
 */
import { createPublicKey } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import type { Hex } from "viem";
import { createCertificateRequest, issueKeepCertificate, parseCertificateRequest, verifyKeepCertificate } from "../../cert/index.ts";
import { chainTime } from "../../cert/keys.ts";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import { connectFromOptions, keyFromEnv, type ChainCliOptions } from "../chainOptions.ts";
import { CLI_CODES } from "../codes.ts";

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (cause) {
    throw new UsageError(CLI_CODES.CLI_FILE_UNREADABLE, `cannot read ${what} ${path}`, { cause });
  }
}

function emit(out: string | undefined, text: string): Promise<void> | void {
  if (out === undefined) process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  else return writeFile(out, text);
}

export function registerCertCommand(program: Command): void {
  const cert = program.command("cert").description("short-lived TLS certificates derived from a Keep's live verdict");

  cert
    .command("request")
    .description("(on the Keep) sign a certificate request for a TLS key with the attested key")
    .requiredOption("--tls-key <pem>", "the TLS key (public or private PEM) the certificate is for")
    .requiredOption("--workload <id>", "the workload the Keep is attested for")
    .option("--key-env <name>", "environment variable holding the attested secp256k1 key", "KEEPLEDGER_KEEP_KEY")
    .option("--rpc <url>", "JSON-RPC endpoint")
    .option("--deployment <file>", "deployment JSON")
    .option("--out <file>", "write the request here (default: stdout)")
    .action(async (o: ChainCliOptions & { tlsKey: string; workload: string; keyEnv: string; out?: string }) => {
      const { publicClient, deployment } = await connectFromOptions(o);
      const spki = createPublicKey(await readText(o.tlsKey, "TLS key")).export({ format: "der", type: "spki" });
      const request = await createCertificateRequest({
        attestedKey: keyFromEnv(o.keyEnv),
        tlsPublicKeySpki: new Uint8Array(spki),
        workloadId: o.workload as Hex,
        chainId: deployment.chainId,
        registry: deployment.contracts.attestationRegistry,
        requestedAt: Math.floor((await chainTime(publicClient)).getTime() / 1000),
      });
      await emit(o.out, JSON.stringify(request, null, 2));
    });

  cert
    .command("issue")
    .description("(on a validator) issue a certificate for a request whose signer has a live verdict")
    .requiredOption("--request <file>", "the request from `keepledger cert request`")
    .option("--key-env <name>", "environment variable holding the validator's key", "KEEPLEDGER_VALIDATOR_KEY")
    .option("--lifetime <seconds>", "longest validity (never beyond the verdict's expiry)", "600")
    .option("--rpc <url>", "JSON-RPC endpoint")
    .option("--deployment <file>", "deployment JSON")
    .option("--out <file>", "write the PEM certificate here (default: stdout)")
    .action(async (o: ChainCliOptions & { request: string; keyEnv: string; lifetime: string; out?: string }) => {
      if (!/^\d+$/.test(o.lifetime))
        throw new UsageError(CLI_CODES.CLI_BAD_OPTION, `--lifetime must be whole seconds, got "${o.lifetime}"`);
      const { publicClient, deployment } = await connectFromOptions(o);
      const issued = await issueKeepCertificate({
        request: parseCertificateRequest(await readText(o.request, "certificate request")),
        validatorKey: keyFromEnv(o.keyEnv),
        publicClient,
        deployment,
        lifetimeSeconds: Number(o.lifetime),
      });
      await emit(o.out, issued.pem);
      console.error(
        `issued for verdict ${issued.verdictId}, valid ${issued.notBefore.toISOString()} – ${issued.notAfter.toISOString()} (registry time)`,
      );
    });

  cert
    .command("verify")
    .description("check a Keep certificate and the live on-chain verdict behind it")
    .argument("<certificate>", "PEM or DER certificate")
    .option("--workload <id>", "require this workload")
    .option("--rpc <url>", "JSON-RPC endpoint")
    .option("--deployment <file>", "deployment JSON")
    .option("--json", "print one JSON object")
    .action(async (file: string, o: ChainCliOptions & { workload?: string; json?: boolean }) => {
      const { publicClient, deployment } = await connectFromOptions(o);
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (cause) {
        throw new UsageError(CLI_CODES.CLI_FILE_UNREADABLE, `cannot read certificate ${file}`, { cause });
      }
      const input = bytes.includes("-----BEGIN") ? bytes.toString("utf8") : new Uint8Array(bytes);
      const r = await verifyKeepCertificate(input, { publicClient, deployment, ...(o.workload ? { workloadId: o.workload as Hex } : {}) });
      if (o.json)
        console.log(
          JSON.stringify({ ok: true, ...r, notAfter: r.notAfter.toISOString(), verdictExpiresAt: r.verdictExpiresAt.toISOString() }),
        );
      else {
        console.log(`✔ Keep certificate for ${r.subject}, workload ${r.workloadId}`);
        console.log(
          `  issued by validator ${r.validator}; rests on live verdict ${r.verdictId} (until ${r.verdictExpiresAt.toISOString()})`,
        );
        console.log(`  certificate valid until ${r.notAfter.toISOString()}`);
      }
    });
}
