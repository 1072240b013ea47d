import { createRequire } from "node:module";
import { defineConfig } from "hardhat/config";
import hardhatNetworkHelpers from "@nomicfoundation/hardhat-network-helpers";

// Hardhat cannot download compilers on machines without internet access, so
// the compiler comes from the npm `solc` package (soljson.js, a wasm build).
const require = createRequire(import.meta.url);
const solcPackage = require("solc/package.json") as { version: string };
const soljson = require.resolve("solc/soljson.js");

export default defineConfig({
  plugins: [hardhatNetworkHelpers],
  solidity: {
    version: solcPackage.version,
    path: soljson,
    settings: {
      optimizer: { enabled: true, runs: 10_000 },
      viaIR: true,
      evmVersion: "cancun",
    },
  },
  paths: {
    sources: "./contracts",
    tests: { solidity: "./contracts/test" },
  },
});
