import { z } from "zod";
import { DEPLOYMENTS } from "./platform.ts";
import { DEFAULT_REPORT_LIMITS, type ReportLimits } from "../report/report.ts";
import { Settings } from "../settings/settings.ts";
import { LOG_LEVELS } from "../telemetry/log-levels.ts";
import { SessionLifetime } from "../user/users.ts";
import { WebhookSecrets } from "../monitoring/webhook.ts";

/** SQLite's page cache per connection unless FRAUD_SQLITE_CACHE_MB says otherwise (MiB); docs/decisions/019-sqlite-page-cache-and-page-size.md. */
export const DEFAULT_SQLITE_CACHE_MB = 64;

/**
 * The AWS deployment's DynamoDB tables, one per store: the stacks create them, the adapters' key
 * designs (TABLE_SCHEMAS) and the environment that names them (AWS_TABLES) follow this list.
 */
export const AWS_TABLE_STORES = ["profiles", "rulesets", "lists", "decisions", "users", "audit", "reviews", "alerts", "metrics", "analytics", "tests"] as const;
export type AwsTable = (typeof AWS_TABLE_STORES)[number];
type AwsTableVariable = `FRAUD_TABLE_${Uppercase<AwsTable>}`;

/** The environment variable that names each AWS table, as the stacks set it and the adapters read it. */
export const AWS_TABLES = Object.fromEntries(AWS_TABLE_STORES.map((store) => [store, `FRAUD_TABLE_${store.toUpperCase()}`])) as {
  [K in AwsTable]: `FRAUD_TABLE_${Uppercase<K>}`;
};

/** The site's own origin as people reach it (scheme, host, port), with nothing after it. */
const PublicOrigin = z
  .url({ protocol: /^https?$/ })
  .refine((v) => {
    if (!URL.canParse(v)) return true; // z.url has said so already
    const u = new URL(v);
    return u.pathname === "/" && !u.search && !u.hash && !u.username && !u.password;
  }, "must be an origin such as https://fraud.example.com, without a path")
  .transform((v) => new URL(v).origin);

/** A comma-separated list of IP addresses or CIDR ranges. */
const AddressList = z
  .string()
  .transform((v) =>
    v
      .split(",")
      .map((a) => a.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], { error: "must be IP addresses or CIDR ranges, separated by commas" })));

