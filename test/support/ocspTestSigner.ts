/**
 * Builds real, signed OCSP responses (RFC 6960 BasicOCSPResponse) for test
 * certificates: good, revoked or unknown, signed by the issuer or by a
 * delegated responder, with any thisUpdate/nextUpdate. No OCSP response of a
 * vendor is public, so revocation tests get theirs from here.
 */
import { createHash } from "node:crypto";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { bitString, explicit, integer, octets, oid, seq, tlv } from "../../src/pki/x509/derEncode.ts";
import { DER, checkBitString, childrenOf, readSingle } from "../../src/pki/x509/der.ts";
import type { ParsedCertificate } from "../../src/pki/x509/certificate.ts";
import { issue, signRaw, type TestCa } from "./testPki.ts";

const SIGNATURE_OIDS = { p256: "1.2.840.10045.4.3.2", p384: "1.2.840.10045.4.3.3" } as const;
const HASH_OIDS = { sha1: "1.3.14.3.2.26", sha256: "2.16.840.1.101.3.4.2.1", sha384: "2.16.840.1.101.3.4.2.2" } as const;

/** GeneralizedTime YYYYMMDDHHMMSSZ, as OCSP encodes every time. */
export function generalizedTime(d: Date): Uint8Array {
  const text = d
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:T]/g, "");
  return tlv(0x18, new Uint8Array(Buffer.from(text)));
}

function issuerNameAndKey(issuer: ParsedCertificate): { name: Uint8Array; key: Uint8Array } {
  const tbs = childrenOf(readSingle(issuer.tbs, DER.SEQUENCE, "tbs"), "tbs");
  const i = tbs[0]?.tag === 0xa0 ? 1 : 0;
  const spki = childrenOf(readSingle(issuer.spki, DER.SEQUENCE, "spki"), "spki");
  return { name: tbs[i + 4]!.raw, key: checkBitString(spki[1]!, "spki").bytes };
}

export interface OcspEntry {
  certificate: ParsedCertificate;
  status?: "good" | "revoked" | "unknown";
  revocationTime?: Date;
  thisUpdate?: Date;
  /** null leaves nextUpdate out. */
  nextUpdate?: Date | null;
  hash?: keyof typeof HASH_OIDS;
}

export interface OcspResponseOptions {
  /** Who signs: the issuer (default) or another key (a delegated responder, or a wrong key). */
  signer?: TestCa;
  /** Attach the signer's certificate (a delegated responder must). */
  includeSignerCertificate?: boolean;
  producedAt?: Date;
  /** Overrides the responseStatus (non-zero = an error answer without responseBytes). */
  responseStatus?: number;
}

function certStatus(entry: OcspEntry): Uint8Array {
  switch (entry.status ?? "good") {
    case "good":
      return Uint8Array.of(0x80, 0x00);
    case "unknown":
      return Uint8Array.of(0x82, 0x00);
    case "revoked":
      return tlv(0xa1, generalizedTime(entry.revocationTime ?? new Date(Date.UTC(2022, 0, 1))));
  }
}

/** A DER OCSPResponse about `entries`, all issued by `issuer`. */
export async function createOcspResponse(issuer: TestCa, entries: OcspEntry[], options: OcspResponseOptions = {}): Promise<Uint8Array> {
  if (options.responseStatus !== undefined && options.responseStatus !== 0) return seq(tlv(0x0a, Uint8Array.of(options.responseStatus)));
  const signer = options.signer ?? issuer;
  const { name, key } = issuerNameAndKey(issuer.cert);
  const singles = entries.map((e) => {
    const hash = e.hash ?? "sha384";
    const certId = seq(
      seq(oid(HASH_OIDS[hash])),
      octets(new Uint8Array(createHash(hash).update(name).digest())),
      octets(new Uint8Array(createHash(hash).update(key).digest())),
      integer(new Uint8Array(Buffer.from(e.certificate.serial.length % 2 ? `0${e.certificate.serial}` : e.certificate.serial, "hex"))),
    );
    const nextUpdate = e.nextUpdate === undefined ? new Date(Date.UTC(2045, 0, 1)) : e.nextUpdate;
    return seq(
      certId,
      certStatus(e),
      generalizedTime(e.thisUpdate ?? new Date(Date.UTC(2020, 6, 1))),
      ...(nextUpdate === null ? [] : [explicit(0, generalizedTime(nextUpdate))]),
    );
  });
  const signerName = issuerNameAndKey(signer.cert).name;
  // responderID byName of the signer ([1] EXPLICIT Name).
  const tbs = seq(tlv(0xa1, signerName), generalizedTime(options.producedAt ?? new Date(Date.UTC(2020, 6, 1))), seq(...singles));
  const kind = signer.keyKind === "p384" ? "p384" : "p256";
  const p1363 = await signRaw(signer.keys, kind, tbs);
  const half = p1363.length / 2;
  const signature = seq(integer(p1363.subarray(0, half)), integer(p1363.subarray(half)));
  const basic = seq(
    tbs,
    seq(oid(SIGNATURE_OIDS[kind])),
    bitString(signature),
    ...(options.includeSignerCertificate ? [explicit(0, seq(signer.cert.der))] : []),
  );
  return seq(tlv(0x0a, Uint8Array.of(0)), explicit(0, seq(oid("1.3.6.1.5.5.7.48.1.1"), octets(basic))));
}

/** A delegated OCSP responder certificate issued by `issuer` (extendedKeyUsage id-kp-OCSPSigning unless `ocspSigning` is false). */
export async function issueOcspResponder(
  issuer: TestCa,
  name: string,
  ocspSigning = true,
  options: { notBefore?: Date; notAfter?: Date } = {},
): Promise<TestCa> {
  return issue(issuer, name, {
    keyKind: issuer.keyKind === "p384" ? "p384" : "p256",
    ...options,
    extensions: [new x509.ExtendedKeyUsageExtension([ocspSigning ? "1.3.6.1.5.5.7.3.9" : "1.3.6.1.5.5.7.3.2"], false)],
  });
}
