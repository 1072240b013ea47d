/**
 * An OCSP request (RFC 6960 §4.1.1) for certificates with their issuers: no nonce, no signature, the CertID
 * hashed with SHA-384 as NVIDIA's verifier asks its responder (SHA-1 stays an option for other responders).
 */
import { createHash } from "node:crypto";
import { integer, octets, oid, seq } from "../x509/derEncode.ts";
import type { ParsedCertificate } from "../x509/certificate.ts";
import { issuerParts } from "./ocspResponse.ts";

const HASH_OIDS = { sha1: "1.3.14.3.2.26", sha384: "2.16.840.1.101.3.4.2.2" } as const;

export function encodeOcspRequest(
  pairs: ReadonlyArray<{ certificate: ParsedCertificate; issuer: ParsedCertificate }>,
  hash: keyof typeof HASH_OIDS = "sha384",
): Uint8Array {
  const digest = (b: Uint8Array) => new Uint8Array(createHash(hash).update(b).digest());
  const requests = pairs.map(({ certificate, issuer }) => {
    const { name, key } = issuerParts(issuer);
    const serial = new Uint8Array(Buffer.from(certificate.serial.length % 2 ? `0${certificate.serial}` : certificate.serial, "hex"));
    const certId = seq(seq(oid(HASH_OIDS[hash]), Uint8Array.of(0x05, 0x00)), octets(digest(name)), octets(digest(key)), integer(serial));
    return seq(certId);
  });
  return seq(seq(seq(...requests)));
}
