import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { AwsAlertInbox, AwsLiveMetrics, createAwsClients, SnsAlerter } from "@fraud/core/aws";
import { createConsumerHandler } from "./consumer-app.ts";
import { consumerEnv } from "./env.ts";
import { maskLogValue } from "../log-masking.ts";

// The scored-event consumer on Lambda (Kinesis event source with ReportBatchItemFailures).

const logger = new Logger({ jsonReplacerFn: maskLogValue });
const tracer = new Tracer();
const env = consumerEnv();
const { sns, dynamo } = createAwsClients();
tracer.captureAWSv3Client(sns);
tracer.captureAWSv3Client(dynamo);

export const handler = createConsumerHandler({
  alerter: new SnsAlerter(sns, env.alertTopicArn),
  inbox: new AwsAlertInbox(dynamo, env.tables),
  liveMetrics: new AwsLiveMetrics(dynamo, env.tables),
  persistence: new DynamoDBPersistenceLayer({ tableName: env.idempotencyTable, awsSdkV3Client: tracer.captureAWSv3Client(new DynamoDBClient({})) }),
  metrics: new Metrics(),
  logger,
});
