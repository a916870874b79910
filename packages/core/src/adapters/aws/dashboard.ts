import type { Env } from "../../platform/env.ts";
import type { Platform } from "../../platform/platform.ts";
import { ensureAdminAccount } from "../../user/sign-in.ts";
import type { AwsClients } from "./clients.ts";
import { dashboardPlatform, openAwsPlatform } from "./platform.ts";

/**
 * The dashboard's platform on the AWS deployment: the DynamoDB stores (its test page records into
 * the table of test transactions, never the decisions table and so never the outbox), review labels written to the lake
 * bucket, reports and backtests on Athena. The first start creates the `admin` account with the
 * stage's FRAUD_ADMIN_PASSWORD secret; later starts only compare it (see ADMIN_SECRET_NOT_APPLIED).
 * The one place the AWS deployment's dashboard is put together from its environment
 * (docs/decisions/029-packages-by-role.md).
 */
export const ADMIN_SECRET_NOT_APPLIED =
  "the FRAUD_ADMIN_PASSWORD secret is not the password of the admin account: it is read only to create that account on the first start, and the account keeps the password set since (in the dashboard). Sign in with that one, or have another admin reset it; then update the secret.";

export async function openAwsDashboard(
  e: Env,
  options: { adminPassword: string | undefined; clients?: AwsClients; warn?: (message: string) => void },
): Promise<Platform> {
  if (!e.aws) throw new Error("openAwsDashboard needs FRAUD_DEPLOYMENT=aws");
  const platform = dashboardPlatform(
    openAwsPlatform({
      tables: e.aws.tables,
      settings: e.settings,
      clients: options.clients,
      decisionLog: { ttlDays: e.aws.decisionTtlDays },
      lakeBucket: e.aws.lakeBucket,
      athena: e.aws.athena,
    }),
  );
  // The secret only creates the account: a password changed in the dashboard stays, and each
  // container's start says so in the logs while the two differ.
  if ((await ensureAdminAccount(platform.users, options.adminPassword, { compare: true })) === "password_differs") {
    (options.warn ?? console.warn)(`[fraud] warning: ${ADMIN_SECRET_NOT_APPLIED}`);
  }
  return platform;
}
