/**
 * Collateral as files: what the evidence store keeps and what a collector sends its peers, so that a peer
 * whose own collateral agrees verifies with the same documents and reaches the same collateralHash. Sets fetched
 * from PCS/PCCS/KDS are turned back into files that recognizeCollateral reads again: certificates and
 * CRLs as DER, Intel documents as `{"tcbInfo": <exact signed body>, "signature": "<hex>"}`.
 */
import { createHash } from "node:crypto";
import { staticCollateral } from "../../collateral/staticCollateral.ts";
import type { CollateralProvider, CollateralSet, SignedIntelJson } from "../../collateral/types.ts";
import type { CollateralFile } from "../types.ts";

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

function intelDocumentFile(doc: SignedIntelJson): CollateralFile {
  const body = Buffer.from(doc.body).toString("utf8");
  const text = `{"${doc.type}":${body},"signature":"${Buffer.from(doc.signature).toString("hex")}"}`;
  const bytes = new Uint8Array(Buffer.from(text, "utf8"));
  return { name: `${doc.type}-${sha(bytes).slice(0, 16)}.json`, bytes };
}

/** The files of a collateral set, named by content, without duplicates. */
export function collateralSetToFiles(set: CollateralSet): CollateralFile[] {
  const files: CollateralFile[] = [];
  for (const cert of [...set.certificates, ...set.intelDocuments.flatMap((d) => d.issuerChain)]) {
    files.push({ name: `cert-${cert.fingerprint.slice(0, 16)}.der`, bytes: cert.der });
  }
  for (const crl of set.crls) files.push({ name: `crl-${crl.fingerprint.slice(0, 16)}.der`, bytes: crl.der });
  for (const doc of set.intelDocuments) files.push(intelDocumentFile(doc));
  return dedupeFiles(files);
}

/** Files with distinct contents (the first name wins) and distinct names, sorted by name. */
export function dedupeFiles(files: readonly CollateralFile[]): CollateralFile[] {
  const byContent = new Map<string, CollateralFile>();
  for (const f of files) {
    const key = sha(f.bytes);
    if (!byContent.has(key)) byContent.set(key, f);
  }
  const names = new Set<string>();
  const out: CollateralFile[] = [];
  for (const f of byContent.values()) {
    let name = f.name;
    for (let i = 2; names.has(name); i++) name = `${i}-${f.name}`;
    names.add(name);
    out.push(name === f.name ? f : { name, bytes: f.bytes });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Posted files as a provider. */
export function filesProvider(files: readonly CollateralFile[], name = "posted collateral"): CollateralProvider {
  return staticCollateral(files, name);
}
