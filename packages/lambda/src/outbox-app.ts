import type { Logger } from "@aws-lambda-powertools/logger";
import { MetricUnit, type Metrics } from "@aws-lambda-powertools/metrics";
import { forwardDecisionChanges, type KinesisEventStream } from "@fraud/core/aws";
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";

export interface OutboxDeps {
  stream: Pick<KinesisEventStream, "publishBatch">;
  metrics: Pick<Metrics, "addMetric" | "publishStoredMetrics">;
  logger: Pick<Logger, "error" | "warn" | "addContext">;
}

/**
 * The outbox forwarder: each decision the decisions table's change stream reports as new goes on
 * the scored-event stream, in one PutRecords per batch. Records Kinesis refused are reported by
 * sequence number, so Lambda delivers them again (docs/decisions/050); its metrics
 * `DecisionsForwarded`, `ForwardRefused` and `OutboxMalformed` say how it goes. Not Powertools'
 * BatchProcessor, which handles records one by one: one PutRecords for the batch instead of a call
 * per record.
 */
export function createOutboxHandler(deps: OutboxDeps) {
  return async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
    deps.logger.addContext(context);
    const result = await forwardDecisionChanges(event.Records, {
      publish: (events) => deps.stream.publishBatch(events),
      malformed: (sequenceNumber, reason) => deps.logger.error("change-stream record not forwarded", { sequenceNumber, reason }),
    });
    if (result.failed > 0) {
      deps.logger.warn("scored events refused by Kinesis; Lambda delivers them again", {
        failed: result.failed,
        errors: result.errors.slice(0, 3).map((e) => (e instanceof Error ? e.name : String(e))),
      });
    }
    deps.metrics.addMetric("DecisionsForwarded", MetricUnit.Count, result.forwarded);
    deps.metrics.addMetric("ForwardRefused", MetricUnit.Count, result.failed);
    deps.metrics.addMetric("OutboxMalformed", MetricUnit.Count, result.malformed);
    deps.metrics.publishStoredMetrics();
    return { batchItemFailures: result.batchItemFailures };
  };
}
