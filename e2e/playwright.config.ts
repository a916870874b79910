import { defineConfig, devices } from "@playwright/test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The port the app under test listens on: FRAUD_E2E_PORT, so that two checkouts can run their browser tests at once. */
const port = Number(process.env.FRAUD_E2E_PORT ?? 3100);

/** The app as `npm start` serves it, on its own port and with a fresh data directory. */
export const E2E = {
  port,
  baseURL: `http://127.0.0.1:${port}`,
  dataDir: ".data-e2e",
  // Test-only credentials for a throw-away data directory: not secrets.
  apiKey: "e2e-api-key-not-a-secret-000001",
  adminPassword: "e2e-admin-password",
  authDir: `${root}test-results/.auth`,
} as const;

export default defineConfig({
  testDir: ".",
  outputDir: `${root}test-results/e2e`,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  reporter: [["list"], ["json", { outputFile: `${root}test-results/playwright.json` }]],
  use: {
    baseURL: E2E.baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    locale: "fr-FR",
    timezoneId: "Africa/Douala",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts/ },
    {
      name: "chromium",
      testMatch: /.*\.spec\.ts/,
      dependencies: ["setup"],
      use: { ...devices["Desktop Chrome"], channel: undefined, storageState: `${E2E.authDir}/admin.json` },
    },
  ],
  webServer: {
    command: "node e2e/serve.mjs",
    cwd: root,
    url: `${E2E.baseURL}/api/health`,
    reuseExistingServer: false,
    // A stale dashboard build is rebuilt by `npm start` first.
    timeout: 300_000,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      PORT: String(E2E.port),
      HOST: "127.0.0.1",
      FRAUD_DATA_DIR: E2E.dataDir,
      FRAUD_API_KEY: E2E.apiKey,
      FRAUD_ADMIN_PASSWORD: E2E.adminPassword,
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
});
