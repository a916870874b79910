import { Platform, Settings } from "@fraud/core";
import { DEFAULT_DECISION_TTL_DAYS, type TableNames } from "@fraud/core/aws";
import { z } from "zod";

// The Lambda functions' configuration, set by the stacks (stacks/*.ts), validated once per container.

/** The tables every function is told of: all but the dashboard's test transactions, which only the dashboard may reach. */
type FunctionTable = Exclude<Platform.AwsTable, "tests">;
const FUNCTION_TABLES = Platform.AWS_TABLE_STORES.filter((store): store is FunctionTable => store !== "tests");
type FunctionTableVariable = (typeof Platform.AWS_TABLES)[FunctionTable];

const Tables = z.object(
  Object.fromEntries(FUNCTION_TABLES.map((store) => [Platform.AWS_TABLES[store], z.string().min(1)])) as Record<FunctionTableVariable, z.ZodString>,
);

const Ingest = Tables.extend({
  FRAUD_DECISION_TTL_DAYS: z.coerce.number().int().positive().default(DEFAULT_DECISION_TTL_DAYS),
  // Unset: core's Settings defaults apply.
  FRAUD_CURRENCY: z.string().optional(),
  FRAUD_TIME_ZONE: z.string().optional(),
  FRAUD_LANGUAGE: z.string().optional(),
  FRAUD_COUNTRY: z.string().optional(),
  FRAUD_MAX_AMOUNT: z.coerce.number().optional(),
  FRAUD_BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(16_384),
  // Set by the Api stack when the stage authorises with JWTs (its issuer, its audiences comma-separated).
  FRAUD_JWT_ISSUER: z.url().optional(),
  FRAUD_JWT_AUDIENCE: z.string().optional(),
});

const Consumer = Tables.extend({
  ALERT_TOPIC_ARN: z.string().min(1),
  IDEMPOTENCY_TABLE: z.string().min(1),
  // Set by the Pipeline stack when the stage posts alerts to a webhook; its signing secret is the FRAUD_WEBHOOK_SECRET SST secret.
  FRAUD_ALERT_WEBHOOK_URL: z.url({ protocol: /^https$/ }).optional(),
});
// The outbox forwarder reads the decisions table's change stream (its event source) and writes to the scored-event stream only.
const Outbox = z.object({ FRAUD_STREAM_NAME: z.string().min(1) });
// The lake writer claims each transaction's lake row in the idempotency table.
const LakeWriter = z.object({ IDEMPOTENCY_TABLE: z.string().min(1) });
const Reports = z.object({
  FRAUD_ATHENA_WORKGROUP: z.string().min(1),
  FRAUD_ATHENA_DATABASE: z.string().min(1),
  FRAUD_TABLE_ANALYTICS: z.string().min(1),
  FRAUD_TABLE_AUDIT: z.string().min(1),
});

function parse<T extends z.ZodType>(schema: T, source: NodeJS.ProcessEnv): z.infer<T> {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    throw new Error(`invalid function environment: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}

function tableNames(e: z.infer<typeof Tables>): TableNames {
  return Object.fromEntries(FUNCTION_TABLES.map((store) => [store, e[Platform.AWS_TABLES[store]]])) as TableNames;
}

export function ingestEnv(source: NodeJS.ProcessEnv = process.env) {
  const e = parse(Ingest, source);
  const tables = tableNames(e);
  const settings = Settings.Settings.parse({
    currency: e.FRAUD_CURRENCY,
    timeZone: e.FRAUD_TIME_ZONE,
    maxAmount: e.FRAUD_MAX_AMOUNT,
    language: e.FRAUD_LANGUAGE,
    country: e.FRAUD_COUNTRY,
  });
  const audience = (e.FRAUD_JWT_AUDIENCE ?? "")
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a !== "");
  if (e.FRAUD_JWT_ISSUER && audience.length === 0) throw new Error("invalid function environment: FRAUD_JWT_ISSUER needs FRAUD_JWT_AUDIENCE");
  const jwt = e.FRAUD_JWT_ISSUER ? { issuer: e.FRAUD_JWT_ISSUER, audience } : undefined;
  return { tables, settings, ttlDays: e.FRAUD_DECISION_TTL_DAYS, bodyLimitBytes: e.FRAUD_BODY_LIMIT_BYTES, jwt };
}

export function consumerEnv(source: NodeJS.ProcessEnv = process.env) {
  const e = parse(Consumer, source);
  return { tables: tableNames(e), alertTopicArn: e.ALERT_TOPIC_ARN, idempotencyTable: e.IDEMPOTENCY_TABLE, webhookUrl: e.FRAUD_ALERT_WEBHOOK_URL };
}
export const outboxEnv = (source: NodeJS.ProcessEnv = process.env) => ({ streamName: parse(Outbox, source).FRAUD_STREAM_NAME });
export const lakeWriterEnv = (source: NodeJS.ProcessEnv = process.env) => ({ claimsTable: parse(LakeWriter, source).IDEMPOTENCY_TABLE });
export const reportsEnv = (source: NodeJS.ProcessEnv = process.env) => parse(Reports, source);
