import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import type { VerifierContext } from "../verifierContext.ts";
import type { AmdProductLine } from "../../pki/roots.ts";
import type { ParsedCertificate } from "../../pki/x509/certificate.ts";
import { DER, readSingle, readSmallInteger } from "../../pki/x509/der.ts";
import { encodeTcbVersion, tcbLayoutOf } from "./tcbVersion.ts";
import { SNP_VERIFY_CODES } from "./codes.ts";

/** AMD's KDS OIDs (VCEK/VLEK certificate specification, publication 57230), under 1.3.6.1.4.1.3704.1. */
export const AMD_KDS_OIDS = {
  structVersion: "1.3.6.1.4.1.3704.1.1",
  productName: "1.3.6.1.4.1.3704.1.2",
  blSPL: "1.3.6.1.4.1.3704.1.3.1",
  teeSPL: "1.3.6.1.4.1.3704.1.3.2",
  snpSPL: "1.3.6.1.4.1.3704.1.3.3",
  spl4: "1.3.6.1.4.1.3704.1.3.4",
  spl5: "1.3.6.1.4.1.3704.1.3.5",
  spl6: "1.3.6.1.4.1.3704.1.3.6",
  spl7: "1.3.6.1.4.1.3704.1.3.7",
  ucodeSPL: "1.3.6.1.4.1.3704.1.3.8",
  fmcSPL: "1.3.6.1.4.1.3704.1.3.9",
  hwID: "1.3.6.1.4.1.3704.1.4",
  cspID: "1.3.6.1.4.1.3704.1.5",
} as const;

const IA5_STRING = 0x16;

/** The KDS extensions of a VCEK or VLEK certificate. */
export interface VekExtensions {
  /** VCEK certificates carry a hwID; VLEK certificates a CSP id instead. */
  kind: "vcek" | "vlek";
  structVersion: number;
  /** "Milan-B0", "Genoa-B1", "Turin", ...: the product line, then the stepping. */
  productName: string;
  blSPL: number;
  teeSPL: number;
  snpSPL: number;
  ucodeSPL: number;
  /** Turin only. */
  fmcSPL: number | undefined;
  /** The reserved SPL extensions .3.4 to .3.7, when present. */
  spl4: number | undefined;
  spl5: number | undefined;
  spl6: number | undefined;
  spl7: number | undefined;
  /** VCEK: the chip id (64 bytes; 8 bytes on Turin). */
  hwID: Uint8Array | undefined;
  /** VLEK: the cloud provider's name. */
  cspID: string | undefined;
}

