import { ensureAdminAccount, type Env, type Platform } from "@fraud/core";
import { dashboardPlatform, openAwsPlatform, type AwsClients } from "@fraud/core/aws";

/**
 * The dashboard's platform on the AWS deployment: the DynamoDB stores (its test page records into
 * the table of test transactions, never onto the stream), review labels written to the lake
 * bucket, reports and backtests on Athena. The first start creates the `admin` account with the
 * stage's FRAUD_ADMIN_PASSWORD secret.
 */
export async function openAwsDashboard(e: Env, options: { adminPassword: string | undefined; clients?: AwsClients }): Promise<Platform> {
  if (!e.aws) throw new Error("openAwsDashboard needs FRAUD_DEPLOYMENT=aws");
  const platform = dashboardPlatform(
    openAwsPlatform({
      tables: e.aws.tables,
      streamName: e.aws.streamName,
      settings: e.settings,
      clients: options.clients,
      decisionLog: { ttlDays: e.aws.decisionTtlDays },
      lakeBucket: e.aws.lakeBucket,
      athena: e.aws.athena,
    }),
  );
  await ensureAdminAccount(platform.users, options.adminPassword);
  return platform;
}
