/**
 * The quorum cannot be poisoned by one validator (issue 10 §6), on a 3-validator network (k = 2, anvil,
 * nodes 0 and 1 in this process). Validator 2 is malicious: a server on its registered endpoint that
 * answers every signature request with a signature of exactly the proposed verdict (or batch root) by its
 * own validator key — but in a form the AttestationRegistry refuses (high s, v not 27/28) or by a key
 * that is not a validator's. The collector drops it, counts validator 2 faulty, and finalizes with the
 * honest validator. Node 0 collects in batch mode (the root's signatures), node 1 single verdicts.
 *
 * A network attacker (or a non-validator) gets nothing from the peer endpoints: a 64 MiB body without
 * authentication is answered before it is sent, a captured request cannot be replayed, redirected to
 * another validator or used after its expiry. And a validator's own verdict cannot be obtained by posting
 * ordinary Keep evidence for the validator workload.
 */
import { connect } from "node:net";
import { createServer, type Server } from "node:http";
import { secp256k1 } from "@noble/curves/secp256k1";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, keccak256, parseEventLogs, stringToBytes, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { attestationRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { createPeerRequestSigner, PEER_AUTH_HEADER } from "../../src/node/peer/peerAuth.ts";
import { createVerdictSigner } from "../../src/node/quorum/verdictSigner.ts";
import { DEFAULT_VALIDATOR_DEBUG_MEASUREMENT } from "../../src/node/selfAttestation/noneProvider.ts";
import type { ValidatorNode } from "../../src/node/startValidatorNode.ts";
import { verdictFromJson, type VerdictJson } from "../../src/node/types.ts";
import { startNodeNetwork, type NodeNetwork } from "../node/support/nodeNetwork.ts";

const N = secp256k1.CURVE.n;
const hex32 = (n: bigint) => n.toString(16).padStart(64, "0");
const vByte = (v: number) => v.toString(16).padStart(2, "0");

type Behaviour = "down" | "high-s" | "v-recovery-bit" | "v-29" | "non-validator-key";
const NON_VALIDATOR_KEY = keccak256(stringToBytes("keepledger.test.adversarial.not-a-validator"));

/** The malicious validator's answer: its own signature over exactly what was proposed, made unacceptable to the contract. */
function poison(signature: Hex, behaviour: Behaviour): Hex {
  const r = signature.slice(2, 66);
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  const v = parseInt(signature.slice(130), 16);
  switch (behaviour) {
    case "high-s":
      return `0x${r}${hex32(N - s)}${vByte(v === 27 ? 28 : 27)}`; // the same signature's malleable twin: ecrecover finds the same key
    case "v-recovery-bit":
      return `0x${r}${hex32(s)}${vByte(v - 27)}`;
    case "v-29":
      return `0x${r}${hex32(s)}${vByte(29)}`;
    default:
      return signature;
  }
}

async function faults(node: ValidatorNode, peer: Address, code: string): Promise<number> {
  return (await node.metrics.peerFaults.get()).values.find((x) => x.labels.peer === peer && x.labels.code === code)?.value ?? 0;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("one malicious validator cannot poison the quorum (3 validators, k = 2)", () => {
  let net: NodeNetwork;
  let malicious: Server;
  let behaviour: Behaviour = "down";
  const url = (i: number) => net.nodes[i]!.url;
  const address = (i: number) => net.nodes[i]!.account.address;
  const authDomain = () => ({ chainId: net.deployment.chainId, validatorSet: net.deployment.contracts.validatorSet });

  beforeAll(async () => {
    net = await startNodeNetwork({ nodeConfig: (i) => (i === 0 ? { batch: { enabled: true, maxItems: 8, maxWaitMs: 200 } } : {}) });
    const own = createVerdictSigner(net.nodes[2]!.account, net.client.domain);
    const stranger = createVerdictSigner(privateKeyToAccount(NON_VALIDATOR_KEY), net.client.domain);
    malicious = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req
        .on("data", (c: Buffer) => chunks.push(c))
        .on("end", () => {
          void (async () => {
            if (behaviour === "down") {
              res.writeHead(503, { "content-type": "application/json" });
              return res.end(JSON.stringify({ error: { code: "NODE_UNAVAILABLE", message: "down", stage: "infrastructure" } }));
            }
            const body = JSON.parse(Buffer.concat(chunks).toString()) as { verdict?: VerdictJson; root?: Hex; count?: number };
            const signer = behaviour === "non-validator-key" ? stranger : own;
            const signed = body.verdict
              ? await signer.signVerdict(verdictFromJson(body.verdict))
              : await signer.signBatch(body.root!, body.count!);
            res.writeHead(200, { "content-type": "application/json" });
            res.end(JSON.stringify({ signer: address(2), signature: poison(signed.signature, behaviour) }));
          })();
        });
    });
    await new Promise<void>((r) => malicious.listen(net.nodes[2]!.port, "127.0.0.1", r));
    await net.startNode(0);
    await net.startNode(1);
    // Both honest nodes attest themselves first (with each other), so that only the tests' requests follow.
    await until(
      "the honest nodes' self-attestation",
      async () => (net.nodes.slice(0, 2).every((n) => n.node?.selfAttestation().state === "attached") ? true : undefined),
      60_000,
    );
  }, 120_000);

  afterAll(async () => {
    await new Promise<void>((r) => (malicious ? malicious.close(() => r()) : r()));
    malicious?.closeAllConnections();
    await net?.stop();
  });

  describe("a peer returning a signature the contract refuses is dropped, counted faulty, and the verdict finalizes with the honest peer", () => {
    it.each([
      {
        name: "a high-s signature (batch root)",
        behaviour: "high-s" as const,
        collector: 0,
        honest: 1,
        code: "NODE_PEER_SIGNATURE_NOT_CANONICAL",
      },
      {
        name: "a high-s signature (single verdict)",
        behaviour: "high-s" as const,
        collector: 1,
        honest: 0,
        code: "NODE_PEER_SIGNATURE_NOT_CANONICAL",
      },
      {
        name: "v = 0/1 instead of 27/28",
        behaviour: "v-recovery-bit" as const,
        collector: 1,
        honest: 0,
        code: "NODE_PEER_SIGNATURE_NOT_CANONICAL",
      },
      { name: "v = 29", behaviour: "v-29" as const, collector: 1, honest: 0, code: "NODE_PEER_SIGNATURE_NOT_CANONICAL" },
      {
        name: "a signature by a non-validator key",
        behaviour: "non-validator-key" as const,
        collector: 0,
        honest: 1,
        code: "NODE_PEER_SIGNATURE_WRONG_SIGNER",
      },
    ])("$name", async ({ behaviour: b, collector, honest, code }) => {
      const node = net.nodes[collector]!.node!;
      const before = await faults(node, address(2), code);
      behaviour = b;
      await net.stopNode(honest); // the malicious validator is the only peer that answers for now
      try {
        const keep = await net.debugKeep(url(collector));
        const posted = await net.post(url(collector), keep.body);
        expect(posted.status).toBe(202);
        const verdictId = posted.json.verdictId as Hex;
        await until("the faulty peer to be counted", async () => ((await faults(node, address(2), code)) > before ? true : undefined));
        const pending = (await (await fetch(`${url(collector)}/v1/verdicts/${verdictId}`)).json()) as { status: string };
        expect(pending.status).toBe("pending"); // not submitted with the bad signature, not rejected
        expect(net.nodes[collector]!.logs.some((l) => l.includes("the peer is faulty") && l.includes(code) && l.includes(address(2)))).toBe(
          true,
        );

        await net.startNode(honest);
        const view = await net.waitSettled(url(collector), verdictId);
        expect(view.status).toBe("finalized");
        const receipt = await net.publicClient.getTransactionReceipt({ hash: view.txHash as Hex });
        const events = [
          ...parseEventLogs({ abi: attestationRegistryAbi, eventName: "VerdictFinalized", logs: receipt.logs }),
          ...parseEventLogs({ abi: attestationRegistryAbi, eventName: "BatchFinalized", logs: receipt.logs }),
        ];
        const signers = [...(events[0]?.args.signers ?? [])].map((a) => getAddress(a));
        expect(signers.sort()).toEqual([address(0), address(1)].sort());
      } finally {
        behaviour = "down";
        if (!net.nodes[honest]!.node) await net.startNode(honest);
      }
    });
  });

  describe("peer endpoints refuse what is not an authenticated, fresh request for this validator", () => {
    const route = "/v1/peer/sign";
    const body = Buffer.from(JSON.stringify({ not: "a peer request" }));
    /** Validator 1's key signs; what it signs is then captured and sent by someone else. */
    const post = (headers: Record<string, string>) =>
      fetch(`${url(0)}${route}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body }).then(async (r) => ({
        status: r.status,
        json: (await r.json()) as { error: { code: string } },
      }));

    it("answers an unauthenticated 64 MiB body before the client has sent any of it, and closes the connection", async () => {
      const size = 64 << 20;
      const socket = connect(net.nodes[0]!.port, "127.0.0.1");
      await new Promise<void>((r) => socket.once("connect", () => r()));
      let answer = "";
      const answered = new Promise<number>((resolve) => {
        socket.on("data", (d: Buffer) => {
          answer += d.toString("latin1");
          if (answer.includes("\r\n\r\n")) resolve(Date.now());
        });
      });
      const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
      socket.on("error", () => undefined);
      const started = Date.now();
      socket.write(`POST ${route} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`);
      // Not one byte of the body has been sent: the node must answer from the headers alone.
      const at = await Promise.race([answered, new Promise<number>((r) => setTimeout(() => r(-1), 5_000))]);
      expect(at).toBeGreaterThan(0);
      expect(at - started).toBeLessThan(2_000);
      expect(answer).toMatch(/^HTTP\/1\.1 401 /);
      expect(answer.toLowerCase()).toContain("connection: close");
      // Whatever the client still tries to send goes nowhere: the connection is closed long before 64 MiB.
      let sent = 0;
      const chunk = Buffer.alloc(64 << 10);
      let open = true;
      void closed.then(() => (open = false));
      while (open && sent < size) {
        if (!socket.write(chunk))
          await Promise.race([new Promise((r) => socket.once("drain", r)), closed, new Promise((r) => setTimeout(r, 1_000))]);
        sent += chunk.length;
      }
      await closed;
      expect(sent).toBeLessThan(size / 4);
      expect(answer).toContain('"code":"NODE_PEER_UNAUTHENTICATED"');
    });

    it("refuses an authenticated body larger than the route's limit from its header, before reading it", async () => {
      const huge = new Uint8Array(64 << 20);
      const headers = createPeerRequestSigner(net.nodes[1]!.privateKey, authDomain()).headers(address(0), route, huge);
      const socket = connect(net.nodes[0]!.port, "127.0.0.1");
      await new Promise<void>((r) => socket.once("connect", () => r()));
      socket.on("error", () => undefined);
      const answer = await new Promise<string>((resolve) => {
        let text = "";
        setTimeout(() => resolve(`no answer within 5 s: ${text}`), 5_000).unref();
        socket.on("data", (d: Buffer) => {
          text += d.toString("latin1");
          if (text.includes('"code"')) resolve(text);
        });
        socket.write(
          `POST ${route} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${huge.length}\r\n${PEER_AUTH_HEADER}: ${headers[PEER_AUTH_HEADER]}\r\n\r\n`,
        );
      });
      socket.destroy();
      expect(answer).toMatch(/^HTTP\/1\.1 413 /);
      expect(answer).toContain('"code":"NODE_BODY_TOO_LARGE"');
    });

    it("refuses a replayed request", async () => {
      const headers = createPeerRequestSigner(net.nodes[1]!.privateKey, authDomain()).headers(address(0), route, body);
      const first = await post(headers);
      expect(first).toMatchObject({ status: 400, json: { error: { code: "NODE_REQUEST_INVALID" } } }); // authenticated; the body is no peer request
      expect(await post(headers)).toMatchObject({ status: 409, json: { error: { code: "NODE_PEER_REPLAYED" } } });
    });

    it("refuses a request for another validator", async () => {
      const headers = createPeerRequestSigner(net.nodes[1]!.privateKey, authDomain()).headers(address(2), route, body);
      expect(await post(headers)).toMatchObject({ status: 403, json: { error: { code: "NODE_PEER_WRONG_RECIPIENT" } } });
    });

    it("refuses an expired request", async () => {
      const headers = createPeerRequestSigner(net.nodes[1]!.privateKey, authDomain()).headers(address(0), route, body, {
        now: Date.now() - 120_000,
      });
      expect(await post(headers)).toMatchObject({ status: 401, json: { error: { code: "NODE_PEER_AUTH_EXPIRED" } } });
    });

    it("refuses a body other than the one authenticated", async () => {
      const headers = createPeerRequestSigner(net.nodes[1]!.privateKey, authDomain()).headers(
        address(0),
        route,
        Buffer.from(JSON.stringify({ not: "a peer requesT" })),
      );
      expect(await post(headers)).toMatchObject({ status: 400, json: { error: { code: "NODE_PEER_BODY_HASH_MISMATCH" } } });
    });
  });

  it("refuses ordinary (keep-context) evidence for the validator workload", async () => {
    const keep = await net.debugKeep(url(1), { measurement: DEFAULT_VALIDATOR_DEBUG_MEASUREMENT });
    const r = await net.post(url(1), { ...keep.body, workloadId: net.validatorWorkloadId });
    expect(r.status).toBe(422);
    expect(r.json.error).toMatchObject({ code: "NODE_VALIDATOR_WORKLOAD_NOT_VALIDATOR_CONTEXT", stage: "policy" });
    expect(r.json.requestId).toMatch(/^0x[0-9a-f]{64}$/);
  });
});
