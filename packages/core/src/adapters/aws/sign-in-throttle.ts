import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { type SignInThrottle } from "../../user/ports.ts";
import { throttleEntryLive, throttleExpiry, throttleKeyId, throttleWaitMs, type ThrottleKey } from "../../user/throttle.ts";
import { cancellationCodes, errorName, retryLostRaces, type TableNames } from "./clients.ts";
import { wrap } from "./profile-store.ts";

// In the users table: pk "SIGNIN", sk "user:<name>" or "address:<ip>" -> failures, last_at;
// removed by the table's TTL on `expires_epoch` a day after the last attempt.
const SIGNIN = "SIGNIN";

const Item = z.object({ failures: z.number().int().nonnegative(), last_at: z.string() });
type Item = z.infer<typeof Item>;

/** Tries before an attempt that keeps meeting others' writes is answered "wait" rather than counted. */
const MAX_TRIES = 8;

/**
 * Sign-in attempts in the users table, shared by every Lambda container. An attempt reads its keys
 * and writes the new counts on condition that nobody changed them meanwhile (optimistic
 * concurrency, one transaction for both keys); on a conflict it reads again.
 */
export class AwsSignInThrottle implements SignInThrottle {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, "users">,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private async read(key: ThrottleKey): Promise<Item | undefined> {
    const { Item: item } = await this.db.send(
      new GetCommand({ TableName: this.tables.users, Key: { pk: SIGNIN, sk: throttleKeyId(key) }, ConsistentRead: true }),
    );
    return item ? Item.parse(item) : undefined;
  }

  async attempt(keys: readonly ThrottleKey[]): Promise<{ waitMs: number }> {
    // A lost race: another attempt changed a count since it was read.
    const countChanged = (e: unknown) => errorName(e) === "TransactionCanceledException" && cancellationCodes(e).includes("ConditionalCheckFailed");
    try {
      return await retryLostRaces({ maxAttempts: MAX_TRIES, retryOn: countChanged }, async () => {
        const now = this.clock();
        const stored = await Promise.all(keys.map((k) => this.read(k)));
        // TTL removes items late (up to days): an expired one counts as absent.
        const live = stored.map((s) => (s && throttleEntryLive(s, now) ? s : undefined));
        const waitMs = Math.max(0, ...keys.map((k, j) => throttleWaitMs(k.kind, live[j], now)));
        if (waitMs > 0) return { waitMs };
        const expires = Math.ceil(throttleExpiry(now).getTime() / 1_000);
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: keys.map((k, j) => {
              const seen = stored[j];
              return {
                Put: {
                  TableName: this.tables.users,
                  Item: { pk: SIGNIN, sk: throttleKeyId(k), failures: (live[j]?.failures ?? 0) + 1, last_at: now.toISOString(), expires_epoch: expires },
                  ...(seen
                    ? {
                        ConditionExpression: "failures = :failures AND last_at = :last_at",
                        ExpressionAttributeValues: { ":failures": seen.failures, ":last_at": seen.last_at },
                      }
                    : { ConditionExpression: "attribute_not_exists(sk)" }),
                },
              };
            }),
          }),
        );
        return { waitMs: 0 };
      });
    } catch (e) {
      // Attempts at the same moment kept winning: this one is not checked, and may come back.
      if (countChanged(e)) return { waitMs: 1_000 };
      throw wrap(e);
    }
  }

  async succeeded(keys: readonly ThrottleKey[]): Promise<void> {
    // The dashboard may update but not delete items: a user name's count is set to zero.
    for (const k of keys) {
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tables.users,
            Key: { pk: SIGNIN, sk: throttleKeyId(k) },
            UpdateExpression: k.kind === "user" ? "SET failures = :zero" : "SET failures = failures - :one",
            ConditionExpression: k.kind === "user" ? "attribute_exists(sk)" : "attribute_exists(sk) AND failures > :zero",
            ExpressionAttributeValues: k.kind === "user" ? { ":zero": 0 } : { ":zero": 0, ":one": 1 },
          }),
        );
      } catch (e) {
        if (errorName(e) !== "ConditionalCheckFailedException") throw wrap(e);
      }
    }
  }
}
