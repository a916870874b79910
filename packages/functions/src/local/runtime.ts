import { ensureAdminAccount, env, type Env } from "@fraud/core";
import { loadOrCreateSecrets, openLocalPlatform, type LocalPlatform, type LocalPlatformOptions } from "@fraud/core/local";
import { resolve } from "node:path";

/** The options a runtime opens its platform with, all from the environment: plain data, so another thread can open the same platform. */
export type RuntimePlatformOptions = Pick<LocalPlatformOptions, "dataDir" | "settings" | "synchronous" | "sqliteCacheMiB" | "walAutocheckpointPages" | "changesCheckMs" | "reports">;

/**
 * The write-ahead log's size (pages of 4 KB: 800 MB) past which the server or the dashboard
 * checkpoints it themselves. The worker's checkpoints copy the log as it goes, but under steady
 * load of 3,000/s and more the log does not start over on its own and reaches this size every
 * 11-18 s. Each time, the server's own checkpoint held decisions up: 100-400 ms at 200 MB and
 * 3,500/s; at 1,000/s, with the worker made to checkpoint only every 200 ms or 1 s (an
 * experiment), 107-124 ms at 800 MB and 29-40 ms at 160 MB. The cost grows with the log's size,
 * not with what is left to copy, and the cause is not pinned down (docs/performance.md,
 * "Ninth session" and "Tenth session"). At 200 MB the log restarted every 3.3 s at 3,500/s (about
 * 20 KB of log per decision); at 800 MB, about every 11 s. The log file keeps its largest size on
 * disk and is reused.
 */
export const WAL_RESTART_PAGES = 200_000;

export interface LocalRuntime {
  env: Env;
  platform: LocalPlatform;
  platformOptions: RuntimePlatformOptions;
  secrets: { api_key: string; admin_password: string; generated: boolean };
}

/**
 * Opens the embedded stack from the environment and makes sure the configured (or generated)
 * API key is registered. Shared by the server, the worker and the CLI.
 */
export async function openRuntime(options: Pick<LocalPlatformOptions, "walAutocheckpointPages" | "changesCheckMs"> = {}): Promise<LocalRuntime> {
  const e = env();
  const dataDir = resolve(e.FRAUD_DATA_DIR);
  const secrets = loadOrCreateSecrets(dataDir, { apiKey: e.FRAUD_API_KEY, adminPassword: e.FRAUD_ADMIN_PASSWORD });
  const platformOptions: RuntimePlatformOptions = { dataDir, settings: e.settings, synchronous: e.FRAUD_SQLITE_SYNC, sqliteCacheMiB: e.FRAUD_SQLITE_CACHE_MB, reports: e.reportLimits, ...options };
  const platform = openLocalPlatform(platformOptions);
  if (!platform.apiKeys.has(secrets.api_key)) {
    await platform.apiKeys.create("default", ["ingest", "read"], { id: "system" }, secrets.api_key);
  }
  await ensureAdminAccount(platform.users, secrets.admin_password);
  return { env: e, platform, platformOptions, secrets };
}

export function printSecretsOnce(rt: LocalRuntime, file: string): void {
  if (!rt.secrets.generated) return;
  console.log(
    [
      "",
      "  First start: credentials were generated and stored (owner-readable only) in",
      `    ${file}`,
      `  API key:        ${rt.secrets.api_key}`,
      `  Admin password: ${rt.secrets.admin_password}   (user: admin)`,
      "  Set FRAUD_API_KEY / FRAUD_ADMIN_PASSWORD to choose your own.",
      "",
    ].join("\n"),
  );
}
