import type { RuleHitCounts } from "../../platform/platform.ts";
import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { UnavailableError } from "../../errors/errors.ts";
import { Decision } from "../../decision/decision.ts";
import type { DecisionLog, DecisionQuery, RecordResult } from "../../platform/ports.ts";
import type { Transaction } from "../../transaction/transaction.ts";
import { lostRace, retryLostRaces, type TableNames } from "./clients.ts";
import { DECISION_INDEX_SHARDS, DEFAULT_DECISION_TTL_DAYS } from "./tables.ts";
import { profileFromItem, profileUpdate, wrap } from "./profile-store.ts";

const DecisionItem = z.object({ fingerprint: z.string(), data: z.string() });

export interface AwsDecisionLogOptions {
  /** Days a decision stays in the table (DynamoDB TTL); the lake keeps it after that. */
  ttlDays?: number;
  /** Attempts when another decision for the same customer wins the race for the profile. */
  maxAttempts?: number;
}

/**
 * Decisions on DynamoDB. `record` reads the profile, scores, then writes the decision (only if
 * its transaction id is new) and the new profile (only if its version did not move) in one
 * TransactWriteItems; a lost race is scored again on the fresh profile. Nothing else: the table's
 * change stream carries every decision written to the consumers (see outbox.ts), so a decision is
 * acknowledged once it is stored.
 */
export class AwsDecisionLog implements DecisionLog, RuleHitCounts {
  private readonly ttlSeconds: number;
  private readonly maxAttempts: number;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, "decisions" | "profiles">,
    options: AwsDecisionLogOptions = {},
  ) {
    this.ttlSeconds = (options.ttlDays ?? DEFAULT_DECISION_TTL_DAYS) * 86_400;
    this.maxAttempts = options.maxAttempts ?? 8;
  }

  private async existing(transactionId: string) {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.decisions, Key: { transaction_id: transactionId }, ConsistentRead: true }));
    return Item ? DecisionItem.parse(Item) : undefined;
  }

  async record(...[tx, fingerprint, score]: Parameters<DecisionLog["record"]>): Promise<RecordResult> {
    try {
      return await this.recordOnce(tx, fingerprint, score);
    } catch (e) {
      throw wrap(e);
    }
  }

  private async recordOnce(tx: Transaction, fingerprint: string, score: Parameters<DecisionLog["record"]>[2]): Promise<RecordResult> {
    try {
      return await retryLostRaces({ maxAttempts: this.maxAttempts, retryOn: lostRace }, async (): Promise<RecordResult> => {
        const found = await this.existing(tx.transaction_id);
        if (found) {
          const decision = Decision.parse(JSON.parse(found.data));
          return { status: found.fingerprint === fingerprint ? "duplicate" : "conflict", decision };
        }
        const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.profiles, Key: { user_id: tx.user_id }, ConsistentRead: true }));
        const profile = Item ? profileFromItem(Item) : undefined;
        const { decision: decided, nextProfile, latency_ms } = score(profile);
        const decision: Decision = { ...decided, latency_ms };
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.tables.decisions,
                  Item: this.item(decision, fingerprint),
                  ConditionExpression: "attribute_not_exists(transaction_id)",
                },
              },
              { Update: profileUpdate(this.tables.profiles, nextProfile, profile?.version) },
            ],
          }),
        );
        return { status: "recorded", decision };
      });
    } catch (e) {
      if (lostRace(e)) throw new UnavailableError(`too many concurrent decisions for customer ${tx.user_id}`, { cause: e });
      throw e;
    }
  }

  private item(decision: Decision, fingerprint: string) {
    const shard = shardOf(decision.transaction_id);
    return {
      transaction_id: decision.transaction_id,
      fingerprint,
      user_id: decision.user_id,
      decision: decision.decision,
      score: decision.score,
      // Read by the live figures' recent sample without the whole decision.
      latency_ms: decision.latency_ms,
      amount: decision.transaction.amount,
      rule_ids: decision.rules.map((r) => r.id),
      decided_at: decision.decided_at,
      outcome_shard: `${decision.decision}#${shard}`,
      time_shard: String(shard),
      data: JSON.stringify(decision),
      expires_at: Math.floor(Date.parse(decision.decided_at) / 1000) + this.ttlSeconds,
    };
  }

  async get(transactionId: string): Promise<Decision | undefined> {
    const found = await this.existing(transactionId);
    return found ? Decision.parse(JSON.parse(found.data)) : undefined;
  }

  /**
   * Newest first. Served by the index that narrows most (the customer's, else the outcome's, else
   * time), reading every shard of a sharded index and merging; other criteria are filters.
   */
  /** Not counted here: decisions leave the table after their TTL; the lake's `rule_hit_rates` report counts them. */
  async ruleHits(): Promise<undefined> {
    return undefined;
  }

  async search(query: DecisionQuery): Promise<Decision[]> {
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const filters: string[] = [];
    if (query.rule_id) {
      filters.push("contains(rule_ids, :rule)");
      values[":rule"] = query.rule_id;
    }
    if (query.min_amount !== undefined) {
      filters.push("amount >= :min");
      values[":min"] = query.min_amount;
    }
    if (query.max_amount !== undefined) {
      filters.push("amount <= :max");
      values[":max"] = query.max_amount;
    }
    let index: string;
    let partitions: string[];
    if (query.user_id) {
      index = "byUser";
      names["#k"] = "user_id";
      partitions = [query.user_id];
      if (query.decision) {
        filters.push("#decision = :decision");
        names["#decision"] = "decision";
        values[":decision"] = query.decision;
      }
    } else if (query.decision) {
      index = "byOutcome";
      names["#k"] = "outcome_shard";
      partitions = shards().map((s) => `${query.decision}#${s}`);
    } else {
      index = "byTime";
      names["#k"] = "time_shard";
      partitions = shards().map(String);
    }
    let keyCondition = "#k = :k";
    if (query.before) {
      keyCondition += " AND decided_at < :before";
      values[":before"] = query.before;
    }
    const base: Omit<QueryCommandInput, "ExpressionAttributeValues"> = {
      TableName: this.tables.decisions,
      IndexName: index,
      KeyConditionExpression: keyCondition,
      ExpressionAttributeNames: names,
      ScanIndexForward: false,
      ...(filters.length ? { FilterExpression: filters.join(" AND ") } : {}),
    };
    // The newest `limit` matches of each partition hold the newest `limit` matches overall.
    const newestOf = async (partition: string): Promise<Decision[]> => {
      const found: Decision[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await this.db.send(
          new QueryCommand({ ...base, ExpressionAttributeValues: { ...values, ":k": partition }, ExclusiveStartKey: start, Limit: Math.max(limit, 25) }),
        );
        for (const item of page.Items ?? []) found.push(Decision.parse(JSON.parse(DecisionItem.parse(item).data)));
        start = page.LastEvaluatedKey;
      } while (start && found.length < limit);
      return found.slice(0, limit);
    };
    const merged = (await Promise.all(partitions.map(newestOf))).flat();
    return merged.sort((a, b) => (a.decided_at < b.decided_at ? 1 : a.decided_at > b.decided_at ? -1 : 0)).slice(0, limit);
  }
}

const shards = () => Array.from({ length: DECISION_INDEX_SHARDS }, (_, i) => i);

/** A stable spread of transaction ids over `shards` partitions, the index shards by default (FNV-1a). */
export function shardOf(transactionId: string, shards: number = DECISION_INDEX_SHARDS): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < transactionId.length; i++) {
    h ^= transactionId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shards;
}
