import { Logger } from "@aws-lambda-powertools/logger";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { Report } from "@fraud/core";
import { AthenaReportRunner, AwsReportStore, createAwsClients } from "@fraud/core/aws";
import { maskLogValue } from "@fraud/core/logs";
import { reportsEnv } from "./env.ts";
import { createReportHandler } from "./report-app.ts";

// Runs a built-in or saved report on Athena, for scheduled jobs and IAM-authorised callers. The
// workgroup enforces the scan limit and encrypted results; the function may only read the lake and
// the saved reports.

const logger = new Logger({ jsonReplacerFn: maskLogValue });
const tracer = new Tracer();
const env = reportsEnv();
const { athena, dynamo } = createAwsClients();
tracer.captureAWSv3Client(athena);
tracer.captureAWSv3Client(dynamo);
const runner = new AthenaReportRunner(athena, {
  workGroup: env.FRAUD_ATHENA_WORKGROUP,
  database: env.FRAUD_ATHENA_DATABASE,
  log: (message, detail) => logger.warn(message, detail),
});

export const handler = createReportHandler(
  new Report.Reports({ store: new AwsReportStore(dynamo, { analytics: env.FRAUD_TABLE_ANALYTICS, audit: env.FRAUD_TABLE_AUDIT }), runner, timeoutMs: 240_000 }),
);
