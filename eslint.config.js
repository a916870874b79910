import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Core is pure: no AWS SDK, no Next, no filesystem or database drivers outside src/adapters. */
const coreBoundary = {
  files: ["packages/core/src/**/*.ts"],
  ignores: ["packages/core/src/adapters/**"],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: [
          { group: ["@aws-sdk/*", "@aws-lambda-powertools/*", "aws-cdk-lib", "sst", "sst/*"], message: "core stays cloud-free: put AWS code in src/adapters/aws" },
          { group: ["next", "next/*", "react", "react-dom"], message: "core knows nothing of the dashboard" },
          { group: ["fs", "node:fs", "fs/promises", "node:fs/promises", "better-sqlite3", "@duckdb/*"], message: "storage belongs in src/adapters" },
          { group: ["**/adapters/**", "./adapters/*"], message: "the domain must not depend on its adapters" },
        ],
      },
    ],
  },
};

/** Other packages use core's public entry points only. */
const publicApiOnly = {
  files: ["packages/functions/**/*.ts", "packages/web/**/*.{ts,tsx}", "stacks/**/*.ts", "bench/**/*.ts", "e2e/**/*.ts"],
  rules: {
    "no-restricted-imports": ["error", { patterns: [{ group: ["@fraud/core/src/*", "**/packages/core/src/*"], message: "import from @fraud/core, @fraud/core/local or @fraud/core/aws" }] }],
  },
};

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/.next/**", "**/.open-next/**", "**/.sst/**", "**/cdk.out/**", ".tools/**", ".data*/**", "test-results/**", "playwright-report/**", "**/next-env.d.ts", "**/sst-env.d.ts", "**/.exp/**", "**/*-tmp.mts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly", Buffer: "readonly", setTimeout: "readonly", clearTimeout: "readonly", performance: "readonly", fetch: "readonly", AbortController: "readonly", TextDecoder: "readonly", TextEncoder: "readonly", crypto: "readonly", setInterval: "readonly", clearInterval: "readonly", structuredClone: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-empty": ["error", { allowEmptyCatch: false }],
    },
  },
  coreBoundary,
  publicApiOnly,
);
