import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { Audit } from "../../audit/audit.ts";
import type { Decision } from "../../decision/decision.ts";
import { VisibleError } from "../../errors/errors.ts";
import { Alert, ALERT_STATUSES, type AlertStatus } from "../../monitoring/monitoring.ts";
import type { AlertInbox } from "../../platform/ports.ts";
import { raisesAlert } from "../../ruleset/ruleset.ts";
import { auditPut } from "./audit.ts";
import { cancellationCodes, conditionFailed, errorName, mergeNewest, retryLostRaces, type TableNames } from "./clients.ts";
import { shardOf } from "./decision-log.ts";
import { wrap } from "./profile-store.ts";
import { type Actor } from "../../user/users.ts";
import { OPEN_ALERT_SHARDS } from "./tables.ts";

const COUNTER = "COUNTER";
/** The item holding one shard of the open count: an alert counts on the shard of its transaction id. */
const openCountKey = (transactionId: string) => `${COUNTER}#${shardOf(transactionId, OPEN_ALERT_SHARDS)}`;
/**
 * What the open count adds up: its shards, and the id counter's item, which holds the open count
 * of a stage whose inbox counted on that one item and is never added to since.
 */
const OPEN_COUNT_KEYS = [COUNTER, ...Array.from({ length: OPEN_ALERT_SHARDS }, (_, s) => `${COUNTER}#${s}`)];
const alertKey = (transactionId: string) => `TX#${transactionId}`;
const Counter = z.object({ next_id: z.number().int().optional(), open_alerts: z.number().int().optional() });
const MAX_ATTEMPTS = 5;

function alertOfItem(item: Record<string, unknown>): Alert {
  const { pk: _pk, ...alert } = item;
  return Alert.parse(alert);
}

/** Another transaction wrote the counter at the same moment, and nothing else went wrong: write again. */
const conflictOnly = (e: unknown) =>
  errorName(e) === "TransactionCanceledException" && cancellationCodes(e).every((c) => c === "None" || c === "TransactionConflict");

/**
 * The alert inbox on DynamoDB: one item per REVIEW/BLOCKED decision (raised by the stream consumer,
 * at most once per transaction), numbered in order from one counter item (one write unit per
 * alert). The open count is spread over OPEN_ALERT_SHARDS items, since every raise and every
 * acknowledgement writes it; the dashboard's badge reads them all. Listing reads the status index
 * newest first (docs/decisions/051-live-counters-spread-over-shards.md).
 */
export class AwsAlertInbox implements AlertInbox {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, "alerts" | "audit">,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async list(query: { status?: AlertStatus; limit?: number }): Promise<Alert[]> {
    const limit = Math.min(Math.max(query.limit ?? 100, 1), 500);
    const statuses = query.status ? [query.status] : ALERT_STATUSES;
    const out: Alert[] = [];
    try {
      for await (const item of mergeNewest(
        this.db,
        statuses.map((s) => ({
          TableName: this.tables.alerts,
          IndexName: "byStatus",
          KeyConditionExpression: "#s = :s",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: { ":s": s },
        })),
        "id",
        Math.max(limit, 25),
      )) {
        out.push(alertOfItem(item));
        if (out.length >= limit) break;
      }
    } catch (e) {
      throw wrap(e);
    }
    return out;
  }

  async forTransaction(transactionId: string): Promise<Alert[]> {
    const { Item } = await this.db
      .send(new GetCommand({ TableName: this.tables.alerts, Key: { pk: alertKey(transactionId) }, ConsistentRead: true }))
      .catch((e: unknown) => Promise.reject(wrap(e)));
    return Item ? [alertOfItem(Item)] : [];
  }

  async acknowledge(id: number, actor: Actor): Promise<void> {
    await retryLostRaces({ maxAttempts: MAX_ATTEMPTS, retryOn: conflictOnly }, async () => {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tables.alerts,
          IndexName: "byStatus",
          KeyConditionExpression: "#s = :open AND id = :id",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: { ":open": "open", ":id": id },
        }),
      );
      const found = page.Items?.[0];
      if (!found) throw new VisibleError("ALERT_NOT_OPEN", `alert ${id} is not open`);
      const at = this.clock().toISOString();
      try {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tables.alerts,
                  Key: { pk: found.pk },
                  UpdateExpression: "SET #s = :acknowledged",
                  ConditionExpression: "#s = :open",
                  ExpressionAttributeNames: { "#s": "status" },
                  ExpressionAttributeValues: { ":acknowledged": "acknowledged", ":open": "open" },
                },
              },
              {
                Update: {
                  TableName: this.tables.alerts,
                  Key: { pk: openCountKey(z.string().parse(found.transaction_id)) },
                  UpdateExpression: "ADD open_alerts :minus",
                  ExpressionAttributeValues: { ":minus": -1 },
                },
              },
              auditPut(this.tables.audit, Audit.alertAcknowledged({ by: actor, at }, id)),
            ],
          }),
        );
      } catch (e) {
        // Someone acknowledged it first (the index read may lag): that is the answer.
        if (conditionFailed(e)) throw new VisibleError("ALERT_NOT_OPEN", `alert ${id} is not open`);
        throw e;
      }
    }).catch((e: unknown) => Promise.reject(wrap(e)));
  }

  async openCount(): Promise<number> {
    const shards = await Promise.all(
      OPEN_COUNT_KEYS.map((pk) => this.db.send(new GetCommand({ TableName: this.tables.alerts, Key: { pk } })).catch((e: unknown) => Promise.reject(wrap(e)))),
    );
    return Math.max(
      0,
      shards.reduce((sum, { Item }) => sum + (Counter.parse(Item ?? {}).open_alerts ?? 0), 0),
    );
  }

  /**
   * Raises the alert of a REVIEW or BLOCKED decision, once per transaction however often the event
   * is delivered. Returns whether this call raised it.
   */
  async raise(decision: Decision): Promise<boolean> {
    if (!raisesAlert(decision.decision)) return false;
    const key = alertKey(decision.transaction_id);
    try {
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.alerts, Key: { pk: key }, ConsistentRead: true }));
      if (Item) return false;
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.alerts,
          Key: { pk: COUNTER },
          UpdateExpression: "ADD next_id :one",
          ExpressionAttributeValues: { ":one": 1 },
          ReturnValues: "UPDATED_NEW",
        }),
      );
      const id = z.object({ next_id: z.number().int().positive() }).parse(Attributes).next_id;
      const alert: Alert = {
        id,
        transaction_id: decision.transaction_id,
        user_id: decision.user_id,
        decision: decision.decision,
        score: decision.score,
        amount: decision.transaction.amount,
        rules: decision.rules.map((r) => r.id),
        created_at: decision.decided_at,
        status: "open",
      };
      return await retryLostRaces({ maxAttempts: MAX_ATTEMPTS, retryOn: conflictOnly }, async () => {
        try {
          await this.db.send(
            new TransactWriteCommand({
              TransactItems: [
                { Put: { TableName: this.tables.alerts, Item: { pk: key, ...alert }, ConditionExpression: "attribute_not_exists(pk)" } },
                {
                  Update: {
                    TableName: this.tables.alerts,
                    Key: { pk: openCountKey(decision.transaction_id) },
                    UpdateExpression: "ADD open_alerts :one",
                    ExpressionAttributeValues: { ":one": 1 },
                  },
                },
              ],
            }),
          );
          return true;
        } catch (e) {
          // Raised by a concurrent delivery of the same event: nothing to do.
          if (conditionFailed(e)) return false;
          throw e;
        }
      });
    } catch (e) {
      throw wrap(e);
    }
  }
}
