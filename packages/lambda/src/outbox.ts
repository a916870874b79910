import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { createAwsClients, KinesisEventStream } from "@fraud/core/aws";
import { maskLogValue } from "@fraud/core/logs";
import { outboxEnv } from "./env.ts";
import { createOutboxHandler } from "./outbox-app.ts";

// The outbox forwarder on Lambda: event source the decisions table's change stream (new items
// only, ReportBatchItemFailures), destination the scored-event stream.

const logger = new Logger({ jsonReplacerFn: maskLogValue });
const tracer = new Tracer();
const env = outboxEnv();
const { kinesis } = createAwsClients();
tracer.captureAWSv3Client(kinesis);

export const handler = createOutboxHandler({ stream: new KinesisEventStream(kinesis, env.streamName), metrics: new Metrics(), logger });
