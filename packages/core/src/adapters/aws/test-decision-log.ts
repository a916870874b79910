import { GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { Decision } from "../../decision/decision.ts";
import type { RecordResult, TestDecisionLog } from "../../platform/ports.ts";
import { Profile } from "../../profile/profile.ts";
import type { Transaction } from "../../transaction/transaction.ts";
import { errorName, cancellationCodes, type TableNames } from "./clients.ts";
import { profileFromItem, wrap } from "./profile-store.ts";
import { DEFAULT_DECISION_TTL_DAYS } from "./tables.ts";

const StoredItem = z.object({ fingerprint: z.string().optional(), data: z.string() });

/** A sandbox's profiles expire this long after its last test: a lab run lasts seconds. */
const SANDBOX_KEEP_SECONDS = 86_400;

const DECISION_SK = "DECISION";
const profileSk = (userId: string) => `PROFILE#${userId}`;

/**
 * Test transactions in a table of their own (`tests`): the decisions table's indexes (the review
 * queue, the live figures, searches) and the stream (alerts, per-minute figures, the lake) never
 * see them, and the customer's profile is read and never written. Only the dashboard is granted
 * the table (stacks/Web.ts).
 */
export class AwsTestDecisionLog implements TestDecisionLog {
  private readonly ttlSeconds: number;
  private readonly clock: () => Date;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, "decisions" | "profiles"> & { tests: string },
    /** Test decisions stay as long as real ones (`ttlDays`, the decisions table's TTL). */
    options: { ttlDays?: number; clock?: () => Date } = {},
  ) {
    this.ttlSeconds = (options.ttlDays ?? DEFAULT_DECISION_TTL_DAYS) * 86_400;
    this.clock = options.clock ?? (() => new Date());
  }

  async record(...[tx, fingerprint, sandbox, score]: Parameters<TestDecisionLog["record"]>): Promise<RecordResult> {
    try {
      return await this.recordOnce(tx, fingerprint, sandbox, score);
    } catch (e) {
      throw wrap(e);
    }
  }

  private async item(table: string, key: Record<string, string>) {
    const { Item } = await this.db.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
    return Item ? StoredItem.parse(Item) : undefined;
  }

  /** A real decision with this id, or an earlier test: what answers the test instead of scoring it. */
  private async taken(tx: Transaction, fingerprint: string): Promise<RecordResult | undefined> {
    const real = await this.item(this.tables.decisions, { transaction_id: tx.transaction_id });
    if (real) return { status: "conflict", decision: Decision.parse(JSON.parse(real.data)) };
    const test = await this.item(this.tables.tests, { pk: tx.transaction_id, sk: DECISION_SK });
    if (test) return { status: test.fingerprint === fingerprint ? "duplicate" : "conflict", decision: Decision.parse(JSON.parse(test.data)) };
    return undefined;
  }

  private async recordOnce(
    tx: Transaction,
    fingerprint: string,
    sandbox: string | undefined,
    score: Parameters<TestDecisionLog["record"]>[3],
  ): Promise<RecordResult> {
    const taken = await this.taken(tx, fingerprint);
    if (taken) return taken;
    const copy = sandbox === undefined ? undefined : await this.item(this.tables.tests, { pk: sandbox, sk: profileSk(tx.user_id) });
    let profile: Profile | undefined;
    if (copy) profile = Profile.parse(JSON.parse(copy.data));
    else {
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.profiles, Key: { user_id: tx.user_id }, ConsistentRead: true }));
      profile = Item ? profileFromItem(Item) : undefined;
    }
    const { decision: decided, nextProfile, latency_ms } = score(profile);
    const decision: Decision = { ...decided, latency_ms, test: true };
    const put = {
      TableName: this.tables.tests,
      Item: {
        pk: decision.transaction_id,
        sk: DECISION_SK,
        fingerprint,
        data: JSON.stringify(decision),
        expires_at: Math.floor(Date.parse(decision.decided_at) / 1000) + this.ttlSeconds,
      },
      ConditionExpression: "attribute_not_exists(pk)",
    };
    try {
      if (sandbox === undefined) await this.db.send(new PutCommand(put));
      else {
        const sandboxProfile = {
          TableName: this.tables.tests,
          Item: {
            pk: sandbox,
            sk: profileSk(nextProfile.user_id),
            data: JSON.stringify(nextProfile),
            expires_at: Math.floor(this.clock().getTime() / 1000) + SANDBOX_KEEP_SECONDS,
          },
        };
        await this.db.send(new TransactWriteCommand({ TransactItems: [{ Put: put }, { Put: sandboxProfile }] }));
      }
    } catch (e) {
      // The same test, sent twice at once: the one that lost answers with the one that won.
      const lost =
        errorName(e) === "ConditionalCheckFailedException" ||
        (errorName(e) === "TransactionCanceledException" && cancellationCodes(e).includes("ConditionalCheckFailed"));
      const winner = lost ? await this.taken(tx, fingerprint) : undefined;
      if (winner) return winner;
      throw e;
    }
    return { status: "recorded", decision };
  }

  async get(transactionId: string): Promise<Decision | undefined> {
    const found = await this.item(this.tables.tests, { pk: transactionId, sk: DECISION_SK });
    return found ? Decision.parse(JSON.parse(found.data)) : undefined;
  }
}
