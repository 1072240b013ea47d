/**
 * The crypto lower bound of verifying one piece of evidence: the bare
 * node:crypto signature verifications a kind needs, with keys already made
 * into KeyObjects and signed bytes already cut out — nothing but OpenSSL
 * hashing and verifying. docs/benchmarks.md lists the signatures per kind.
 *
 * - full: every signature a verifier with nothing remembered must check (the
 *   bound for cold verification);
 * - per evidence: only those that differ from one piece of evidence to the
 *   next from the same platform and cannot be remembered by exact bytes (the
 *   bound for warm verification of a stream of fresh evidence).
 */
import { constants, createPublicKey, verify, type KeyObject } from "node:crypto";
import { staticCollateral } from "../../src/collateral/staticCollateral.ts";
import type { SignedIntelJson } from "../../src/collateral/types.ts";
import { parseDcapQuote } from "../../src/tee/dcap/parseDcapQuote.ts";
import { parseNitroDocument } from "../../src/tee/nitro/parseNitroDocument.ts";
import { parseSnpReport } from "../../src/tee/sev-snp/parseSnpReport.ts";
import { parseCcaToken, type CcaSignedToken } from "../../src/tee/arm-cca/parseCcaToken.ts";
import { parseAzureEvidence } from "../../src/tee/azure-cvm/parseAzureEvidence.ts";
import { attestationKey } from "../../src/tee/azure-cvm/verifyTpmQuote.ts";
import { bytesEqual, concatBytes } from "@keepledger/sdk/internal/util/bytes";
import { attestationKeyObject } from "../../src/tee/dcap/verifyQuoteSignatures.ts";
import { encodeSigStructure } from "../../src/evidence/cose/encodeSigStructure.ts";
import { evidenceKeccak } from "../../src/util/evidenceKeccak.ts";
import { evidenceBytesOf } from "../../src/verify/verifyEvidence.ts";
import {
  AMD_ARK_MILAN,
  AMD_ARKS,
  PINNED_ROOTS,
  AWS_NITRO_ROOT_G1,
  INTEL_SGX_ROOT_CA,
  NVIDIA_DEVICE_IDENTITY_CA,
  NVIDIA_RIM_ROOT_CA,
} from "../../src/pki/roots.ts";
import { parsePemCertificates } from "../../src/pki/x509/certificate.ts";
import { parseNvidiaGpuEvidence } from "../../src/tee/nvidia-gpu/parseNvidiaGpuEvidence.ts";
import { parseRim } from "../../src/tee/nvidia-gpu/rim/parseRim.ts";
import { NVIDIA_TEST_ROOTS } from "../../src/tee/nvidia-gpu/knownTestRoots.ts";
import { parseCompositeEvidence } from "../../src/tee/cpu-gpu/compositeEvidence.ts";
import { coversCertificate } from "../../src/pki/ocsp/ocspResponse.ts";
import { p1363ToDer } from "../../src/pki/keyImport.ts";
import { parseCertificate, type ParsedCertificate, type ParsedCrl } from "../../src/pki/x509/certificate.ts";
import type { BenchVector } from "./vectors.ts";

/** One signature check as node:crypto takes it. */
export interface SignatureCheck {
  name: string;
  hash: "sha256" | "sha384" | "sha512";
  data: Uint8Array;
  signature: Uint8Array;
  key: KeyObject;
  /** RSA only; an ECDSA check's signature is DER, and its key is passed bare (node:crypto's fastest form). */
  padding?: number;
  saltLength?: number;
}

export interface CryptoBound {
  full: SignatureCheck[];
  perEvidence: SignatureCheck[];
  /**
   * What a cold verdict hashes with keccak256 (the evidence hash and the collateral hash it records): the
   * evidence, each collateral item, and the items' hashes concatenated (as zeros of their length: the cost
   * is the length's). A pinned root's hash is computed once per process (src/pki/roots.ts), so not here.
   */
  hashed: Uint8Array[];
  /**
   * Every distinct key the full set uses but no pinned root holds, as a PEM SubjectPublicKeyInfo: what a
   * verifier with nothing remembered must import into OpenSSL before it can check those signatures (a
   * pinned root's key is imported once per process).
   */
  keyImports: string[];
  /** For each check of the full set, the index in keyImports of its key, or -1 for a pinned root's. */
  keyImportOf: number[];
}

