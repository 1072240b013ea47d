import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "artifacts/",
      "cache/",
      "dist/",
      "packages/sdk/dist/",
      "types/",
      "packages/sdk/src/chain/generated-ethers/",
      "subgraph/generated/",
      "subgraph/build/",
      "coverage/",
      ".keepledger/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: {
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        URL: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        fetch: "readonly",
        AbortController: "readonly",
        AbortSignal: "readonly",
        TextEncoder: "readonly",
        TextDecoder: "readonly",
        performance: "readonly",
        structuredClone: "readonly",
        setImmediate: "readonly",
        queueMicrotask: "readonly",
        Response: "readonly",
        Request: "readonly",
        Headers: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  {
    // An object literal's getter lives in that object's own map, with its closure: V8 keeps both until a full
    // collection, so every object made that way on a verification path was promoted with everything its getter's
    // closure held (a cold DCAP verification promoted ~12 KB, and spent 12–14 % more CPU; docs/benchmarks.md,
    // "Getters on the prototype"). Lazy values go in a class, whose getters are on the prototype.
    files: ["src/**/*.ts", "packages/sdk/src/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "Property[kind='get'], Property[kind='set']",
          message: "a getter or setter in an object literal is kept with its closure until a full GC: use a class (eslint.config.js)",
        },
      ],
    },
  },
  {
    // The light SDK package runs in browsers: Node's globals are not there (its tsconfig cannot ban them:
    // ethers's declarations pull in Node's types), and node: imports are a layer rule (sdk-package-browser-safe).
    files: ["packages/sdk/src/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-globals": [
        "error",
        { name: "Buffer", message: "browser code: use Uint8Array and the helpers of util/bytes.ts" },
        { name: "process", message: "browser code: the SDK reads no environment" },
        { name: "setImmediate", message: "browser code: use setTimeout" },
      ],
    },
  },
  {
    // The subgraph mappings are AssemblyScript, checked by graph build.
    ignores: ["subgraph/src/**"],
  },
);
