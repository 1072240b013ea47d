import { bytesView } from "../util/bufferView.ts";
import { P384_CURVE, isUncompressedP384Spki } from "../pki/p384Spki.ts";
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

/**
 * The key the recognizer imported from a CPAK's SPKI (to refuse a point off the curve), handed to the first
 * verifier that imports that SPKI object (src/tee/arm-cca/cpak.ts), which would otherwise import the same bytes
 * again: a cold Arm CCA verification then imports the two keys its signatures need, not three. Keyed by the
 * SPKI bytes object the recognizer creates and no one else holds before the entry is written; taken once, as
 * parsedIntelBody.ts hands over a parse, so a later verification of the same collateral imports the key itself.
 */
const importedKeys = new WeakMap<Uint8Array, KeyObject>();

/** The key imported from `spki` at recognition, if no verifier has taken it yet (undefined otherwise). */
export function takeImportedKey(spki: Uint8Array): KeyObject | undefined {
  const key = importedKeys.get(spki);
  if (key !== undefined) importedKeys.delete(spki);
  return key;
}

/** A PEM block whose body is nothing but base64 and whitespace: what Node's decoder and OpenSSL's read alike. */
const PLAIN_PEM_BODY = /^-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----$/;

/**
 * The CPAK of one PEM block, or none for a key on another curve. A block holding a P-384 key exactly as OpenSSL
 * writes it (the usual CPAK file) is its SPKI already: the key is imported only so that a point off the curve
 * still throws here, without the export and the curve lookup (~50 µs of a cold Arm CCA verification).
 * Anything else is named as OpenSSL exports it.
 */
function pemEndorsementKey(pem: string): Uint8Array | undefined {
  const body = PLAIN_PEM_BODY.exec(pem)?.[1];
  const der = body === undefined ? undefined : bytesView(Buffer.from(body, "base64"));
  const key = createPublicKey(pem);
  if (der !== undefined && isUncompressedP384Spki(der)) {
    importedKeys.set(der, key);
    return der;
  }
  return key.asymmetricKeyDetails?.namedCurve === P384_CURVE ? spkiOf(key) : undefined;
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
  // A literal search first: Intel's chains and documents, the usual collateral files, hold no public key block.
  const pems = text.includes("-----BEGIN PUBLIC KEY-----") ? text.match(PEM_PUBLIC_KEY) : null;
  if (pems) {
    return pems.flatMap((pem) => {
      const spki = pemEndorsementKey(pem);
      return spki === undefined ? [] : [{ spki, ...at }];
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