const Env = z.object({
  PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  FRAUD_DATA_DIR: z.string().min(1).default("./.data"),
  FRAUD_API_KEY: z.string().min(16, "must be at least 16 characters").optional(),
  FRAUD_ADMIN_PASSWORD: z.string().min(10, "must be at least 10 characters").optional(),
  FRAUD_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default("XAF"),
  FRAUD_TIME_ZONE: z.string().default("Africa/Douala"),
  /** The language the shipped rules are named in when `fraud seed` publishes them (fr or en). */
  FRAUD_LANGUAGE: z.string().default("fr"),
  /** The deployment's country (ISO 3166-1 alpha-2): where the demo customers live. */
  FRAUD_COUNTRY: z.string().default("CM"),
  FRAUD_MAX_AMOUNT: z.coerce.number().positive().default(1e12),
  /** FULL: every acknowledged decision survives a power cut (one fsync each); NORMAL: survives process crashes. */
  FRAUD_SQLITE_SYNC: z.enum(["NORMAL", "FULL"]).default("NORMAL"),
  /** SQLite's page cache per connection (MiB): the customers' profiles and the indexes a decision touches stay in memory. */
  FRAUD_SQLITE_CACHE_MB: z.coerce.number().int().min(2).max(4_096).default(DEFAULT_SQLITE_CACHE_MB),
  FRAUD_LAKE_FLUSH_SECONDS: z.coerce.number().positive().default(5),
  FRAUD_LAKE_FLUSH_RECORDS: z.coerce.number().int().positive().default(20_000),
  FRAUD_BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(16_384),
  /** Requests per second per API key (bursts of twice that). */
  FRAUD_RATE_LIMIT_PER_S: z.coerce.number().positive().default(20_000),
  /** Where REVIEW and BLOCKED alerts are POSTed as JSON; none when unset. */
  FRAUD_ALERT_WEBHOOK_URL: z.url().optional(),
  /**
   * What alert webhooks are signed with (`whsec_...`; while rotating, the new secret, a space and
   * the old one); generated on first start when unset (docs/alerts.md).
   */
  FRAUD_WEBHOOK_SECRET: WebhookSecrets.optional(),
  /** Serve the dashboard next to the API (off: API only, for ingest-only nodes). */
  FRAUD_DASHBOARD: z.enum(["on", "off"]).default("on"),
  /** Score and record transactions in a thread of the server's own (off: on its event loop, as before). */
  FRAUD_SCORING_THREAD: z.enum(["on", "off"]).default("on"),
  /** DuckDB's memory limit for one report (MB), in the report's own process; past it: REPORT_MEMORY_LIMIT. */
  FRAUD_REPORT_MEMORY_MB: z.coerce.number().int().min(64).max(1_048_576).default(DEFAULT_REPORT_LIMITS.memoryMb),
  /** A report running longer is stopped and its process ended (ms). */
  FRAUD_REPORT_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(DEFAULT_REPORT_LIMITS.timeoutMs),
  /** DuckDB threads per report. */
  FRAUD_REPORT_THREADS: z.coerce.number().int().min(1).max(256).default(DEFAULT_REPORT_LIMITS.threads),
  /** Reports that run at once (one process each), and how many more may wait; beyond: REPORTS_BUSY. */
  FRAUD_REPORT_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(DEFAULT_REPORT_LIMITS.concurrency),
  FRAUD_REPORT_QUEUE: z.coerce.number().int().min(0).max(1_000).default(DEFAULT_REPORT_LIMITS.queue),
  /** Where `fraud simulate` sends transactions; defaults to the local server. */
  FRAUD_API_URL: z.url().optional(),
  /** A dashboard session ends after this many minutes without a request... */
  FRAUD_SESSION_IDLE_MINUTES: z.coerce
    .number()
    .positive()
    .max(24 * 60)
    .default(30),
  /** ...and this many hours after sign-in in any case. */
  FRAUD_SESSION_MAX_HOURS: z.coerce
    .number()
    .positive()
    .max(30 * 24)
    .default(12),
  /**
   * The site's public origin when a reverse proxy serves it (https://fraud.example.com): with
   * https, every request counts as secure (Secure session cookie, Strict-Transport-Security).
   */
  FRAUD_PUBLIC_URL: PublicOrigin.optional(),
  /** Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed; from any other client they are replaced. */
  FRAUD_TRUSTED_PROXY: AddressList.default([]),
  /** The least severe log events written (docs/operations.md#logs). */
  FRAUD_LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  /** GET /api/ready answers 503 OUTBOX_BEHIND when a decision has waited longer than this for the worker (seconds). */
  FRAUD_READY_MAX_OUTBOX_AGE_S: z.coerce.number().positive().max(86_400).default(60),
  /** Where traces are sent (OTLP over HTTP, OpenTelemetry's standard variable); no tracing when unset. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  /** The share of decisions traced (0 to 1), unless the caller's traceparent header says whether to trace. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
  /** Which platform the dashboard opens: the embedded one (SQLite, DuckDB) or the AWS stores (set by stacks/Web.ts). */
  FRAUD_DEPLOYMENT: z.enum(DEPLOYMENTS).default("local"),
  // The AWS stores (FRAUD_DEPLOYMENT=aws only), named by stacks/Core.ts and Lake.ts.
  ...(Object.fromEntries(Object.values(AWS_TABLES).map((variable) => [variable, z.string().min(1).optional()])) as Record<
    AwsTableVariable,
    z.ZodOptional<z.ZodString>
  >),
  FRAUD_DECISION_TTL_DAYS: z.coerce.number().int().positive().default(90),
  FRAUD_LAKE_BUCKET: z.string().min(1).optional(),
  FRAUD_ATHENA_WORKGROUP: z.string().min(1).optional(),
  FRAUD_ATHENA_DATABASE: z.string().min(1).optional(),
});

/** The environment naming every table: what the stacks give the functions, and tests against emulators use. */
export function awsTableEnvironment(tables: Record<AwsTable, string>): Record<AwsTableVariable, string> {
  return Object.fromEntries(AWS_TABLE_STORES.map((store) => [AWS_TABLES[store], tables[store]])) as Record<AwsTableVariable, string>;
}

