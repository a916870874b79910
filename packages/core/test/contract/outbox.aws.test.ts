import { DeleteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeOfDecision, forwardDecisionChanges, KinesisEventStream, openAwsPlatform, type StreamEvent } from "../../src/adapters/aws/index.ts";
import { DEMO_RULESET } from "../../src/demo/ruleset.ts";
import { RulesetContent } from "../../src/ruleset/ruleset.ts";
import { defaultSettings } from "../../src/settings/settings.ts";
import { startEmulators, type Emulators } from "./emulators.ts";
import { deliverLikeLambda, faultyKinesis, type PutFault } from "./stream-delivery.ts";
import { tickingClock } from "./suites.ts";

// The decisions table's change stream is the AWS outbox: what the ingest function commits is what
// the forwarder puts on Kinesis, whatever fails between the two.

let emulators: Emulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(async () => {
  await emulators?.stop();
});

const body = (id: string, user = "user-7", amount = 100) => ({
  transaction_id: id,
  user_id: user,
  amount,
  merchant_id: "m-1",
  timestamp: "2025-06-15T11:00:00.000Z",
});

async function recorded(ids: string[]) {
  const tables = await emulators.createTables();
  const p = openAwsPlatform({ tables, settings: defaultSettings, clients: emulators.clients, clock: tickingClock(), rulesetCacheMs: 0 });
  await p.rules.publish((await p.rules.saveDraft(RulesetContent.parse(DEMO_RULESET), { id: "t" })).version, { id: "t" });
  for (const [i, id] of ids.entries()) {
    const r = await p.scoring.submit(body(id, `user-${i % 3}`, i % 4 === 3 ? 9_000 : 100 + i));
    if (r.status !== "recorded") throw new Error(`${id} was ${r.status}`);
  }
  return { p, tables, changes: emulators.tableChanges(tables.decisions) };
}

const sequenceOf = (record: unknown) => {
  const change = changeOfDecision(record);
  if (change.sequenceNumber === undefined) throw new Error("record without a sequence number");
  return change.sequenceNumber;
};

/** Forwards the change stream to a fresh Kinesis stream as Lambda would, with `faultOf` injected into the puts. */
async function forward(changes: unknown[], faultOf: (call: number) => PutFault = () => undefined, batchSize = 100) {
  const streamName = await emulators.createStream();
  const kinesis = faultyKinesis(emulators.clients.kinesis, faultOf);
  const stream = new KinesisEventStream(kinesis, streamName);
  const malformed: string[] = [];
  await deliverLikeLambda(
    changes,
    sequenceOf,
    (batch) => forwardDecisionChanges(batch, { publish: (events) => stream.publishBatch(events), malformed: (_seq, reason) => malformed.push(reason) }),
    { batchSize },
  );
  const onStream = await emulators.readStream(streamName);
  return { onStream, ids: onStream.map((e) => e.decision.transaction_id), malformed, calls: kinesis.calls() };
}

