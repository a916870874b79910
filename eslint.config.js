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
          {
            group: ["@aws-sdk/*", "@aws-lambda-powertools/*", "aws-cdk-lib", "sst", "sst/*"],
            message: "core stays cloud-free: put AWS code in src/adapters/aws",
          },
          { group: ["next", "next/*", "react", "react-dom"], message: "core knows nothing of the dashboard" },
          { group: ["fs", "node:fs", "fs/promises", "node:fs/promises", "better-sqlite3", "@duckdb/*"], message: "storage belongs in src/adapters" },
          { group: ["**/adapters/**", "./adapters/*"], message: "the domain must not depend on its adapters" },
        ],
      },
    ],
  },
};

/** Other packages use core's public entry points only. */
const CORE_PUBLIC_API = { group: ["@fraud/core/src/*", "**/packages/core/src/*"], message: "import from @fraud/core, @fraud/core/local or @fraud/core/aws" };

/** Any way of reaching into the named workspace packages: by name, or by path to their files. */
const packagesOf = (names) => names.flatMap((n) => [`@fraud/${n}`, `@fraud/${n}/*`, `**/packages/${n}/**`, `**/${n}/src/**`]);

/**
 * Each package has one role and depends only on what that role needs
 * (docs/decisions/029-packages-by-role.md): the API is shared by the local server and the ingest
 * Lambda; the dashboard, the CLI and the Lambdas never load the local server; nothing loads the dashboard.
 */
const boundary = (files, forbidden, message) => ({
  files,
  rules: {
    "no-restricted-imports": ["error", { patterns: forbidden.length ? [CORE_PUBLIC_API, { group: packagesOf(forbidden), message }] : [CORE_PUBLIC_API] }],
  },
});
const boundaries = [
  boundary(["packages/api/**/*.ts"], ["server", "cli", "lambda", "web", "functions"], "the API imports core only"),
  boundary(["packages/server/**/*.ts"], ["cli", "lambda", "web", "functions"], "the local server imports the API and core only"),
  boundary(["packages/cli/**/*.ts"], ["api", "server", "lambda", "web", "functions"], "the CLI imports core only"),
  boundary(["packages/lambda/**/*.ts"], ["server", "cli", "web", "functions"], "the Lambda handlers import the API and core only"),
  boundary(["packages/functions/**/*.ts"], ["web"], "nothing imports the dashboard"),
  boundary(
    ["packages/web/**/*.{ts,tsx}"],
    ["api", "server", "cli", "lambda", "functions"],
    "the dashboard imports core only: its runtime comes from @fraud/core/local or @fraud/core/aws",
  ),
  boundary(["stacks/**/*.ts", "bench/**/*.ts", "e2e/**/*.ts"], [], ""),
];

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/.next/**",
      "**/.open-next/**",
      "**/.sst/**",
      "**/cdk.out/**",
      ".tools/**",
      ".data*/**",
      "test-results/**",
      "playwright-report/**",
      "**/next-env.d.ts",
      "**/sst-env.d.ts",
      "**/.exp/**",
      "**/*-tmp.mts",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        URL: "readonly",
        Buffer: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        performance: "readonly",
        fetch: "readonly",
        AbortController: "readonly",
        TextDecoder: "readonly",
        TextEncoder: "readonly",
        crypto: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        structuredClone: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-empty": ["error", { allowEmptyCatch: false }],
    },
  },
  coreBoundary,
  ...boundaries,
);
