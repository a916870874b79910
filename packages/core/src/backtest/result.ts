import { z } from "zod";
import { LABELS } from "../review/review.ts";
import { DECISIONS } from "../ruleset/ruleset.ts";

// What a backtest takes and gives, apart from how it runs (backtest.ts), so that the ports that
// store results need not import the replay.

const IsoDate = z.iso.date();

export const BacktestRange = z
  .strictObject({
    from: IsoDate,
    to: IsoDate,
    /** Days replayed before `from` to rebuild the profiles; not counted. */
    warmup_days: z.number().int().min(0).max(90).default(30),
  })
  .refine((r) => r.from <= r.to, { message: "must not be after `to`", path: ["from"] });
export type BacktestRange = z.infer<typeof BacktestRange>;
export type BacktestRangeInput = z.input<typeof BacktestRange>;

const Outcomes = z.object({ APPROVED: z.number(), REVIEW: z.number(), BLOCKED: z.number() });
/** Detection and false positives of one side of a backtest, over the labelled transactions. */
export const BacktestRates = z.object({
  /** Fraud-labelled transactions sent to review or blocked. */
  detected: z.number(),
  detection_rate: z.number().nullable(),
  /** Legitimate-labelled transactions sent to review or blocked. */
  false_positives: z.number(),
  false_positive_rate: z.number().nullable(),
});

export const BacktestExample = z.object({
  transaction_id: z.string(),
  user_id: z.string(),
  amount: z.number(),
  currency: z.string(),
  timestamp: z.string(),
  recorded_score: z.number().nullable(),
  draft_score: z.number(),
  draft_rules: z.array(z.string()),
  label: z.enum(LABELS).nullable(),
});
export type BacktestExample = z.infer<typeof BacktestExample>;

export const BacktestResult = z.object({
  ruleset_version: z.number().int().nullable(),
  from: z.string(),
  to: z.string(),
  warmup_days: z.number().int(),
  /** Transactions in the range, and replayed in all (warm-up included). */
  transactions: z.number().int(),
  replayed: z.number().int(),
  elapsed_ms: z.number(),
  rows_per_second: z.number(),
  outcomes: z.object({ recorded: Outcomes, draft: Outcomes }),
  /** Draft decisions that took the ruleset's fallback (a rule over its cost limit, out of time). */
  fallbacks: z.number().int().default(0),
  /** Decisions that would change, largest amounts first in the examples. */
  changes: z.array(
    z.object({ from: z.enum(DECISIONS), to: z.enum(DECISIONS), count: z.number().int(), amount: z.number(), examples: z.array(BacktestExample) }),
  ),
  rules: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      hits: z.number().int(),
      hit_rate: z.number(),
      /** Hits of the rule with the same id as recorded (the rulesets then live). */
      live_hits: z.number().int(),
      /** Transactions on which the rule failed (a null it did not guard, its cost limit). */
      errors: z.number().int().default(0),
      labelled: z.number().int(),
      fraud: z.number().int(),
      legitimate: z.number().int(),
      precision: z.number().nullable(),
    }),
  ),
  labels: z.object({ fraud: z.number().int(), legitimate: z.number().int(), recorded: BacktestRates, draft: BacktestRates }),
  /** Sum of BLOCKED amounts per currency: as recorded, and had the draft been live. */
  blocked_amount: z.array(z.object({ currency: z.string(), recorded: z.number(), draft: z.number() })),
});
export type BacktestResult = z.infer<typeof BacktestResult>;

export const BacktestRecord = BacktestResult.safeExtend({
  id: z.number().int().positive(),
  ruleset_version: z.number().int(),
  created_at: z.string(),
  created_by: z.string(),
});
export type BacktestRecord = z.infer<typeof BacktestRecord>;
