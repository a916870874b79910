import { PutRecordCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { Decision } from "../../decision/decision.ts";

/**
 * The scored-event stream on Kinesis. Records are the decision as JSON, keyed by user_id so one
 * customer's events stay in order on one shard.
 */
export class KinesisEventStream {
  constructor(
    private readonly kinesis: KinesisClient,
    readonly streamName: string,
  ) {}

  async publish(decision: Decision): Promise<{ shardId: string; sequenceNumber: string }> {
    const out = await this.kinesis.send(
      new PutRecordCommand({
        StreamName: this.streamName,
        PartitionKey: decision.user_id,
        Data: encodeEvent(decision),
      }),
    );
    return { shardId: out.ShardId ?? "", sequenceNumber: out.SequenceNumber ?? "" };
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
