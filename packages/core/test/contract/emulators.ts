// The emulators ship no types; the Lambda package's tests compile this file too, so it names them here.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./emulator-modules.d.ts" />
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from "@aws-sdk/client-kinesis";
import dynalite from "dynalite";
import { startFauxqs, type FauxqsServer } from "fauxqs";
import kinesalite from "kinesalite";
import S3rver from "s3rver";
import { startTransactionProxy } from "./dynamo-transactions.ts";
import {
  changeOfDecision,
  createAwsClients,
  createTableInput,
  decodeEvent,
  TABLE_SCHEMAS,
  type AwsClients,
  type TableNames,
} from "../../src/adapters/aws/index.ts";
import type { Decision } from "../../src/decision/decision.ts";

// Local stand-ins for DynamoDB, Kinesis, S3 and SNS, started by the tests on 127.0.0.1 with ports
// the system picks, and stopped after them. Nothing here reaches AWS: credentials are dummies.

const HOST = "127.0.0.1";
const REGION = "eu-west-3";
const CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

async function listen(server: Server): Promise<string> {
  // Clients keep idle connections for a while; a server that closes them first makes a request fail with ECONNRESET.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, HOST, () => resolve());
  });
  return `http://${HOST}:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export interface Emulators {
  clients: AwsClients;
  endpoints: { dynamodb: string; kinesis: string; s3: string; sns: string };
  fauxqs: FauxqsServer;
  s3Bucket: string;
  /** Fresh tables (unique names) with the deployment's key design. */
  createTables(): Promise<Required<TableNames> & { idempotency: string }>;
  createStream(): Promise<string>;
  /** Every record on the stream so far, decoded, with its partition key. */
  readStream(streamName: string): Promise<Array<{ partitionKey: string; decision: Decision }>>;
  /** Every record on the stream so far as Lambda's Kinesis event source delivers them (data in base64). */
  streamRecords(streamName: string): Promise<KinesisRecord[]>;
  /** The change-stream records of a table with a stream (the decisions table), as Lambda delivers them. */
  tableChanges(table: string): unknown[];
  /** The decisions the decisions table's change stream holds, in order: what the outbox forwards. */
  outbox(decisionsTable: string): Decision[];
  stop(): Promise<void>;
}

/** A Kinesis record in the shape of Lambda's event (`KinesisStreamRecord`), with its shard. */
export interface KinesisRecord {
  eventSource: "aws:kinesis";
  eventID: string;
  kinesis: { kinesisSchemaVersion: "1.0"; partitionKey: string; sequenceNumber: string; data: string; approximateArrivalTimestamp: number };
  shardId: string;
}

export async function startEmulators(): Promise<Emulators> {
  const dynamoServer = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const kinesisServer = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, shardLimit: 50 });
  const s3Dir = mkdtempSync(join(tmpdir(), "fraud-s3rver-"));
  const s3Bucket = "fraud-lake-test";
  const s3 = new S3rver({ address: HOST, port: 0, silent: true, directory: s3Dir, configureBuckets: [{ name: s3Bucket }] });
  const [dynaliteUrl, kinesis, s3Address, fauxqs] = await Promise.all([
    listen(dynamoServer),
    listen(kinesisServer),
    s3.run(),
    startFauxqs({ port: 0, host: HOST, logger: false, messageSpies: true, defaultRegion: REGION }),
  ]);
  const transactions = await startTransactionProxy(dynaliteUrl);
  const dynamodb = transactions.url;
  const endpoints = { dynamodb, kinesis, s3: `http://${HOST}:${s3Address.port}`, sns: `http://${HOST}:${fauxqs.port}` };
  // s3rver checks signatures made with its fixed key pair.
  const clients = {
    ...createAwsClients({ region: REGION, credentials: CREDENTIALS, endpoints }),
    s3: createAwsClients({ region: REGION, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" }, endpoints }).s3,
  };
  const rawDynamo = new DynamoDBClient({ region: REGION, credentials: CREDENTIALS, endpoint: dynamodb });

  const streamRecords = async (streamName: string): Promise<KinesisRecord[]> => {
    const { Shards } = await clients.kinesis.send(new ListShardsCommand({ StreamName: streamName }));
    const out: KinesisRecord[] = [];
    for (const shard of Shards ?? []) {
      const { ShardIterator } = await clients.kinesis.send(
        new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: "TRIM_HORIZON" }),
      );
      const { Records } = await clients.kinesis.send(new GetRecordsCommand({ ShardIterator }));
      for (const r of Records ?? [])
        out.push({
          eventSource: "aws:kinesis",
          eventID: `${shard.ShardId}:${r.SequenceNumber}`,
          kinesis: {
            kinesisSchemaVersion: "1.0",
            partitionKey: r.PartitionKey ?? "",
            sequenceNumber: r.SequenceNumber!,
            data: Buffer.from(r.Data!).toString("base64"),
            approximateArrivalTimestamp: (r.ApproximateArrivalTimestamp?.getTime() ?? 0) / 1000,
          },
          shardId: shard.ShardId!,
        });
    }
    return out;
  };

  return {
    clients,
    endpoints,
    fauxqs,
    s3Bucket,
    async createTables() {
      const prefix = `t${randomBytes(4).toString("hex")}`;
      const names = {} as Record<keyof typeof TABLE_SCHEMAS, string>;
      for (const k of Object.keys(TABLE_SCHEMAS) as Array<keyof typeof TABLE_SCHEMAS>) names[k] = `${prefix}-${k}`;
      await Promise.all(
        (Object.keys(TABLE_SCHEMAS) as Array<keyof typeof TABLE_SCHEMAS>).map((k) =>
          rawDynamo.send(new CreateTableCommand(createTableInput(TABLE_SCHEMAS[k], names[k]))),
        ),
      );
      return names;
    },
    async createStream() {
      const name = `decisions-${randomBytes(4).toString("hex")}`;
      await clients.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
      for (let i = 0; i < 50; i++) {
        const { StreamDescriptionSummary: s } = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
        if (s?.StreamStatus === "ACTIVE") return name;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`stream ${name} did not become active`);
    },
    async readStream(streamName) {
      return (await streamRecords(streamName)).map((r) => ({ partitionKey: r.kinesis.partitionKey, decision: decodeEvent(r.kinesis.data) }));
    },
    streamRecords,
    tableChanges: (table) => transactions.changes(table),
    outbox(decisionsTable) {
      return transactions.changes(decisionsTable).flatMap((r) => {
        const change = changeOfDecision(r);
        return change.kind === "decision" ? [decodeEvent(new TextEncoder().encode(change.event.data))] : [];
      });
    },
    async stop() {
      for (const c of Object.values(clients)) c.destroy();
      rawDynamo.destroy();
      await Promise.all([close(transactions.server), close(dynamoServer), close(kinesisServer), s3.close(), fauxqs.stop()]);
      rmSync(s3Dir, { recursive: true, force: true });
    },
  };
}
