/**
 * What the governance commands (`workload …`, `validator …`) share: a signing connection from --rpc,
 * --deployment and a key in an environment variable; option parsing that names the flag; output for
 * people or one JSON object; and when a scheduled change takes effect.
 */
import {
  createWalletClient,
  getAddress,
  http,
  isAddress,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Deployment } from "../chain/deployment.ts";
import type { ChainClients } from "../chain/transactions.ts";
import { chainError } from "../chain/transactions.ts";
import { isKeepledgerError, UsageError } from "@keepledger/sdk/internal/errors/index";
import { connectFromOptions, keyFromEnv, type ChainCliOptions } from "./chainOptions.ts";
import { CLI_CODES } from "./codes.ts";
import { explainRevert } from "./explainRevert.ts";

export interface GovernanceCliOptions extends ChainCliOptions {
  keyEnv?: string;
  json?: boolean;
}

export interface ReadConnection {
  publicClient: PublicClient<Transport, Chain>;
  deployment: Deployment;
}

export interface SignerConnection extends ReadConnection {
  clients: ChainClients;
  sender: Address;
}

export async function connectReader(opts: ChainCliOptions): Promise<ReadConnection> {
  const { publicClient, deployment } = await connectFromOptions(opts);
  return { publicClient: publicClient as PublicClient<Transport, Chain>, deployment };
}

/** Connects and signs with the key in the environment variable `opts.keyEnv` (checked before connecting). */
export async function connectSigner(
  opts: GovernanceCliOptions,
  defaultKeyEnv: string,
  env: Record<string, string | undefined> = process.env,
): Promise<SignerConnection> {
  const account = privateKeyToAccount(keyFromEnv(opts.keyEnv ?? defaultKeyEnv, env));
  const { publicClient, deployment } = await connectReader(opts);
  const walletClient = createWalletClient({ chain: publicClient.chain, transport: http(opts.rpc), account });
  return { publicClient, deployment, clients: { publicClient, walletClient }, sender: account.address };
}

export function badOption(flag: string, value: string, want: string): UsageError {
  return new UsageError(CLI_CODES.CLI_BAD_OPTION, `${flag} must be ${want}, got "${value}"`, {
    at: { field: flag },
    details: { got: value, want },
  });
}

/** `bytes` bytes of hex, with or without 0x, returned lowercase with 0x. */
export function hexOption(flag: string, value: string, bytes: number): Hex {
  const body = value.startsWith("0x") || value.startsWith("0X") ? value.slice(2) : value;
  if (!new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(body))
    throw badOption(flag, value, `${bytes} bytes of hex (0x + ${bytes * 2} hex digits)`);
  return `0x${body.toLowerCase()}`;
}

export function addressOption(flag: string, value: string): Address {
  if (!isAddress(value, { strict: false })) throw badOption(flag, value, "an address (0x + 40 hex digits)");
  return getAddress(value);
}

export function wholeOption(flag: string, value: string, max: number | bigint = Number.MAX_SAFE_INTEGER): bigint {
  if (!/^\d+$/.test(value) || BigInt(value) > BigInt(max)) throw badOption(flag, value, `a whole number from 0 to ${max}`);
  return BigInt(value);
}

/** The chain's current time (the latest block's timestamp), which governance delays count from. */
export async function chainNow(publicClient: PublicClient<Transport, Chain>): Promise<bigint> {
  try {
    return (await publicClient.getBlock({ blockTag: "latest" })).timestamp;
  } catch (error) {
    throw chainError(error, "reading the latest block");
  }
}

export function iso(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toISOString();
}

function duration(seconds: bigint): string {
  const s = Number(seconds);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3_600);
  const m = Math.floor((s % 3_600) / 60);
  return [d ? `${d}d` : "", h ? `${h}h` : "", m ? `${m}m` : "", !d && !h && !m ? `${s}s` : ""].filter(Boolean).join(" ");
}

/** When a scheduled change takes effect, for people and for JSON. */
export interface Schedule {
  effectiveAt: string;
  effectiveAtUnix: number;
  inForceNow: boolean;
}

export function schedule(effectiveAt: bigint, now: bigint): Schedule {
  return { effectiveAt: iso(effectiveAt), effectiveAtUnix: Number(effectiveAt), inForceNow: effectiveAt <= now };
}

/** `delay` names the contract's delay: "governance delay" (ValidatorSet) or "policy delay" (WorkloadRegistry). */
export function scheduleText(s: Schedule, now: bigint, delay: string): string {
  return s.inForceNow
    ? `in force now (${s.effectiveAt}; the ${delay} is 0)`
    : `takes effect at ${s.effectiveAt} (in ${duration(BigInt(s.effectiveAtUnix) - now)}, after the ${delay}); until then the current setting holds`;
}

/** Prints one JSON object (with --json) or lines for people. */
export function emit(json: boolean | undefined, object: Record<string, unknown>, text: () => string): void {
  if (json) process.stdout.write(`${JSON.stringify(object, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}\n`);
  else process.stdout.write(`${text()}\n`);
}

/**
 * Runs a command body: contract refusals are explained (`what` names the action); with --json a
 * keepledger failure is printed as `{ ok: false, error }` on stdout too, and main() still prints it on
 * stderr and sets the exit code (2 usage, 1 otherwise).
 */
export async function runAction(json: boolean | undefined, what: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const explained = explainRevert(error, what);
    if (json && isKeepledgerError(explained)) {
      process.stdout.write(
        `${JSON.stringify({ ok: false, error: { code: explained.code, message: explained.message, ...(explained.details.errorName ? { errorName: explained.details.errorName } : {}) } })}\n`,
      );
    }
    throw explained;
  }
}
