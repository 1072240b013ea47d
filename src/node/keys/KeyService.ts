/**
 * A validator's share of the threshold key service (docs/key-release.md): its key-service key pair, share
 * deposits from workload owners, releases to Keeps that KeyRegistry.releaseCheck allows at the current
 * block, and the release receipts it commits on-chain in batches. Every refusal is a typed KEY_* error.
 */
import {
  concatHex,
  getAddress,
  keccak256,
  parseEventLogs,
  recoverTypedDataAddress,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
} from "viem";
import { InfrastructureError, PolicyError, UsageError, VerificationError } from "@keepledger/sdk/internal/errors/index";
import type { Deployment } from "../../chain/deployment.ts";
import { keyRegistryAbi, workloadRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { KEY_CODES } from "@keepledger/sdk/internal/chain/keyRelease/codes";
import { generateHpkeKeyPair, hpkeOpen, hpkeSeal, releaseInfo, shareInfo } from "@keepledger/sdk/internal/chain/keyRelease/hpke";
import type { ReleaseBody, ReleaseResponse, ShareDepositBody } from "../../chain/keyRelease/wire.ts";
import { keyServiceKeyOf, keyVersionOf, keyOf, releaseCheck, type KeyVersionInfo } from "../../chain/keyRegistry.ts";
import type { TransactionSender } from "../../chain/transactionSender.ts";
import { verdictFromJson } from "@keepledger/sdk/internal/chain/verdictView";
import {
  releaseRequestHash,
  releaseRequestTypedData,
  shareCommitment,
  shareDepositTypedData,
  shareHash,
  type ReleaseRefusal,
} from "@keepledger/sdk/internal/ids/index";
import type { Database } from "../../store/Database.ts";
import { KeyServiceStore } from "./KeyServiceStore.ts";

export interface KeyServiceOptions {
  db: Database;
  publicClient: PublicClient<Transport, Chain>;
  deployment: Deployment;
  keyRegistry: Address;
  /** This validator. */
  self: Address;
  /** Sends receipt commits from the validator's account. */
  sender?: TransactionSender;
  /** Oldest request block accepted, in blocks behind the head (default 64). */
  maxRequestAgeBlocks?: number;
  /** Receipts per on-chain commit (default 256, at most 512). */
  maxReceiptsPerCommit?: number;
}

const REFUSAL_CODES: Record<Exclude<ReleaseRefusal, "None">, keyof typeof KEY_CODES> = {
  UnknownKey: "KEY_UNKNOWN",
  UnknownVersion: "KEY_UNKNOWN",
  VersionRetired: "KEY_VERSION_RETIRED",
  WrongWorkload: "KEY_WRONG_WORKLOAD",
  SubjectRevoked: "KEY_SUBJECT_REVOKED",
  NoLiveVerdict: "KEY_NO_LIVE_VERDICT",
  VerdictMismatch: "KEY_VERDICT_MISMATCH",
  TcbStatus: "KEY_POLICY_TCB",
  Debug: "KEY_POLICY_DEBUG",
};

export class KeyService {
  readonly publicKey: Hex;
  readonly #privateKey: Hex;
  readonly #store: KeyServiceStore;
  readonly #o: KeyServiceOptions;
  readonly #maxAge: bigint;

  private constructor(o: KeyServiceOptions, store: KeyServiceStore, keys: { publicKey: Hex; privateKey: Hex }) {
    this.#o = o;
    this.#store = store;
    this.publicKey = keys.publicKey;
    this.#privateKey = keys.privateKey;
    this.#maxAge = BigInt(o.maxRequestAgeBlocks ?? 64);
  }

  /** Opens the service; the key pair is generated on first start and kept in the store. */
  static async open(o: KeyServiceOptions): Promise<KeyService> {
    const store = await KeyServiceStore.open(o.db);
    return new KeyService(o, store, await store.keyPair(generateHpkeKeyPair));
  }

  /** Whether the KeyRegistry has this node's key-service key (publish it with setKeyServiceKey otherwise). */
  async published(): Promise<{ published: boolean; attested: boolean }> {
    const onChain = await keyServiceKeyOf(this.#o, this.#o.keyRegistry, this.#o.self);
    return { published: onChain.publicKey.toLowerCase() === this.publicKey.toLowerCase(), attested: onChain.attested };
  }

  /** Publishes the key-service key on-chain (a transaction from the validator's account) unless it is there. */
  async publish(): Promise<void> {
    if ((await this.published()).published) return;
    const sender = this.#requireSender();
    const outcome = await sender.send({
      address: this.#o.keyRegistry,
      abi: keyRegistryAbi,
      functionName: "setKeyServiceKey",
      args: [this.publicKey],
    });
    if (!outcome.ok)
      throw new InfrastructureError(KEY_CODES.KEY_SERVICE_DISABLED, "could not publish the key-service key", { cause: outcome.error });
  }

  // ===== Deposit =====

  async deposit(keyId: Hex, body: ShareDepositBody): Promise<{ index: number }> {
    const version = await this.#version(keyId, body.version);
    const index = this.#indexIn(version, keyId, body.version);
    const { workloadId } = await keyOf(this.#o, this.#o.keyRegistry, keyId);
    const workload = await this.#o.publicClient.readContract({
      address: this.#o.deployment.contracts.workloadRegistry,
      abi: workloadRegistryAbi,
      functionName: "workloadOf",
      args: [workloadId],
    });
    const sealedHash = keccak256(concatHex([body.sealed.enc, body.sealed.ct]));
    const signer = await recoverTypedDataAddress({
      ...shareDepositTypedData(
        { keyId, version: body.version, validator: this.#o.self, sealedHash },
        this.#o.deployment.chainId,
        this.#o.keyRegistry,
      ),
      signature: body.signature,
    }).catch(() => undefined);
    if (!signer || getAddress(signer) !== getAddress(workload.owner)) {
      throw new PolicyError(KEY_CODES.KEY_DEPOSIT_UNAUTHORIZED, "the deposit is not signed by the workload's owner", {
        details: { signer: signer ?? null, owner: workload.owner },
      });
    }
    if (body.shareHashes.length !== version.shareholders.length || shareCommitment(body.shareHashes) !== version.shareCommitment) {
      throw new PolicyError(KEY_CODES.KEY_DEPOSIT_MISMATCH, "the share hashes do not match the version's on-chain commitment");
    }
    // Opened here, inside the validator, only to refuse a share that would fail every release later.
    const share = await hpkeOpen(this.#privateKey, shareInfo(keyId, body.version, this.#o.self), body.sealed);
    if (!share || shareHash(keyId, body.version, index, share) !== body.shareHashes[index - 1]) {
      throw new PolicyError(
        KEY_CODES.KEY_DEPOSIT_MISMATCH,
        `share ${index} does not open with this validator's key or does not match its hash`,
      );
    }
    share.fill(0);
    await this.#store.putShare(keyId, body.version, { index, sealed: body.sealed, shareHashes: body.shareHashes });
    return { index };
  }

  // ===== Release =====

  async release(keyId: Hex, body: ReleaseBody): Promise<ReleaseResponse> {
    const verdict = verdictFromJson(body.verdict);
    const request = {
      keyId,
      version: body.version,
      validator: this.#o.self,
      recipientKeyHash: keccak256(body.recipientPublicKey),
      blockNumber: BigInt(body.blockNumber),
      blockHash: body.blockHash,
    };
    const { chainId } = this.#o.deployment;
    const requestHash = releaseRequestHash(request, chainId, this.#o.keyRegistry);
    const signer = await recoverTypedDataAddress({
      ...releaseRequestTypedData(request, chainId, this.#o.keyRegistry),
      signature: body.signature,
    }).catch(() => undefined);
    if (!signer || getAddress(signer) !== getAddress(verdict.subject)) {
      throw new PolicyError(
        KEY_CODES.KEY_REQUEST_SIGNATURE,
        "the release request is not signed by the verdict's subject for this validator",
        {
          details: { signer: signer ?? null, subject: verdict.subject },
        },
      );
    }
    const head = await this.#o.publicClient.getBlock();
    const named =
      request.blockNumber <= head.number
        ? await this.#o.publicClient.getBlock({ blockNumber: request.blockNumber }).catch(() => undefined)
        : undefined;
    if (!named || named.hash !== request.blockHash || head.number - request.blockNumber > this.#maxAge) {
      throw new PolicyError(KEY_CODES.KEY_REQUEST_STALE, `the request's block is not a canonical block of the last ${this.#maxAge}`, {
        details: { blockNumber: Number(request.blockNumber), head: Number(head.number) },
      });
    }
    // Recorded before anything else is checked: a request is served or refused once, never twice.
    if (!(await this.#store.markSeen(requestHash, request.blockNumber))) {
      throw new PolicyError(KEY_CODES.KEY_REQUEST_REPLAYED, "this release request was already answered", { details: { requestHash } });
    }
    const refusal = await releaseCheck(this.#o, this.#o.keyRegistry, keyId, body.version, verdict, head.number);
    if (refusal !== "None") {
      const code = REFUSAL_CODES[refusal];
      const Err = code === "KEY_UNKNOWN" ? UsageError : PolicyError;
      throw new Err(KEY_CODES[code], `release refused on-chain: ${refusal}`, { details: { refusal, blockNumber: Number(head.number) } });
    }
    const version = await this.#version(keyId, body.version);
    const index = this.#indexIn(version, keyId, body.version);
    const stored = await this.#store.share(keyId, body.version);
    if (!stored || stored.index !== index) {
      throw new InfrastructureError(KEY_CODES.KEY_SHARE_MISSING, `no share of ${keyId} version ${body.version} was deposited here`);
    }
    const share = await hpkeOpen(this.#privateKey, shareInfo(keyId, body.version, this.#o.self), stored.sealed);
    if (!share)
      throw new VerificationError(KEY_CODES.KEY_DEPOSIT_MISMATCH, "the stored share does not open with this validator's key-service key");
    const sealed = await hpkeSeal(body.recipientPublicKey, releaseInfo(requestHash), share);
    share.fill(0);
    await this.#store.addReceipt({ keyId, version: body.version, subject: verdict.subject, releasedAt: head.timestamp, requestHash });
    await this.#store.pruneSeen(head.number - this.#maxAge);
    return { validator: this.#o.self, index, sealed, shareHashes: stored.shareHashes, requestHash };
  }

  // ===== Receipts =====

  /** Commits pending receipts on-chain; returns how many were committed (0 when none was pending). */
  async commitReceipts(): Promise<{ committed: number; root?: Hex; gasUsed?: bigint }> {
    const pending = await this.#store.pendingReceipts(Math.min(this.#o.maxReceiptsPerCommit ?? 256, 512));
    if (pending.length === 0) return { committed: 0 };
    const sender = this.#requireSender();
    const outcome = await sender.send({
      address: this.#o.keyRegistry,
      abi: keyRegistryAbi,
      functionName: "commitReleaseReceipts",
      args: [pending],
    });
    if (!outcome.ok)
      throw new InfrastructureError(KEY_CODES.KEY_SERVICE_DISABLED, "could not commit release receipts", { cause: outcome.error });
    const [event] = parseEventLogs({ abi: keyRegistryAbi, logs: outcome.receipt.logs, eventName: "ReleaseReceiptsCommitted" });
    const root = event!.args.root;
    await this.#store.markCommitted(
      pending.map((r) => r.requestHash),
      root,
    );
    return { committed: pending.length, root, gasUsed: outcome.gasUsed };
  }

  async pendingReceiptCount(): Promise<number> {
    return (await this.#store.pendingReceipts(100_000)).length;
  }

  #requireSender(): TransactionSender {
    if (!this.#o.sender) throw new UsageError(KEY_CODES.KEY_SERVICE_DISABLED, "this key service has no transaction sender");
    return this.#o.sender;
  }

  async #version(keyId: Hex, version: number): Promise<KeyVersionInfo> {
    const info = await keyVersionOf(this.#o, this.#o.keyRegistry, keyId, version);
    if (info.createdAt === 0n)
      throw new UsageError(KEY_CODES.KEY_UNKNOWN, `no version ${version} of key ${keyId}`, { details: { keyId, version } });
    return info;
  }

  #indexIn(version: KeyVersionInfo, keyId: Hex, v: number): number {
    const i = version.shareholders.indexOf(getAddress(this.#o.self));
    if (i < 0) throw new UsageError(KEY_CODES.KEY_NOT_A_SHAREHOLDER, `this validator holds no share of ${keyId} version ${v}`);
    return i + 1;
  }
}
