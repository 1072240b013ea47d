import { getAddress, type Address, type Hex } from "viem";
import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { toHex } from "@keepledger/sdk/internal/util/bytes";
import { DER, childrenOf, decodeSmallInteger, expectTag, readSingle } from "../pki/x509/der.ts";
import { CERT_CODES } from "./codes.ts";
import { integer, octets, oid, seq } from "../pki/x509/derEncode.ts";

/**
 * The keepledger attestation extension (OID under the ITU-T UUID arc, so no
 * registration is needed): which verdict the certificate derives from, on
 * which chain and registry, for which workload and key, and the issuing
 * validator's public key (its address is keccak256 of it).
 *
 *   KeepAttestation ::= SEQUENCE {
 *     verdictId        OCTET STRING (32), chainId INTEGER, registry OCTET STRING (20),
 *     workloadId       OCTET STRING (32), subject  OCTET STRING (20),
 *     issuerPublicKey  OCTET STRING (64)   -- secp256k1 X‖Y of the validator
 *   }
 */
export const KEEP_ATTESTATION_OID = "2.25.242841461879471859265821855390472246125";

export interface KeepAttestationExtension {
  verdictId: Hex;
  chainId: number;
  registry: Address;
  workloadId: Hex;
  subject: Address;
  issuerPublicKey: Hex;
}

const b = (h: Hex): Uint8Array => new Uint8Array(Buffer.from(h.slice(2), "hex"));

/** The extension's value (the inner DER), found by exact OID bytes in the signed TBS; undefined when absent. */
export function findKeepAttestation(tbs: Uint8Array): Uint8Array | undefined {
  const want = Buffer.from(oid(KEEP_ATTESTATION_OID));
  const fields = childrenOf(readSingle(tbs, DER.SEQUENCE, "tbsCertificate"), "tbsCertificate");
  const wrapper = fields.find((f) => f.tag === 0xa3);
  if (!wrapper) return undefined;
  const [list] = childrenOf(wrapper, "extensions");
  for (const ext of childrenOf(expectTag(list, DER.SEQUENCE, "extensions"), "extensions")) {
    const parts = childrenOf(expectTag(ext, DER.SEQUENCE, "extension"), "extension");
    if (parts[0] && Buffer.from(parts[0].raw).equals(want))
      return expectTag(parts[parts.length - 1], DER.OCTET_STRING, "extension value").value;
  }
  return undefined;
}

export function encodeKeepAttestation(e: KeepAttestationExtension): Uint8Array {
  return seq(
    octets(b(e.verdictId)),
    integer(e.chainId),
    octets(b(e.registry)),
    octets(b(e.workloadId)),
    octets(b(e.subject)),
    octets(b(e.issuerPublicKey)),
  );
}

export function decodeKeepAttestation(value: Uint8Array): KeepAttestationExtension {
  const fail = (why: string): never => {
    throw new EvidenceFormatError(CERT_CODES.CERT_NOT_KEEP_CERTIFICATE, `malformed keepledger attestation extension: ${why}`);
  };
  const fields = childrenOf(readSingle(value, DER.SEQUENCE, "KeepAttestation"), "KeepAttestation");
  if (fields.length !== 6) fail(`${fields.length} fields`);
  const oct = (i: number, size: number): Hex => {
    const v = expectTag(fields[i], DER.OCTET_STRING, "KeepAttestation").value;
    if (v.length !== size) fail(`field ${i} has ${v.length} bytes, want ${size}`);
    return toHex(v);
  };
  return {
    verdictId: oct(0, 32),
    chainId: decodeSmallInteger(expectTag(fields[1], DER.INTEGER, "KeepAttestation.chainId").value, "KeepAttestation.chainId"),
    registry: getAddress(oct(2, 20)),
    workloadId: oct(3, 32),
    subject: getAddress(oct(4, 20)),
    issuerPublicKey: oct(5, 64),
  };
}
