import { defineConfig } from "vitest/config";

// One `vitest run` for the whole suite: the packages' tests, and the AWS synth tests (their own
// project: SST needs NODE_ENV=test before it is imported).
export default defineConfig({
  test: {
    projects: [
      { test: { name: "packages", include: ["packages/*/test/**/*.test.ts"], testTimeout: 30_000, hookTimeout: 60_000 } },
      "stacks/vitest.config.ts",
    ],
  },
});
