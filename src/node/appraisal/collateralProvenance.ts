/**
 * Where each collateral document came from, for the freshness rules of docs/node.md: a validator asks
 * its own sources in both roles, records what they returned and which of them failed, and keys the
 * documents it was offered so that its own documents only fill in what the offered set lacks (peer) and
 * a newer document of its own can be named against the older one offered.
 */
import { createHash } from "node:crypto";
import { InfrastructureError, isKeepledgerError, type KeepledgerError } from "@keepledger/sdk/internal/errors/index";
import type { CollateralProvider, CollateralRequest, CollateralSet } from "../../collateral/types.ts";
import { readIntelDocument } from "../../tee/dcap/intelCollateral.ts";
import { VERIFY_CODES } from "../../verify/verifyEvidence.ts";

/** A provider that remembers every set it returned and every retryable failure (which it still throws). */
export interface WatchingProvider extends CollateralProvider {
  readonly recorded: CollateralSet[];
  readonly outages: KeepledgerError[];
}

export function watchingProvider(inner: CollateralProvider): WatchingProvider {
  const recorded: CollateralSet[] = [];
  const outages: KeepledgerError[] = [];
  return {
    name: inner.name,
    recorded,
    outages,
    async fetch(request: CollateralRequest, at: Date) {
      try {
        const set = await inner.fetch(request, at);
        recorded.push(set);
        return set;
      } catch (cause) {
        const error = isKeepledgerError(cause)
          ? cause
          : new InfrastructureError(VERIFY_CODES.COLLATERAL_UNAVAILABLE, `collateral provider ${inner.name} failed`, { cause });
        if (error.retryable) outages.push(error);
        throw error;
      }
    },
  };
}

/** A provider that asks its inner one to bypass its cache (CollateralProvider.refresh) before each fetch. */
export function refreshingProvider(inner: CollateralProvider): CollateralProvider {
  return {
    name: inner.name,
    fetch(request: CollateralRequest, at: Date) {
      inner.refresh?.(request);
      return inner.fetch(request, at);
    },
  };
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** The digests (CRL DER, signed JSON body) of every dated document of a set: what CollateralStamp.digest names. */
export function documentDigests(set: CollateralSet): Set<string> {
  return new Set([...set.crls.map((c) => c.fingerprint), ...set.intelDocuments.map((d) => sha256(d.body))]);
}

/**
 * The freshness key a document claims before it is verified: TCB Info "tcbInfo:<id>:<fmspc>", QE
 * Identity "qeIdentity:<id>", a CRL "crl:<issuer name>#" (a prefix of its verified key, which adds the
 * issuer's key id). Undefined for a document that does not parse.
 */
export function claimedKeys(set: CollateralSet): Set<string> {
  const keys = new Set<string>();
  for (const crl of set.crls) keys.add(`crl:${crl.issuer}#`);
  for (const doc of set.intelDocuments) {
    const r = readIntelDocument(doc);
    if (r instanceof Error) continue;
    const v = r.value as { id: string; fmspc?: string };
    keys.add(doc.type === "tcbInfo" ? `tcbInfo:${v.id}:${(v.fmspc ?? "").toLowerCase()}` : `qeIdentity:${v.id}`);
  }
  return keys;
}

/** Whether a verified stamp's key is among claimed keys (a CRL key matches its issuer-name prefix). */
export function keyClaimed(key: string, claimed: ReadonlySet<string>): boolean {
  return claimed.has(key) || (key.startsWith("crl:") && claimed.has(key.slice(0, key.lastIndexOf("#") + 1)));
}

/** `extra` without the documents whose key `base` already covers: own sources fill in only what is missing. */
export function withoutCovered(base: CollateralSet, extra: CollateralSet): CollateralSet {
  const covered = claimedKeys(base);
  return {
    certificates: extra.certificates,
    crls: extra.crls.filter((c) => !covered.has(`crl:${c.issuer}#`)),
    intelDocuments: extra.intelDocuments.filter((d) => {
      const keys = claimedKeys({ certificates: [], crls: [], intelDocuments: [d] });
      return ![...keys].some((k) => covered.has(k));
    }),
  };
}
