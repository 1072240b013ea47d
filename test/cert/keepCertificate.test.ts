import { generateKeyPairSync } from "node:crypto";
import { connect, createServer, type TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keccak256, stringToBytes, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createCertificateRequest, issueKeepCertificate, verifyKeepCertificate, type IssuedKeepCertificate } from "../../src/cert/index.ts";
import { startTestbed, type Testbed } from "../support/contracts-testbed.ts";

const validatorKey = (i: number): Hex => keccak256(stringToBytes(`keepledger.test.validator.${i}`));

describe("attestation-derived certificates", () => {
  let bed: Testbed;
  let keepKey: Hex;
  let tls: { cert: IssuedKeepCertificate; keyPem: string };
  let now: number;

  beforeAll(async () => {
    bed = await startTestbed();
    keepKey = generatePrivateKey();
    const keep = privateKeyToAccount(keepKey);
    const v = await bed.verdict(keep.address);
    await bed.client.finalizeVerdict(v, await bed.sign(v));
    const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
    now = Number(await bed.chain.now());
    const request = await createCertificateRequest({
      attestedKey: keepKey,
      tlsPublicKeySpki: new Uint8Array(pair.publicKey.export({ format: "der", type: "spki" })),
      workloadId: bed.workloadId,
      chainId: bed.deployment.chainId,
      registry: bed.deployment.contracts.attestationRegistry,
      requestedAt: now,
    });
    const cert = await issueKeepCertificate({
      request,
      validatorKey: validatorKey(0),
      publicClient: bed.chain.publicClient,
      deployment: bed.deployment,
    });
    tls = { cert, keyPem: pair.privateKey.export({ format: "pem", type: "pkcs8" }) as string };
  });
  afterAll(() => bed.close());

  it("is issued for a live verdict, short-lived, and verifies against the chain", async () => {
    expect(privateKeyToAccount(validatorKey(0)).address).toBe(bed.validators[0]!.address);
    expect(tls.cert.notAfter.getTime() - tls.cert.notBefore.getTime()).toBeLessThanOrEqual(630_000);
    const r = await verifyKeepCertificate(tls.cert.pem, {
      publicClient: bed.chain.publicClient,
      deployment: bed.deployment,
      workloadId: bed.workloadId,
    });
    expect(r.subject).toBe(privateKeyToAccount(keepKey).address);
    expect(r.validator).toBe(bed.validators[0]!.address);
  });

  it("is refused to a key without a verdict and to a stale or forged request", async () => {
    const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const base = {
      tlsPublicKeySpki: new Uint8Array(pair.publicKey.export({ format: "der", type: "spki" })),
      workloadId: bed.workloadId,
      chainId: bed.deployment.chainId,
      registry: bed.deployment.contracts.attestationRegistry,
    };
    const issue = (request: Awaited<ReturnType<typeof createCertificateRequest>>) =>
      issueKeepCertificate({ request, validatorKey: validatorKey(0), publicClient: bed.chain.publicClient, deployment: bed.deployment });
    await expect(
      issue(await createCertificateRequest({ ...base, attestedKey: generatePrivateKey(), requestedAt: now })),
    ).rejects.toMatchObject({ code: "CERT_SUBJECT_NOT_ATTESTED" });
    await expect(issue(await createCertificateRequest({ ...base, attestedKey: keepKey, requestedAt: now - 3600 }))).rejects.toMatchObject({
      code: "CERT_REQUEST_STALE",
    });
    const honest = await createCertificateRequest({ ...base, attestedKey: keepKey, requestedAt: now });
    const swapped = {
      ...honest,
      tlsPublicKey: Buffer.from(
        generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "der", type: "spki" }),
      ).toString("base64"),
    };
    await expect(issue(swapped)).rejects.toMatchObject({ code: "CERT_SUBJECT_NOT_ATTESTED" });
  });

  /** A TLS client that accepts the server only through verifyKeepCertificate. */
  async function handshake(serverCert: string, serverKey: string): Promise<{ accepted: boolean; reason?: string; echoed?: string }> {
    const server = createServer({ cert: serverCert, key: serverKey, minVersion: "TLSv1.3" }, (s) => s.end("hello from the Keep"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      return await new Promise((resolve, reject) => {
        const socket: TLSSocket = connect({ host: "127.0.0.1", port, rejectUnauthorized: false, minVersion: "TLSv1.3" }, async () => {
          try {
            const peer = socket.getPeerCertificate(true);
            await verifyKeepCertificate(new Uint8Array(peer.raw), {
              publicClient: bed.chain.publicClient,
              deployment: bed.deployment,
              workloadId: bed.workloadId,
            });
            let data = "";
            socket.on("data", (d) => (data += d));
            socket.on("end", () => resolve({ accepted: true, echoed: data }));
          } catch (e) {
            socket.destroy();
            resolve({ accepted: false, reason: (e as { code?: string }).code });
          }
        });
        socket.on("error", reject);
      });
    } finally {
      await new Promise((r) => server.close(r));
    }
  }

  it("lets a TLS client on loopback accept the Keep only through the on-chain check", async () => {
    expect(await handshake(tls.cert.pem, tls.keyPem)).toEqual({ accepted: true, echoed: "hello from the Keep" });
  });

  it("makes the client refuse a self-made certificate and, after revocation, the Keep's own", async () => {
    const pki = await import("../support/testPki.ts");
    const leaf = await pki.issue(await pki.createRoot("Not a validator"), "0x0000000000000000000000000000000000000001");
    const keyPem = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(await crypto.subtle.exportKey("pkcs8", leaf.keys.privateKey)).toString("base64")}\n-----END PRIVATE KEY-----\n`;
    expect(await handshake(leaf.cert.x509.toString("pem"), keyPem)).toEqual({ accepted: false, reason: "CERT_NOT_KEEP_CERTIFICATE" });
    const restore = await bed.snapshot();
    await bed.send("attestationRegistry", "revokeVerdict", [tls.cert.verdictId, "compromised"]);
    expect(await handshake(tls.cert.pem, tls.keyPem)).toEqual({ accepted: false, reason: "CERT_VERDICT_MISMATCH" });
    await restore();
  });
});

describe("keepledger cert request | issue | verify (CLI over JSON-RPC)", () => {
  it("takes a Keep from its attested key to a verified certificate", async () => {
    const { spawn } = await import("node:child_process");
    const { mkdtempSync, writeFileSync, readFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { startRpcBridge } = await import("../support/contracts-rpcBridge.ts");
    const { serializeDeployment } = await import("../../src/chain/deployment.ts");
    const bed = await startTestbed();
    const bridge = await startRpcBridge(bed.chain.provider);
    try {
      const keepKey = generatePrivateKey();
      const v = await bed.verdict(privateKeyToAccount(keepKey).address);
      await bed.client.finalizeVerdict(v, await bed.sign(v));
      const dir = mkdtempSync(join(tmpdir(), "kl-cert-"));
      const deployment = join(dir, "deployment.json");
      writeFileSync(deployment, serializeDeployment(bed.deployment));
      writeFileSync(
        join(dir, "tls.pem"),
        generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "pem", type: "pkcs8" }),
      );
      const bin = new URL("../../bin/keepledger.mjs", import.meta.url).pathname;
      // Async spawn: the bridge serving the child's RPC calls runs in this process.
      const run = (args: string[], env: Record<string, string>) =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, [bin, "cert", ...args, "--rpc", bridge.url, "--deployment", deployment], {
            env: { ...process.env, ...env },
          });
          let stdout = "";
          let stderr = "";
          child.stdout.on("data", (d) => (stdout += d));
          child.stderr.on("data", (d) => (stderr += d));
          child.on("close", (code) => resolve({ code, stdout, stderr }));
        });
      const req = await run(["request", "--tls-key", join(dir, "tls.pem"), "--workload", bed.workloadId, "--out", join(dir, "req.json")], {
        KEEPLEDGER_KEEP_KEY: keepKey,
      });
      expect(req.code, req.stderr).toBe(0);
      const issued = await run(["issue", "--request", join(dir, "req.json"), "--out", join(dir, "cert.pem")], {
        KEEPLEDGER_VALIDATOR_KEY: validatorKey(1),
      });
      expect(issued.code, issued.stderr).toBe(0);
      expect(readFileSync(join(dir, "cert.pem"), "utf8")).toContain("BEGIN CERTIFICATE");
      const verified = await run(["verify", join(dir, "cert.pem"), "--workload", bed.workloadId, "--json"], {});
      expect(verified.code, verified.stderr).toBe(0);
      expect(JSON.parse(verified.stdout)).toMatchObject({
        ok: true,
        subject: privateKeyToAccount(keepKey).address,
        validator: bed.validators[1]!.address,
      });
      const missingKey = await run(["issue", "--request", join(dir, "req.json")], { KEEPLEDGER_VALIDATOR_KEY: "" });
      expect(missingKey.code).toBe(2);
      expect(missingKey.stderr).toContain("KEEPLEDGER_VALIDATOR_KEY");
    } finally {
      await bridge.close();
      await bed.close();
    }
  });
});
