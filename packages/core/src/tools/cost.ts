import { streamShardsFor } from "../capacity/index.ts";
import { compileRuleset, RulesetContent } from "../ruleset/ruleset.ts";
import { decide } from "../decision/decision.ts";
import { DEMO_RULESET } from "../demo/ruleset.ts";
import { LAB_CUSTOMERS } from "../demo/scenario.ts";
import { profileFromSummary, applyTransaction } from "../profile/profile.ts";
import { defaultSettings } from "../settings/settings.ts";
import { parseTransaction } from "../transaction/transaction.ts";

/**
 * List prices of the AWS services the deployment uses, US East (N. Virginia), on-demand, without
 * free tiers (a production account has used them up), as published on the pricing pages below and
 * read on 2025-06-01. Paris (eu-west-3, the stacks' default region) lists DynamoDB, Kinesis, S3
 * and CloudWatch Logs some 5-15 % higher: pass `regionUplift` to account for it.
 */
export const PRICES = {
  date: "2025-06-01",
  region: "us-east-1",
  sources: {
    apiGateway: "https://aws.amazon.com/api-gateway/pricing/",
    lambda: "https://aws.amazon.com/lambda/pricing/",
    dynamodb: "https://aws.amazon.com/dynamodb/pricing/on-demand/",
    kinesis: "https://aws.amazon.com/kinesis/data-streams/pricing/",
    firehose: "https://aws.amazon.com/firehose/pricing/",
    s3: "https://aws.amazon.com/s3/pricing/",
    athena: "https://aws.amazon.com/athena/pricing/",
    sns: "https://aws.amazon.com/sns/pricing/",
    cloudwatch: "https://aws.amazon.com/cloudwatch/pricing/",
    xray: "https://aws.amazon.com/xray/pricing/",
    kms: "https://aws.amazon.com/kms/pricing/",
    dataTransfer: "https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer",
    xaf: "https://www.beac.int/ (XAF is pegged to the euro: 1 EUR = 655.957 XAF)",
  },
  /** HTTP API, first 300 million requests of a month. */
  httpApiPerMillion: 1.0,
  lambdaPerMillionRequests: 0.2,
  /** Arm (Graviton) duration. */
  lambdaPerGbSecond: 0.0000133334,
  /** On-demand, after the November 2024 price reduction. */
  dynamoPerMillionWrites: 0.625,
  dynamoPerMillionReads: 0.125,
  dynamoPerGbMonth: 0.25,
  dynamoPitrPerGbMonth: 0.2,
  kinesisPerShardHour: 0.015,
  /** One PUT payload unit is a record of up to 25 KB. */
  kinesisPerMillionPutUnits: 0.014,
  /** Firehose bills ingestion in 5 KB steps per record. */
  firehosePerGbIngested: 0.029,
  firehoseFormatConversionPerGb: 0.018,
  firehoseDynamicPartitioningPerGb: 0.02,
  firehosePerThousandObjects: 0.005,
  s3PerGbMonth: 0.023,
  s3PerThousandPuts: 0.005,
  athenaPerTbScanned: 5.0,
  athenaMinimumBytesPerQuery: 10 * 1024 ** 2,
  snsPerMillionPublishes: 0.5,
  snsEmailPerHundredThousand: 2.0,
  cloudwatchLogsPerGbIngested: 0.5,
  cloudwatchLogsPerGbMonth: 0.03,
  cloudwatchPerCustomMetric: 0.3,
  cloudwatchPerAlarmMetric: 0.1,
  xrayPerMillionTraces: 5.0,
  kmsPerKeyMonth: 1.0,
  kmsPerTenThousandRequests: 0.03,
  dataTransferOutPerGb: 0.09,
  /** Euros per US dollar: an assumption (mid-2025 rates ranged 0.85-0.97); override with usdToXaf. */
  eurPerUsd: 0.9,
  xafPerEur: 655.957,
} as const;

export const HOURS_PER_MONTH = 730;
const DAYS_PER_MONTH = 30.42;
const GB = 1024 ** 3;

