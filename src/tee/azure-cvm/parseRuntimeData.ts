import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { AZCVM_FORMAT_CODES } from "./codes.ts";
import type { VmConfiguration } from "@keepledger/sdk/internal/tee/azure-cvm/claims";

export type { VmConfiguration } from "@keepledger/sdk/internal/tee/azure-cvm/claims";

/** An RSA public key as a JWK (only the members keepledger uses). */
export interface RsaJwk {
  kid: string;
  n: string;
  e: string;
  keyOps: string[];
}

/** The HCL runtime data: the JSON whose SHA-256 the hardware report carries. */
export interface RuntimeData {
  /** The HCL attestation key: signs the TPM quote. */
  akPub: RsaJwk;
  /** The HCL endorsement key, when present. */
  ekPub?: RsaJwk;
  vmConfiguration: VmConfiguration;
  /** user-data as the guest set it (hex in the JSON), or null when absent. */
  userData: Uint8Array | null;
}

function invalid(message: string, field: string, details: Record<string, unknown> = {}): never {
  throw new EvidenceFormatError(AZCVM_FORMAT_CODES.AZCVM_RUNTIME_DATA_INVALID, message, { at: { field }, details });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function rsaJwk(v: unknown, field: string): RsaJwk {
  if (!isObject(v)) invalid(`${field} is not a JWK object`, field);
  const { kid, kty, n, e } = v;
  const ops = v.key_ops ?? [];
  if (typeof kid !== "string" || kty !== "RSA" || typeof n !== "string" || typeof e !== "string") {
    invalid(`${field} is not an RSA JWK with kid, n and e`, field, { kty });
  }
  if (!Array.isArray(ops) || !ops.every((o) => typeof o === "string"))
    invalid(`${field}.key_ops is not a list of strings`, `${field}.key_ops`);
  return { kid, n, e, keyOps: ops as string[] };
}

const BOOLEANS = [
  ["console-enabled", "consoleEnabled"],
  ["secure-boot", "secureBoot"],
  ["tpm-enabled", "tpmEnabled"],
  ["tpm-persisted", "tpmPersisted"],
] as const;
const STRINGS = [
  ["root-cert-thumbprint", "rootCertThumbprint"],
  ["vmUniqueId", "vmUniqueId"],
] as const;

/** Strict UTF-8; decoding keeps no state between calls, so one decoder serves all. */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Parses the runtime data JSON: `keys` must hold exactly one RSA JWK with kid "HCLAkPub" (the key that
 * signs the TPM quote); `vm-configuration` and `user-data` are read when present and typed; other
 * members are left alone (they are bound by the hash all the same). No crypto, no I/O.
 */
export function parseRuntimeData(bytes: Uint8Array): RuntimeData {
  let json: unknown;
  try {
    json = JSON.parse(UTF8.decode(bytes));
  } catch (cause) {
    throw new EvidenceFormatError(AZCVM_FORMAT_CODES.AZCVM_RUNTIME_DATA_INVALID, "the HCL runtime data is not UTF-8 JSON", {
      at: { field: "runtime_data" },
      cause,
    });
  }
  if (!isObject(json)) invalid("the HCL runtime data is not a JSON object", "runtime_data");
  if (!Array.isArray(json.keys)) invalid("the runtime data has no keys list", "runtime_data.keys");
  const keys = json.keys.map((k, i) => rsaJwk(k, `runtime_data.keys[${i}]`));
  const aks = keys.filter((k) => k.kid === "HCLAkPub");
  if (aks.length !== 1) invalid(`the runtime data holds ${aks.length} HCLAkPub keys, not 1`, "runtime_data.keys", { count: aks.length });
  const eks = keys.filter((k) => k.kid === "HCLEkPub");
  if (eks.length > 1) invalid("the runtime data holds more than one HCLEkPub key", "runtime_data.keys");

  const vmConfiguration: VmConfiguration = {};
  const config = json["vm-configuration"];
  if (config !== undefined) {
    if (!isObject(config)) invalid("vm-configuration is not an object", "runtime_data.vm-configuration");
    for (const [name, key] of BOOLEANS) {
      const v = config[name];
      if (v === undefined) continue;
      if (typeof v !== "boolean") invalid(`vm-configuration.${name} is not a boolean`, `runtime_data.vm-configuration.${name}`);
      vmConfiguration[key] = v;
    }
    for (const [name, key] of STRINGS) {
      const v = config[name];
      if (v === undefined) continue;
      if (typeof v !== "string" || v.length > 256)
        invalid(`vm-configuration.${name} is not a short string`, `runtime_data.vm-configuration.${name}`);
      vmConfiguration[key] = v;
    }
  }
  let userData: Uint8Array | null = null;
  const ud = json["user-data"];
  if (ud !== undefined) {
    if (typeof ud !== "string" || ud.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(ud))
      invalid("user-data is not hex", "runtime_data.user-data");
    userData = new Uint8Array(Buffer.from(ud, "hex"));
  }
  return { akPub: aks[0]!, ...(eks[0] ? { ekPub: eks[0] } : {}), vmConfiguration, userData };
}
