/**
 * A local Intel PCS/PCCS stand-in (API v4) serving one DCAP test scenario's collateral over real HTTP, with
 * faults the campaign switches on and off: down (connections refused), errors (HTTP 500), slow (every
 * answer delayed). The routes and headers are the ones the node's intelPcsCollateral asks for.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { SignedIntelJson } from "../../src/collateral/types.ts";
import type { ParsedCertificate } from "../../src/pki/x509/certificate.ts";
import type { Scenario } from "../../test/support/dcapTestSigner.ts";

export type PcsFault = "none" | "down" | "errors" | "slow";

export interface PcsStandIn {
  url: string;
  /** Requests answered, by route. */
  hits: Map<string, number>;
  setFault(fault: PcsFault, options?: { delayMs?: number }): Promise<void>;
  close(): Promise<void>;
}

const pem = (certs: readonly ParsedCertificate[]) =>
  encodeURIComponent(
    certs
      .map(
        (c) =>
          `-----BEGIN CERTIFICATE-----\n${Buffer.from(c.der)
            .toString("base64")
            .replace(/(.{64})/g, "$1\n")
            .trim()}\n-----END CERTIFICATE-----\n`,
      )
      .join(""),
  );

const documentJson = (doc: SignedIntelJson) =>
  `{"${doc.type}":${Buffer.from(doc.body).toString("utf8")},"signature":"${Buffer.from(doc.signature).toString("hex")}"}`;

export async function startPcsStandIn(scenario: Scenario, fmspc: string): Promise<PcsStandIn> {
  const { pki } = scenario;
  const routes: Record<string, (res: ServerResponse) => void> = {
    [`/tdx/certification/v4/tcb?fmspc=${fmspc}`]: (res) => {
      res.writeHead(200, { "content-type": "application/json", "TCB-Info-Issuer-Chain": pem([pki.tcbSigning.cert, pki.root.cert]) });
      res.end(documentJson(scenario.tcbInfo));
    },
    "/tdx/certification/v4/qe/identity": (res) => {
      res.writeHead(200, {
        "content-type": "application/json",
        "SGX-Enclave-Identity-Issuer-Chain": pem([pki.tcbSigning.cert, pki.root.cert]),
      });
      res.end(documentJson(scenario.qeIdentity));
    },
    "/sgx/certification/v4/pckcrl?ca=platform&encoding=der": (res) => {
      res.writeHead(200, { "content-type": "application/pkix-crl", "SGX-PCK-CRL-Issuer-Chain": pem([pki.platformCa.cert, pki.root.cert]) });
      res.end(scenario.pckCrl.der);
    },
    // PCCS serves the root CA CRL as hex of its DER.
    "/sgx/certification/v4/rootcacrl": (res) => {
      res.writeHead(200, { "content-type": "application/x-pem-file" });
      res.end(Buffer.from(scenario.rootCrl.der).toString("hex"));
    },
  };
  let fault: PcsFault = "none";
  let delayMs = 0;
  const hits = new Map<string, number>();
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const route = req.url ?? "";
    hits.set(route, (hits.get(route) ?? 0) + 1);
    const answer = () => {
      if (fault === "errors") {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end("PCS stand-in: injected error");
        return;
      }
      const h = routes[route];
      if (h) h(res);
      else {
        res.writeHead(404);
        res.end("not found");
      }
    };
    if (fault === "slow") setTimeout(answer, delayMs);
    else answer();
  };
  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    server = createServer(handle);
    await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  };
  const stop = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  return {
    url: `http://127.0.0.1:${port}/`,
    hits,
    async setFault(next, options = {}) {
      if (next === "down") await stop();
      else if (!server) await listen();
      fault = next === "down" ? "none" : next;
      delayMs = options.delayMs ?? 0;
    },
    close: stop,
  };
}
