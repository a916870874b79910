import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// One `vitest run` for the whole suite: the packages' tests, and the AWS synth tests (their own
// project: SST needs NODE_ENV=test before it is imported).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "packages",
          include: ["packages/*/test/**/*.test.ts", "bench/test/**/*.test.ts", "scripts/test/**/*.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
        // The dashboard's own import alias, for its server actions called directly by its tests.
        resolve: { alias: [{ find: /^@\//, replacement: fileURLToPath(new URL("./packages/web/src/", import.meta.url)) }] },
      },
      "stacks/vitest.config.ts",
    ],
  },
});
