/**
 * The dApp SDK: what a dApp, a Keep or an auditor script imports.
 * - isAttested: the on-chain question in one call;
 * - keepReportData: what a Keep binds into its evidence;
 * - verifyOffline: the validators' verification engine, locally;
 * - requestAttestation: send evidence to a validator node and wait for the verdict;
 * - createKey / releaseKey: attested key release (docs/key-release.md).
 */
export { isAttested, type IsAttestedOptions, type IsAttestedResult } from "./isAttested.ts";
export { keepReportData, type KeepReportData, type KeepReportDataInput } from "./keepBinding.ts";
export { verifyOffline, type VerifyOfflineOptions } from "./verifyOffline.ts";
export { toPublicClient, type Eip1193Like, type ProviderLike } from "./connect.ts";
export type { EthersProviderLike, EthersSignerLike } from "./ethersProvider.ts";
export {
  requestAttestation,
  submitEvidence,
  waitForVerdict,
  evidenceRequestBody,
  type RequestAttestationOptions,
  type AttestationResult,
  type AttestationVerdict,
  type NodeCallOptions,
  type SubmittedEvidence,
  type VerdictView,
} from "./requestAttestation.ts";
export {
  materializeVerdict,
  type MaterializeVerdictOptions,
  type MaterializeVerdictResult,
  type SignerLike,
} from "./materializeVerdict.ts";
export { requestNonce, type RequestNonceOptions, type RequestNonceResult } from "./requestNonce.ts";
export { AttestationRefusedError, type NodeErrorJson } from "./AttestationRefusedError.ts";
export { SDK_CODES } from "./codes.ts";
export { createKey, type CreateKeyOptions, type CreateKeyResult } from "./keys/createKey.ts";
export { releaseKey, type ReleaseKeyOptions, type ReleaseKeyResult, type ShareOutcome } from "./keys/releaseKey.ts";
/** Each kind's measurement and claims types (the facts side of src/tee only). */
export type {
  Measurement,
  MeasurementByKind,
  SgxMeasurement,
  TdxMeasurement,
  SevSnpMeasurement,
  NitroMeasurement,
  DebugMeasurement,
  AzureCvmMeasurement,
  NvidiaGpuMeasurement,
  CpuGpuMeasurement,
} from "../tee/kindFacts.ts";
export type { ClaimsByKind, AzureCvmClaims, NvidiaGpuClaims, CpuGpuClaims } from "../tee/types.ts";
