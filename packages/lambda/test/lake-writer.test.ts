import { Demo, Settings } from "@fraud/core";
import { LakeRowClaims, openAwsPlatform, type AwsPlatform } from "@fraud/core/aws";
import type { FirehoseTransformationEvent, FirehoseTransformationEventRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulators, type Emulators } from "../../core/test/contract/emulators.ts";
import { tickingClock } from "../../core/test/contract/suites.ts";
import { createLakeWriter } from "../src/lake-rows.ts";

const NOW = Date.parse("2025-06-15T12:00:00.000Z");
const silent = { error: () => undefined };

let emulators: Emulators;
let platform: AwsPlatform;
let tables: Awaited<ReturnType<Emulators["createTables"]>>;
beforeAll(async () => {
  emulators = await startEmulators();
  tables = await emulators.createTables();
  platform = openAwsPlatform({ tables, settings: Settings.defaultSettings, clients: emulators.clients, clock: tickingClock(NOW), rulesetCacheMs: 0 });
  await Demo.seedDemo(platform, new Date(NOW));
  for (const [id, user, amount] of [
    ["lw-1", "user_001", 120],
    ["lw-2", "user_002", 6_500],
  ] as const) {
    const r = await platform.scoring.submit({
      transaction_id: id,
      user_id: user,
      amount,
      merchant_id: "MERCH_SUSPICIOUS",
      timestamp: "2025-06-15T11:01:00.000Z",
    });
    if (r.status !== "recorded") throw new Error(r.status);
  }
});
afterAll(async () => {
  await emulators?.stop();
});

/** A Firehose record read from the decision stream (KinesisStreamAsSource): the Kinesis record's shard and sequence number come with it. */
async function record(recordId: string, transactionId: string, sequenceNumber: string): Promise<FirehoseTransformationEventRecord> {
  return {
    recordId,
    approximateArrivalTimestamp: NOW,
    data: Buffer.from(JSON.stringify(await platform.decisions.get(transactionId))).toString("base64"),
    kinesisRecordMetadata: { shardId: "shardId-000000000000", partitionKey: "p", approximateArrivalTimestamp: NOW, sequenceNumber, subsequenceNumber: "0" },
  };
}
const event = (records: FirehoseTransformationEventRecord[]): FirehoseTransformationEvent => ({
  invocationId: "i",
  deliveryStreamArn: "arn:aws:firehose:eu-west-3:1:deliverystream/lake",
  region: "eu-west-3",
  records,
});
const rowOf = (data: string) => JSON.parse(Buffer.from(data, "base64").toString("utf8"));

describe("lake writer Lambda (Firehose transformation)", () => {
  it("turns each scored event into its lake row with its day partition, and fails bad records", async () => {
    const writer = createLakeWriter({ claims: new LakeRowClaims(emulators.clients.dynamo, tables.idempotency), logger: silent });
    const bad = { recordId: "b", approximateArrivalTimestamp: NOW, data: Buffer.from("{}").toString("base64") };
    const out = await writer(event([await record("a", "lw-2", "100"), bad]));
    expect(out.records[0]).toMatchObject({ recordId: "a", result: "Ok", metadata: { partitionKeys: { dt: "2025-06-15" } } });
    expect(rowOf(out.records[0]!.data!)).toMatchObject({
      transaction_id: "lw-2",
      decision: "BLOCKED",
      user_id: "user_002",
      timestamp: Date.parse("2025-06-15T11:01:00.000Z"),
    });
    expect(out.records[1]).toMatchObject({ recordId: "b", result: "ProcessingFailed", data: bad.data });
  });

  it("keeps one row per transaction: another delivery of the decision is dropped, Firehose's retry of the same delivery is kept", async () => {
    const claimsTable = (await emulators.createTables()).idempotency;
    const writer = createLakeWriter({ claims: new LakeRowClaims(emulators.clients.dynamo, claimsTable), logger: silent });
    const first = await writer(event([await record("a", "lw-1", "200"), await record("b", "lw-1", "201"), await record("c", "lw-2", "202")]));
    expect(first.records.map((r) => r.result)).toEqual(["Ok", "Dropped", "Ok"]);
    // Firehose retries an invocation with the same records; a later batch brings a duplicate put.
    const retried = await writer(event([await record("a", "lw-1", "200"), await record("d", "lw-2", "305")]));
    expect(retried.records.map((r) => r.result)).toEqual(["Ok", "Dropped"]);
    expect(rowOf(retried.records[0]!.data!)).toEqual(rowOf(first.records[0]!.data!));
  });

  it("fails the whole batch when a claim cannot be written, and writes each row once when Firehose retries it", async () => {
    const claimsTable = (await emulators.createTables()).idempotency;
    let puts = 0;
    const flaky = {
      send: (async (command: never) => {
        if (++puts === 2) throw Object.assign(new Error("throttled"), { name: "ProvisionedThroughputExceededException" });
        return emulators.clients.dynamo.send(command);
      }) as never,
    };
    const writer = createLakeWriter({ claims: new LakeRowClaims(flaky, claimsTable), logger: silent });
    const batch = event([await record("a", "lw-1", "400"), await record("b", "lw-2", "401"), await record("c", "lw-1", "402")]);
    await expect(writer(batch)).rejects.toThrow(/throttled/);
    const kept = (await writer(batch)).records.filter((r) => r.result === "Ok").map((r) => rowOf(r.data!).transaction_id);
    expect(kept.sort()).toEqual(["lw-1", "lw-2"]);
    // The claim the first attempt wrote is the one kept: another delivery of lw-1 gets no row.
    expect(await new LakeRowClaims(emulators.clients.dynamo, claimsTable).keep("lw-1", "shardId-000000000000/999")).toBe(false);
  });
});
