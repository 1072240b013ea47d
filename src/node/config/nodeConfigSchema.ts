/**
 * The validator node's configuration file: a JSON object checked by zod, field by field, with messages
 * that name the field and say what it expects. Secrets are never in the file: the signing key is a
 * keystore file whose password is in an environment variable, or a key in an environment variable.
 */
import { isAddress } from "viem";
import { z } from "zod";
import { LOGGING_PROFILES } from "@keepledger/sdk/internal/ids/index";

/** A zod error message that says "required" when the field is absent and what it expects either way. */
function expected(what: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? `required: expected ${what}` : `expected ${what}`);
}

const envName = z
  .string({ error: expected("the name of an environment variable") })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected the name of an environment variable (letters, digits, _)");
const path = z.string({ error: expected("a file path") }).min(1, "expected a file path");
const httpUrl = (what: string) =>
  z
    .string({ error: expected(what) })
    .refine((s) => /^https?:\/\/[^\s]+$/.test(s) && URL.canParse(s), `expected ${what} (http:// or https://)`);
const positiveInt = (what: string) =>
  z
    .number({ error: expected(what) })
    .int(`expected ${what} (a whole number)`)
    .positive(`expected ${what} (> 0)`);
const hex32 = z
  .string({ error: expected("32 bytes as 0x-hex") })
  .regex(/^0x[0-9a-fA-F]{64}$/, "expected 32 bytes as 0x-hex (66 characters)");

const signerSchema = z.union([z.object({ keystore: path, passwordEnv: envName }).strict(), z.object({ privateKeyEnv: envName }).strict()], {
  error: expected('{ "keystore": "<file>", "passwordEnv": "<ENV>" } or { "privateKeyEnv": "<ENV>" }'),
});

const selfAttestationSchema = z.discriminatedUnion(
  "provider",
  [
    z
      .object({
        provider: z.literal("configfs-tsm"),
        /** The configfs TSM report directory (default /sys/kernel/config/tsm/report). */
        root: path.optional(),
        /** SEV-SNP VMPL to request (written to privlevel when the kernel offers it). */
        privlevel: z.number().int().min(0).max(3).optional(),
        renewBeforeSeconds: positiveInt("seconds").optional(),
      })
      .strict(),
    z
      .object({
        provider: z.literal("gramine"),
        /** The Gramine pseudo-filesystem (default /dev/attestation). */
        root: path.optional(),
        renewBeforeSeconds: positiveInt("seconds").optional(),
      })
      .strict(),
    z
      .object({
        provider: z.literal("none"),
        /** The debug measurement of the validator release, 32 bytes (default keccak256("keepledger.validator.debug")). */
        measurement: hex32.optional(),
        renewBeforeSeconds: positiveInt("seconds").optional(),
      })
      .strict(),
  ],
  { error: expected('{ "provider": "configfs-tsm" | "gramine" | "none", … }') },
);

