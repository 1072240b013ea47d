import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The documentation's examples import the package by name, as a dApp does; inside the repository the
// names resolve to the sources (tsconfig.json "paths" says the same to the type checker).
const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^keepledger\/ethers$/, replacement: source("./src/sdk/ethers.ts") },
      { find: /^keepledger$/, replacement: source("./src/index.ts") },
    ],
  },
  test: { include: ["test/**/*.test.ts", "src/**/*.test.ts", "packages/*/src/**/*.test.ts"], testTimeout: 60_000 },
});
