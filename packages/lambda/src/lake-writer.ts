import { Logger } from "@aws-lambda-powertools/logger";
import { decodeEvent, firehoseLakeRow } from "@fraud/core/aws";
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from "aws-lambda";
import { maskLogValue } from "@fraud/core/logs";

// Firehose's transformation step: each scored event becomes its lake row (core's lake schema) and
// names its day partition; Firehose then writes it as Parquet under raw/dt=YYYY-MM-DD/.

const logger = new Logger({ jsonReplacerFn: maskLogValue });

export function toLakeRows(event: FirehoseTransformationEvent, log: Pick<Logger, "error"> = logger): FirehoseTransformationResult {
  return {
    records: event.records.map((r) => {
      try {
        const { dt, row } = firehoseLakeRow(decodeEvent(r.data));
        return { recordId: r.recordId, result: "Ok", data: Buffer.from(`${JSON.stringify(row)}\n`).toString("base64"), metadata: { partitionKeys: { dt } } };
      } catch (e) {
        // Firehose writes the original record under error/ for inspection.
        log.error("scored event is not a valid decision", { recordId: r.recordId, error: e as Error });
        return { recordId: r.recordId, result: "ProcessingFailed", data: r.data };
      }
    }),
  };
}

export const handler = async (event: FirehoseTransformationEvent): Promise<FirehoseTransformationResult> => toLakeRows(event);
