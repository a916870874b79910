import { z } from "zod";
import type { StreamEvent } from "./event-stream.ts";

// The outbox of the AWS deployment is the decisions table's change stream (DynamoDB Streams, new
// images): a decision is in the stream exactly when its write committed, which is exactly when
// the client may have been answered. The forwarder puts each new decision on the Kinesis stream
// the consumers read (docs/decisions/050-the-decisions-table-stream-is-the-outbox.md).

const S = z.object({ S: z.string().min(1) });

/** A change-stream record as Lambda delivers it: external data, parsed before use. */
const ChangeRecord = z.object({
  eventName: z.enum(["INSERT", "MODIFY", "REMOVE"]),
  dynamodb: z.object({ SequenceNumber: z.string().min(1), NewImage: z.record(z.string(), z.unknown()).optional() }),
});
/** What the forwarder needs of a decision item: the decision's JSON as stored, and whom it is about. */
const DecisionImage = z.object({ transaction_id: S, user_id: S, data: S });

export type ChangeOfDecision =
  /** A decision was written: its event, to put on the stream. */
  | { kind: "decision"; sequenceNumber: string; transactionId: string; event: StreamEvent }
  /** Not a new decision (a TTL expiry): nothing to forward. */
  | { kind: "other"; sequenceNumber: string }
  /** A record that is not what the decisions table writes: a defect, counted and alarmed. */
  | { kind: "malformed"; sequenceNumber: string | undefined; reason: string };

/**
 * Reads one record of the decisions table's change stream. The event is the item's `data` as
 * stored (the decision's JSON), not parsed again here: the consumers parse it, so a decision
 * written by one version of the code never stops the outbox of another.
 */
export function changeOfDecision(record: unknown): ChangeOfDecision {
  const parsed = ChangeRecord.safeParse(record);
  if (!parsed.success) {
    const loose = z.object({ dynamodb: z.object({ SequenceNumber: z.string() }) }).safeParse(record);
    return { kind: "malformed", sequenceNumber: loose.success ? loose.data.dynamodb.SequenceNumber : undefined, reason: "not a change-stream record" };
  }
  const { eventName, dynamodb } = parsed.data;
  if (eventName !== "INSERT") return { kind: "other", sequenceNumber: dynamodb.SequenceNumber };
  const image = DecisionImage.safeParse(dynamodb.NewImage);
  if (!image.success) return { kind: "malformed", sequenceNumber: dynamodb.SequenceNumber, reason: "the new item is not a decision" };
  return {
    kind: "decision",
    sequenceNumber: dynamodb.SequenceNumber,
    transactionId: image.data.transaction_id.S,
    event: { partitionKey: image.data.user_id.S, data: image.data.data.S },
  };
}

export interface OutboxForwarderDeps {
  publish: (events: readonly StreamEvent[]) => Promise<{ failed: number[]; errors: unknown[] }>;
  /** A record that cannot be forwarded and would never become forwardable: logged and counted, not retried. */
  malformed: (sequenceNumber: string, reason: string) => void;
}

export interface OutboxBatchResult {
  /** The records to deliver again, as Lambda's partial batch response names them (sequence numbers). */
  batchItemFailures: Array<{ itemIdentifier: string }>;
  forwarded: number;
  failed: number;
  malformed: number;
  errors: unknown[];
}

/**
 * Forwards a batch of change-stream records to the scored-event stream. A record Kinesis refused
 * is reported as failed: Lambda delivers the batch again from the first failed record, so records
 * after it may be put twice, which the consumers absorb (each acts once per transaction id).
 */
export async function forwardDecisionChanges(records: readonly unknown[], deps: OutboxForwarderDeps): Promise<OutboxBatchResult> {
  const pending: Array<{ sequenceNumber: string; event: StreamEvent }> = [];
  let malformed = 0;
  for (const record of records) {
    const change = changeOfDecision(record);
    if (change.kind === "decision") pending.push(change);
    else if (change.kind === "malformed") {
      // Without a sequence number Lambda cannot be told which record failed: the batch fails whole and is split.
      if (change.sequenceNumber === undefined) throw new Error(`outbox: ${change.reason}`);
      deps.malformed(change.sequenceNumber, change.reason);
      malformed++;
    }
  }
  const { failed, errors } = pending.length ? await deps.publish(pending.map((p) => p.event)) : { failed: [], errors: [] };
  return {
    batchItemFailures: failed.map((i) => ({ itemIdentifier: pending[i]!.sequenceNumber })),
    forwarded: pending.length - failed.length,
    failed: failed.length,
    malformed,
    errors,
  };
}
