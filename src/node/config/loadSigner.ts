/** The node's signing key, from a keystore file (password in the environment) or from the environment. */
import { readFile } from "node:fs/promises";
import type { Hex } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import { NODE_CODES } from "../codes.ts";
import { decryptKeystore } from "./keystore.ts";
import type { NodeConfig } from "./loadNodeConfig.ts";

export interface NodeSigner {
  account: PrivateKeyAccount;
  /** Kept in memory only, for the `none` self-attestation provider (debug Keep evidence signed by this key). */
  privateKey: Hex;
}

export async function loadSigner(signer: NodeConfig["signer"], env: Record<string, string | undefined> = process.env): Promise<NodeSigner> {
  let privateKey: string;
  if ("privateKeyEnv" in signer) {
    const value = env[signer.privateKeyEnv];
    if (value === undefined || value === "") {
      throw new UsageError(
        NODE_CODES.NODE_SECRET_MISSING,
        `environment variable ${signer.privateKeyEnv} (signer.privateKeyEnv) is not set`,
        {
          at: { field: "signer.privateKeyEnv" },
        },
      );
    }
    privateKey = value.trim();
  } else {
    const password = env[signer.passwordEnv];
    if (password === undefined) {
      throw new UsageError(NODE_CODES.NODE_SECRET_MISSING, `environment variable ${signer.passwordEnv} (signer.passwordEnv) is not set`, {
        at: { field: "signer.passwordEnv" },
      });
    }
    let text: string;
    try {
      text = await readFile(signer.keystore, "utf8");
    } catch (cause) {
      throw new UsageError(NODE_CODES.NODE_KEYSTORE_INVALID, `cannot read the keystore ${signer.keystore}`, {
        cause,
        at: { field: "signer.keystore" },
      });
    }
    privateKey = decryptKeystore(text, password);
  }
  if (!/^0x[0-9a-fA-F]{64}$/.test(privateKey)) {
    throw new UsageError(NODE_CODES.NODE_SECRET_MISSING, "the signing key must be 32 bytes of 0x-hex", { at: { field: "signer" } });
  }
  try {
    return { account: privateKeyToAccount(privateKey as Hex), privateKey: privateKey.toLowerCase() as Hex };
  } catch (cause) {
    throw new UsageError(NODE_CODES.NODE_SECRET_MISSING, "the signing key is not a valid secp256k1 private key", {
      cause,
      at: { field: "signer" },
    });
  }
}
