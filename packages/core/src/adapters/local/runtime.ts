import { resolve } from "node:path";
import type { Env } from "../../platform/env.ts";
import { assertNoRestoreInProgress } from "./backup/restore.ts";
import { API_KEY_SCOPES } from "../../user/ports.ts";
import { registerLogSecrets } from "../../telemetry/log-redaction.ts";
import { ensureAdminAccount } from "../../user/sign-in.ts";
import { openLocalPlatform, type LocalPlatform, type LocalPlatformOptions } from "./platform.ts";
import { loadOrCreateSecrets, type Secrets } from "./secrets.ts";

/** The options a runtime opens its platform with, all from the environment: plain data, so another thread can open the same platform. */
export type RuntimePlatformOptions = Pick<
  LocalPlatformOptions,
  "dataDir" | "settings" | "synchronous" | "sqliteCacheMiB" | "walAutocheckpointPages" | "changesCheckMs" | "reports"
>;

/**
 * The write-ahead log's size (pages of 4 KB: 800 MB) past which the server or the dashboard
 * checkpoints it themselves. The worker's checkpoints copy the log as it goes, but under steady
 * high load the log does not start over on its own; each restart holds decisions up, so a large
 * threshold makes restarts rare (docs/decisions/017-wal-restart-threshold-800-mb.md; what a restart
 * costs: docs/decisions/018-background-flush-of-the-database-file.md). The log file keeps its
 * largest size on disk and is reused.
 */
export const WAL_RESTART_PAGES = 200_000;

export interface LocalRuntime {
  env: Env;
  platform: LocalPlatform;
  platformOptions: RuntimePlatformOptions;
  secrets: Secrets;
  /** What a process that starts the deployment should warn about (see printStartWarnings). */
  warnings: string[];
}

/**
 * Opens the embedded deployment from its environment: the secrets (generated on the first start),
 * the platform, the configured (or generated) API key and the admin account. The one place the
 * local deployment is put together; the server, the scoring thread's options, the worker, the CLI
 * and the dashboard all open it here (docs/decisions/029-packages-by-role.md).
 */
export async function openLocalRuntime(e: Env, options: Pick<LocalPlatformOptions, "walAutocheckpointPages" | "changesCheckMs"> = {}): Promise<LocalRuntime> {
  const dataDir = resolve(e.FRAUD_DATA_DIR);
  assertNoRestoreInProgress(dataDir);
  const secrets = loadOrCreateSecrets(dataDir, { apiKey: e.FRAUD_API_KEY, adminPassword: e.FRAUD_ADMIN_PASSWORD, webhookSecrets: e.FRAUD_WEBHOOK_SECRET });
  // Whatever this process logs from now on, these never appear in it.
  registerLogSecrets([secrets.api_key, secrets.admin_password, ...secrets.webhook_secrets, e.FRAUD_API_KEY, e.FRAUD_ADMIN_PASSWORD]);
  const platformOptions: RuntimePlatformOptions = {
    dataDir,
    settings: e.settings,
    synchronous: e.FRAUD_SQLITE_SYNC,
    sqliteCacheMiB: e.FRAUD_SQLITE_CACHE_MB,
    reports: e.reportLimits,
    ...options,
  };
  const platform = openLocalPlatform(platformOptions);
  if (!platform.apiKeys.has(secrets.api_key)) {
    // The deployment's own key can do everything a key can, GET /metrics included.
    await platform.apiKeys.create("default", [...API_KEY_SCOPES], { id: "system" }, secrets.api_key);
  }
  // FRAUD_ADMIN_PASSWORD only creates the account: a password changed in the dashboard stays.
  const admin = await ensureAdminAccount(platform.users, secrets.admin_password, { compare: e.FRAUD_ADMIN_PASSWORD !== undefined });
  const warnings: string[] = [];
  if (admin === "password_differs") warnings.push(ADMIN_PASSWORD_NOT_APPLIED);
  if (!secrets.dataDir.private) {
    warnings.push(
      `The data directory ${dataDir} is open to other users (mode ${secrets.dataDir.mode.toString(8)}); it holds password hashes and customers' data. Make it owner-only: chmod 700 ${dataDir}`,
    );
  }
  return { env: e, platform, platformOptions, secrets, warnings };
}

export const ADMIN_PASSWORD_NOT_APPLIED =
  "FRAUD_ADMIN_PASSWORD is set but is not the password of the admin account: it is read only to create that account on the first start, and the account keeps the password set since (in the dashboard). Sign in with that one, or have another admin reset it; then update or unset FRAUD_ADMIN_PASSWORD.";

/** Warnings for whoever starts the deployment: one event each, on the process's log. */
export function printStartWarnings(rt: LocalRuntime, warn: (message: string) => void = (m) => console.warn(`[fraud] warning: ${m}`)): void {
  for (const warning of rt.warnings) warn(warning);
}

/**
 * Shows generated credentials once, to the person at the terminal. When the standard output is
 * not a terminal it is a log, which is collected and kept: there, `log` only says where the
 * credentials are stored, never what they are.
 */
export function printSecretsOnce(rt: LocalRuntime, file: string, log?: (message: string) => void): void {
  const { generated, webhook_secret_generated: webhook } = rt.secrets;
  if (!generated && !webhook) return;
  if (log && !process.stdout.isTTY) {
    log(`${generated ? "credentials were" : "a webhook signing secret was"} generated and stored (owner-readable only) in ${file}; read them there`);
    return;
  }
  process.stdout.write(
    [
      "",
      generated
        ? "  First start: credentials were generated and stored (owner-readable only) in"
        : "  A webhook signing secret was generated and stored (owner-readable only) in",
      `    ${file}`,
      ...(generated ? [`  API key:        ${rt.secrets.api_key}`, `  Admin password: ${rt.secrets.admin_password}   (user: admin)`] : []),
      // Alert receivers check each webhook's signature with it (docs/alerts.md).
      ...(webhook ? [`  Webhook signing secret: ${rt.secrets.webhook_secrets[0]}`] : []),
      `  Set ${[...(generated ? ["FRAUD_API_KEY", "FRAUD_ADMIN_PASSWORD"] : []), ...(webhook ? ["FRAUD_WEBHOOK_SECRET"] : [])].join(" / ")} to choose your own.`,
      "",
    ].join("\n") + "\n",
  );
}