type SignatureSets = Omit<CryptoBound, "keyImports" | "keyImportOf">;

/**
 * The cold bound's signatures as a verifier with nothing remembered makes them: every key but the pinned roots'
 * imported as node:crypto takes it fastest — the SPKI DER as a PEM string (built outside the loop), which skips
 * the KeyObject and CryptoKey probes an options object gets (src/pki/keyImport.ts has the measurements) — and
 * each check made with the key just imported rather than with a KeyObject used before. The first use of a fresh key is part of what cold verification costs: OpenSSL computes an RSA key's
 * Montgomery form of its modulus on the first operation and keeps it in the key (RSA-4096 ~30 µs, RSA-2048
 * ~9 µs on this machine; nothing measurable for an EC key), which a key reused across runs pays once.
 */
export function importAndCheck(bound: Pick<CryptoBound, "full" | "keyImports" | "keyImportOf">): void {
  const keys = bound.keyImports.map((pem) => createPublicKey(pem));
  for (let i = 0; i < bound.full.length; i++) {
    const check = bound.full[i]!;
    const imported = bound.keyImportOf[i]!;
    if (!verifyFastest(check, imported < 0 ? check.key : keys[imported]!)) throw new Error(`bound: ${check.name} does not verify`);
  }
}

function pemOf(spki: Buffer): string {
  return `-----BEGIN PUBLIC KEY-----\n${spki.toString("base64")}\n-----END PUBLIC KEY-----\n`;
}

/** keccak256 of each input, with the fastest Keccak on the machine (the verifier's own choice, evidenceKeccak.ts). */
export function hashAll(inputs: readonly Uint8Array[]): void {
  for (const bytes of inputs) evidenceKeccak(bytes);
}

/** The bytes the items' 32-byte hashes make when concatenated, for the combining hash. */
const combined = (items: number): Uint8Array => new Uint8Array(32 * items);

/** Runs every check once; a check that fails is a broken bound, not a slow one. */
export function runChecks(checks: readonly SignatureCheck[]): void {
  for (const c of checks) {
    if (!verifyFastest(c)) throw new Error(`bound: ${c.name} does not verify`);
  }
}

/**
 * node:crypto's fastest form of each check (src/pki/keyImport.ts and signatureAlgorithm.ts measure them): the
 * KeyObject bare for ECDSA (DER) and RSA PKCS#1 v1.5 (its default padding); RSA-PSS needs an options object,
 * whose KeyObject/CryptoKey probes throw — with no stack trace captured while it runs.
 */
