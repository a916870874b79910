import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { Monitoring, type Platform } from "@fraud/core";
import { AwsAlertInbox, AwsLiveMetrics, createAwsClients, SnsAlerter } from "@fraud/core/aws";
import { Config } from "sst/node/config";
import { createConsumerHandler } from "./consumer-app.ts";
import { consumerEnv } from "./env.ts";
import { maskLogValue } from "@fraud/core/logs";

// The scored-event consumer on Lambda (Kinesis event source with ReportBatchItemFailures).

const logger = new Logger({ jsonReplacerFn: maskLogValue });
const tracer = new Tracer();
const env = consumerEnv();
const { sns, dynamo } = createAwsClients();
tracer.captureAWSv3Client(sns);
tracer.captureAWSv3Client(dynamo);
const idempotencyClient = tracer.captureAWSv3Client(new DynamoDBClient({}));

/** A stage with FRAUD_ALERT_WEBHOOK_URL also posts alerts there, signed with the SST secret FRAUD_WEBHOOK_SECRET (docs/alerts.md). */
function webhookAlerter(url: string): Platform.Alerter {
  const secrets = Monitoring.WebhookSecrets.safeParse(Reflect.get(Config, "FRAUD_WEBHOOK_SECRET"));
  if (!secrets.success) throw new Error(`the FRAUD_WEBHOOK_SECRET secret ${secrets.error.issues[0]?.message ?? "is invalid"}`);
  return new Monitoring.WebhookAlerter(url, secrets.data);
}

export const handler = createConsumerHandler({
  alerters: [new SnsAlerter(sns, env.alertTopicArn), ...(env.webhookUrl ? [webhookAlerter(env.webhookUrl)] : [])],
  inbox: new AwsAlertInbox(dynamo, env.tables),
  liveMetrics: new AwsLiveMetrics(dynamo, env.tables),
  persistence: () => new DynamoDBPersistenceLayer({ tableName: env.idempotencyTable, awsSdkV3Client: idempotencyClient }),
  metrics: new Metrics(),
  logger,
});