export const nodeConfigSchema = z
  .object({
    rpcUrl: httpUrl("the chain's JSON-RPC URL"),
    deployment: path,
    signer: signerSchema,
    listen: z
      .string({ error: expected('"host:port"') })
      .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'expected "host:port", e.g. "0.0.0.0:7101"'),
    publicUrl: httpUrl("the URL peers reach this node at (its on-chain endpoint)"),
    dataDir: path.optional(),
    store: z
      .string({ error: expected("sqlite:<path> or a postgres:// URL") })
      .refine((s) => s.startsWith("sqlite:") || /^postgres(ql)?:\/\//.test(s), "expected sqlite:<path> or a postgres:// URL")
      .optional(),
    loggingProfile: z.enum(LOGGING_PROFILES, { error: expected('"production", "staging" or "debug"') }),
    selfAttestation: selfAttestationSchema,
    collateral: z
      .object({
        directory: path.optional(),
        intelPcsUrl: httpUrl("an Intel PCS or PCCS base URL").optional(),
        amdKdsUrl: httpUrl("an AMD KDS base URL").optional(),
        /** NVIDIA's RIM service (https://rim.attestation.nvidia.com) for GPU RIMs; with nvidiaOcspUrl for OCSP. */
        nvidiaRimUrl: httpUrl("an NVIDIA RIM service base URL").optional(),
        /** NVIDIA's OCSP responder (https://ocsp.ndis.nvidia.com) for the GPU device and RIM chains. */
        nvidiaOcspUrl: httpUrl("an NVIDIA OCSP responder URL").optional(),
        /** Refuse a CRL, TCB Info or QE Identity issued longer ago than this (default: the document's own nextUpdate). */
        maxCollateralAgeSeconds: positiveInt("seconds").optional(),
        /**
         * UNSAFE, off by default: accept SEV-SNP evidence whose ASK cannot be checked against AMD's CRL
         * because no source has the CRL (without it such evidence is refused as retryable). Dev networks only.
         */
        dangerouslyAllowMissingAmdCrl: z.boolean({ error: expected("true or false") }).optional(),
        /** UNSAFE, off by default: accept NVIDIA GPU evidence without OCSP responses. Dev networks only. */
        dangerouslyAllowUncheckedGpuRevocation: z.boolean({ error: expected("true or false") }).optional(),
      })
      .strict()
      .default({}),
    confirmations: positiveInt("a number of blocks").max(64, "expected at most 64 blocks").default(1),
    batch: z
      .object({
        enabled: z.boolean({ error: expected("true or false") }).default(false),
        maxItems: positiveInt("a number of verdicts").max(4096, "expected at most 4096 verdicts").default(256),
        maxWaitMs: positiveInt("milliseconds").max(60_000, "expected at most 60000 ms").default(250),
      })
      .strict()
      .default({ enabled: false, maxItems: 256, maxWaitMs: 250 }),
    limits: z
      .object({
        maxBodyBytes: positiveInt("bytes").default(1 << 20),
        peerMaxBodyBytes: positiveInt("bytes").default(64 << 20),
        requestsPerMinute: positiveInt("requests per minute").default(600),
        headersTimeoutMs: positiveInt("milliseconds").default(10_000),
        requestTimeoutMs: positiveInt("milliseconds").default(120_000),
        keepAliveTimeoutMs: positiveInt("milliseconds").default(65_000),
        maxHeaderBytes: positiveInt("bytes")
          .min(1024, "expected at least 1024 bytes")
          .max(1 << 20, "expected at most 1048576 bytes")
          .default(16 * 1024),
      })
      .strict()
      .default({
        maxBodyBytes: 1 << 20,
        peerMaxBodyBytes: 64 << 20,
        requestsPerMinute: 600,
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 120_000,
        keepAliveTimeoutMs: 65_000,
        maxHeaderBytes: 16 * 1024,
      }),
    peers: z
      .object({
        timeoutMs: positiveInt("milliseconds").default(10_000),
        hedgeAfterMs: positiveInt("milliseconds").default(2_000),
        maxIssuedAtSkewSeconds: positiveInt("seconds").default(120),
      })
      .strict()
      .default({ timeoutMs: 10_000, hedgeAfterMs: 2_000, maxIssuedAtSkewSeconds: 120 }),
    onchainRequests: z
      .object({
        address: z
          .string({ error: expected("the AttestationRequests contract address") })
          .refine((s) => isAddress(s, { strict: false }), "expected an address (0x + 40 hex digits)"),
        takeoverAfterMs: positiveInt("milliseconds").default(30_000),
      })
      .strict()
      .optional(),
    keyService: z
      .object({
        registry: z
          .string({ error: expected("the KeyRegistry contract address") })
          .refine((s) => isAddress(s, { strict: false }), "expected an address (0x + 40 hex digits)"),
        receiptIntervalMs: positiveInt("milliseconds").default(60_000),
        maxRequestAgeBlocks: positiveInt("a number of blocks").max(4096, "expected at most 4096 blocks").default(64),
      })
      .strict()
      .optional(),
    chainPollMs: positiveInt("milliseconds").default(500),
    tcbRecovery: z
      .object({ refreshIntervalMs: positiveInt("milliseconds").default(3_600_000) })
      .strict()
      .default({ refreshIntervalMs: 3_600_000 }),
    evidenceRetention: z
      .object({
        retainExpiredSeconds: positiveInt("seconds"),
        intervalMs: positiveInt("milliseconds").default(3_600_000),
      })
      .strict()
      .optional(),
    shutdownTimeoutMs: positiveInt("milliseconds").default(30_000),
  })
  .strict();

/** The configuration as written (defaults applied, paths not yet resolved). */
export type NodeConfigFile = z.output<typeof nodeConfigSchema>;
export type SelfAttestationConfig = NodeConfigFile["selfAttestation"];