function verifyFastest(c: SignatureCheck, key: KeyObject = c.key): boolean {
  if (c.padding === undefined || c.padding === constants.RSA_PKCS1_PADDING) return verify(c.hash, c.data, key, c.signature);
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return verify(c.hash, c.data, { key, padding: c.padding, saltLength: c.saltLength! }, c.signature);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** The issuer's signature on a certificate or CRL, as the X.509 encoding says (ECDSA in DER, RSA-PSS with its salt). */
function x509Check(
  name: string,
  signed: Pick<ParsedCrl, "tbs" | "signature" | "signatureAlgorithm">,
  issuer: ParsedCertificate,
): SignatureCheck {
  const alg = signed.signatureAlgorithm;
  const base = { name, hash: alg.hash, data: signed.tbs, signature: signed.signature, key: issuer.publicKey };
  if (alg.kind === "ecdsa") return base;
  if (alg.kind === "rsa-pss") return { ...base, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength };
  return { ...base, padding: constants.RSA_PKCS1_PADDING };
}

function p1363(name: string, hash: "sha256" | "sha384", data: Uint8Array, signature: Uint8Array, key: KeyObject): SignatureCheck {
  // Converted to DER here, outside the timed loop: the bound verifies in node:crypto's fastest form.
  const der = p1363ToDer(signature, hash === "sha256" ? 32 : 48);
  if (der === undefined) throw new Error(`bound: ${name} is not a P1363 signature for its key`);
  return { name, hash, data, signature: der, key };
}

function dcapBound(vector: BenchVector): SignatureSets {
  const quote = parseDcapQuote(vector.evidence);
  const collateral = staticCollateral(vector.collateral).collateral;
  const [leaf, ca] = quote.signature.pckChain.certificates.map((der, i) => parseCertificate(der, `PCK chain[${i}]`));
  const root = INTEL_SGX_ROOT_CA.certificate;
  const tcbSigner = collateral.certificates.find((c) => c.subject.includes("CN=Intel SGX TCB Signing"));
  const pckCrl = collateral.crls.find((c) => c.issuer === ca?.subject);
  const rootCrl = collateral.crls.find((c) => c.issuer === root.subject);
  const doc = (type: SignedIntelJson["type"]): SignedIntelJson | undefined => collateral.intelDocuments.find((d) => d.type === type);
  const tcbInfo = doc("tcbInfo");
  const qeIdentity = doc("enclaveIdentity");
  if (!leaf || !ca || !tcbSigner || !pckCrl || !rootCrl || !tcbInfo || !qeIdentity)
    throw new Error(`${vector.kind}: incomplete DCAP vector for the bound`);
  const quoteSignature = p1363(
    "quote signature",
    "sha256",
    quote.signedRegion,
    quote.signature.quoteSignature,
    attestationKeyObject(quote.signature.attestationKey),
  );
  return {
    full: [
      quoteSignature,
      p1363("QE report signature", "sha256", quote.signature.qeReport.raw, quote.signature.qeReportSignature, leaf.publicKey),
      x509Check("PCK certificate ← PCK CA", leaf, ca),
      x509Check("PCK CA ← Intel SGX Root CA", ca, root),
      p1363("TCB Info signature", "sha256", tcbInfo.body, tcbInfo.signature, tcbSigner.publicKey),
      p1363("QE Identity signature", "sha256", qeIdentity.body, qeIdentity.signature, tcbSigner.publicKey),
      x509Check("TCB Signing certificate ← Intel SGX Root CA", tcbSigner, root),
      x509Check("PCK CRL ← PCK CA", pckCrl, ca),
      x509Check("Root CA CRL ← Intel SGX Root CA", rootCrl, root),
    ],
    perEvidence: [quoteSignature],
    // evidenceHash; collateralHash over the TCB Info and QE Identity bodies and the two CRLs (docs/evidence/dcap.md).
    hashed: [quote.raw, tcbInfo.body, qeIdentity.body, pckCrl.der, rootCrl.der, combined(4)],
  };
}

function snpBound(vector: BenchVector): SignatureSets {
  const report = parseSnpReport(vector.evidence);
  const collateral = staticCollateral(vector.collateral).collateral;
  const vcek = collateral.certificates.find((c) => !c.isCa);
  const ask = collateral.certificates.find((c) => c.subject.includes("CN=SEV-Milan"));
  if (!vcek || !ask) throw new Error("sev-snp: no VCEK or ASK in the vector for the bound");
  const reportSignature = p1363(
    "report signature",
    "sha384",
    report.signedBytes,
    concatBytes(report.signature.r, report.signature.s),
    vcek.publicKey,
  );
  return {
    full: [reportSignature, x509Check("VCEK ← ASK", vcek, ask), x509Check("ASK ← ARK-Milan", ask, AMD_ARK_MILAN.certificate)],
    perEvidence: [reportSignature],
    // collateralHash over the VCEK, the ASK and the (pinned) ARK; no CRL in the vector (docs/evidence/sev-snp.md).
    hashed: [report.raw, vcek.der, ask.der, combined(3)],
  };
}

function nitroBound(vector: BenchVector): SignatureSets {
  const doc = parseNitroDocument(vector.evidence);
  const cose = p1363(
    "COSE_Sign1 signature",
    "sha384",
    encodeSigStructure(doc.cose.protectedHeader, doc.cose.payload),
    doc.cose.signature,
    doc.certificate.publicKey,
  );
  // cabundle[0] is the root: the chain is leaf ← cabundle[n-1] ← … ← cabundle[1] ← pinned root.
  const issuers = [...doc.cabundle.slice(1)].reverse();
  const leaf = x509Check("leaf ← cabundle[last]", doc.certificate, issuers[0]!);
  const chain = issuers.map((cert, i) =>
    x509Check(
      `cabundle[${issuers.length - i}] ← ${i === issuers.length - 1 ? "root" : `cabundle[${issuers.length - i - 1}]`}`,
      cert,
      issuers[i + 1] ?? AWS_NITRO_ROOT_G1.certificate,
    ),
  );
  // Nitro's collateralHash is 32 zero bytes: the chain travels in the document the evidence hash covers.
  return { full: [cose, leaf, ...chain], perEvidence: [cose, leaf], hashed: [evidenceBytesOf(vector.evidence)] };
}

/**
 * Azure CVM on SEV-SNP: the embedded report's P-384 signature with the VCEK the file carries, the VCEK and ASK
 * chain (RSA-PSS), and the TPM quote's RSA-2048 PKCS#1 signature with the attestation key of the runtime data.
 */
function azureCvmBound(vector: BenchVector): SignatureSets {
  const evidence = parseAzureEvidence(vector.evidence);
  if (evidence.hardware.kind !== "snp" || !evidence.hardware.vcekDer)
    throw new Error("azure-cvm: the bound needs SNP evidence with its VCEK");
  const report = evidence.hardware.report;
  const vcek = parseCertificate(evidence.hardware.vcekDer, "vcek");
  const ask = staticCollateral(vector.collateral).collateral.certificates.find((c) => c.subject.includes("CN=SEV-Milan"));
  if (!ask) throw new Error("azure-cvm: no Milan ASK in the vector for the bound");
  const reportSignature = p1363(
    "SNP report signature (P-384)",
    "sha384",
    report.signedBytes,
    concatBytes(report.signature.r, report.signature.s),
    vcek.publicKey,
  );
  const tpmQuote: SignatureCheck = {
    name: "TPM quote signature (RSA PKCS#1 v1.5)",
    hash: "sha256",
    data: evidence.tpmQuote.attest.raw,
    signature: evidence.tpmQuote.signature,
    key: attestationKey(evidence.runtimeData.akPub).key,
    padding: constants.RSA_PKCS1_PADDING,
    saltLength: 0,
  };
  return {
    full: [reportSignature, tpmQuote, x509Check("VCEK ← ASK", vcek, ask), x509Check("ASK ← ARK-Milan", ask, AMD_ARK_MILAN.certificate)],
    perEvidence: [reportSignature, tpmQuote],
    // The file's hash; the SNP part's collateralHash (VCEK, ASK, pinned ARK) is the verdict's (docs/evidence/azure-cvm.md).
    hashed: [evidence.raw, vcek.der, ask.der, combined(3)],
  };
}

/**
 * Arm CCA: two ES384 (P-384) signatures — the realm token with the RAK it carries, the platform token with
 * the CPAK. Per evidence only the realm token's: the RMM reuses the platform token while the RAK stays.
 */
function ccaBound(vector: BenchVector): SignatureSets {
  const token = parseCcaToken(vector.evidence);
  const es384 = (name: string, signed: CcaSignedToken<unknown>, key: KeyObject) =>
    p1363(name, "sha384", encodeSigStructure(signed.cose.protectedHeader, signed.cose.payload), signed.cose.signature, key);
  const { x, y } = token.realm.claims.publicKeyPoint;
  const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64url");
  const rak = createPublicKey({ key: { kty: "EC", crv: "P-384", x: b64(x), y: b64(y) }, format: "jwk" });
  const cpak = createPublicKey({ key: Buffer.from(vector.files.get("cpak.pub.pem")!), format: "pem" });
  const realm = es384("realm token ← RAK", token.realm, rak);
  // collateralHash is keccak256 of the CPAK's SubjectPublicKeyInfo DER (docs/evidence/arm-cca.md).
  const cpakSpki = cpak.export({ type: "spki", format: "der" });
  return { full: [realm, es384("platform token ← CPAK", token.platform, cpak)], perEvidence: [realm], hashed: [token.raw, cpakSpki] };
}

/**
 * NVIDIA GPU: the report's ECDSA P-384 signature with the device leaf, the device chain (4 P-384 signatures
 * to the pinned Device Identity CA), and each RIM's XML-DSig ECDSA P-384 signature with its chain (the RIMs
 * are the same for every report of a driver and VBIOS: only the report signature is per evidence). No OCSP
 * responses exist for the vector; each would add one signature per certificate answered for.
 */
function nvidiaGpuBound(vector: BenchVector): SignatureSets {
  const evidence = parseNvidiaGpuEvidence(vector.evidence);
  const text = (name: string) => Buffer.from(vector.files.get(name)!).toString("latin1");
  const device = parsePemCertificates(text("hopperCertChain.txt"));
  const report = p1363(
    "SPDM report signature",
    "sha384",
    evidence.report.signedBytes,
    evidence.report.response.signature,
    device[0]!.publicKey,
  );
  const rims = vector.collateral.filter((f) => f.name.endsWith(".swidtag")).map((f) => parseRim(f.bytes));
  const rimChecks = rims.flatMap((rim) => [
    p1363(
      `RIM ${rim.name} ${rim.colloquialVersion} signature`,
      "sha384",
      rim.signature.signedInfo,
      rim.signature.signatureValue,
      rim.signature.chain[0]!.publicKey,
    ),
    ...chainChecks(`RIM ${rim.colloquialVersion} chain`, rim.signature.chain, NVIDIA_RIM_ROOT_CA.certificate),
  ]);
  return {
    full: [report, ...chainChecks("device chain", device, NVIDIA_DEVICE_IDENTITY_CA.certificate), ...rimChecks],
    perEvidence: [report],
    hashed: [evidenceBytesOf(vector.evidence), ...gpuCollateralHashed(device, NVIDIA_DEVICE_IDENTITY_CA.certificate, rims)],
  };
}

/**
 * CPU + GPU: the CPU part's DCAP bound (the TDX quote) plus the GPU's — its report signature with the device leaf,
 * the device chain, both RIM signatures and chains (to keepledger's NVIDIA test roots here), and every OCSP
 * answer's signature (one per certificate below a root, signed by its issuer). Per evidence: the quote's and the
 * GPU report's own signatures (everything else is the same for the next report from that platform and GPU).
 */
function cpuGpuBound(vector: BenchVector): SignatureSets {
  const { cpu, gpus } = parseCompositeEvidence(vector.evidence);
  const tdx = dcapBound({ ...vector, evidence: cpu, collateral: vector.collateral.filter((f) => !f.name.startsWith("gpu-")) });
  const evidence = parseNvidiaGpuEvidence(gpus[0]!);
  const collateral = staticCollateral(vector.collateral).collateral;
  const device = parsePemCertificates(Buffer.from(vector.files.get("gpu-device-chain.pem")!).toString("latin1"));
  const [deviceRoot, rimRoot] = [NVIDIA_TEST_ROOTS.device[0]!.certificate, NVIDIA_TEST_ROOTS.rim[0]!.certificate];
  const report = p1363(
    "GPU SPDM report signature",
    "sha384",
    evidence.report.signedBytes,
    evidence.report.response.signature,
    device[0]!.publicKey,
  );
  const rims = vector.collateral.filter((f) => f.name.endsWith(".swidtag")).map((f) => parseRim(f.bytes));
  const rimChecks = rims.flatMap((rim) => [
    p1363(
      `RIM ${rim.colloquialVersion} signature`,
      "sha384",
      rim.signature.signedInfo,
      rim.signature.signatureValue,
      rim.signature.chain[0]!.publicKey,
    ),
    ...chainChecks(`RIM ${rim.colloquialVersion} chain`, rim.signature.chain, rimRoot),
  ]);
  const issuers = [...device, deviceRoot, ...rims.flatMap((r) => r.signature.chain), rimRoot];
  const ocspChecks = (collateral.ocspResponses ?? []).map((o, i) => {
    const signer = issuers.find((c) =>
      o.responses.some((s) => issuers.some((cert) => cert.issuer === c.subject && coversCertificate(s, cert, c))),
    );
    if (!signer) throw new Error(`cpu-gpu: no issuer for OCSP response ${i}`);
    return x509Check(`OCSP response ${i}`, o, signer);
  });
  // The container's hash; collateralHash over the parts' (the TDX part's items, the GPU's), combined (docs/evidence/cpu-gpu.md).
  // The TDX quote's own evidence hash is not among them: no verdict records a part's.
  const ocspUsed = (collateral.ocspResponses ?? []).map((o) => o.der);
  return {
    full: [...tdx.full, report, ...chainChecks("GPU device chain", device, deviceRoot), ...rimChecks, ...ocspChecks],
    perEvidence: [...tdx.perEvidence, report],
    hashed: [
      evidenceBytesOf(vector.evidence),
      ...tdx.hashed.slice(1),
      ...gpuCollateralHashed(device, deviceRoot, rims, ocspUsed),
      combined(2),
    ],
  };
}

/**
 * The GPU verdict's collateral items: each certificate of the device chain as verified (leaf first, its root
 * last; a pinned root's hash is the process's own, src/pki/roots.ts), both RIM documents, the OCSP responses
 * used, and their hashes combined (docs/evidence/nvidia-gpu.md).
 */
function gpuCollateralHashed(
  chain: readonly ParsedCertificate[],
  root: ParsedCertificate,
  rims: ReadonlyArray<{ bytes: Uint8Array }>,
  ocsp: readonly Uint8Array[] = [],
): Uint8Array[] {
  const verified = chain.some((c) => c.fingerprint === root.fingerprint) ? chain : [...chain, root];
  const pinned = (c: ParsedCertificate) => PINNED_ROOTS.some((r) => r.certificate.fingerprint === c.fingerprint);
  const items = [...verified.filter((c) => !pinned(c)).map((c) => c.der), ...rims.map((r) => r.bytes), ...ocsp];
  return [...items, combined(verified.length + rims.length + ocsp.length)];
}

/** Each certificate of a chain (leaf first) checked with the next, the last below the root with the pinned root. */
function chainChecks(label: string, chain: readonly ParsedCertificate[], root: ParsedCertificate): SignatureCheck[] {
  const below = chain.filter((c) => c.subject !== c.issuer);
  return below.map((cert, i) => x509Check(`${label}[${i}] ← ${i + 1 < below.length ? `[${i + 1}]` : "root"}`, cert, below[i + 1] ?? root));
}

/** The bound of a vector; every check is run once here so a bound that does not verify never gets measured. */
export function cryptoBound(vector: BenchVector): CryptoBound {
  const bounds: Partial<Record<BenchVector["kind"], (v: BenchVector) => SignatureSets>> = {
    "sev-snp": snpBound,
    nitro: nitroBound,
    "nvidia-gpu": nvidiaGpuBound,
    "azure-cvm": azureCvmBound,
    "arm-cca": ccaBound,
    "cpu-gpu": cpuGpuBound,
  };
  const sets = (bounds[vector.kind] ?? dcapBound)(vector);
  const signatures = { ...sets, full: distinctChecks(sets.full), perEvidence: distinctChecks(sets.perEvidence) };
  runChecks(signatures.full);
  const { keyImports, keyImportOf } = keysToImport(signatures.full);
  return { ...signatures, keyImports, keyImportOf };
}

/**
 * Each check once: two chains may share certificates (an NVIDIA driver RIM's and VBIOS RIM's signer chains
 * share their CA; the cpu-gpu vector's test RIMs share the whole chain), and the same signature over the same
 * bytes with the same key has one answer, which a verifier remembers within a verification (keepledger's
 * signature memo does). A bound that checked it twice would not be the least work.
 */
function distinctChecks(checks: readonly SignatureCheck[]): SignatureCheck[] {
  const seen: SignatureCheck[] = [];
  for (const c of checks) {
    const again = seen.some(
      (s) => s.hash === c.hash && bytesEqual(s.data, c.data) && bytesEqual(s.signature, c.signature) && s.key.equals(c.key),
    );
    if (!again) seen.push(c);
  }
  return seen;
}

/** Every pinned root's key (the production roots and keepledger's NVIDIA test roots, which the cpu-gpu vector chains to). */
const PINNED_KEYS: readonly KeyObject[] = [
  INTEL_SGX_ROOT_CA,
  AWS_NITRO_ROOT_G1,
  ...Object.values(AMD_ARKS),
  NVIDIA_DEVICE_IDENTITY_CA,
  NVIDIA_RIM_ROOT_CA,
  ...NVIDIA_TEST_ROOTS.device,
  ...NVIDIA_TEST_ROOTS.rim,
].map((r) => r.certificate.publicKey);

function keysToImport(checks: readonly SignatureCheck[]): { keyImports: string[]; keyImportOf: number[] } {
  const index = new Map<string, number>();
  const keyImports: string[] = [];
  const keyImportOf = checks.map(({ key }) => {
    if (PINNED_KEYS.some((k) => k.equals(key))) return -1;
    const spki = key.export({ type: "spki", format: "der" });
    const id = spki.toString("hex");
    let at = index.get(id);
    if (at === undefined) {
      at = keyImports.push(pemOf(spki)) - 1;
      index.set(id, at);
    }
    return at;
  });
  return { keyImports, keyImportOf };
}