function malformed(cert: ParsedCertificate, why: string, cause?: unknown): VerificationError {
  return new VerificationError(SNP_VERIFY_CODES.SNP_VEK_MALFORMED, `VCEK/VLEK certificate "${cert.subject}": ${why}`, {
    at: { field: "VCEK/VLEK extensions" },
    details: { fingerprint: cert.fingerprint },
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Reads AMD's KDS extensions. Returns undefined for a certificate without the
 * productName extension (not a VCEK/VLEK); throws SNP_VEK_MALFORMED when
 * they are present but wrong. Remembered in `context` by certificate fingerprint.
 */
export function readVekExtensions(cert: ParsedCertificate, context?: VerifierContext): VekExtensions | undefined {
  let hit = context?.vekExtensions.get(cert.fingerprint);
  if (hit === undefined) {
    try {
      hit = decode(cert);
    } catch (e) {
      hit = e instanceof VerificationError ? e : malformed(cert, "an AMD extension is not valid DER", e);
    }
    context?.vekExtensions.set(cert.fingerprint, hit);
  }
  if (hit instanceof VerificationError) throw hit;
  return hit ?? undefined;
}

function decode(cert: ParsedCertificate): VekExtensions | null {
  const values = new Map<string, Uint8Array>();
  for (const ext of cert.extensions) {
    if (!ext.oid.startsWith("1.3.6.1.4.1.3704.1.")) continue;
    values.set(ext.oid, ext.value);
  }
  const productNameDer = values.get(AMD_KDS_OIDS.productName);
  if (productNameDer === undefined) return null;
  const int = (oid: string, name: string, required: boolean): number | undefined => {
    const v = values.get(oid);
    if (v === undefined) {
      if (required) throw malformed(cert, `missing the ${name} extension (${oid})`);
      return undefined;
    }
    const n = readSmallInteger(readSingle(v, DER.INTEGER, name), name);
    if (n > 255) throw malformed(cert, `${name} ${n} does not fit a byte`);
    return n;
  };
  const productName = ia5(readSingle(productNameDer, IA5_STRING, "productName").value);
  const hwID = hwIdOf(values.get(AMD_KDS_OIDS.hwID));
  const cspDer = values.get(AMD_KDS_OIDS.cspID);
  const cspID = cspDer === undefined ? undefined : ia5(readSingle(cspDer, IA5_STRING, "cspID").value);
  if (hwID !== undefined && cspID !== undefined) throw malformed(cert, "has both a hwID and a CSP id");
  if (hwID === undefined && cspID === undefined) throw malformed(cert, "has neither a hwID (VCEK) nor a CSP id (VLEK)");
  return {
    kind: hwID !== undefined ? "vcek" : "vlek",
    structVersion: int(AMD_KDS_OIDS.structVersion, "structVersion", false) ?? 0,
    productName,
    blSPL: int(AMD_KDS_OIDS.blSPL, "blSPL", true)!,
    teeSPL: int(AMD_KDS_OIDS.teeSPL, "teeSPL", true)!,
    snpSPL: int(AMD_KDS_OIDS.snpSPL, "snpSPL", true)!,
    ucodeSPL: int(AMD_KDS_OIDS.ucodeSPL, "ucodeSPL", true)!,
    fmcSPL: int(AMD_KDS_OIDS.fmcSPL, "fmcSPL", false),
    spl4: int(AMD_KDS_OIDS.spl4, "spl_4", false),
    spl5: int(AMD_KDS_OIDS.spl5, "spl_5", false),
    spl6: int(AMD_KDS_OIDS.spl6, "spl_6", false),
    spl7: int(AMD_KDS_OIDS.spl7, "spl_7", false),
    hwID,
    cspID,
  };
}

function ia5(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

/** KDS puts the hwID bytes straight into extnValue (no OCTET STRING header); accept a wrapped one too. */
function hwIdOf(value: Uint8Array | undefined): Uint8Array | undefined {
  if (value === undefined) return undefined;
  if (value.length === 64 || value.length === 8) return value;
  return readSingle(value, DER.OCTET_STRING, "hwID").value;
}

/**
 * The REPORTED_TCB bytes this certificate was issued for, in the product
 * line's layout: legacy = bl, tee, spl_4..spl_7, snp, ucode; Turin = fmc, bl,
 * tee, snp, spl_5..spl_7, ucode. Turin has no byte for spl_4: a non-zero one is malformed.
 */
export function vekTcbBytes(cert: ParsedCertificate, ext: VekExtensions, productLine: AmdProductLine): Uint8Array {
  if (tcbLayoutOf(productLine) === "turin") {
    if (ext.fmcSPL === undefined) throw malformed(cert, "a Turin VCEK/VLEK needs the fmcSPL extension");
    if ((ext.spl4 ?? 0) !== 0) throw malformed(cert, "a Turin TCB_VERSION has no byte for spl_4");
    return encodeTcbVersion(
      {
        fmc: ext.fmcSPL,
        bootloader: ext.blSPL,
        tee: ext.teeSPL,
        snp: ext.snpSPL,
        microcode: ext.ucodeSPL,
        reserved: [ext.spl5 ?? 0, ext.spl6 ?? 0, ext.spl7 ?? 0],
      },
      "turin",
    );
  }
  if (ext.fmcSPL !== undefined) throw malformed(cert, `a ${productLine} VCEK/VLEK has no fmcSPL extension`);
  return encodeTcbVersion(
    {
      bootloader: ext.blSPL,
      tee: ext.teeSPL,
      snp: ext.snpSPL,
      microcode: ext.ucodeSPL,
      reserved: [ext.spl4 ?? 0, ext.spl5 ?? 0, ext.spl6 ?? 0, ext.spl7 ?? 0],
    },
    "legacy",
  );
}
