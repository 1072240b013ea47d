/**
 * The package entry (`import … from "keepledger"`): the dApp SDK (the @keepledger/sdk package, with the
 * contracts' generated ABIs and the error classes every failure is an instance of), verifyOffline and
 * the deployment file helpers. `keepledger/sdk` is the SDK alone. Published builds point here through
 * dist/ (npm run build:sdk); see docs/sdk.md.
 */
export * from "./sdk/index.ts";
export { parseDeployment, serializeDeployment, type Deployment } from "./chain/deployment.ts";
