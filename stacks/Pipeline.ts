import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import * as kinesis from "aws-cdk-lib/aws-kinesis";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { DynamoEventSource, SqsDlq } from "aws-cdk-lib/aws-lambda-event-sources";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Config, Function, KinesisStream, Queue, Topic, use, type StackContext } from "sst/constructs";
import { Core } from "./Core";
import { grantTable, KMS_ENCRYPT } from "./grants";
import { streamShards } from "./params";

/** The CloudWatch namespace of the decision metrics the handlers write as EMF. */
export const METRICS_NAMESPACE = "FraudDecisions";

/**
 * The decision stream (Kinesis, keyed by user_id), the outbox forwarder that fills it from the
 * decisions table's change stream, its consumer (alerts and metrics) with per-record failure
 * reporting, their dead-letter queues, the alert topic, and the alarms.
 */
export function Pipeline({ stack, app }: StackContext) {
  const { key, idempotency, params, tables, tableEnvironment } = use(Core);

  const deadLetters = new Queue(stack, "ConsumerDeadLetters", {
    cdk: {
      queue: {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: key,
        retentionPeriod: Duration.days(14),
        enforceSSL: true,
      },
    },
  });

  const alerts = new Topic(stack, "Alerts", {
    cdk: { topic: { topicName: app.logicalPrefixedName("alerts"), masterKey: key, enforceSSL: true } },
  });
  if (params.FRAUD_ALERT_EMAIL) alerts.cdk.topic.addSubscription(new EmailSubscription(params.FRAUD_ALERT_EMAIL));

  // A stage with a webhook signs every alert it posts there with this secret; one without binds none,
  // since an unset secret would stop the consumer from starting.
  const webhookSecret = params.FRAUD_ALERT_WEBHOOK_URL ? new Config.Secret(stack, "FRAUD_WEBHOOK_SECRET") : undefined;
  const consumer = new Function(stack, "ScoredEventConsumer", {
    handler: "packages/lambda/src/consumer.handler",
    architecture: "arm_64",
    memorySize: 512,
    timeout: 60,
    tracing: "active",
    logRetention: "one_month",
    environment: {
      ...tableEnvironment,
      ALERT_TOPIC_ARN: alerts.topicArn,
      IDEMPOTENCY_TABLE: idempotency.tableName,
      ...(params.FRAUD_ALERT_WEBHOOK_URL ? { FRAUD_ALERT_WEBHOOK_URL: params.FRAUD_ALERT_WEBHOOK_URL } : {}),
      POWERTOOLS_SERVICE_NAME: "consumer",
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    },
    bind: webhookSecret ? [webhookSecret] : [],
  });

  const stream = new KinesisStream(stack, "Decisions", {
    cdk: {
      stream: {
        shardCount: streamShards(params),
        streamMode: kinesis.StreamMode.PROVISIONED,
        encryption: kinesis.StreamEncryption.KMS,
        encryptionKey: key,
        retentionPeriod: Duration.hours(24),
      },
    },
    consumers: {
      scored: {
        function: consumer,
        cdk: {
          eventSource: {
            startingPosition: lambda.StartingPosition.TRIM_HORIZON,
            batchSize: 100,
            maxBatchingWindow: Duration.seconds(1),
            reportBatchItemFailures: true,
            bisectBatchOnError: true,
            retryAttempts: 3,
            maxRecordAge: Duration.hours(6),
            onFailure: new SqsDlq(deadLetters.cdk.queue),
          },
        },
      },
    },
  });

  const { forwarder, outboxDeadLetters } = outboxForwarder(stack, { key, stream, decisions: tables.decisions });

  // Publishing to the encrypted topic needs the key; the CDK grant names the topic only.
  alerts.cdk.topic.grantPublish(consumer);
  key.grant(consumer, ...KMS_ENCRYPT);
  grantTable(idempotency, consumer, key, ["GetItem", "PutItem", "UpdateItem", "DeleteItem"]);
  // The alert inbox and the live figures: read an alert, number it and put it with the open count;
  // put the "counted" marker and add to the minute's counters.
  grantTable(tables.alerts, consumer, key, ["GetItem", "PutItem", "UpdateItem"]);
  grantTable(tables.metrics, consumer, key, ["PutItem", "UpdateItem"]);

  // Alarms go to the same topic as the alerts.
  const notify = new SnsAction(alerts.cdk.topic);
  const alarm = (id: string, props: cloudwatch.AlarmProps) => {
    const a = new cloudwatch.Alarm(stack, id, { treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, ...props });
    a.addAlarmAction(notify);
    return a;
  };

  alarm("ConsumerIteratorAge", {
    alarmDescription: "The consumer is more than a minute behind the decision stream",
    metric: consumer.metric("IteratorAge", { statistic: "Maximum", period: Duration.minutes(1) }),
    threshold: 60_000,
    evaluationPeriods: 5,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
  alarm("ConsumerErrors", {
    alarmDescription: "The scored-event consumer fails",
    metric: consumer.metricErrors({ period: Duration.minutes(5) }),
    threshold: 0,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
  alarm("DeadLetterDepth", {
    alarmDescription: "Scored events could not be processed and wait in the dead-letter queue",
    metric: deadLetters.cdk.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: "Maximum" }),
    threshold: 0,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
  // The outbox: every decision written must reach the stream; these say when it does not.
  alarm("OutboxIteratorAge", {
    alarmDescription: "The outbox forwarder is more than a minute behind the decisions table: decisions are not reaching the consumers",
    metric: forwarder.metric("IteratorAge", { statistic: "Maximum", period: Duration.minutes(1) }),
    threshold: 60_000,
    evaluationPeriods: 5,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
  alarm("OutboxErrors", {
    alarmDescription: "The outbox forwarder fails, or Kinesis refuses the decisions it forwards",
    metric: new cloudwatch.MathExpression({
      expression: "errors + refused + malformed",
      usingMetrics: {
        errors: forwarder.metricErrors({ period: Duration.minutes(5) }),
        refused: outboxMetric("ForwardRefused"),
        malformed: outboxMetric("OutboxMalformed"),
      },
      period: Duration.minutes(5),
      label: "outbox failures",
    }),
    threshold: 0,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
  alarm("OutboxDeadLetterDepth", {
    alarmDescription: "Decisions left the decisions table's change stream before the outbox could forward them",
    metric: outboxDeadLetters.cdk.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: "Maximum" }),
    threshold: 0,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
  const decisionsOf = (outcome: string) =>
    new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: "Decisions",
      dimensionsMap: { service: "consumer", decision: outcome },
      statistic: "Sum",
      period: Duration.minutes(5),
    });
  alarm("BlockedRateSpike", {
    alarmDescription: `More than ${params.FRAUD_BLOCKED_RATE_ALARM_PERCENT}% of decisions are BLOCKED over 5 minutes`,
    metric: new cloudwatch.MathExpression({
      expression: "IF(approved + review + blocked > 20, 100 * blocked / (approved + review + blocked), 0)",
      usingMetrics: { approved: decisionsOf("APPROVED"), review: decisionsOf("REVIEW"), blocked: decisionsOf("BLOCKED") },
      period: Duration.minutes(5),
      label: "BLOCKED %",
    }),
    threshold: params.FRAUD_BLOCKED_RATE_ALARM_PERCENT,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  });

  stack.addOutputs({ AlertTopic: alerts.topicArn, DecisionStream: stream.streamName });
  return { stream, alerts, deadLetters, consumer, forwarder, outboxDeadLetters, notify };
}

/** A count the outbox forwarder writes as EMF (outbox-app.ts), summed over 5 minutes. */
const outboxMetric = (metricName: string) =>
  new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service: "outbox" }, statistic: "Sum", period: Duration.minutes(5) });

/**
 * The outbox forwarder: the decisions table's change stream (new items only) into the decision
 * stream (docs/decisions/050-the-decisions-table-stream-is-the-outbox.md). A batch Kinesis refuses
 * in part is delivered again from its first refused record, for as long as the change stream keeps
 * it (24 hours); a batch that outlives that is described in the outbox's dead-letter queue.
 */
function outboxForwarder(
  stack: StackContext["stack"],
  { key, stream, decisions }: { key: ReturnType<typeof Core>["key"]; stream: KinesisStream; decisions: ReturnType<typeof Core>["tables"]["decisions"] },
) {
  const outboxDeadLetters = new Queue(stack, "OutboxDeadLetters", {
    cdk: { queue: { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key, retentionPeriod: Duration.days(14), enforceSSL: true } },
  });
  const forwarder = new Function(stack, "OutboxForwarder", {
    handler: "packages/lambda/src/outbox.handler",
    architecture: "arm_64",
    memorySize: 256,
    timeout: 30,
    tracing: "active",
    logRetention: "one_month",
    environment: { FRAUD_STREAM_NAME: stream.streamName, POWERTOOLS_SERVICE_NAME: "outbox", POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE },
  });
  // The event source grants reading the change stream (and decrypting it with the table's key).
  forwarder.addEventSource(
    new DynamoEventSource(decisions.cdk.table, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      filters: [lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.isEqual("INSERT") })],
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(1),
      reportBatchItemFailures: true,
      bisectBatchOnError: true,
      // Until the change stream drops the record: a decision is never given up on while it can still be forwarded.
      retryAttempts: -1,
      onFailure: new SqsDlq(outboxDeadLetters.cdk.queue),
    }),
  );
  stream.cdk.stream.grant(forwarder, "kinesis:PutRecords");
  key.grant(forwarder, ...KMS_ENCRYPT);
  return { forwarder, outboxDeadLetters };
}
