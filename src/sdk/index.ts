/**
 * The dApp SDK as the keepledger package exports it (`keepledger/sdk`): the light SDK of the
 * @keepledger/sdk workspace package (packages/sdk: isAttested, keepReportData, requestNonce,
 * requestAttestation, materializeVerdict, createKey / releaseKey, the ABIs) and, on top,
 * verifyOffline: the validators' verification engine, locally — too big for a dApp's bundle.
 */
export * from "@keepledger/sdk";
export { verifyOffline, type VerifyOfflineOptions } from "./verifyOffline.ts";
