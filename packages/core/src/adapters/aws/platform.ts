import type { AthenaTarget } from "../../report/athena.ts";
import { Backtests } from "../../backtest/backtest.ts";
import type { Decision } from "../../decision/decision.ts";
import { Reports } from "../../report/service.ts";
import type { Platform } from "../../platform/platform.ts";
import type { Settings } from "../../settings/settings.ts";
import { Scoring } from "../../decision/scoring.ts";
import { AwsAlertInbox } from "./alert-inbox.ts";
import { AwsApiKeyStore } from "./api-keys.ts";
import { AthenaReportRunner, type AthenaRunnerOptions } from "./athena.ts";
import { AwsAuditTrail } from "./audit-trail.ts";
import { createAwsClients, type AwsClientConfig, type AwsClients, type TableNames } from "./clients.ts";
import { AwsDecisionLog, type AwsDecisionLogOptions } from "./decision-log.ts";
import { AwsTestDecisionLog } from "./test-decision-log.ts";
import { S3LabelSink } from "./lake.ts";
import { AwsListStore } from "./list-store.ts";
import { AwsLiveMetrics } from "./live-metrics.ts";
import { AwsProfileStore } from "./profile-store.ts";
import { AwsBacktestStore, AwsReportStore } from "./report-store.ts";
import { AwsReviewStore } from "./review-store.ts";
import { AwsRuleStore } from "./rule-store.ts";
import { AwsSignInThrottle } from "./sign-in-throttle.ts";
import { AwsSessionStore, AwsUserStore } from "./user-store.ts";

export interface AwsPlatformOptions {
  tables: TableNames;
  settings: Settings;
  clients?: AwsClients;
  clientConfig?: AwsClientConfig;
  decisionLog?: AwsDecisionLogOptions;
  /** The lake bucket: review labels are also written there for Athena. */
  lakeBucket?: string;
  /** The Athena workgroup and Glue database: saved reports and backtests run there. */
  athena?: AthenaTarget & Pick<AthenaRunnerOptions, "log">;
  /** How long a Lambda container trusts its compiled ruleset before checking the live version. */
  rulesetCacheMs?: number;
  clock?: () => Date;
}

/** The composition root of the AWS deployment: the same ports and scoring service as the local one. */
export function openAwsPlatform(options: AwsPlatformOptions) {
  const clients = options.clients ?? createAwsClients(options.clientConfig);
  const clock = options.clock ?? (() => new Date());
  const decisions = new AwsDecisionLog(clients.dynamo, options.tables, options.decisionLog);
  const testsTable = options.tables.tests;
  // Only the dashboard is given the test table: elsewhere `scoring.submitTest` refuses to run.
  const testDecisions = testsTable
    ? new AwsTestDecisionLog(clients.dynamo, { ...options.tables, tests: testsTable }, { ttlDays: options.decisionLog?.ttlDays, clock })
    : undefined;
  const rules = new AwsRuleStore(clients.dynamo, options.tables, clock);
  const lists = new AwsListStore(clients.dynamo, options.tables, clock);
  const reportRunner = options.athena ? new AthenaReportRunner(clients.athena, options.athena) : undefined;
  return {
    deployment: "aws" as const,
    clients,
    decisions,
    /** The dashboard's test transactions (with `tables.tests` only). */
    testDecisions,
    rules,
    lists,
    profiles: new AwsProfileStore(clients.dynamo, options.tables, clock),
    apiKeys: new AwsApiKeyStore(clients.dynamo, options.tables, clock),
    users: new AwsUserStore(clients.dynamo, options.tables, clock),
    sessions: new AwsSessionStore(clients.dynamo, options.tables, clock),
    signInThrottle: new AwsSignInThrottle(clients.dynamo, options.tables, clock),
    auditTrail: new AwsAuditTrail(clients.dynamo, options.tables, clock),
    reviews: new AwsReviewStore(clients.dynamo, options.tables, clock, options.lakeBucket ? new S3LabelSink(clients.s3, options.lakeBucket) : undefined),
    alerts: new AwsAlertInbox(clients.dynamo, options.tables, clock),
    metrics: new AwsLiveMetrics(clients.dynamo, options.tables),
    scoring: new Scoring({
      decisions,
      tests: testDecisions,
      rules,
      lists,
      shadow: rules,
      settings: options.settings,
      clock,
      rulesetCacheMs: options.rulesetCacheMs ?? 5_000,
    }),
    /** Saved reports over the lake on Athena (with `athena` only). */
    reports: reportRunner ? new Reports({ store: new AwsReportStore(clients.dynamo, options.tables, clock), runner: reportRunner, clock }) : undefined,
    /** Backtests over the lake on Athena, saved with the version (with `athena` only). */
    backtests: reportRunner
      ? new Backtests({ runner: reportRunner, rules, store: new AwsBacktestStore(clients.dynamo, options.tables), settings: options.settings, clock })
      : undefined,
    reportRunner,
    settings: options.settings,
  };
}
export type AwsPlatform = ReturnType<typeof openAwsPlatform>;

/** The AWS platform as the dashboard uses it: its reports and backtests need the Athena target. */
export function dashboardPlatform(p: AwsPlatform): Platform {
  if (!p.reports || !p.backtests)
    throw new Error("the dashboard on AWS needs the Athena workgroup and database (FRAUD_ATHENA_WORKGROUP, FRAUD_ATHENA_DATABASE)");
  if (!p.testDecisions) throw new Error("the dashboard on AWS needs the table of test transactions (FRAUD_TABLE_TESTS)");
  return { ...p, reports: p.reports, backtests: p.backtests, testDecisions: p.testDecisions };
}

/**
 * What the stream consumer records for each scored event: its alert in the inbox (REVIEW and
 * BLOCKED) and its place in the live figures, each at most once per transaction however often the
 * event is delivered.
 */
export async function recordScoredEvent(
  sinks: { alerts: Pick<AwsAlertInbox, "raise">; metrics: Pick<AwsLiveMetrics, "record"> },
  decision: Decision,
): Promise<void> {
  await sinks.alerts.raise(decision);
  await sinks.metrics.record(decision);
}
