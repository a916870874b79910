import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createAwsClients, SnsAlerter } from "@fraud/core/aws";
import { createConsumerHandler } from "./consumer-app.ts";
import { consumerEnv } from "./env.ts";

// The scored-event consumer on Lambda (Kinesis event source with ReportBatchItemFailures).

const logger = new Logger();
const tracer = new Tracer();
const env = consumerEnv();
const { sns } = createAwsClients();
tracer.captureAWSv3Client(sns);

export const handler = createConsumerHandler({
  alerter: new SnsAlerter(sns, env.ALERT_TOPIC_ARN),
  persistence: new DynamoDBPersistenceLayer({ tableName: env.IDEMPOTENCY_TABLE, awsSdkV3Client: tracer.captureAWSv3Client(new DynamoDBClient({})) }),
  metrics: new Metrics(),
  logger,
});
