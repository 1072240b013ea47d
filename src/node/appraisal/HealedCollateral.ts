/**
 * The documents a collateral heal verified, kept as one of the node's own sources: after a heal has
 * moved the floor to a document a peer showed, this node's other sources may still serve the older one
 * (a PCCS or directory that lags) — without this, every new submission for that platform would be
 * refused as below the floor until they catch up. Only documents of a heal whose re-appraisal verified
 * and used them are added (CollateralHealer.ts), each the newest for its key; bounded by entries.
 */
import { staticCollateral } from "../../collateral/staticCollateral.ts";
import { emptyCollateral, mergeCollateral, type CollateralProvider, type CollateralSet } from "../../collateral/types.ts";
import type { CollateralFile } from "../types.ts";
import { claimedKeys } from "./collateralProvenance.ts";

export interface HealedCollateralOptions {
  /** Documents kept (one per key: CRL issuer, TCB Info, QE Identity), the oldest added dropped first. Default 256. */
  maxEntries?: number;
}

export function defaultHealedCollateralOptions(): Required<HealedCollateralOptions> {
  return { maxEntries: 256 };
}

export class HealedCollateral implements CollateralProvider {
  readonly name = "healed collateral";
  readonly #maxEntries: number;
  /** Per claimed key, the set of one document and the certificates that came with it. */
  readonly #entries = new Map<string, CollateralSet>();

  constructor(options: HealedCollateralOptions = {}) {
    this.#maxEntries = options.maxEntries ?? defaultHealedCollateralOptions().maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Keeps the documents of `files` (each with the files' certificates) under their keys, replacing what was there. */
  add(files: readonly CollateralFile[]): void {
    const set = staticCollateral(files, this.name).collateral;
    const one = (s: Partial<CollateralSet>): CollateralSet => ({ ...emptyCollateral(), certificates: set.certificates, ...s });
    for (const doc of [...set.crls.map((c) => one({ crls: [c] })), ...set.intelDocuments.map((d) => one({ intelDocuments: [d] }))]) {
      for (const key of claimedKeys(doc)) {
        this.#entries.delete(key);
        if (this.#entries.size >= this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
        this.#entries.set(key, doc);
      }
    }
  }

  async fetch(): Promise<CollateralSet> {
    return mergeCollateral(...this.#entries.values());
  }
}
