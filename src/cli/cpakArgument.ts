import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { Hex } from "viem";
import { cpaksFromCollateralFiles } from "../tee/arm-cca/cpak.ts";
import { badOption, hexOption } from "./governance.ts";

/**
 * A CPAK named on the command line: its id (sha256 of the SubjectPublicKeyInfo DER, docs/ids.md) as 32
 * bytes of hex, or a file holding exactly one P-384 public key (PEM or JWK), whose id is computed.
 */
export async function cpakArgument(flag: string, value: string): Promise<Hex> {
  if (/^(0x)?[0-9a-fA-F]{64}$/.test(value)) return hexOption(flag, value, 32);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(value);
  } catch {
    throw badOption(flag, value, "a CPAK id (32 bytes of hex) or a readable PEM/JWK file");
  }
  const found = cpaksFromCollateralFiles([{ name: basename(value), bytes }]);
  if (found.length !== 1) throw badOption(flag, value, `a file holding exactly one P-384 public key (found ${found.length})`);
  return found[0]!.fingerprint.toLowerCase() as Hex;
}
