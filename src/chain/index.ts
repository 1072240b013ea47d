/** Chain access for keepledger: bindings, deployment, signing, submission and governance helpers (viem). */
export * from "./generated/index.ts";
export { CHAIN_CODES } from "./codes.ts";
export { keepledgerErrorAbi } from "./errorsAbi.ts";
export * from "./transactions.ts";
export * from "./deployment.ts";
export * from "./deployKeepledger.ts";
export * from "./signVerdict.ts";
export * from "./keepledgerClient.ts";
export * from "./policy.ts";
export * from "./workloads.ts";
export * from "./validators.ts";
export { connectInProcessChain, type InProcessChain, type ConnectInProcessChainOptions, type Eip1193Provider } from "./inProcessChain.ts";
