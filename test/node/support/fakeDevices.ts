/**
 * Temporary directories that behave like the TEE device interfaces a validator attests itself with — the
 * one test double the node's tests allow, since this machine has no TEE:
 *
 * - a configfs TSM report root: every directory created under it gets the attribute files (provider,
 *   generation, inblob, outblob, auxblob); a write to inblob produces a fresh outblob for it and bumps
 *   generation, as the kernel does;
 * - Gramine's /dev/attestation: attestation_type, user_report_data, and a quote regenerated on each write.
 *
 * The evidence itself comes from the test signers (real signatures over test PKIs), so what the
 * providers return verifies with the engine.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface FakeDevice {
  root: string;
  stop(): void;
}

export interface FakeTsmOptions {
  provider: "tdx_guest" | "sev_guest" | string;
  /** The outblob for the report data written to inblob. */
  outblob(inblob: Uint8Array): Promise<Uint8Array>;
  auxblob?: Uint8Array;
  /** Let another writer touch the next report (generation jumps by 2). */
  raceNext?: () => boolean;
}

export function fakeTsm(root: string, o: FakeTsmOptions): FakeDevice {
  mkdirSync(root, { recursive: true });
  const seen = new Map<string, string>();
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      for (const name of readdirSync(root)) {
        const dir = join(root, name);
        if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue;
        if (!seen.has(dir)) {
          writeFileSync(join(dir, "provider"), `${o.provider}\n`);
          writeFileSync(join(dir, "generation"), "0\n");
          writeFileSync(join(dir, "inblob"), "");
          writeFileSync(join(dir, "outblob"), "");
          if (o.auxblob) writeFileSync(join(dir, "auxblob"), o.auxblob);
          seen.set(dir, "");
          continue;
        }
        let inblob: Buffer;
        try {
          inblob = readFileSync(join(dir, "inblob"));
        } catch {
          continue; // removed meanwhile
        }
        const key = inblob.toString("hex");
        if (inblob.length === 0 || key === seen.get(dir)) continue;
        seen.set(dir, key);
        writeFileSync(join(dir, "outblob"), await o.outblob(new Uint8Array(inblob)));
        const generation = Number(readFileSync(join(dir, "generation"), "utf8")) + (o.raceNext?.() ? 2 : 1);
        writeFileSync(join(dir, "generation"), `${generation}\n`);
      }
    } catch {
      // A directory vanished between listing and reading: the next tick sees the new state.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), 3);
  return { root, stop: () => clearInterval(timer) };
}

export interface FakeGramineOptions {
  attestationType?: string;
  quote(reportData: Uint8Array): Promise<Uint8Array>;
}

export function fakeGramine(root: string, o: FakeGramineOptions): FakeDevice {
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, "attestation_type"), `${o.attestationType ?? "dcap"}`);
  writeFileSync(join(root, "user_report_data"), Buffer.alloc(64));
  writeFileSync(join(root, "quote"), "");
  let last = "";
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const data = readFileSync(join(root, "user_report_data"));
      if (data.toString("hex") !== last && data.length === 64) {
        last = data.toString("hex");
        writeFileSync(join(root, "quote"), await o.quote(new Uint8Array(data)));
      }
    } finally {
      busy = false;
    }
  }, 3);
  return { root, stop: () => clearInterval(timer) };
}
