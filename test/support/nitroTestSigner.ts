/**
 * The Nitro test signer: a PKI shaped like AWS's (root → regional → zonal →
 * instance → enclave leaf, all P-384) and documents signed the way NSM signs
 * them (COSE_Sign1, ES384). Failure cases — wrong root, expired leaf, bad
 * signatures, odd fields — come from here, not from edits to real documents.
 * Verifiers take `pki.trustedRoots` through their test-only `trustedRoots` option.
 */
import type { TrustedRoot } from "../../src/pki/x509/verifyCertificateChain.ts";
import { encodeCbor, type CborInput } from "./nitroCbor.ts";
import { asTrustedRoot, createRoot, issue, signRaw, type CertOptions, type KeyKind, type TestCa } from "./testPki.ts";

/** The time test documents are signed at, unless a test says otherwise. */
export const NITRO_TEST_TIME = new Date(Date.UTC(2025, 5, 1, 12, 0, 0, 250));
const HOUR = 3_600_000;

export interface NitroTestPki {
  root: TestCa;
  /** Root first, as in the cabundle: regional, zonal, instance. */
  intermediates: TestCa[];
  leaf: TestCa;
  trustedRoots: TrustedRoot[];
}

export interface NitroTestPkiOptions {
  /** Number of CAs between root and leaf (AWS uses 3). */
  intermediates?: number;
  /** The enclave certificate lives 3 hours around NITRO_TEST_TIME by default, like NSM's. */
  leafNotBefore?: Date;
  leafNotAfter?: Date;
  leafKeyKind?: KeyKind;
  /** Issue the leaf as a CA (keyCertSign only, no digitalSignature). */
  leafIsCa?: boolean;
  /** Extra certificate options per intermediate, root side first (pathLength, unknownCriticalExtension, ...). */
  intermediateOptions?: CertOptions[];
  /** Extra certificate options for the leaf. */
  leafOptions?: CertOptions;
}

export async function createNitroTestPki(options: NitroTestPkiOptions = {}): Promise<NitroTestPki> {
  const root = await createRoot("test.nitro-enclaves", { keyKind: "p384" });
  const intermediates: TestCa[] = [];
  let issuer = root;
  const names = ["regional", "zonal", "instance", "extra-1", "extra-2", "extra-3", "extra-4", "extra-5", "extra-6"];
  for (let i = 0; i < (options.intermediates ?? 3); i++) {
    issuer = await issue(issuer, `${names[i]}.test.nitro-enclaves`, { ca: true, keyKind: "p384", ...options.intermediateOptions?.[i] });
    intermediates.push(issuer);
  }
  const leaf = await issue(issuer, "i-0123456789abcdef0-enc0123456789abcdef.test", {
    keyKind: options.leafKeyKind ?? "p384",
    ca: options.leafIsCa === true,
    notBefore: options.leafNotBefore ?? new Date(NITRO_TEST_TIME.getTime() - HOUR),
    notAfter: options.leafNotAfter ?? new Date(NITRO_TEST_TIME.getTime() + 3 * HOUR),
    ...options.leafOptions,
  });
  return { root, intermediates, leaf, trustedRoots: [asTrustedRoot(root)] };
}

/** Marks a field to leave out of the payload. */
export const OMIT = Symbol("omit");
export type FieldOverrides = Record<string, CborInput | typeof OMIT>;

export function testPcrs(values: Record<number, number> = { 0: 0x11, 1: 0x22, 2: 0x33, 3: 0, 4: 0x44 }): Map<CborInput, CborInput> {
  return new Map(Object.entries(values).map(([i, fill]) => [Number(i), new Uint8Array(48).fill(fill)]));
}

/** The payload fields in NSM's order, with `overrides` replacing, removing (OMIT) or adding fields. */
export function nitroTestFields(pki: NitroTestPki, overrides: FieldOverrides = {}): Map<CborInput, CborInput> {
  const base: Array<[string, CborInput]> = [
    ["module_id", "i-0123456789abcdef0-enc0123456789abcdef"],
    ["digest", "SHA384"],
    ["timestamp", NITRO_TEST_TIME.getTime()],
    ["pcrs", testPcrs()],
    ["certificate", pki.leaf.cert.der],
    ["cabundle", [pki.root.cert.der, ...pki.intermediates.map((c) => c.cert.der)]],
    ["public_key", null],
    ["user_data", new Uint8Array(64).fill(0xab)],
    ["nonce", null],
  ];
  const out = new Map<CborInput, CborInput>();
  for (const [k, v] of base) {
    const o = overrides[k];
    if (o === OMIT) continue;
    out.set(k, o === undefined ? v : o);
  }
  for (const [k, v] of Object.entries(overrides)) {
    if (!out.has(k) && v !== OMIT && !base.some(([b]) => b === k)) out.set(k, v);
  }
  return out;
}

export interface SignNitroOptions {
  /** Payload fields (see nitroTestFields); ignored when `payload` is given. */
  fields?: FieldOverrides;
  /** Write the payload map with indefinite length, as current NSM versions do. */
  indefinitePayload?: boolean;
  /** The exact payload bytes to sign. */
  payload?: Uint8Array;
  /** Protected header bytes (default `a1 01 38 22`: {1: -35}). */
  protectedHeader?: Uint8Array;
  /** Unprotected header encoding (default `a0`). */
  unprotected?: Uint8Array;
  /** Prefix tag 18. */
  tagged?: boolean;
  /** Sign with another key than the leaf's (the certificate stays the leaf's). */
  signer?: TestCa;
}

export const ES384_PROTECTED = new Uint8Array([0xa1, 0x01, 0x38, 0x22]);

export function nitroTestPayload(pki: NitroTestPki, fields: FieldOverrides = {}, indefinite = false): Uint8Array {
  const map = nitroTestFields(pki, fields);
  return encodeCbor(indefinite ? { indefiniteMap: map } : map);
}

/** Assembles a COSE_Sign1 from its parts, signed or with a given signature. */
export function assembleCoseSign1(parts: {
  protectedHeader: Uint8Array;
  unprotected?: Uint8Array;
  payload: Uint8Array;
  signature: Uint8Array;
  tagged?: boolean;
}): Uint8Array {
  const body = encodeCbor([parts.protectedHeader, { cborRaw: parts.unprotected ?? Uint8Array.of(0xa0) }, parts.payload, parts.signature]);
  return parts.tagged === true ? new Uint8Array([0xd2, ...body]) : body;
}

/** Signs a document the way NSM does: ES384 over ["Signature1", protected, h'', payload]. */
export async function signNitroDocument(pki: NitroTestPki, options: SignNitroOptions = {}): Promise<Uint8Array> {
  const protectedHeader = options.protectedHeader ?? ES384_PROTECTED;
  const payload = options.payload ?? nitroTestPayload(pki, options.fields, options.indefinitePayload === true);
  const signer = options.signer ?? pki.leaf;
  const toBeSigned = encodeCbor(["Signature1", protectedHeader, new Uint8Array(0), payload]);
  const signature = await signRaw(signer.keys, signer.keyKind, toBeSigned);
  return assembleCoseSign1({
    protectedHeader,
    payload,
    signature,
    ...(options.unprotected ? { unprotected: options.unprotected } : {}),
    ...(options.tagged ? { tagged: true } : {}),
  });
}