const AWS_REQUIRED = [...Object.values(AWS_TABLES), "FRAUD_LAKE_BUCKET", "FRAUD_ATHENA_WORKGROUP", "FRAUD_ATHENA_DATABASE"] as const;

/** Where the AWS platform's stores are, when the deployment is `aws`. */
export interface AwsDeploymentEnv {
  tables: Record<AwsTable, string>;
  decisionTtlDays: number;
  lakeBucket: string;
  athena: { workGroup: string; database: string };
}
export type Env = z.infer<typeof Env> & { settings: Settings; sessionLifetime: SessionLifetime; reportLimits: ReportLimits; aws?: AwsDeploymentEnv };

/** The environment variable each setting is read from, to name it in an error. */
const SETTING_VARIABLES: Record<string, string> = {
  currency: "FRAUD_CURRENCY",
  timeZone: "FRAUD_TIME_ZONE",
  maxAmount: "FRAUD_MAX_AMOUNT",
  language: "FRAUD_LANGUAGE",
  country: "FRAUD_COUNTRY",
};

let cached: Env | undefined;

/** The environment, validated once; the only place that reads process.env. */
export function env(source: NodeJS.ProcessEnv = process.env): Env {
  if (source === process.env && cached) return cached;
  const parsed = Env.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid settings in the environment:\n${lines.join("\n")}`);
  }
  const settingsParsed = Settings.safeParse({
    currency: parsed.data.FRAUD_CURRENCY,
    timeZone: parsed.data.FRAUD_TIME_ZONE,
    maxAmount: parsed.data.FRAUD_MAX_AMOUNT,
    language: parsed.data.FRAUD_LANGUAGE,
    country: parsed.data.FRAUD_COUNTRY,
  });
  if (!settingsParsed.success) {
    const lines = settingsParsed.error.issues.map((i) => `  ${SETTING_VARIABLES[String(i.path[0])] ?? i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid settings in the environment:\n${lines.join("\n")}`);
  }
  const settings = settingsParsed.data;
  const lifetime = SessionLifetime.safeParse({
    idleMs: Math.round(parsed.data.FRAUD_SESSION_IDLE_MINUTES * 60_000),
    maxMs: Math.round(parsed.data.FRAUD_SESSION_MAX_HOURS * 3_600_000),
  });
  if (!lifetime.success) throw new Error("invalid settings in the environment:\n  FRAUD_SESSION_IDLE_MINUTES: must not be longer than FRAUD_SESSION_MAX_HOURS");
  // The lake's buffer holds decisions this long on purpose: readiness must not count it as falling behind.
  if (parsed.data.FRAUD_READY_MAX_OUTBOX_AGE_S <= parsed.data.FRAUD_LAKE_FLUSH_SECONDS)
    throw new Error("invalid settings in the environment:\n  FRAUD_READY_MAX_OUTBOX_AGE_S: must be longer than FRAUD_LAKE_FLUSH_SECONDS");
  const e = parsed.data;
  let aws: AwsDeploymentEnv | undefined;
  if (e.FRAUD_DEPLOYMENT === "aws") {
    const missing = AWS_REQUIRED.filter((k) => e[k] === undefined);
    if (missing.length) throw new Error(`invalid settings in the environment:\n${missing.map((k) => `  ${k}: required when FRAUD_DEPLOYMENT=aws`).join("\n")}`);
    const tables = Object.fromEntries(AWS_TABLE_STORES.map((store) => [store, e[AWS_TABLES[store]]!])) as AwsDeploymentEnv["tables"];
    aws = {
      tables,
      decisionTtlDays: e.FRAUD_DECISION_TTL_DAYS,
      lakeBucket: e.FRAUD_LAKE_BUCKET!,
      athena: { workGroup: e.FRAUD_ATHENA_WORKGROUP!, database: e.FRAUD_ATHENA_DATABASE! },
    };
  }
  const reportLimits: ReportLimits = {
    memoryMb: e.FRAUD_REPORT_MEMORY_MB,
    timeoutMs: e.FRAUD_REPORT_TIMEOUT_MS,
    threads: e.FRAUD_REPORT_THREADS,
    concurrency: e.FRAUD_REPORT_CONCURRENCY,
    queue: e.FRAUD_REPORT_QUEUE,
  };
  const value = { ...e, settings, sessionLifetime: lifetime.data, reportLimits, aws };
  if (source === process.env) cached = value;
  return value;
}
