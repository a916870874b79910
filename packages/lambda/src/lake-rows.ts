import type { Logger } from "@aws-lambda-powertools/logger";
import { decodeEvent, firehoseLakeRow, type LakeRowClaims } from "@fraud/core/aws";
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationEventRecord,
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
} from "aws-lambda";

/** Claims written at once: a Firehose batch holds a few hundred records. */
const CLAIM_CONCURRENCY = 16;

export interface LakeWriterDeps {
  claims: Pick<LakeRowClaims, "keep">;
  logger: Pick<Logger, "error">;
}

/** Which delivery a Firehose record is: the Kinesis record it was read from, the same on Firehose's retries. */
const deliveryOf = (r: FirehoseTransformationEventRecord) =>
  r.kinesisRecordMetadata ? `${r.kinesisRecordMetadata.shardId}/${r.kinesisRecordMetadata.sequenceNumber}` : r.recordId;

/**
 * Firehose's transformation step: each scored event becomes its lake row (core's lake schema) and
 * names its day partition; Firehose then writes it as Parquet under raw/dt=YYYY-MM-DD/. A decision
 * whose event the stream carries twice gets one row: the first delivery claims the transaction and
 * any other is dropped. A claim that cannot be written fails the whole batch, which Firehose
 * retries with the same records.
 */
export function createLakeWriter(deps: LakeWriterDeps) {
  const transform = async (r: FirehoseTransformationEventRecord): Promise<FirehoseTransformationResultRecord> => {
    let transactionId: string;
    let lake: ReturnType<typeof firehoseLakeRow>;
    try {
      const decision = decodeEvent(r.data);
      transactionId = decision.transaction_id;
      lake = firehoseLakeRow(decision);
    } catch (e) {
      // Firehose writes the original record under error/ for inspection.
      deps.logger.error("scored event is not a valid decision", { recordId: r.recordId, error: e as Error });
      return { recordId: r.recordId, result: "ProcessingFailed", data: r.data };
    }
    if (!(await deps.claims.keep(transactionId, deliveryOf(r)))) return { recordId: r.recordId, result: "Dropped", data: r.data };
    const data = Buffer.from(`${JSON.stringify(lake.row)}\n`).toString("base64");
    return { recordId: r.recordId, result: "Ok", data, metadata: { partitionKeys: { dt: lake.dt } } };
  };
  return async (event: FirehoseTransformationEvent): Promise<FirehoseTransformationResult> => {
    const records: FirehoseTransformationResultRecord[] = [];
    for (let i = 0; i < event.records.length; i += CLAIM_CONCURRENCY) {
      records.push(...(await Promise.all(event.records.slice(i, i + CLAIM_CONCURRENCY).map(transform))));
    }
    return { records };
  };
}
