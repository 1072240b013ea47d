import { P384_CURVE } from "../pki/p384Spki.ts";
import { createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import type { Hex } from "@keepledger/sdk/internal/util/bytes";
import type { EndorsementKey } from "./types.ts";

const PEM_PUBLIC_KEY = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function spkiOf(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ type: "spki", format: "der" }));
}

function fromJwk(jwk: Record<string, unknown>): KeyObject | undefined {
  if (jwk.kty !== "EC" || jwk.crv !== "P-384" || typeof jwk.x !== "string" || typeof jwk.y !== "string") return undefined;
  if (jwk.d !== undefined) throw new Error("a CPAK JWK holds a private key (d); only public keys are collateral");
  return createPublicKey({ key: { kty: "EC", crv: "P-384", x: jwk.x, y: jwk.y } as JsonWebKey, format: "jwk" });
}

/**
 * Arm CCA CPAKs in a collateral file, recognized by content: PEM public keys on P-384, a P-384 JWK, or a
 * Veraison trust-anchor list `[{pkey: JWK, "implementation-id", "instance-id"}]`. Keys on other curves
 * (other vendors' PEM) are not CPAKs and are skipped; a P-384 key that does not parse throws. `parsed`: the
 * text's JSON value, when the caller has already parsed it.
 */
export function recognizeEndorsementKeys(text: string, source?: string, parsed?: { json: unknown }): EndorsementKey[] {
  const at = source === undefined ? {} : { source };
  const pems = text.match(PEM_PUBLIC_KEY);
  if (pems) {
    return pems.flatMap((pem) => {
      const key = createPublicKey(pem);
      return key.asymmetricKeyDetails?.namedCurve === P384_CURVE ? [{ spki: spkiOf(key), ...at }] : [];
    });
  }
  let json: unknown;
  if (parsed !== undefined) {
    json = parsed.json;
  } else {
    const trimmed = text.trimStart();
    if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) return [];
    try {
      json = JSON.parse(text);
    } catch {
      return [];
    }
  }
  if (Array.isArray(json)) {
    return json.flatMap((entry): EndorsementKey[] => {
      if (!isRecord(entry) || !isRecord(entry.pkey)) return [];
      const key = fromJwk(entry.pkey);
      if (!key) return [];
      const impl = entry["implementation-id"];
      const inst = entry["instance-id"];
      return [
        {
          spki: spkiOf(key),
          ...(typeof impl === "string" ? { implementationId: impl as Hex } : {}),
          ...(typeof inst === "string" ? { instanceId: inst as Hex } : {}),
          ...at,
        },
      ];
    });
  }
  const key = isRecord(json) ? fromJwk(json) : undefined;
  return key ? [{ spki: spkiOf(key), ...at }] : [];
}
