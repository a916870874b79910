import { z } from "zod";
import { DECISIONS, type DecisionOutcome } from "../ruleset/ruleset.ts";

/** Decisions of one minute (UTC, `YYYY-MM-DDTHH:MM`), per outcome. */
export const MinuteFigures = z.object({
  minute: z.string(),
  APPROVED: z.number(),
  REVIEW: z.number(),
  BLOCKED: z.number(),
  amount_blocked: z.number(),
});
export type MinuteFigures = z.infer<typeof MinuteFigures>;

/** Scores and latencies of the most recent decisions: distributions, not sums. */
export interface RecentSample {
  size: number;
  /** Ten buckets of ten points: [0-9], [10-19] ... [90-100]. */
  score_buckets: number[];
  latency_p50_ms: number | null;
  latency_p99_ms: number | null;
}

export const ALERT_STATUSES = ["open", "acknowledged"] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** A REVIEW or BLOCKED decision that someone should look at. */
export const Alert = z.object({
  id: z.number().int(),
  transaction_id: z.string(),
  user_id: z.string(),
  decision: z.enum(DECISIONS),
  score: z.number(),
  amount: z.number(),
  rules: z.array(z.string()),
  created_at: z.string(),
  status: z.enum(ALERT_STATUSES),
});
export type Alert = z.infer<typeof Alert>;

/** Per-minute figures for the last `minutes` minutes, one row per minute, gaps filled with zeros. */
export function fillMinutes(rows: readonly MinuteFigures[], end: Date, minutes: number): MinuteFigures[] {
  const byMinute = new Map(rows.map((r) => [r.minute, r]));
  const out: MinuteFigures[] = [];
  const last = Math.floor(end.getTime() / 60_000) * 60_000;
  for (let t = last - (minutes - 1) * 60_000; t <= last; t += 60_000) {
    const minute = new Date(t).toISOString().slice(0, 16);
    out.push(byMinute.get(minute) ?? { minute, APPROVED: 0, REVIEW: 0, BLOCKED: 0, amount_blocked: 0 });
  }
  return out;
}

export function decisionMix(rows: readonly MinuteFigures[]): Record<DecisionOutcome, number> {
  const mix = { APPROVED: 0, REVIEW: 0, BLOCKED: 0 };
  for (const r of rows) for (const d of DECISIONS) mix[d] += r[d];
  return mix;
}

/** The value below which `q` of the sorted values fall (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}
