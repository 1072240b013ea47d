/** `keepledger/ethers`: the typed ethers v6 factories of the @keepledger/sdk package (`@keepledger/sdk/ethers`). */
export * from "@keepledger/sdk/ethers";
