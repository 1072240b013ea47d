/**
 * The verified-RIM cache must change only speed: a remembered RIM is used only for the same bytes (SHA-256),
 * the same roots, an "as of" time inside its chain's validity, and with OCSP applied on every call.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { fixtureBytes } from "../../../../test/support/fixtures.ts";
import { createRim, createRimChain, goodOcspFor, type RimChain } from "../../../../test/support/nvidiaGpuTestSigner.ts";
import { createOcspResponse } from "../../../../test/support/ocspTestSigner.ts";
import { asTrustedRoot, createRoot } from "../../../../test/support/testPki.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { NVIDIA_RIM_ROOT_CA } from "../../../pki/roots.ts";
import { parseOcspResponse, type ParsedOcspResponse } from "../../../pki/ocsp/ocspResponse.ts";
import type { TrustedRoot } from "../../../pki/x509/verifyCertificateChain.ts";
import { createPkiCaches } from "../../../pki/x509/pkiCaches.ts";
import { parseRim } from "./parseRim.ts";
import { createRimCache, parseRimCached, verifyRimCached, type RimCache } from "./rimCache.ts";
import type { VerifiedRim } from "./verifyRim.ts";

const SET = "h100-nvtrust-sample-550.90.07-fullrim";
const DRIVER = fixtureBytes("nvidia-gpu", SET, "NV_GPU_DRIVER_GH100_550.90.07.swidtag");
const AT = new Date("2026-03-01T00:00:00Z");
// The driver RIM signer (L4) lapses first in its chain, at 2026-06-01T02:08:29Z (verifyRim.test.ts).
const SIGNER_NOT_AFTER = new Date("2026-06-01T02:08:29Z");

const bounds = { maxEntries: 16, maxAgeMs: 60_000 };

function verify(
  cache: RimCache,
  bytes: Uint8Array,
  options: { at?: Date; roots?: readonly TrustedRoot[]; ocsp?: readonly ParsedOcspResponse[]; allowUnchecked?: boolean } = {},
): VerifiedRim | string {
  try {
    const rim = parseRimCached(bytes, cache);
    if (rim === null) return "unparsed";
    return verifyRimCached(rim, {
      at: options.at ?? AT,
      roots: options.roots ?? [NVIDIA_RIM_ROOT_CA],
      ocspResponses: options.ocsp ?? [],
      dangerouslyAllowUncheckedRevocation: options.allowUnchecked ?? true,
      cache,
    });
  } catch (e) {
    if (!isKeepledgerError(e)) throw e;
    return e.code;
  }
}

describe("the verified-RIM cache on NVIDIA's driver RIM", () => {
  it("remembers a verified RIM by content and serves it again inside its window", () => {
    const cache = createRimCache(bounds);
    const first = verify(cache, DRIVER) as VerifiedRim;
    expect(cache.parsed.size).toBe(1);
    expect(cache.verified.size).toBe(1);
    const again = verify(cache, DRIVER.slice()) as VerifiedRim;
    // The same chain object: served from the cache, not verified afresh.
    expect(again.chain).toBe(first.chain);
    expect(again.digest).toEqual(first.digest);
    expect(again.expiresAt.toISOString()).toBe(SIGNER_NOT_AFTER.toISOString());
    expect(cache.verified.size).toBe(1);
  });

  it("never accepts it outside its window: after the signer expired, before it was issued, at the edges inside", () => {
    const cache = createRimCache(bounds);
    expect(typeof verify(cache, DRIVER)).toBe("object");
    expect(verify(cache, DRIVER, { at: new Date(SIGNER_NOT_AFTER.getTime() + 1000) })).toBe("CERT_EXPIRED");
    expect(verify(cache, DRIVER, { at: new Date("2020-01-01T00:00:00Z") })).toBe("CERT_NOT_YET_VALID");
    expect(typeof verify(cache, DRIVER, { at: SIGNER_NOT_AFTER })).toBe("object");
    // And once more inside: the refusals did not evict or poison the entry.
    expect(typeof verify(cache, DRIVER)).toBe("object");
  });

  it("never serves it under other roots", async () => {
    const cache = createRimCache(bounds);
    expect(typeof verify(cache, DRIVER)).toBe("object");
    const other = asTrustedRoot(await createRoot("Other RIM root", { keyKind: "p384" }));
    expect(verify(cache, DRIVER, { roots: [other] })).toBe("CERT_ROOT_UNTRUSTED");
  });

  it("still requires OCSP on a hit unless unchecked revocation is explicitly allowed", () => {
    const cache = createRimCache(bounds);
    expect((verify(cache, DRIVER) as VerifiedRim).revocationChecked).toBe(false);
    expect(verify(cache, DRIVER, { allowUnchecked: false })).toBe("NVGPU_OCSP_MISSING");
  });

  it("never serves a tampered copy: one flipped byte is another key, verified afresh and refused", () => {
    const cache = createRimCache(bounds);
    expect(typeof verify(cache, DRIVER)).toBe("object");
    const golden = Buffer.from(DRIVER).toString("latin1").indexOf("80161aac5e75");
    const tampered = DRIVER.slice();
    tampered[golden]! ^= 0x01; // '8' → '9': another golden value for index 7
    expect(verify(cache, tampered)).toBe("NVGPU_RIM_SIGNATURE_INVALID");
    expect(cache.verified.size).toBe(1);
    expect(cache.parsed.size).toBe(2);
  });

  it("a malformed document is remembered as not parsing", () => {
    const cache = createRimCache(bounds);
    expect(verify(cache, DRIVER.subarray(0, 100))).toBe("unparsed");
    expect(cache.parsed.size).toBe(1);
  });
});

describe("the verified-RIM cache with test-signer OCSP", () => {
  let chain: RimChain;
  let rim: Uint8Array;
  let good: ParsedOcspResponse[];
  let roots: TrustedRoot[];
  const pki = createPkiCaches(bounds);

  beforeAll(async () => {
    chain = await createRimChain();
    rim = await createRim(chain, { version: "550.90.07", golden: new Map([[7, [new Uint8Array(48).fill(7)]]]) });
    good = (await goodOcspFor([chain.chain])).map((o) => parseOcspResponse(o));
    roots = [asTrustedRoot(chain.root)];
  });

  function run(cache: RimCache, ocsp: readonly ParsedOcspResponse[], at = AT): VerifiedRim | string {
    try {
      return verifyRimCached(parseRim(rim, pki), {
        at,
        roots,
        ocspResponses: ocsp,
        dangerouslyAllowUncheckedRevocation: false,
        caches: pki,
        cache,
      });
    } catch (e) {
      if (!isKeepledgerError(e)) throw e;
      return e.code;
    }
  }

  it("applies each call's OCSP answers to a cached RIM: good, then revoked, then stale, then not yet valid", async () => {
    const cache = createRimCache(bounds);
    expect((run(cache, good) as VerifiedRim).revocationChecked).toBe(true);
    expect(cache.verified.size).toBe(1);
    const others = good.filter((r) => !r.responses.some((s) => s.serial === chain.signer.cert.serial));
    const revoked = parseOcspResponse(
      await createOcspResponse(chain.l3, [{ certificate: chain.signer.cert, status: "revoked", thisUpdate: new Date("2026-02-01Z") }]),
    );
    expect(run(cache, [...others, revoked])).toBe("CERT_REVOKED");
    const stale = parseOcspResponse(
      await createOcspResponse(chain.l3, [
        { certificate: chain.signer.cert, thisUpdate: new Date("2026-01-01Z"), nextUpdate: new Date("2026-02-01Z") },
      ]),
    );
    expect(run(cache, [...others, stale])).toBe("OCSP_EXPIRED");
    const future = parseOcspResponse(
      await createOcspResponse(chain.l3, [{ certificate: chain.signer.cert, thisUpdate: new Date("2026-04-01Z") }]),
    );
    expect(run(cache, [...others, future])).toBe("OCSP_NOT_YET_VALID");
    expect(run(cache, others)).toBe("NVGPU_OCSP_MISSING");
    // The answer's nextUpdate bounds the result on a hit as on a miss.
    const short = parseOcspResponse(
      await createOcspResponse(chain.l3, [
        { certificate: chain.signer.cert, thisUpdate: new Date("2026-02-01Z"), nextUpdate: new Date("2026-03-02Z") },
      ]),
    );
    expect((run(cache, [...others, short]) as VerifiedRim).expiresAt.toISOString()).toBe("2026-03-02T00:00:00.000Z");
    expect(cache.verified.size).toBe(1);
  });
});