describe("the decisions table's change stream as the outbox", () => {
  it("holds each decision the ingest path wrote, once, and nothing for a retried or a test transaction", async () => {
    const { p, tables } = await recorded(["k-1", "k-2"]);
    expect((await p.scoring.submit(body("k-1", "user-0", 100))).status).toBe("duplicate");
    const testOnly = openAwsPlatform({ tables, settings: defaultSettings, clients: emulators.clients, rulesetCacheMs: 0 });
    await testOnly.scoring.submitTest({ ...body("k-test"), user_id: "user-9" });
    expect(emulators.outbox(tables.decisions)).toEqual([await p.decisions.get("k-1"), await p.decisions.get("k-2")]);
  });

  it("forwards every new decision to Kinesis keyed by its customer, as stored, and nothing for an expiry or a change", async () => {
    const { p, tables } = await recorded(["f-1", "f-2", "f-3"]);
    // A TTL expiry removes the item; a change to an item (none is ever made) is no new decision either.
    await emulators.clients.dynamo.send(new DeleteCommand({ TableName: tables.decisions, Key: { transaction_id: "f-1" } }));
    await emulators.clients.dynamo.send(
      new UpdateCommand({
        TableName: tables.decisions,
        Key: { transaction_id: "f-2" },
        UpdateExpression: "SET note = :n",
        ExpressionAttributeValues: { ":n": "x" },
      }),
    );
    const changes = emulators.tableChanges(tables.decisions);
    expect(changes.map((c) => changeOfDecision(c).kind)).toEqual(["decision", "decision", "decision", "other", "other"]);
    const { onStream, malformed } = await forward(changes);
    expect(malformed).toEqual([]);
    expect(onStream.map((e) => e.decision.transaction_id)).toEqual(["f-1", "f-2", "f-3"]);
    for (const e of onStream.slice(1)) {
      expect(e.partitionKey).toBe(e.decision.user_id);
      expect(e.decision).toEqual(await p.decisions.get(e.decision.transaction_id));
    }
  });

  it("puts every decision on the stream when PutRecords fails whole, before or after reaching Kinesis, and when Kinesis refuses some records", async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `p-${i}`);
    const { changes } = await recorded(ids);
    const faults: Record<string, (call: number) => PutFault> = {
      "fails before it reaches Kinesis": (call) => (call <= 2 ? "fail-before" : undefined),
      "fails after Kinesis took the records": (call) => (call === 1 ? "fail-after" : undefined),
      "is refused for some records": (call) => (call <= 3 ? { refuse: (i) => i % 3 === 1 } : undefined),
    };
    for (const [name, fault] of Object.entries(faults)) {
      const { ids: forwarded, calls } = await forward(changes, fault, 5);
      expect(new Set(forwarded), name).toEqual(new Set(ids));
      expect(calls, name).toBeGreaterThan(3);
    }
    // A put whose answer was lost leaves its records on the stream twice: the consumers' work.
    const lost = await forward(changes, (call) => (call === 1 ? "fail-after" : undefined), 5);
    expect(lost.ids.filter((id) => id === "p-0")).toHaveLength(2);
  });

  it("reports the records Kinesis refused by their sequence numbers, and counts a record that is not a decision without retrying it", async () => {
    const { changes } = await recorded(["r-1", "r-2", "r-3"]);
    const streamName = await emulators.createStream();
    const refusing = new KinesisEventStream(
      faultyKinesis(emulators.clients.kinesis, () => ({ refuse: (i) => i === 1 })),
      streamName,
    );
    const stray = { eventName: "INSERT", dynamodb: { SequenceNumber: "999", NewImage: { transaction_id: { S: "x" } } } };
    const malformed: string[] = [];
    const result = await forwardDecisionChanges([...changes, stray], { publish: (e) => refusing.publishBatch(e), malformed: (seq) => malformed.push(seq) });
    expect(result).toMatchObject({ batchItemFailures: [{ itemIdentifier: sequenceOf(changes[1]) }], forwarded: 2, failed: 1, malformed: 1 });
    expect(malformed).toEqual(["999"]);
    expect((await emulators.readStream(streamName)).map((e) => e.decision.transaction_id)).toEqual(["r-1", "r-3"]);
    await expect(forwardDecisionChanges([{ eventName: "INSERT" }], { publish: async () => ({ failed: [], errors: [] }), malformed: () => {} })).rejects.toThrow(
      /not a change-stream record/,
    );
  });

  it("splits a batch into PutRecords calls of at most 500 records", async () => {
    const streamName = await emulators.createStream();
    const sizes: number[] = [];
    const counting = new KinesisEventStream(
      {
        send: (async (command: { input: { Records?: unknown[] } }) => {
          sizes.push(command.input.Records?.length ?? 0);
          return { Records: (command.input.Records ?? []).map((_, i) => ({ SequenceNumber: String(i), ShardId: "s" })) };
        }) as never,
      },
      streamName,
    );
    const events: StreamEvent[] = Array.from({ length: 1_001 }, (_, i) => ({ partitionKey: `u-${i}`, data: "{}" }));
    expect(await counting.publishBatch(events)).toEqual({ failed: [], errors: [] });
    expect(sizes).toEqual([500, 500, 1]);
  });
});
