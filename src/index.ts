/**
 * The package entry (`import … from "keepledger"`): the dApp SDK, the contracts' generated ABIs and the
 * error classes every failure is an instance of. `keepledger/sdk` is the SDK alone. Published builds
 * point here through dist/ (npm run build:sdk); see docs/sdk.md.
 */
export * from "./sdk/index.ts";
export * from "./chain/generated/index.ts";
export { parseDeployment, serializeDeployment, type Deployment } from "./chain/deployment.ts";
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
} from "./errors/index.ts";
export type { TeeKind, TcbStatus, VerifiedEvidence } from "./tee/types.ts";
