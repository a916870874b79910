import { PutRecordsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { Decision } from "../../decision/decision.ts";

/** One scored event as it goes on the stream: the decision's JSON, keyed by its customer. */
export interface StreamEvent {
  partitionKey: string;
  data: string;
}

/** PutRecords takes at most 500 records a call. */
export const PUT_RECORDS_LIMIT = 500;

/**
 * The scored-event stream on Kinesis, fed by the outbox forwarder. Records are the decision as
 * JSON, keyed by user_id so that one customer's events share a shard.
 */
export class KinesisEventStream {
  constructor(
    private readonly kinesis: Pick<KinesisClient, "send">,
    readonly streamName: string,
  ) {}

  /**
   * Puts the events in PutRecords calls of up to 500 and returns the positions of those Kinesis
   * refused (throttled, or failed inside the service): the caller tries them again. A call that
   * fails whole counts all of its events as refused.
   */
  async publishBatch(events: readonly StreamEvent[]): Promise<{ failed: number[]; errors: unknown[] }> {
    const failed: number[] = [];
    const errors: unknown[] = [];
    for (let start = 0; start < events.length; start += PUT_RECORDS_LIMIT) {
      const chunk = events.slice(start, start + PUT_RECORDS_LIMIT);
      try {
        const out = await this.kinesis.send(
          new PutRecordsCommand({
            StreamName: this.streamName,
            Records: chunk.map((e) => ({ PartitionKey: e.partitionKey, Data: new TextEncoder().encode(e.data) })),
          }),
        );
        const results = out.Records ?? [];
        chunk.forEach((_, i) => {
          const r = results[i];
          if (!r || r.ErrorCode || !r.SequenceNumber) {
            failed.push(start + i);
            if (r?.ErrorCode) errors.push(`${r.ErrorCode}: ${r.ErrorMessage ?? ""}`);
          }
        });
      } catch (e) {
        chunk.forEach((_, i) => failed.push(start + i));
        errors.push(e);
      }
    }
    return { failed, errors };
  }
}

export function encodeEvent(decision: Decision): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(decision));
}

/** A record from the stream is external data: parsed with the schema, never cast. */
export function decodeEvent(data: Uint8Array | string): Decision {
  const text = typeof data === "string" ? Buffer.from(data, "base64").toString("utf8") : new TextDecoder().decode(data);
  return Decision.parse(JSON.parse(text));
}
