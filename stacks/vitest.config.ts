import { defineConfig } from "vitest/config";

// The synth tests: SST must see NODE_ENV=test before it is imported (no bootstrap lookup, no site
// build), and one synth of the five stacks takes 15-30 s on two cores. The dashboard's OpenNext
// build is made first if it is missing or stale (a few minutes).
export default defineConfig({
  test: {
    name: "synth",
    root: new URL("..", import.meta.url).pathname,
    include: ["stacks/test/**/*.test.ts"],
    globalSetup: ["stacks/test/global-setup.ts"],
    env: {
      NODE_ENV: "test",
      AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: "1",
      FRAUD_ALERT_EMAIL: "fraud-alerts@example.com",
    },
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: "forks",
  },
});
