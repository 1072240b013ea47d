/** What verified NVIDIA GPU evidence says (ClaimsByKind["nvidia-gpu"]); bytes are lowercase 0x-hex so claims serialize as JSON. */
import type { Hex } from "../../util/bytes.ts";

export interface NvidiaRimIdentity {
  /** SWID tagId. */
  tagId: string;
  /** Meta@colloquialVersion: equals the reported driver or VBIOS version. */
  version: string;
  /** SHA-384 of the canonical signed RIM (its XML-DSig DigestValue), 48 bytes. */
  digest: Hex;
  /** How many of its measurements are active (and matched). */
  activeMeasurements: number;
}

export interface NvidiaGpuClaims {
  /**
   * The requester's 32-byte SPDM nonce. It is the binding: keepledger's
   * binding hash of the Keep's key, chain, registry and block (docs/ids.md),
   * as REPORTDATA is for CPU TEEs.
   */
  nonce: Hex;
  /** The GPU's own 32-byte nonce from the response. */
  responderNonce: Hex;
  /** From the leaf's DICE TcbInfo OID. */
  architecture: "hopper" | "blackwell";
  /** The common name of the device identity certificate (the leaf's issuer), e.g. "GH100 A01 GSP BROM". */
  hardwareModel: string;
  driverVersion: string;
  /** Lowercase, dotted: "96.00.9f.00.01". */
  vbiosVersion: string;
  project: string;
  projectSku: string;
  chipSku: string;
  boardId: string | null;
  /** 48-byte firmware ID, equal to the leaf certificate's FWID. */
  fwid: Hex;
  /** The reported measurement blocks' digests, block 1 first. */
  measurements: Hex[];
  /** SHA-384 over the block digests concatenated in index order. */
  measurementsDigest: Hex;
  /** How many active golden measurements were compared and matched (NVDEC0 rule applied). */
  measurementsMatched: number;
  driverRim: NvidiaRimIdentity;
  vbiosRim: NvidiaRimIdentity;
  /** 0x55 disabled, 0xAA enabled, null when not reported. */
  nvdec0Status: number | null;
  protectedPcieStatus: number | null;
  /**
   * Whether OCSP was checked for every certificate of the device and RIM chains; false only when the caller
   * passed dangerouslyAllowUncheckedRevocation and a response was missing. GPU reports carry no debug flag:
   * a GPU in CC "devtools" mode does not say so in its report, so there is no debug claim.
   */
  revocationChecked: boolean;
}
