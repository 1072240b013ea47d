/**
 * @keepledger/sdk: what a dApp or a Keep imports, small enough for a browser bundle (no verifier, no node,
 * no database, no GraphQL server). viem and ethers are both optional peers: the SDK imports neither and
 * recognizes their providers and signers by shape, next to JSON-RPC URLs and EIP-1193 providers.
 * - isAttested: the on-chain question in one call;
 * - keepReportData: what a Keep binds into its evidence;
 * - requestNonce / requestAttestation: send evidence to a validator node and wait for the verdict;
 * - materializeVerdict: put a node's verdict on chain yourself;
 * - createKey / releaseKey: attested key release (docs/key-release.md);
 * - the contracts' ABIs (`as const`, typed for viem) and, from "@keepledger/sdk/ethers", typed ethers v6 factories.
 * verifyOffline, the validators' verification engine, is in the full keepledger package ("keepledger/sdk").
 */
export { isAttested, type IsAttestedOptions, type IsAttestedResult } from "./isAttested.ts";
export { keepReportData, type KeepReportData, type KeepReportDataInput } from "./keepBinding.ts";
export { toEip1193, type Eip1193Like, type ProviderLike } from "./connect.ts";
export type { EthersProviderLike, EthersSignerLike } from "./ethersProvider.ts";
export type { SignerLike, ViemWalletLike, ViemAccountLike, Eip1193SignerLike, TypedDataInput } from "./signer.ts";
export type { Address, Hex } from "../util/hex.ts";
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
export { materializeVerdict, type MaterializeVerdictOptions, type MaterializeVerdictResult } from "./materializeVerdict.ts";
export { requestNonce, type RequestNonceOptions, type RequestNonceResult } from "./requestNonce.ts";
export { AttestationRefusedError, type NodeErrorJson } from "./AttestationRefusedError.ts";
export { SDK_CODES } from "./codes.ts";
export { createKey, type CreateKeyOptions, type CreateKeyResult, type KeyOwnerClients } from "./keys/createKey.ts";
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
  ArmCcaMeasurement,
  NvidiaGpuMeasurement,
  CpuGpuMeasurement,
} from "../tee/kindFacts.ts";
export type { ClaimsByKind, AzureCvmClaims, ArmCcaClaims, NvidiaGpuClaims, CpuGpuClaims } from "../tee/types.ts";
export * from "../chain/generated/index.ts";
export type { Deployment } from "../chain/deploymentTypes.ts";
export {
  KeepledgerError,
  EvidenceFormatError,
  VerificationError,
  PolicyError,
  InfrastructureError,
  UsageError,
  isKeepledgerError,
  type ErrorStage,
  type ErrorLocation,
} from "../errors/index.ts";
export type { TeeKind, TcbStatus, VerifiedEvidence } from "../tee/types.ts";
