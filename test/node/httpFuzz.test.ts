/**
 * Fuzzing a running validator's HTTP surface (issue 16): the public evidence route and the peer routes,
 * the latter with bodies signed by a real validator's key so that they pass authentication and reach the
 * decoding and appraisal behind it. Whatever the body — random bytes, random JSON, a valid request with
 * its fields replaced by values of any type, its evidence bytes flipped — the answer is a typed JSON
 * refusal (4xx/503) or a proper answer, never a 500 or a dropped connection, and afterwards the network
 * still finalizes an honest verdict.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keccak256, stringToBytes, type Hex } from "viem";
import { verdictToJson } from "@keepledger/sdk/internal/chain/verdictView";
import { tcbStatusCode, teeKindCode } from "@keepledger/sdk/internal/ids/enums";
import { createPeerRequestSigner } from "../../src/node/peer/peerAuth.ts";
import { startNodeNetwork, type NodeNetwork } from "./support/nodeNetwork.ts";

const RUNS = Number(process.env.KEEPLEDGER_HTTP_FUZZ_RUNS ?? 150);

describe("the node's HTTP surface under fuzzing", () => {
  let net: NodeNetwork;
  let url: string;
  const outcomes: Record<string, number> = {};

  beforeAll(async () => {
    net = await startNodeNetwork({
      validatorWorkload: false,
      nodeConfig: () => ({ limits: { requestsPerMinute: 1_000_000 } }),
    });
    for (let i = 0; i < 3; i++) await net.startNode(i);
    url = net.nodes[0]!.url;
  }, 90_000);
  afterAll(async () => {
    await net?.stop();
  });

  /** Posts and checks the answer is typed: any status but 5xx other than 503, and a JSON error with a code. */
  const postChecked = async (path: string, body: Uint8Array | string, headers: Record<string, string> = {}) => {
    const r = await fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
    const text = await r.text();
    outcomes[`${path} ${r.status}`] = (outcomes[`${path} ${r.status}`] ?? 0) + 1;
    expect(r.status === 503 || r.status < 500, `${path} answered ${r.status}: ${text.slice(0, 300)}`).toBe(true);
    if (r.status >= 400) {
      const json = JSON.parse(text) as { error?: { code?: unknown } };
      expect(typeof json.error?.code, `${path} ${r.status} without a code: ${text.slice(0, 300)}`).toBe("string");
    }
  };

  /** A JSON tree with one leaf (or subtree) replaced by `value`, chosen by `pick`. */
  const replaceAt = (tree: unknown, pick: number, value: unknown): unknown => {
    const paths: Array<Array<string | number>> = [];
    const walk = (node: unknown, path: Array<string | number>) => {
      paths.push(path);
      if (node !== null && typeof node === "object") {
        for (const [k, v] of Object.entries(node)) walk(v, [...path, Array.isArray(node) ? Number(k) : k]);
      }
    };
    walk(tree, []);
    const path = paths[pick % paths.length]!;
    if (path.length === 0) return value;
    const copy = structuredClone(tree) as Record<string | number, unknown>;
    let at = copy;
    for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
    at[path.at(-1)!] = value;
    return copy;
  };

  it("answers random bytes and random JSON on /v1/evidence with typed refusals", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 2048 }),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (body) => postChecked("/v1/evidence", body),
      ),
      { numRuns: RUNS },
    );
  }, 120_000);

  it("answers a valid evidence request with any field replaced, or its evidence bytes flipped, with typed answers", async () => {
    const keep = await net.debugKeep(url);
    const evidence = Buffer.from(keep.body.evidence, "base64");
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.tuple(fc.nat(), fc.jsonValue()).map(([pick, value]) => JSON.stringify(replaceAt(keep.body, pick, value))),
          fc.tuple(fc.nat({ max: evidence.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([at, x]) => {
            const flipped = Buffer.from(evidence);
            flipped[at] = flipped[at]! ^ x;
            return JSON.stringify({ ...keep.body, evidence: flipped.toString("base64") });
          }),
        ),
        (body) => postChecked("/v1/evidence", body),
      ),
      { numRuns: RUNS },
    );
  }, 180_000);

  it("answers authenticated peer requests with any field replaced, or their evidence flipped, with typed answers", async () => {
    // A peer sign request as a collector would send it, signed with validator 1's key for node 0.
    const keep = await net.debugKeep(url);
    const now = BigInt(Math.floor(Date.now() / 1000));
    const verdict = verdictToJson({
      workloadId: net.workloadId,
      measurementHash: keccak256(stringToBytes("fuzz measurement")),
      tee: teeKindCode("debug"),
      tcbStatus: tcbStatusCode("NotApplicable"),
      subject: keep.subject,
      evidenceHash: keccak256(Buffer.from(keep.body.evidence, "base64")),
      collateralHash: `0x${"00".repeat(32)}`,
      issuedAt: now,
      expiresAt: now + 3_600n,
      freshnessBlock: BigInt(keep.body.freshnessBlock),
    });
    const request = {
      verdict,
      submission: {
        workloadId: keep.body.workloadId,
        evidence: keep.body.evidence,
        publicKey: `0x${keep.body.publicKey.slice(4)}` as Hex,
        freshnessBlock: String(keep.body.freshnessBlock),
        context: "keep",
        collateral: [],
      },
      blobs: {},
    };
    const signer = createPeerRequestSigner(net.nodes[1]!.privateKey, {
      chainId: net.deployment.chainId,
      validatorSet: net.deployment.contracts.validatorSet,
    });
    const evidence = Buffer.from(keep.body.evidence, "base64");
    const routes = ["/v1/peer/sign", "/v1/peer/sign-batch"] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.oneof(
          fc.tuple(fc.nat(), fc.jsonValue()).map(([pick, value]) => JSON.stringify(replaceAt(request, pick, value))),
          fc.tuple(fc.nat({ max: evidence.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([at, x]) => {
            const flipped = Buffer.from(evidence);
            flipped[at] = flipped[at]! ^ x;
            return JSON.stringify({ ...request, submission: { ...request.submission, evidence: flipped.toString("base64") } });
          }),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        async (route, body) => {
          const bytes = new Uint8Array(Buffer.from(body));
          await postChecked(route, bytes, signer.headers(net.nodes[0]!.account.address, route, bytes));
        },
      ),
      { numRuns: RUNS },
    );
  }, 180_000);

  it("still finalizes an honest verdict afterwards", async () => {
    const keep = await net.debugKeep(url);
    const posted = await net.post(url, keep.body);
    expect(posted.status).toBe(202);
    expect((await net.waitSettled(url, posted.json.verdictId as Hex)).status).toBe("finalized");
    // Every route was exercised and answered, and the peer bodies got past authentication to the decoding.
    console.log(`HTTP fuzz outcomes: ${JSON.stringify(outcomes)}`);
    expect(Object.keys(outcomes).some((k) => /^\/v1\/peer\/sign (200|422)$/.test(k))).toBe(true);
    expect(Object.keys(outcomes).some((k) => k.startsWith("/v1/evidence 4"))).toBe(true);
  }, 90_000);
});
