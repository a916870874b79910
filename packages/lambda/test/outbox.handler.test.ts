import type { StreamEvent } from "@fraud/core/aws";
import type { Context, DynamoDBStreamEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { createOutboxHandler } from "../src/outbox-app.ts";

const context = { functionName: "outbox", awsRequestId: "req-1", getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

/** A change-stream record of the decisions table as Lambda delivers it (DynamoDB JSON). */
const change = (seq: string, eventName: "INSERT" | "REMOVE", image?: Record<string, { S: string }>) => ({
  eventID: seq,
  eventName,
  eventSource: "aws:dynamodb",
  dynamodb: { SequenceNumber: seq, Keys: { transaction_id: { S: `t-${seq}` } }, ...(image ? { NewImage: image } : {}), StreamViewType: "NEW_IMAGE" },
});
const decisionImage = (id: string, user: string) => ({
  transaction_id: { S: id },
  user_id: { S: user },
  data: { S: JSON.stringify({ transaction_id: id, user_id: user }) },
});

describe("outbox forwarder Lambda", () => {
  it("forwards each new decision as stored, keyed by its customer; reports refused records, counts malformed ones and logs no customer data", async () => {
    const published: StreamEvent[][] = [];
    const metrics: Array<[string, number]> = [];
    const logs: Array<[string, string, unknown]> = [];
    const handler = createOutboxHandler({
      stream: {
        publishBatch: async (events) => {
          published.push([...events]);
          return { failed: [1], errors: [Object.assign(new Error("Rate exceeded for shard"), { name: "ProvisionedThroughputExceededException" })] };
        },
      },
      metrics: {
        addMetric: ((name: string, _unit: unknown, value: number) => void metrics.push([name, value])) as never,
        publishStoredMetrics: (() => undefined) as never,
      },
      logger: {
        error: ((message: string, data: unknown) => void logs.push(["error", message, data])) as never,
        warn: ((message: string, data: unknown) => void logs.push(["warn", message, data])) as never,
        addContext: () => undefined,
      },
    });
    const event = {
      Records: [
        change("101", "INSERT", decisionImage("o-1", "+237690000001")),
        change("102", "REMOVE"),
        change("103", "INSERT", decisionImage("o-2", "+237690000002")),
        change("104", "INSERT", { transaction_id: { S: "o-3" }, user_id: { S: "+237690000003" } }),
      ],
    } as unknown as DynamoDBStreamEvent;

    expect(await handler(event, context)).toEqual({ batchItemFailures: [{ itemIdentifier: "103" }] });
    expect(published).toEqual([
      [
        { partitionKey: "+237690000001", data: JSON.stringify({ transaction_id: "o-1", user_id: "+237690000001" }) },
        { partitionKey: "+237690000002", data: JSON.stringify({ transaction_id: "o-2", user_id: "+237690000002" }) },
      ],
    ]);
    expect(metrics).toEqual([
      ["DecisionsForwarded", 1],
      ["ForwardRefused", 1],
      ["OutboxMalformed", 1],
    ]);
    expect(logs).toEqual([
      ["error", "change-stream record not forwarded", { sequenceNumber: "104", reason: "the new item is not a decision" }],
      ["warn", "scored events refused by Kinesis; Lambda delivers them again", { failed: 1, errors: ["ProvisionedThroughputExceededException"] }],
    ]);
    expect(JSON.stringify(logs)).not.toContain("+237");
  });

  it("calls Kinesis not at all for a batch without a new decision", async () => {
    let calls = 0;
    const handler = createOutboxHandler({
      stream: { publishBatch: async () => ((calls += 1), { failed: [], errors: [] }) },
      metrics: { addMetric: (() => undefined) as never, publishStoredMetrics: (() => undefined) as never },
      logger: { error: () => undefined, warn: () => undefined, addContext: () => undefined },
    });
    expect(await handler({ Records: [change("7", "REMOVE")] } as unknown as DynamoDBStreamEvent, context)).toEqual({ batchItemFailures: [] });
    expect(calls).toBe(0);
  });
});