/** Sizes and counts per transaction the model rests on; each says where it comes from. */
export interface Workload {
  txPerDay: number;
  peakPerMinute: number;
  /** Bytes of a decision as stored (DynamoDB item): measured on a lab decision. */
  decisionBytes: number;
  /** Bytes of its record on the decision stream (the scored event and its partition key): measured on the same decision. */
  eventBytes: number;
  /** Bytes of a customer profile item: measured on a lab customer after a month of activity. */
  profileBytes: number;
  /** Customers with a profile; the lab's bank has about one per ten daily transactions. */
  customers: number;
  /** Share of decisions that are REVIEW or BLOCKED (the lab's demo ruleset on its traffic: ~5 %). */
  alertShare: number;
  /** Days a decision stays in DynamoDB (the stacks' FRAUD_DECISION_TTL_DAYS). */
  decisionTtlDays: number;
  /** Bytes of a decision in the Parquet lake (zstd/snappy, ~30 columns). */
  lakeRowBytes: number;
  /** Report runs a day, each over `reportDays` days of the lake. */
  reportsPerDay: number;
  reportDays: number;
  /** Average ingest Lambda duration (DynamoDB reads, one transaction), ms. */
  ingestMs: number;
  ingestMemoryMb: number;
}

export function defaultWorkload(txPerDay: number, peakPerMinute: number): Workload {
  const sizes = measuredSizes();
  return {
    txPerDay,
    peakPerMinute,
    decisionBytes: sizes.decisionBytes,
    eventBytes: sizes.eventBytes,
    profileBytes: sizes.profileBytes,
    customers: Math.max(1_000, Math.round(txPerDay / 10)),
    alertShare: 0.05,
    decisionTtlDays: 90,
    lakeRowBytes: 250,
    reportsPerDay: 20,
    reportDays: 30,
    ingestMs: 80,
    ingestMemoryMb: 1024,
  };
}

/** Sizes of a real decision and profile: a lab customer's suspicious transaction, scored by the demo ruleset. */
export function measuredSizes(): { decisionBytes: number; eventBytes: number; profileBytes: number } {
  const c = LAB_CUSTOMERS[0]!;
  const asOf = "2025-06-15T12:00:00.000Z";
  let profile = profileFromSummary({ ...c, account_created: `${c.account_created}T00:00:00.000Z`, as_of: asOf });
  // A month of ordinary activity: about 2 transactions a day.
  for (let i = 0; i < 60; i++) {
    const at = new Date(Date.parse(asOf) - (60 - i) * 12 * 3_600_000).toISOString();
    const p = parseTransaction(
      { user_id: c.user_id, amount: 120, merchant_id: "MERCH_AMAZON", device_id: c.last_device_id, location: c.last_location, timestamp: at },
      { now: new Date(asOf) },
    );
    if (p.ok) profile = applyTransaction(profile, p.transaction, at);
  }
  const tx = parseTransaction(
    {
      transaction_id: "size-probe-0001",
      user_id: c.user_id,
      amount: 6_500,
      merchant_id: "MERCH_SUSPICIOUS",
      merchant_category: "UNKNOWN",
      device_id: "device_unknown",
      location: "Unknown",
      timestamp: asOf,
    },
    { now: new Date(asOf) },
  );
  if (!tx.ok) throw new Error("size probe transaction is not valid");
  const ruleset = compileRuleset({ version: 1, ...RulesetContent.parse(DEMO_RULESET) });
  const out = decide({ tx: tx.transaction, profile, ruleset, lists: [], settings: defaultSettings, decidedAt: asOf });
  // The stored item adds its key and index attributes (~250 bytes) to the JSON; the stream's
  // record is the JSON (the AWS adapter's encodeEvent) with the customer id as partition key.
  const json = Buffer.byteLength(JSON.stringify({ ...out.decision, latency_ms: 12.345 }));
  const decisionBytes = json + 250;
  const eventBytes = json + Buffer.byteLength(c.user_id);
  const profileBytes = Buffer.byteLength(JSON.stringify(out.nextProfile)) + 150;
  return { decisionBytes, eventBytes, profileBytes };
}

export interface CostLine {
  service: string;
  usd: number;
  detail: string;
}

export interface CostEstimate {
  workload: Workload;
  lines: CostLine[];
  totalUsd: number;
  capacity: { kinesisShards: number; peakPerSecond: number; ingestConcurrency: number; peakWriteUnitsPerSecond: number };
  /** What must change in the stage parameters or the account before this load. */
  warnings: string[];
}

const kb = (bytes: number) => Math.ceil(bytes / 1024);
const money = (n: number) => Math.round(n * 100) / 100;

