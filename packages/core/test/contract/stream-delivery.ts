import { PutRecordsCommand, type KinesisClient, type PutRecordsCommandOutput } from "@aws-sdk/client-kinesis";

/** What a stream handler answers Lambda: the records to deliver again. */
export interface PartialBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

/**
 * Lambda's event source mapping for a stream (DynamoDB Streams or Kinesis) with
 * ReportBatchItemFailures, as documented: records go in order, in batches; when a batch reports
 * failures, the batch is delivered again starting at its first failed record (records after it
 * again too); when the handler throws, the whole batch is delivered again. Gives up after
 * `maxAttempts` deliveries of one batch, which the tests count as a failure.
 */
export async function deliverLikeLambda<R>(
  records: readonly R[],
  idOf: (record: R) => string,
  handler: (batch: R[]) => Promise<PartialBatchResponse>,
  options: { batchSize?: number; maxAttempts?: number } = {},
): Promise<{ deliveries: number }> {
  const batchSize = options.batchSize ?? 100;
  const maxAttempts = options.maxAttempts ?? 10;
  let at = 0;
  let deliveries = 0;
  let attempts = 0;
  while (at < records.length) {
    const batch = records.slice(at, at + batchSize);
    deliveries++;
    if (++attempts > maxAttempts) throw new Error(`batch at ${at} still failing after ${maxAttempts} deliveries`);
    let failures: string[];
    try {
      failures = (await handler(batch)).batchItemFailures.map((f) => f.itemIdentifier);
    } catch {
      continue;
    }
    const first = batch.findIndex((r) => failures.includes(idOf(r)));
    if (first === -1) {
      at += batch.length;
      attempts = 0;
    } else if (first > 0) {
      at += first;
      attempts = 0;
    }
  }
  return { deliveries };
}

/** How one PutRecords call goes wrong: before it reaches Kinesis, after (the answer lost), or for some records only. */
export type PutFault = "fail-before" | "fail-after" | { refuse: (position: number) => boolean } | undefined;

/**
 * A Kinesis client in front of the emulator that injects `faultOf(call)` into the n-th PutRecords
 * call (1-based). A refused record is not put, and its result carries Kinesis's throttling error.
 */
export function faultyKinesis(real: KinesisClient, faultOf: (call: number) => PutFault): Pick<KinesisClient, "send"> & { calls: () => number } {
  let calls = 0;
  const send = async (command: PutRecordsCommand): Promise<PutRecordsCommandOutput> => {
    if (!(command instanceof PutRecordsCommand)) throw new Error("only PutRecords goes through the faulty client");
    const fault = faultOf(++calls);
    if (fault === "fail-before") throw Object.assign(new Error("connection reset"), { name: "ServiceUnavailable", $metadata: { httpStatusCode: 503 } });
    const records = command.input.Records ?? [];
    if (fault && typeof fault === "object") {
      const kept = records.map((r, i) => ({ r, i })).filter(({ i }) => !fault.refuse(i));
      const out = kept.length ? await real.send(new PutRecordsCommand({ ...command.input, Records: kept.map((k) => k.r) })) : { Records: [] };
      const results = records.map(() => ({ ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded for shard" }) as object);
      kept.forEach(({ i }, k) => (results[i] = out.Records![k]!));
      return { $metadata: {}, Records: results, FailedRecordCount: records.length - kept.length };
    }
    const out = await real.send(command);
    if (fault === "fail-after") throw Object.assign(new Error("socket hang up"), { name: "TimeoutError" });
    return out;
  };
  return { send: send as unknown as KinesisClient["send"], calls: () => calls };
}
