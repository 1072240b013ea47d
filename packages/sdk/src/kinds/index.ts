/**
 * The vocabulary every room shares: which TEE a piece of evidence comes from and how current its TCB is.
 * A base room of its own (it imports nothing) so that src/ids (the on-chain enum codes), src/evidence,
 * src/verify, src/policy, src/chain and the SDK can all name a kind without importing a verifier.
 */

/** The TEE kinds, with the names used on the CLI, in GraphQL and in docs. */
export const TEE_KINDS = ["sgx", "tdx", "sev-snp", "nitro", "debug", "nvidia-gpu", "azure-cvm", "arm-cca", "cpu-gpu"] as const;
export type TeeKind = (typeof TEE_KINDS)[number];

/** TCB statuses as Intel's QVL reports them, plus NotApplicable for kinds without one. */
export const TCB_STATUSES = [
  "UpToDate",
  "SWHardeningNeeded",
  "ConfigurationNeeded",
  "ConfigurationAndSWHardeningNeeded",
  "OutOfDate",
  "OutOfDateConfigurationNeeded",
  "Revoked",
  "NotApplicable",
] as const;
export type TcbStatus = (typeof TCB_STATUSES)[number];