/** Monthly AWS cost of the deployment in `stacks/` for a load, by service, in USD. */
export function estimateMonthlyCost(w: Workload, options: { regionUplift?: number; apiRatePerSecond?: number } = {}): CostEstimate {
  const P = PRICES;
  const up = options.regionUplift ?? 1;
  const tx = w.txPerDay * DAYS_PER_MONTH;
  const peakPerSecond = w.peakPerMinute / 60;
  const alerts = tx * w.alertShare;
  const lines: CostLine[] = [];
  const add = (service: string, usd: number, detail: string) => lines.push({ service, usd: money(usd * up), detail });

  add("API Gateway (HTTP API)", (tx / 1e6) * P.httpApiPerMillion, `${fmt(tx)} requests`);

  // Lambda: ingest per request; the outbox forwarder and the consumer per batch (up to 100 records,
  // 1 s window; the forwarder reads the decisions table's change stream, whose reads by Lambda are
  // free); lake writer per Firehose buffer (1 MB or 60 s); the dashboard's server functions for a
  // small team.
  const avgPerSecond = tx / (DAYS_PER_MONTH * 86_400);
  const shards = streamShardsFor(w.peakPerMinute, w.eventBytes);
  const recordsPerBatch = Math.min(100, Math.max(1, avgPerSecond / shards));
  const consumerInvocations = tx / recordsPerBatch;
  const forwarderInvocations = consumerInvocations;
  const lakeWriterInvocations = Math.max((tx * w.decisionBytes) / 1024 ** 2, DAYS_PER_MONTH * 1_440);
  const dashboardRequests = 50_000;
  const gbSeconds =
    tx * (w.ingestMs / 1000) * (w.ingestMemoryMb / 1024) +
    consumerInvocations * ((40 + 4 * recordsPerBatch) / 1000) * 0.5 +
    forwarderInvocations * ((30 + 0.2 * recordsPerBatch) / 1000) * 0.25 +
    lakeWriterInvocations * 0.2 * 0.25 +
    dashboardRequests * 0.3 * 1;
  const invocations = tx + forwarderInvocations + consumerInvocations + lakeWriterInvocations + dashboardRequests;
  add(
    "Lambda",
    (invocations / 1e6) * P.lambdaPerMillionRequests + gbSeconds * P.lambdaPerGbSecond,
    `${fmt(invocations)} invocations, ${fmt(gbSeconds)} GB-s (Arm)`,
  );

  // DynamoDB per decision: consistent reads of the decision id and the profile, list lookups on the
  // index (4 keys, eventually consistent); one transaction of two items (transactional writes cost
  // double) and three index copies of the decision (projection ALL).
  const decisionKb = kb(w.decisionBytes);
  const profileKb = kb(w.profileBytes);
  const readsPerTx = 1 + Math.ceil(w.profileBytes / 4096) + 4 * 0.5;
  const writesPerTx = 2 * decisionKb + 2 * profileKb + 3 * decisionKb;
  // The stream consumer: the live figures' "counted" marker and minute counter in one transaction
  // per decision, and the lake writer's claim on the row; per alert, the id counter, then the alert
  // and the open count in one transaction, and the alert's status-index copy.
  const consumerWritesPerTx = 2 * 2 + 1;
  const alertWrites = alerts * (1 + 2 * 2 + 1);
  const decisionGb = (w.txPerDay * w.decisionTtlDays * w.decisionBytes * 4) / GB;
  const profileGb = (w.customers * w.profileBytes) / GB;
  const storedGb = decisionGb + profileGb;
  add(
    "DynamoDB (on-demand)",
    ((tx * (writesPerTx + consumerWritesPerTx) + alertWrites) / 1e6) * P.dynamoPerMillionWrites +
      ((tx * readsPerTx) / 1e6) * P.dynamoPerMillionReads +
      storedGb * (P.dynamoPerGbMonth + P.dynamoPitrPerGbMonth),
    `${writesPerTx + consumerWritesPerTx} WRU + ${readsPerTx} RRU per decision; ${storedGb.toFixed(1)} GB kept ${w.decisionTtlDays} days, with PITR`,
  );

  add(
    "Kinesis Data Streams",
    shards * HOURS_PER_MONTH * P.kinesisPerShardHour + (tx / 1e6) * P.kinesisPerMillionPutUnits,
    `${shards} shard(s), ${fmt(tx)} PUT units`,
  );

  const firehoseGb = (tx * Math.ceil(w.decisionBytes / 5120) * 5120) / GB;
  const objects = Math.max(DAYS_PER_MONTH * 24 * 12, (tx * w.lakeRowBytes) / (64 * 1024 ** 2));
  add(
    "Data Firehose (Parquet, dt= partitions)",
    firehoseGb * (P.firehosePerGbIngested + P.firehoseFormatConversionPerGb + P.firehoseDynamicPartitioningPerGb) +
      (objects / 1000) * P.firehosePerThousandObjects,
    `${firehoseGb.toFixed(1)} GB billed (5 KB steps), ${fmt(objects)} files`,
  );

  // S3: a year of lake kept in Standard on average, the files Firehose writes, Athena results.
  const lakeGbPerMonth = (tx * w.lakeRowBytes) / GB;
  add(
    "S3 (lake)",
    lakeGbPerMonth * 12 * P.s3PerGbMonth + ((objects + w.reportsPerDay * DAYS_PER_MONTH) / 1000) * P.s3PerThousandPuts,
    `${(lakeGbPerMonth * 12).toFixed(1)} GB after a year`,
  );

  const bytesPerReport = Math.max(P.athenaMinimumBytesPerQuery, w.txPerDay * w.reportDays * w.lakeRowBytes);
  const scannedTb = (w.reportsPerDay * DAYS_PER_MONTH * bytesPerReport) / 1024 ** 4;
  add("Athena", scannedTb * P.athenaPerTbScanned, `${fmt(w.reportsPerDay * DAYS_PER_MONTH)} reports, ${(scannedTb * 1024).toFixed(1)} GB scanned`);

  add(
    "SNS (alerts by email)",
    (alerts / 1e6) * P.snsPerMillionPublishes + (alerts / 1e5) * P.snsEmailPerHundredThousand,
    `${fmt(alerts)} REVIEW/BLOCKED alerts`,
  );

  // CloudWatch: Lambda and API access logs (~0.5 KB per request each), EMF documents per batch,
  // nine custom metrics, ten alarms (the BLOCKED-rate and outbox-failure alarms read three metrics each).
  const logGb = (tx * 1024 + (consumerInvocations + forwarderInvocations) * 2048) / GB;
  add(
    "CloudWatch (logs, metrics, alarms)",
    logGb * (P.cloudwatchLogsPerGbIngested + P.cloudwatchLogsPerGbMonth) + 9 * P.cloudwatchPerCustomMetric + 14 * P.cloudwatchPerAlarmMetric,
    `${logGb.toFixed(1)} GB logs`,
  );

  // X-Ray's default sampling: the first request each second, then 5 %.
  const seconds = DAYS_PER_MONTH * 86_400;
  const traces = Math.min(tx, seconds * Math.min(1, avgPerSecond)) + Math.max(0, tx - seconds) * 0.05;
  add("X-Ray", (traces / 1e6) * P.xrayPerMillionTraces, `${fmt(traces)} traces`);

  // KMS: one key; services cache data keys for minutes, so requests follow containers, not records.
  const kmsRequests = 100_000 + tx * 0.01;
  add("KMS", P.kmsPerKeyMonth + (kmsRequests / 10_000) * P.kmsPerTenThousandRequests, `1 key, ~${fmt(kmsRequests)} requests`);

  add("Data transfer out", ((tx * 1024) / GB) * P.dataTransferOutPerGb, "API responses (~1 KB each)");

  const concurrency = Math.ceil(peakPerSecond * (w.ingestMs / 1000) * 1.5);
  const peakWriteUnitsPerSecond = Math.ceil(peakPerSecond * writesPerTx);
  const warnings: string[] = [];
  const apiRate = options.apiRatePerSecond ?? 500;
  if (peakPerSecond > apiRate)
    warnings.push(`peak ${Math.ceil(peakPerSecond)} req/s exceeds the API throttle of ${apiRate}/s: raise FRAUD_API_RATE and FRAUD_API_BURST`);
  if (shards > 1)
    warnings.push(
      `deploy with FRAUD_PEAK_PER_MINUTE=${Math.ceil(w.peakPerMinute)}: the stream gets ${shards} shards (1 takes 1,000 records or 1 MiB a second)`,
    );
  if (concurrency > 800)
    warnings.push(`about ${concurrency} concurrent ingest functions at peak: ask AWS to raise the account's Lambda concurrency (1,000 by default)`);
  if (peakWriteUnitsPerSecond > 4_000)
    warnings.push(`${peakWriteUnitsPerSecond} write units/s at peak: pre-warm the tables' on-demand throughput (new tables start at 4,000/s)`);
  if (alerts / DAYS_PER_MONTH > 500)
    warnings.push(`${fmt(alerts / DAYS_PER_MONTH)} alert emails a day is more than a team reads: route alerts to the review queue or a webhook instead`);
  const totalUsd = money(lines.reduce((s, l) => s + l.usd, 0));
  return {
    workload: w,
    lines,
    totalUsd,
    capacity: { kinesisShards: shards, peakPerSecond: Math.ceil(peakPerSecond), ingestConcurrency: concurrency, peakWriteUnitsPerSecond },
    warnings,
  };
}

export function usdToXaf(usd: number, rate = PRICES.xafPerEur * PRICES.eurPerUsd): number {
  return Math.round(usd * rate);
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}
