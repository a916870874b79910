import { AthenaClient } from "@aws-sdk/client-athena";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import {
  DynamoDBDocumentClient,
  QueryCommand,
  ScanCommand,
  type QueryCommandInput,
  type ScanCommandInput,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsTable } from "../../platform/env.ts";

/** Where the AWS clients connect: the real services, or local emulators in tests. */
export interface AwsClientConfig {
  region?: string;
  /** One endpoint per service, for emulators (dynalite, kinesalite, s3rver, fauxqs). */
  endpoints?: Partial<Record<"dynamodb" | "kinesis" | "s3" | "sns" | "athena", string>>;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface AwsClients {
  dynamo: DynamoDBDocumentClient;
  kinesis: KinesisClient;
  s3: S3Client;
  sns: SNSClient;
  athena: AthenaClient;
}

function base(config: AwsClientConfig, service: keyof NonNullable<AwsClientConfig["endpoints"]>) {
  const endpoint = config.endpoints?.[service];
  return {
    ...(config.region ? { region: config.region } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
  };
}

/** One client per service, created once per Lambda container. */
export function createAwsClients(config: AwsClientConfig = {}): AwsClients {
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(base(config, "dynamodb")), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    dynamo,
    // Kinesis defaults to an HTTP/2 handler (for SubscribeToShard); PutRecord and the emulator need HTTP/1.1.
    kinesis: new KinesisClient({ ...base(config, "kinesis"), requestHandler: new NodeHttpHandler() }),
    s3: new S3Client({
      ...base(config, "s3"),
      forcePathStyle: config.endpoints?.s3 !== undefined,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    }),
    sns: new SNSClient(base(config, "sns")),
    athena: new AthenaClient(base(config, "athena")),
  };
}

/**
 * The DynamoDB tables of a deployment (names from the stack outputs / function environment). The
 * test transactions' table is optional: only the dashboard is given it (see TestDecisionLog).
 */
export type TableNames = Record<Exclude<AwsTable, "tests">, string> & { tests?: string };

/** True for a DynamoDB conditional-check failure or a cancelled transaction. */
export function errorName(e: unknown): string {
  return (e as { name?: string })?.name ?? "";
}

/** The per-item cancellation reasons of a TransactWriteItems that failed. */
export function cancellationCodes(e: unknown): string[] {
  const reasons = (e as { CancellationReasons?: Array<{ Code?: string }> })?.CancellationReasons ?? [];
  return reasons.map((r) => r.Code ?? "None");
}

/** One item of a TransactWriteItems: a change and its audit entry are written as items of one transaction. */
export type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** Whether a transaction was cancelled because the item at `index` no longer met its condition. */
export function conditionFailed(e: unknown, index = 0): boolean {
  return errorName(e) === "TransactionCanceledException" && cancellationCodes(e)[index] === "ConditionalCheckFailed";
}

/**
 * Whether a transaction lost a race: an item changed since it was read (its condition failed) or
 * another transaction was writing it at the same moment. Reading again and retrying is the answer.
 */
export function lostRace(e: unknown): boolean {
  return errorName(e) === "TransactionCanceledException" && cancellationCodes(e).some((c) => c === "ConditionalCheckFailed" || c === "TransactionConflict");
}

/**
 * Optimistic concurrency: runs `attempt` (read, decide, conditional write) again each time it
 * throws an error that `retryOn` calls a lost race, `maxAttempts` times in all. The error of the
 * last attempt, and any other error, propagates.
 */
export async function retryLostRaces<T>(options: { maxAttempts: number; retryOn: (e: unknown) => boolean }, attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (n >= options.maxAttempts || !options.retryOn(e)) throw e;
    }
  }
}

const THROTTLED = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "ServiceUnavailable",
  "InternalServerError",
]);

/** Errors that mean "AWS cannot take this now" (the API answers 503), not a bug. */
export function isUnavailableAws(e: unknown): boolean {
  const err = e as { name?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  return THROTTLED.has(err?.name ?? "") || (err?.$metadata?.httpStatusCode ?? 0) >= 500;
}

/** Every item of a Query, following LastEvaluatedKey page after page. */
export async function queryAll(db: DynamoDBDocumentClient, input: Omit<QueryCommandInput, "ExclusiveStartKey">): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * The items of several Query partitions (each read newest first, ScanIndexForward false) merged
 * into one sequence newest first by `sortKey`, reading a page of a partition only when needed.
 */
export async function* mergeNewest(
  db: DynamoDBDocumentClient,
  inputs: ReadonlyArray<Omit<QueryCommandInput, "ExclusiveStartKey" | "ScanIndexForward">>,
  sortKey: string,
  pageSize = 100,
): AsyncGenerator<Record<string, unknown>> {
  type Head = { input: (typeof inputs)[number]; items: Record<string, unknown>[]; at: number; start?: Record<string, unknown>; done: boolean };
  const heads: Head[] = inputs.map((input) => ({ input, items: [], at: 0, done: false }));
  const fill = async (h: Head) => {
    while (h.at >= h.items.length && !h.done) {
      const page = await db.send(new QueryCommand({ ...h.input, ScanIndexForward: false, Limit: pageSize, ExclusiveStartKey: h.start }));
      h.items = page.Items ?? [];
      h.at = 0;
      h.start = page.LastEvaluatedKey;
      h.done = !h.start;
    }
  };
  await Promise.all(heads.map(fill));
  for (;;) {
    let best: Head | undefined;
    for (const h of heads) {
      if (h.at < h.items.length && (!best || (h.items[h.at]![sortKey] as string | number) > (best.items[best.at]![sortKey] as string | number))) best = h;
    }
    if (!best) return;
    yield best.items[best.at++]!;
    await fill(best);
  }
}

/** Every item of a Scan, following LastEvaluatedKey page after page. */
export async function scanAll(db: DynamoDBDocumentClient, input: Omit<ScanCommandInput, "ExclusiveStartKey">): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
