import { PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { errorName } from "./clients.ts";

/** Longer than the stream keeps a record (24 h) and Firehose retries a delivery (24 h). */
const CLAIM_TTL_SECONDS = 7 * 86_400;

/**
 * Which delivery of a decision's event becomes its lake row. The stream may carry one decision's
 * event more than once (the outbox forwarder retries a batch from its first failed record); the
 * first delivery to reach the lake writer claims the transaction, and only that delivery, or
 * Firehose's retry of that same delivery, is kept. The claims live in the idempotency table
 * (key `lake#<transaction id>`, its TTL attribute `expiration`).
 */
export class LakeRowClaims {
  constructor(
    private readonly db: Pick<DynamoDBDocumentClient, "send">,
    private readonly table: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Whether this delivery (`delivery`: the stream record's shard and sequence number) is the one
   * the lake keeps for the transaction. One conditional write; a failure other than a lost claim
   * propagates, so that Firehose retries the batch.
   */
  async keep(transactionId: string, delivery: string): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { id: `lake#${transactionId}`, delivery, expiration: Math.floor(this.clock().getTime() / 1000) + CLAIM_TTL_SECONDS },
          ConditionExpression: "attribute_not_exists(id) OR delivery = :delivery",
          ExpressionAttributeValues: { ":delivery": delivery },
        }),
      );
      return true;
    } catch (e) {
      if (errorName(e) === "ConditionalCheckFailedException") return false;
      throw e;
    }
  }
}
