import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import type { BasePersistenceLayer } from "@aws-lambda-powertools/idempotency/persistence";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import type { Platform } from "@fraud/core";
import { recordScoredEvent, type AwsAlertInbox, type AwsLiveMetrics } from "@fraud/core/aws";
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from "aws-lambda";
import { scoredEventHandler } from "./scored-events.ts";

export interface ConsumerDeps {
  /** The alert channels: SNS (the risk team's e-mail), and the signed webhook when the stage has one. */
  alerters: readonly Platform.Alerter[];
  /** The dashboard's alert inbox and live figures, fed from the stream like the local worker does. */
  inbox: Pick<AwsAlertInbox, "raise">;
  liveMetrics: Pick<AwsLiveMetrics, "record">;
  /**
   * Where a channel's sent alerts are remembered (DynamoDB on AWS), so a redelivered record alerts
   * once. One layer per channel: a layer holds its key prefix, which the channels do not share.
   */
  persistence: (channel: string) => BasePersistenceLayer;
  metrics: Pick<Metrics, "addMetric" | "singleMetric" | "publishStoredMetrics">;
  logger: Pick<Logger, "error" | "addContext">;
}

/**
 * The scored-event consumer: the alert inbox and live figures (each once per transaction), one
 * alert per REVIEW/BLOCKED decision, EMF metrics, per-record failures.
 */
export function createConsumerHandler(deps: ConsumerDeps) {
  const idempotency = new IdempotencyConfig({ eventKeyJmesPath: "transaction_id", expiresAfterSeconds: 7 * 86_400 });
  // Each channel remembers its own sends: a record retried because one channel failed is not sent again to the others.
  const sends = deps.alerters.map((a) =>
    makeIdempotent(a.send.bind(a), { persistenceStore: deps.persistence(a.channel), config: idempotency, keyPrefix: `consumer.alert.${a.channel}` }),
  );
  const sendAlertOnce = async (message: Platform.AlertMessage) => {
    const failed = (await Promise.allSettled(sends.map((send) => send(message)))).find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
  };
  const processor = new BatchProcessor(EventType.KinesisDataStreams);
  const events = scoredEventHandler({
    recordEvent: (decision) => recordScoredEvent({ alerts: deps.inbox, metrics: deps.liveMetrics }, decision),
    sendAlert: sendAlertOnce,
    metrics: deps.metrics,
    logger: deps.logger,
  });
  return async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> => {
    deps.logger.addContext(context);
    idempotency.registerLambdaContext(context);
    try {
      return await processPartialResponse(event, events.record, processor, { context });
    } finally {
      events.flush();
    }
  };
}
