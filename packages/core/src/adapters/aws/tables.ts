import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import type { AwsTable } from "../../platform/env.ts";

type FieldType = "string" | "number";
export interface TableSchema {
  fields: Record<string, FieldType>;
  partitionKey: string;
  sortKey?: string;
  indexes?: Record<string, { partitionKey: string; sortKey?: string }>;
  ttl?: string;
  /** The table's change stream (DynamoDB Streams) and what each record holds of the item. */
  stream?: "NEW_IMAGE";
}

/**
 * The key design of every table, in one place: the stacks build the SST tables from it and the
 * contract tests create the same tables in the emulator.
 */
export const TABLE_SCHEMAS = {
  profiles: { fields: { user_id: "string" }, partitionKey: "user_id" },
  // Every version of every ruleset (pk "RULESET", sort key version) and the live pointer (pk "LIVE", version 0).
  rulesets: { fields: { pk: "string", version: "number" }, partitionKey: "pk", sortKey: "version" },
  // Allow/block entries; `lookup` is "field#value" so scoring reads only the entries it needs. Item 0 is the id counter.
  lists: { fields: { id: "number", lookup: "string" }, partitionKey: "id", indexes: { byLookup: { partitionKey: "lookup", sortKey: "id" } } },
  // Outcome and time indexes are spread over DECISION_INDEX_SHARDS partitions each, so that a
  // burst of APPROVED decisions never makes one index partition hot; a search reads them all. Its
  // change stream is the outbox: every decision written reaches the consumers from it
  // (docs/decisions/050-the-decisions-table-stream-is-the-outbox.md).
  decisions: {
    fields: { transaction_id: "string", user_id: "string", outcome_shard: "string", time_shard: "string", decided_at: "string" },
    partitionKey: "transaction_id",
    indexes: {
      byUser: { partitionKey: "user_id", sortKey: "decided_at" },
      byOutcome: { partitionKey: "outcome_shard", sortKey: "decided_at" },
      byTime: { partitionKey: "time_shard", sortKey: "decided_at" },
    },
    ttl: "expires_at",
    stream: "NEW_IMAGE",
  },
  // The dashboard's test transactions, apart from the real ones so no index, stream or consumer
  // sees them: pk the transaction id and sk "DECISION"; a lab run's copies of the customers'
  // profiles under pk the sandbox name and sk "PROFILE#<user id>". Both expire by TTL.
  tests: { fields: { pk: "string", sk: "string" }, partitionKey: "pk", sortKey: "sk", ttl: "expires_at" },
  // Dashboard users and API keys (hashed): pk "USER"/"APIKEY", sk the name/hash; pk "USERID" maps
  // a user's id to its name; pk "SESSION", sk the token's hash, and pk "SIGNIN", sk a user name or
  // an address (sign-in attempts), removed by TTL on expires_epoch.
  users: { fields: { pk: "string", sk: "string" }, partitionKey: "pk", sortKey: "sk", ttl: "expires_epoch" },
  // Append-only: partitioned by day, sorted by time.
  audit: { fields: { day: "string", sk: "string" }, partitionKey: "day", sortKey: "sk" },
  // Review cases: per transaction, sk "CASE" holds the case (decision fields copied, so it outlives
  // the decision's TTL) and sk "EVENT#0000000001"... its history. Only case items carry the index keys.
  reviews: {
    fields: { transaction_id: "string", sk: "string", case_status: "string", assignee: "string", decided_at: "string" },
    partitionKey: "transaction_id",
    sortKey: "sk",
    indexes: { byStatus: { partitionKey: "case_status", sortKey: "decided_at" }, byAssignee: { partitionKey: "assignee", sortKey: "decided_at" } },
  },
  // The alert inbox: pk "TX#<transaction id>" (one alert per decision), pk "COUNTER" the id counter,
  // pk "COUNTER#<shard>" the open count spread over OPEN_ALERT_SHARDS items.
  alerts: { fields: { pk: "string", status: "string", id: "number" }, partitionKey: "pk", indexes: { byStatus: { partitionKey: "status", sortKey: "id" } } },
  // Per-minute figures (pk "MINUTE#<hour>#<shard>", sk "<minute>#<outcome>", LIVE_METRICS_SHARDS
  // partitions an hour), and the "SEEN#<transaction id>"
  // markers that make counting a redelivered event a no-op (removed by TTL).
  metrics: { fields: { pk: "string", sk: "string" }, partitionKey: "pk", sortKey: "sk", ttl: "expires_at" },
  // Saved reports (pk "REPORT", sk name) and backtest results (pk "BACKTEST#<id>"; index by ruleset version).
  analytics: {
    fields: { pk: "string", sk: "string", ruleset: "string", seq: "string" },
    partitionKey: "pk",
    sortKey: "sk",
    indexes: { byRuleset: { partitionKey: "ruleset", sortKey: "seq" } },
  },
  // Powertools idempotency records (its default attribute names).
  idempotency: { fields: { id: "string" }, partitionKey: "id", ttl: "expiration" },
} as const satisfies Record<AwsTable | "idempotency", TableSchema>;

/** Days a decision stays in DynamoDB (duplicate detection, dashboard search); the lake keeps history. */
export const DEFAULT_DECISION_TTL_DAYS = 90;

/** Partitions of the decisions table's outcome and time indexes. */
export const DECISION_INDEX_SHARDS = 10;

/**
 * Partitions each hour of live figures is written to: at 50,000 decisions a minute each takes
 * about 210 of the 1,000 write units a second a partition allows
 * (docs/decisions/051-live-counters-spread-over-shards.md).
 */
export const LIVE_METRICS_SHARDS = 8;

/** Items the alert inbox's open count is spread over, for the same reason. */
export const OPEN_ALERT_SHARDS = 8;

export type TableKey = keyof typeof TABLE_SCHEMAS;

/** CreateTable input for a schema, on-demand: for emulators and scripts, not for deployments. */
export function createTableInput(schema: TableSchema, tableName: string): CreateTableCommandInput {
  const attr = (name: string) => ({ AttributeName: name, AttributeType: schema.fields[name] === "number" ? ("N" as const) : ("S" as const) });
  const keys = (pk: string, sk?: string) => [
    { AttributeName: pk, KeyType: "HASH" as const },
    ...(sk ? [{ AttributeName: sk, KeyType: "RANGE" as const }] : []),
  ];
  const used = new Set(
    [schema.partitionKey, schema.sortKey, ...Object.values(schema.indexes ?? {}).flatMap((i) => [i.partitionKey, i.sortKey])].filter((x): x is string => !!x),
  );
  const indexes = Object.entries(schema.indexes ?? {});
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [...used].map(attr),
    KeySchema: keys(schema.partitionKey, schema.sortKey),
    ...(schema.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: schema.stream } } : {}),
    ...(indexes.length
      ? {
          GlobalSecondaryIndexes: indexes.map(([name, i]) => ({
            IndexName: name,
            KeySchema: keys(i.partitionKey, i.sortKey),
            Projection: { ProjectionType: "ALL" as const },
          })),
        }
      : {}),
  };
}
