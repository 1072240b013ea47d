import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fixtureBytes, fixturePath } from "../../../test/support/fixtures.ts";
import { createDeviceChain, createRim, createRimChain, goodOcspFor } from "../../../test/support/nvidiaGpuTestSigner.ts";
import { parseNvidiaGpuEvidence } from "./parseNvidiaGpuEvidence.ts";
import { recognizeNvidiaGpuCollateral } from "./recognizeNvidiaGpuCollateral.ts";
import { verifyNvidiaGpu } from "./verifyNvidiaGpu.ts";

const SET = "h100-nvtrust-sample-550.90.07-fullrim";
const folder = (set: string) =>
  readdirSync(fixturePath("nvidia-gpu", set)).map((name) => ({ name, bytes: fixtureBytes("nvidia-gpu", set, name) }));

describe("the vector folder as collateral (the `verify <evidence> --collateral <dir>` contract)", () => {
  it("finds the chain, both RIMs and nothing else, and the report verifies with it", () => {
    const collateral = recognizeNvidiaGpuCollateral(folder(SET));
    // hopperCertChain.txt (5) and the two root PEMs nvtrust ships.
    expect(collateral.certificates).toHaveLength(7);
    expect(collateral.rims.map((r) => r.colloquialVersion).sort()).toEqual(["550.90.07", "96.00.9F.00.01"]);
    expect(collateral.ocspResponses).toHaveLength(0);
    const v = verifyNvidiaGpu(parseNvidiaGpuEvidence(fixtureBytes("nvidia-gpu", SET, "hopperAttestationReport.txt")), {
      at: new Date("2026-03-01T00:00:00Z"),
      collateral,
      dangerouslyAllowUncheckedRevocation: true,
    });
    expect(v.claims.measurementsMatched).toBe(33);
  });

  it("recognizes DER OCSP responses and RIMs with an XML declaration", async () => {
    const device = await createDeviceChain();
    const rimChain = await createRimChain();
    const rim = await createRim(rimChain, { version: "1.0", golden: new Map() });
    const withDecl = new Uint8Array(Buffer.concat([Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n'), rim]));
    const ocsp = await goodOcspFor([device.chain.slice(1)]);
    const collateral = recognizeNvidiaGpuCollateral([
      { name: "rim.xml", bytes: withDecl },
      ...ocsp.map((bytes, i) => ({ name: `ocsp${i}.der`, bytes })),
      { name: "notes.txt", bytes: new Uint8Array(Buffer.from("hello")) },
    ]);
    expect(collateral.rims).toHaveLength(1);
    expect(collateral.ocspResponses).toHaveLength(3);
    expect(collateral.certificates).toHaveLength(0);
  });
});
