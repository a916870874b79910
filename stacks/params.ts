import { z } from "zod";
import { streamShardsFor } from "@fraud/core";
import { DEFAULT_DECISION_TTL_DAYS } from "@fraud/core/aws";
import { measuredSizes } from "@fraud/core/cost";

/**
 * Deploy-time parameters of a stage, read once from the environment of `sst deploy` (or the synth
 * script). Secrets are not here: they are SST `Config.Secret`s, set with `npx sst secrets set`.
 */
const StageParams = z.object({
  /** Who receives REVIEW/BLOCKED alerts and alarms (the lab's `fraud-alerts` topic). */
  FRAUD_ALERT_EMAIL: z.email().optional(),
  /** Where REVIEW/BLOCKED alerts are also POSTed, signed with the FRAUD_WEBHOOK_SECRET secret (docs/alerts.md). */
  FRAUD_ALERT_WEBHOOK_URL: z.url({ protocol: /^https$/ }).optional(),
  /** The busiest minute expected, in decisions: the decision stream's shards follow from it (streamShards). */
  FRAUD_PEAK_PER_MINUTE: z.coerce.number().int().positive().default(5_000),
  /** Days a decision stays in DynamoDB (duplicate detection, dashboard); the lake keeps history. */
  FRAUD_DECISION_TTL_DAYS: z.coerce.number().int().min(1).default(DEFAULT_DECISION_TTL_DAYS),
  /** API Gateway throttling of the ingest API, requests per second and burst. */
  FRAUD_API_RATE: z.coerce.number().int().positive().default(500),
  FRAUD_API_BURST: z.coerce.number().int().positive().default(1_000),
  /** Athena refuses a query that would scan more than this, in bytes. */
  FRAUD_ATHENA_SCAN_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(10_000_000)
    .default(10 * 1024 ** 3),
  /** BLOCKED share of decisions (percent, over 5 minutes) that raises the spike alarm. */
  FRAUD_BLOCKED_RATE_ALARM_PERCENT: z.coerce.number().positive().max(100).default(20),
  /**
   * JWT authorisation of the ingest API instead of API keys: the identity provider's issuer URL and
   * the accepted audiences (app client ids), comma-separated. Both or neither.
   */
  FRAUD_JWT_ISSUER: z.url({ protocol: /^https$/ }).optional(),
  FRAUD_JWT_AUDIENCE: z
    .string()
    .transform((s) =>
      s
        .split(",")
        .map((a) => a.trim())
        .filter((a) => a !== ""),
    )
    .optional(),
});
export type StageParams = z.infer<typeof StageParams>;

export function stageParams(stage: string, source: NodeJS.ProcessEnv = process.env): StageParams {
  const parsed = StageParams.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid deploy parameters for stage ${stage}:\n${lines.join("\n")}`);
  }
  const jwt = parsed.data.FRAUD_JWT_ISSUER !== undefined;
  if (jwt !== (parsed.data.FRAUD_JWT_AUDIENCE ?? []).length > 0) {
    throw new Error(
      `invalid deploy parameters for stage ${stage}: FRAUD_JWT_ISSUER and FRAUD_JWT_AUDIENCE go together (JWT authorisation), or neither (API keys)`,
    );
  }
  const shards = streamShards(parsed.data);
  if (shards > MAX_STREAM_SHARDS) {
    throw new Error(
      `invalid deploy parameters for stage ${stage}: FRAUD_PEAK_PER_MINUTE=${parsed.data.FRAUD_PEAK_PER_MINUTE} needs ${shards} Kinesis shards, more than the ${MAX_STREAM_SHARDS} an account may have by default`,
    );
  }
  if (stage === "prod" && !parsed.data.FRAUD_ALERT_EMAIL) {
    throw new Error("stage prod needs FRAUD_ALERT_EMAIL: the address that receives REVIEW/BLOCKED alerts");
  }
  return parsed.data;
}

/**
 * The largest default quota of Kinesis shards per account and region (most regions, Paris
 * included, have 200: AWS refuses a deploy past it until the quota is raised).
 */
export const MAX_STREAM_SHARDS = 500;

/**
 * Shards of the decision stream for the stage's expected peak: one takes 1,000 records or 1 MiB a
 * second, and each record is a scored event of the size measured on a lab decision
 * (docs/decisions/057-stream-shards-from-the-peak.md).
 */
export function streamShards(params: Pick<StageParams, "FRAUD_PEAK_PER_MINUTE">): number {
  return streamShardsFor(params.FRAUD_PEAK_PER_MINUTE, measuredSizes().eventBytes);
}
