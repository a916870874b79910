import { TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import type { Decision } from "../../decision/decision.ts";
import { MinuteFigures, quantile, type RecentSample } from "../../monitoring/monitoring.ts";
import type { LiveMetrics } from "../../platform/ports.ts";
import { DECISIONS } from "../../ruleset/ruleset.ts";
import { cancellationCodes, conditionFailed, errorName, mergeNewest, queryAll, retryLostRaces, type TableNames } from "./clients.ts";
import { shardOf } from "./decision-log.ts";
import { wrap } from "./profile-store.ts";
import { DECISION_INDEX_SHARDS, LIVE_METRICS_SHARDS } from "./tables.ts";

const MinuteItem = z.object({ minute: z.string(), decision: z.enum(DECISIONS), count: z.number(), amount: z.number() });
const Sample = z.object({ score: z.number(), latency_ms: z.number().optional() });
/** How long a "counted" marker is kept: longer than the stream keeps a record (24 h) and its retries. */
const MARKER_TTL_SECONDS = 7 * 86_400;
const MAX_ATTEMPTS = 5;

/** The partition of one shard of an hour's figures. */
const hourKey = (minute: string, shard: number) => `MINUTE#${minute.slice(0, 13)}#${shard}`;

/**
 * Live figures on DynamoDB. The stream consumer adds each decision to its minute's counters
 * (UpdateItem ADD) in the same transaction as a marker for the transaction id, so an event
 * delivered twice is counted once. Each hour's counters are spread over LIVE_METRICS_SHARDS
 * partitions by transaction id, so no partition takes more than its share of the writes; a read
 * queries every shard of the hours it covers and adds them up. The recent sample reads the newest
 * decisions from the decisions table's time index.
 */
export class AwsLiveMetrics implements LiveMetrics {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, "metrics" | "decisions">,
  ) {}

  /** Counts a decision in its minute; returns false when it was counted before. */
  async record(decision: Decision): Promise<boolean> {
    const minute = decision.decided_at.slice(0, 16);
    // Two consumers adding to the same minute at once conflict: the loser adds again.
    const conflict = (e: unknown) => errorName(e) === "TransactionCanceledException" && cancellationCodes(e).includes("TransactionConflict");
    try {
      return await retryLostRaces({ maxAttempts: MAX_ATTEMPTS, retryOn: conflict }, async () => {
        try {
          await this.db.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Put: {
                    TableName: this.tables.metrics,
                    Item: { pk: `SEEN#${decision.transaction_id}`, sk: "-", expires_at: Math.floor(Date.now() / 1000) + MARKER_TTL_SECONDS },
                    ConditionExpression: "attribute_not_exists(pk)",
                  },
                },
                {
                  Update: {
                    TableName: this.tables.metrics,
                    Key: { pk: hourKey(minute, shardOf(decision.transaction_id, LIVE_METRICS_SHARDS)), sk: `${minute}#${decision.decision}` },
                    UpdateExpression: "SET #minute = :minute, #decision = :decision ADD #count :one, amount :amount, score_sum :score, latency_sum :latency",
                    ExpressionAttributeNames: { "#minute": "minute", "#decision": "decision", "#count": "count" },
                    ExpressionAttributeValues: {
                      ":minute": minute,
                      ":decision": decision.decision,
                      ":one": 1,
                      ":amount": decision.transaction.amount,
                      ":score": decision.score,
                      ":latency": decision.latency_ms,
                    },
                  },
                },
              ],
            }),
          );
          return true;
        } catch (e) {
          // The marker is there: this event was counted before.
          if (conditionFailed(e)) return false;
          throw e;
        }
      });
    } catch (e) {
      throw wrap(e);
    }
  }

  async perMinute(minutes: number, now: Date): Promise<MinuteFigures[]> {
    const first = Math.floor(now.getTime() / 60_000) * 60_000 - (minutes - 1) * 60_000;
    const since = new Date(first).toISOString().slice(0, 16);
    const hours: string[] = [];
    for (let t = Math.floor(first / 3_600_000) * 3_600_000; t <= now.getTime(); t += 3_600_000) hours.push(new Date(t).toISOString().slice(0, 16));
    let items: Record<string, unknown>[][];
    try {
      items = await Promise.all(
        hours.flatMap((h) =>
          Array.from({ length: LIVE_METRICS_SHARDS }, (_, shard) =>
            queryAll(this.db, {
              TableName: this.tables.metrics,
              KeyConditionExpression: "pk = :pk AND sk >= :since",
              ExpressionAttributeValues: { ":pk": hourKey(h, shard), ":since": since },
            }),
          ),
        ),
      );
    } catch (e) {
      throw wrap(e);
    }
    const byMinute = new Map<string, MinuteFigures>();
    for (const raw of items.flat()) {
      const r = MinuteItem.parse(raw);
      const m = byMinute.get(r.minute) ?? { minute: r.minute, APPROVED: 0, REVIEW: 0, BLOCKED: 0, amount_blocked: 0 };
      m[r.decision] += r.count;
      if (r.decision === "BLOCKED") m.amount_blocked += r.amount;
      byMinute.set(r.minute, m);
    }
    return [...byMinute.values()].sort((a, b) => (a.minute < b.minute ? -1 : 1)).map((m) => MinuteFigures.parse(m));
  }

  async recent(size: number): Promise<RecentSample> {
    const n = Math.min(Math.max(size, 1), 20_000);
    const buckets = Array.from({ length: 10 }, () => 0);
    const latencies: number[] = [];
    let count = 0;
    try {
      for await (const item of mergeNewest(
        this.db,
        Array.from({ length: DECISION_INDEX_SHARDS }, (_, s) => ({
          TableName: this.tables.decisions,
          IndexName: "byTime",
          KeyConditionExpression: "time_shard = :s",
          ProjectionExpression: "decided_at, score, latency_ms",
          ExpressionAttributeValues: { ":s": String(s) },
        })),
        "decided_at",
        Math.min(Math.ceil(n / DECISION_INDEX_SHARDS) + 10, 1_000),
      )) {
        const r = Sample.parse(item);
        buckets[Math.min(9, Math.floor(r.score / 10))]! += 1;
        if (r.latency_ms !== undefined) latencies.push(r.latency_ms);
        if (++count >= n) break;
      }
    } catch (e) {
      throw wrap(e);
    }
    latencies.sort((a, b) => a - b);
    return { size: count, score_buckets: buckets, latency_p50_ms: quantile(latencies, 0.5), latency_p99_ms: quantile(latencies, 0.99) };
  }
}
