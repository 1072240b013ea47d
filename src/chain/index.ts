/** Chain access for keepledger: bindings, deployment, signing, submission and governance helpers (viem). */
export * from "@keepledger/sdk/internal/chain/generated/index";
export { CHAIN_CODES } from "@keepledger/sdk/internal/chain/codes";
export { keepledgerErrorAbi } from "@keepledger/sdk/internal/chain/errorsAbi";
export * from "./transactions.ts";
export * from "./deployment.ts";
export * from "./deployKeepledger.ts";
export * from "./signVerdict.ts";
export * from "./keepledgerClient.ts";
export * from "./policy.ts";
export * from "./workloads.ts";
export * from "./validators.ts";
export { connectInProcessChain, type InProcessChain, type ConnectInProcessChainOptions, type Eip1193Provider } from "./inProcessChain.ts";
