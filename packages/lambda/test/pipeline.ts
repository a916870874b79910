import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type Decision, Demo, type Platform, Settings } from "@fraud/core";
import { KinesisEventStream, LakeRowClaims, openAwsPlatform, type AwsPlatform } from "@fraud/core/aws";
import type { Context, DynamoDBStreamEvent, FirehoseTransformationEvent, KinesisStreamEvent } from "aws-lambda";
import type { Emulators, KinesisRecord } from "../../core/test/contract/emulators.ts";
import { deliverLikeLambda, faultyKinesis, type PutFault } from "../../core/test/contract/stream-delivery.ts";
import { tickingClock } from "../../core/test/contract/suites.ts";
import { createConsumerHandler } from "../src/consumer-app.ts";
import { createLakeWriter } from "../src/lake-rows.ts";
import { createOutboxHandler } from "../src/outbox-app.ts";

// The AWS pipeline on the emulators, every Lambda driven as its event source drives it: the
// decisions table's change stream into the outbox forwarder, the scored-event stream into the
// consumer (alert inbox, live figures, alert channels) and, through Firehose, into the lake writer.
// Each step takes a fault to inject; the tests check what every consumer did once it all settled.

const NOW = Date.parse("2025-06-15T12:00:00.000Z");
const context = { functionName: "test", awsRequestId: "req-1", getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const quietMetrics = {
  addMetric: () => undefined,
  publishStoredMetrics: () => undefined,
  singleMetric: () => ({
    addDimension() {
      return this;
    },
    addMetric: () => undefined,
  }),
};
const quietLogger = { error: () => undefined, warn: () => undefined, addContext: () => undefined };

/** Faults at each step; each says, for its n-th call (1-based) and the decision concerned, whether it fails. */
export interface Faults {
  /** The forwarder's PutRecords calls to Kinesis. */
  put?: (call: number) => PutFault;
  /** The consumer's alert inbox and live figures: "before" fails without writing, "after" writes then fails. */
  inbox?: (call: number, d: Decision.Decision) => "before" | "after" | undefined;
  metrics?: (call: number, d: Decision.Decision) => "before" | "after" | undefined;
  /** An alert channel's sends (the channel did not take the alert). */
  channel?: (channel: string, call: number) => boolean;
  /** The lake writer's claims: a write that fails, or an invocation that dies once its claims are written. */
  claim?: (call: number) => boolean;
  lakeInvocation?: (call: number) => "after-claims" | undefined;
}

export interface PipelineRun {
  /** The decisions the clients were answered with (recorded, not duplicates). */
  acknowledged: Decision.Decision[];
  /** Transaction ids as many times as each step's effect happened. */
  onStream: string[];
  delivered: Record<string, string[]>;
  lakeRows: string[];
  platform: AwsPlatform;
}

const TRANSACTIONS = Array.from({ length: 18 }, (_, i) => ({
  transaction_id: `pl-${i}`,
  user_id: `user_00${(i % 5) + 1}`,
  amount: i % 3 === 0 ? 6_500 : 80 + i,
  merchant_id: i % 3 === 0 ? "MERCH_SUSPICIOUS" : "MERCH_AMAZON",
  device_id: i % 3 === 0 ? `device_new_${i}` : "device_abc123",
  timestamp: new Date(NOW - 3_600_000 + i * 1_000).toISOString(),
}));

/** Scores the transactions (one client retries one of them), then runs every step until its event source is satisfied. */
export async function runPipeline(emulators: Emulators, faults: Faults): Promise<PipelineRun> {
  const tables = await emulators.createTables();
  const streamName = await emulators.createStream();
  const platform = openAwsPlatform({ tables, settings: Settings.defaultSettings, clients: emulators.clients, clock: tickingClock(NOW), rulesetCacheMs: 0 });
  await Demo.seedDemo(platform, new Date(NOW));

  const acknowledged: Decision.Decision[] = [];
  for (const tx of TRANSACTIONS) {
    const r = await platform.scoring.submit(tx);
    if (r.status === "recorded") acknowledged.push(r.decision);
  }
  if ((await platform.scoring.submit(TRANSACTIONS[4]!)).status !== "duplicate") throw new Error("the retry was not answered as a duplicate");

  // 1. The outbox: the decisions table's change stream, batches of 5, into the forwarder.
  const outbox = createOutboxHandler({
    stream: new KinesisEventStream(faultyKinesis(emulators.clients.kinesis, faults.put ?? (() => undefined)), streamName),
    metrics: quietMetrics as never,
    logger: quietLogger,
  });
  const changes = emulators.tableChanges(tables.decisions) as DynamoDBStreamEvent["Records"];
  await deliverLikeLambda(
    changes,
    (r) => r.dynamodb!.SequenceNumber!,
    (batch) => outbox({ Records: batch }, context),
    { batchSize: 5 },
  );
  const records = await emulators.streamRecords(streamName);

  // 2. The consumer: the scored-event stream, batches of 4.
  const delivered: Record<string, string[]> = { email: [], webhook: [] };
  const calls = { inbox: 0, metrics: 0, email: 0, webhook: 0 };
  const channel = (name: "email" | "webhook"): Platform.Alerter => ({
    channel: name,
    async send(m: Platform.AlertMessage) {
      if (faults.channel?.(name, ++calls[name])) throw new Error(`${name} is down`);
      delivered[name]!.push(m.transaction_id);
    },
  });
  const failing =
    <T>(step: "inbox" | "metrics", write: (d: Decision.Decision) => Promise<T>) =>
    async (d: Decision.Decision): Promise<T> => {
      const fault = faults[step]?.(++calls[step], d);
      if (fault === "before") throw new Error(`${step} unavailable`);
      const out = await write(d);
      if (fault === "after") throw new Error(`${step}: the function stopped after writing`);
      return out;
    };
  const consumer = createConsumerHandler({
    alerters: [channel("email"), channel("webhook")],
    inbox: { raise: failing("inbox", (d) => platform.alerts.raise(d)) },
    liveMetrics: { record: failing("metrics", (d) => platform.metrics.record(d)) },
    persistence: () =>
      new DynamoDBPersistenceLayer({
        tableName: tables.idempotency,
        awsSdkV3Client: new DynamoDBClient({
          region: "eu-west-3",
          endpoint: emulators.endpoints.dynamodb,
          credentials: { accessKeyId: "t", secretAccessKey: "t" },
        }),
      }),
    metrics: quietMetrics as never,
    logger: quietLogger as never,
  });
  await deliverLikeLambda(
    records,
    (r) => r.kinesis.sequenceNumber,
    (batch) => consumer({ Records: batch } as unknown as KinesisStreamEvent, context),
    { batchSize: 4 },
  );

  // 3. The lake: Firehose reads the same stream in batches of 7 and retries an invocation that fails.
  let claimCalls = 0;
  let invocations = 0;
  const claimsDb = {
    send: (async (command: never) => {
      if (faults.claim?.(++claimCalls)) throw Object.assign(new Error("claim not written"), { name: "ProvisionedThroughputExceededException" });
      return emulators.clients.dynamo.send(command);
    }) as never,
  };
  const writer = createLakeWriter({ claims: new LakeRowClaims(claimsDb, tables.idempotency), logger: quietLogger });
  const lakeRows: string[] = [];
  await deliverLikeLambda(
    records,
    (r) => r.kinesis.sequenceNumber,
    async (batch) => {
      const out = await writer(firehoseEvent(batch));
      if (faults.lakeInvocation?.(++invocations) === "after-claims") throw new Error("the lake writer stopped after its claims");
      for (const r of out.records) if (r.result === "Ok") lakeRows.push(JSON.parse(Buffer.from(r.data!, "base64").toString("utf8")).transaction_id);
      return { batchItemFailures: [] };
    },
    { batchSize: 7 },
  );

  return {
    acknowledged,
    onStream: records.map((r) => JSON.parse(Buffer.from(r.kinesis.data, "base64").toString("utf8")).transaction_id),
    delivered,
    lakeRows,
    platform,
  };
}

function firehoseEvent(records: KinesisRecord[]): FirehoseTransformationEvent {
  return {
    invocationId: "i",
    deliveryStreamArn: "arn:aws:firehose:eu-west-3:1:deliverystream/lake",
    region: "eu-west-3",
    records: records.map((r) => ({
      recordId: `${r.kinesis.sequenceNumber}-firehose`,
      approximateArrivalTimestamp: r.kinesis.approximateArrivalTimestamp * 1000,
      data: r.kinesis.data,
      kinesisRecordMetadata: {
        shardId: r.shardId,
        partitionKey: r.kinesis.partitionKey,
        approximateArrivalTimestamp: r.kinesis.approximateArrivalTimestamp * 1000,
        sequenceNumber: r.kinesis.sequenceNumber,
        subsequenceNumber: "0",
      },
    })),
  };
}
