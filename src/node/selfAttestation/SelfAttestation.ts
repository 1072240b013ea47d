/**
 * The validator attests itself: it binds its signing key and its logging profile (the validator context)
 * into fresh evidence from its TEE, submits it as the designated validator workload through its own
 * intake — the other validators verify it and countersign like any Keep — and, once the verdict is
 * finalized, attaches it to its ValidatorSet record. It does so again before that verdict expires, and
 * when its on-chain logging profile changes (the new profile must be bound). Failures are retried with
 * backoff and reported in /healthz; the node keeps serving meanwhile (a bootstrapped validator counts
 * until the bootstrap closes). Stopping cuts short the wait for the quorum: the outbox keeps the verdict.
 */
import type { Hex } from "viem";
import { validatorSetAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { backoffDelay } from "../../chain/retry.ts";
import type { TransactionSender } from "../../chain/transactionSender.ts";
import {
  bindingHash,
  normalizeVerdict,
  publicKey64,
  validatorContext,
  validatorKeyServiceContext,
  type LoggingProfile,
  type Verdict,
} from "@keepledger/sdk/internal/ids/index";
import { reportDataFor } from "@keepledger/sdk/internal/tee/kindFacts";
import type { ChainState } from "../chain/chainState.ts";
import { NODE_CODES } from "../codes.ts";
import type { Intake } from "../intake/Intake.ts";
import type { NodeLogger } from "../logging/createNodeLogger.ts";
import type { NodeMetrics } from "../nodeMetrics.ts";
import type { Outbox } from "../outbox/Outbox.ts";
import type { NodeStore } from "../store/NodeStore.ts";
import { verdictFromJson } from "../types.ts";
import type { EvidenceProvider } from "./EvidenceProvider.ts";

export type SelfAttestationState =
  | "starting"
  | "no-validator-workload"
  | "attesting"
  | "waiting-for-quorum"
  | "attached"
  | "failed"
  | "stopped";

export interface SelfAttestationStatus {
  state: SelfAttestationState;
  provider: EvidenceProvider["name"];
  insecure: boolean;
  verdictId?: Hex;
  expiresAt?: number;
  lastError?: string;
}

export interface SelfAttestationOptions {
  provider: EvidenceProvider;
  chain: ChainState;
  intake: Intake;
  outbox: Outbox;
  store: NodeStore;
  sender: TransactionSender;
  /** The node's key as 0x04‖X‖Y. */
  publicKey: Hex;
  log: NodeLogger;
  metrics: NodeMetrics;
  /** Re-attest this long before the own verdict expires. */
  renewBeforeSeconds: number;
  /** How often the state is re-checked when nothing is due (default 30 s). */
  checkEveryMs?: number;
  /**
   * This node's key-service key as the KeyRegistry holds it (undefined: none published), and whether the
   * own verdict in force already vouches for it. A published key is bound into the own evidence
   * (validator context v2, docs/key-release.md); one the own verdict does not vouch for yet is attested at once.
   */
  keyServiceKey?: () => Promise<{ publicKey: Hex; attested: boolean } | undefined>;
}

export class SelfAttestation {
  readonly #o: SelfAttestationOptions;
  #status: SelfAttestationStatus;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #failures = 0;
  #boundProfile: LoggingProfile | undefined;
  #running: Promise<void> = Promise.resolve();
  #busy = false;
  /** Aborted by stop(): ends the wait for the own verdict's quorum. */
  readonly #abort = new AbortController();

  constructor(options: SelfAttestationOptions) {
    this.#o = options;
    this.#status = { state: "starting", provider: options.provider.name, insecure: options.provider.insecure };
  }

  status(): SelfAttestationStatus {
    return { ...this.#status };
  }

  start(): void {
    this.#schedule(0);
  }

  /**
   * Stops; waits for a step in flight (at most `timeoutMs`), whose wait for the quorum ends at once. The
   * rest of a step is bounded by its RPC and peer timeouts; the bound here keeps a shutdown bounded too.
   */
  async stop(timeoutMs = 5_000): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#abort.abort();
    this.#status.state = "stopped";
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#running, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    this.#status = { ...this.#status, state: "stopped" };
  }

  /** Checks now (e.g. the on-chain profile changed). */
  poke(): void {
    this.#schedule(0);
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (this.#busy) return this.#schedule(1_000);
      this.#busy = true;
      this.#running = this.#tick()
        .catch(() => undefined)
        .finally(() => {
          this.#busy = false;
        });
    }, ms);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    let next: number;
    try {
      next = await this.#step();
      this.#failures = 0;
    } catch (error) {
      if (this.#stopped) return;
      this.#failures++;
      this.#status = { ...this.#status, state: "failed", lastError: error instanceof Error ? error.message : String(error) };
      this.#o.log.warn("self-attestation failed; retrying", {
        code: NODE_CODES.NODE_SELF_ATTESTATION_FAILED,
        attempt: this.#failures,
        err: error,
      });
      next = Math.max(1_000, backoffDelay(this.#failures, { baseMs: 2_000, maxMs: 60_000 }));
    }
    this.#schedule(next);
  }

  /** One pass: attest when due; returns when to look again (ms). */
  async #step(): Promise<number> {
    const { chain, log } = this.#o;
    const self = this.#o.sender.account.address;
    chain.invalidateValidators();
    const view = await chain.validatorSet();
    const me = view.validators.get(self);
    if (!me?.registered) throw new Error("this node is no longer a registered validator");
    if (BigInt(view.validatorWorkload) === 0n) {
      this.#status = { ...this.#status, state: "no-validator-workload" };
      return this.#o.checkEveryMs ?? 30_000;
    }
    const now = chain.now();
    // The profile in force on-chain is the one to log by and to bind: follow a scheduled change.
    if (me.loggingProfile !== log.profile) {
      log.warn("the logging profile changed on-chain; following it", { profile: me.loggingProfile });
      log.setProfile(me.loggingProfile);
    }
    const profileDueMs = me.loggingProfileEffectiveAt > now ? Number(me.loggingProfileEffectiveAt - now) * 1000 : Infinity;
    const profileChanged = this.#boundProfile !== undefined && this.#boundProfile !== me.loggingProfile;
    const live = BigInt(me.ownVerdictId) !== 0n && me.ownVerdictExpiresAt > now;
    const keyService = await this.#o.keyServiceKey?.();
    const keyServiceUnbound = keyService !== undefined && !keyService.attested;
    this.#o.metrics.selfAttestationExpiresAt.set(live ? Number(me.ownVerdictExpiresAt) : 0);
    if (live && !profileChanged && !keyServiceUnbound && me.ownVerdictExpiresAt - now > BigInt(this.#o.renewBeforeSeconds)) {
      this.#boundProfile ??= me.loggingProfile;
      this.#status = { ...this.#status, state: "attached", verdictId: me.ownVerdictId, expiresAt: Number(me.ownVerdictExpiresAt) };
      delete this.#status.lastError;
      const dueInMs = Number(me.ownVerdictExpiresAt - now - BigInt(this.#o.renewBeforeSeconds)) * 1000;
      return Math.max(1_000, Math.min(dueInMs, profileDueMs, this.#o.checkEveryMs ?? 30_000));
    }

    // Attest: bind the key and the profile in force into fresh evidence.
    this.#status = { ...this.#status, state: "attesting" };
    const block = await chain.nonceBlock();
    const binding = bindingHash({
      chainId: chain.deployment.chainId,
      attestationRegistry: chain.deployment.contracts.attestationRegistry,
      subjectPublicKey: publicKey64(this.#o.publicKey),
      blockHash: block.hash,
      context: keyService ? validatorKeyServiceContext(me.loggingProfile, keyService.publicKey) : validatorContext(me.loggingProfile),
    });
    const reportData = Buffer.from(reportDataFor("sgx", binding).slice(2), "hex");
    const { evidence, collateral } = await this.#o.provider.getEvidence(
      new Uint8Array(reportData),
      new Date(Number(block.timestamp) * 1000),
    );
    const result = await this.#o.intake.submit(
      {
        workloadId: view.validatorWorkload,
        evidence,
        subjectPublicKey: publicKey64(this.#o.publicKey),
        freshnessBlock: block.number,
        context: "validator",
        collateral,
      },
      "self",
    );
    if (result.outcome === "refused") throw new Error(`own evidence refused: ${result.error.code}: ${result.error.message}`);
    if (result.outcome === "unavailable") throw result.error instanceof Error ? result.error : new Error(String(result.error));
    this.#status = { ...this.#status, state: "waiting-for-quorum", verdictId: result.verdictId };
    log.info("own evidence accepted; waiting for the validators' signatures", {
      verdictId: result.verdictId,
      profile: me.loggingProfile,
      provider: this.#o.provider.name,
    });
    await this.#o.outbox.waitFor(result.verdictId, 10 * 60_000, this.#abort.signal);
    if (this.#stopped) return 0;
    const record = await this.#o.store.currentVerdict(result.verdictId);
    if (!record || record.state !== "finalized")
      throw new Error(`own verdict ${result.verdictId} is ${record?.state ?? "unknown"}${record?.error ? `: ${record.error.code}` : ""}`);
    await this.#attach(verdictFromJson(record.verdict));
    this.#boundProfile = me.loggingProfile;
    this.#status = { ...this.#status, state: "attached", verdictId: record.verdictId, expiresAt: Number(record.verdict.expiresAt) };
    delete this.#status.lastError;
    this.#o.metrics.selfAttestationExpiresAt.set(Number(record.verdict.expiresAt));
    log.info("own verdict attached", {
      verdictId: result.verdictId,
      expiresAt: Number(record.verdict.expiresAt),
      profile: me.loggingProfile,
    });
    return 1_000;
  }

  async #attach(v: Verdict): Promise<void> {
    const outcome = await this.#o.sender.send({
      address: this.#o.chain.deployment.contracts.validatorSet,
      abi: validatorSetAbi,
      functionName: "attachVerdict",
      args: [this.#o.sender.account.address, normalizeVerdict(v)],
    });
    if (!outcome.ok) {
      if (outcome.revert?.errorName !== "ValidatorSetVerdictNotNewer") throw outcome.error;
      // The held verdict is at least as new. If it was issued in the same chain second as this one (a
      // re-attestation right after the last, e.g. for a just-changed logging profile), this one is not
      // attached: fail the step so that the retry attests again in a later second. A strictly newer one
      // someone else attached leaves nothing to do.
      const heldIssuedAt = outcome.revert.args[1];
      if (heldIssuedAt === v.issuedAt) {
        throw new Error(`own verdict ${String(outcome.revert.args[0])} was issued in the same second as this one; attesting again`);
      }
    }
    this.#o.chain.invalidateValidators();
  }
}
