import { z } from "zod";
import { Settings } from "./settings.ts";
import { SessionLifetime } from "./users.ts";

const Env = z.object({
  PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  FRAUD_DATA_DIR: z.string().min(1).default("./.data"),
  FRAUD_API_KEY: z.string().min(16, "must be at least 16 characters").optional(),
  FRAUD_ADMIN_PASSWORD: z.string().min(10, "must be at least 10 characters").optional(),
  FRAUD_CURRENCY: z.string().regex(/^[A-Z]{3}$/).default("XAF"),
  FRAUD_TIME_ZONE: z.string().default("Africa/Douala"),
  FRAUD_MAX_AMOUNT: z.coerce.number().positive().default(1e12),
  /** FULL: every acknowledged decision survives a power cut (one fsync each); NORMAL: survives process crashes. */
  FRAUD_SQLITE_SYNC: z.enum(["NORMAL", "FULL"]).default("NORMAL"),
  FRAUD_LAKE_FLUSH_SECONDS: z.coerce.number().positive().default(5),
  FRAUD_LAKE_FLUSH_RECORDS: z.coerce.number().int().positive().default(20_000),
  FRAUD_BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(16_384),
  /** Requests per second per API key (bursts of twice that). */
  FRAUD_RATE_LIMIT_PER_S: z.coerce.number().positive().default(20_000),
  /** Where REVIEW and BLOCKED alerts are POSTed as JSON; none when unset. */
  FRAUD_ALERT_WEBHOOK_URL: z.url().optional(),
  /** Serve the dashboard next to the API (off: API only, for ingest-only nodes). */
  FRAUD_DASHBOARD: z.enum(["on", "off"]).default("on"),
  /** Where `fraud simulate` sends transactions; defaults to the local server. */
  FRAUD_API_URL: z.url().optional(),
  /** A dashboard session ends after this many minutes without a request... */
  FRAUD_SESSION_IDLE_MINUTES: z.coerce.number().positive().max(24 * 60).default(30),
  /** ...and this many hours after sign-in in any case. */
  FRAUD_SESSION_MAX_HOURS: z.coerce.number().positive().max(30 * 24).default(12),
});
export type Env = z.infer<typeof Env> & { settings: Settings; sessionLifetime: SessionLifetime };

let cached: Env | undefined;

/** The environment, validated once; the only place that reads process.env. */
export function env(source: NodeJS.ProcessEnv = process.env): Env {
  if (source === process.env && cached) return cached;
  const parsed = Env.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid settings in the environment:\n${lines.join("\n")}`);
  }
  const settings = Settings.parse({
    currency: parsed.data.FRAUD_CURRENCY,
    timeZone: parsed.data.FRAUD_TIME_ZONE,
    maxAmount: parsed.data.FRAUD_MAX_AMOUNT,
  });
  const lifetime = SessionLifetime.safeParse({
    idleMs: Math.round(parsed.data.FRAUD_SESSION_IDLE_MINUTES * 60_000),
    maxMs: Math.round(parsed.data.FRAUD_SESSION_MAX_HOURS * 3_600_000),
  });
  if (!lifetime.success) throw new Error("invalid settings in the environment:\n  FRAUD_SESSION_IDLE_MINUTES: must not be longer than FRAUD_SESSION_MAX_HOURS");
  const value = { ...parsed.data, settings, sessionLifetime: lifetime.data };
  if (source === process.env) cached = value;
  return value;
}
