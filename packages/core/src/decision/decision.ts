import { z } from "zod";
import { computeFeatures, type Features, type FeatureValue } from "../features/features.ts";
import { ListMatch, matchLists, type ListEntry } from "../list/lists.ts";
import { applyTransaction, newProfile, summary30d, type Profile } from "../profile/profile.ts";
import { valuesRead } from "../rule/rule.ts";
import { RuleCostExceeded } from "../rule/budget.ts";
import { DECISIONS, defaultRulesetContent, outcomeFor, type CompiledRuleset, type DecisionOutcome } from "../ruleset/ruleset.ts";
import type { Settings } from "../settings/settings.ts";
import { Transaction } from "../transaction/transaction.ts";

const FeatureValueSchema = z.union([z.number(), z.string(), z.boolean(), z.null()]);

export const FiredRule = z.object({
  id: z.string(),
  name: z.string(),
  score: z.number(),
  expression: z.string(),
  values: z.record(z.string(), FeatureValueSchema),
});
export type FiredRule = z.infer<typeof FiredRule>;

export const ErroredRule = z.object({ id: z.string(), error: z.string() });
export type ErroredRule = z.infer<typeof ErroredRule>;

/** The outcome of the shadow ruleset on the same features (and the same list match). */
export const ShadowOutcome = z.object({
  version: z.number().int().nonnegative(),
  decision: z.enum(DECISIONS),
  score: z.number().int().min(0).max(100),
  rules: z.array(z.string()),
});
export type ShadowOutcome = z.infer<typeof ShadowOutcome>;

/** A decision with everything needed to explain it later. */
export const Decision = z.object({
  transaction_id: z.string(),
  user_id: z.string(),
  decision: z.enum(DECISIONS),
  score: z.number().int().min(0).max(100),
  rules: z.array(FiredRule),
  errored_rules: z.array(ErroredRule),
  list_match: ListMatch.nullable(),
  /** Set when scoring could not finish (time budget, no ruleset) and the fallback decision was taken. */
  fallback_reason: z.string().nullable(),
  ruleset_version: z.number().int().nonnegative(),
  features: z.record(z.string(), FeatureValueSchema),
  profile_before: z.object({
    risk_level: z.string(),
    avg_transaction_30d: z.number(),
    transaction_count_30d: z.number(),
    last_device_id: z.string().nullable(),
    last_location: z.string().nullable(),
    last_transaction_at: z.string().nullable(),
    account_created: z.string(),
    is_new_customer: z.boolean(),
  }),
  transaction: Transaction,
  decided_at: z.iso.datetime({ offset: true }),
  latency_ms: z.number().nonnegative(),
  /** What the shadow ruleset would have decided; recorded for comparison, never acted on. */
  shadow: ShadowOutcome.optional(),
  /**
   * Present on a test transaction from the dashboard (see TestDecisionLog): kept apart from real
   * decisions, it changed no profile and counts in no alert, figure, report or review queue.
   */
  test: z.literal(true).optional(),
});
export type Decision = z.infer<typeof Decision>;

/** A decision in one line: what alerts, the review queue and decision lists show of it (no personal data). */
export function summaryOf(d: Decision) {
  return {
    transaction_id: d.transaction_id,
    user_id: d.user_id,
    decision: d.decision,
    score: d.score,
    amount: d.transaction.amount,
    currency: d.transaction.currency,
    rules: d.rules.map((r) => r.id),
    decided_at: d.decided_at,
  };
}

export interface RuleOutcome {
  score: number;
  decision: DecisionOutcome;
  rules: FiredRule[];
  errored_rules: ErroredRule[];
  fallback_reason: string | null;
}

function errorSummary(e: unknown): string {
  const err = e as { summary?: string; message?: string };
  return (err.summary ?? err.message ?? "error").split("\n")[0]!.slice(0, 200);
}

const readClock = () => performance.now();

const SEVERITY: Record<DecisionOutcome, number> = { APPROVED: 0, REVIEW: 1, BLOCKED: 2 };

/** The fallback, unless the rules already evaluated call for something stricter. */
function fallbackOutcome(total: number, ruleset: CompiledRuleset): { score: number; decision: DecisionOutcome } {
  const score = Math.min(total, 100);
  const partial = outcomeFor(score, ruleset.thresholds);
  return { score, decision: SEVERITY[partial] > SEVERITY[ruleset.fallback_decision] ? partial : ruleset.fallback_decision };
}

/**
 * Runs the rules over the features: score = min(sum of fired rules, 100). A rule that throws is
 * recorded as errored and does not fire; past the ruleset's time budget the fallback is taken,
 * and so it is when a rule goes over its cost limit (rule-cost.ts): that rule's answer is
 * unknown, so the decision cannot be trusted to the others alone.
 * The clock is read around every rule that may be slow: one that cel-js interprets. A rule
 * compiled to JavaScript (rule-compiler.ts) runs in nanoseconds, less than one reading of the
 * clock costs here (~0.1 µs), so it is not timed, unless the caller passes its own clock: that one
 * is read after every rule.
 */
export function evaluateRules(ruleset: CompiledRuleset, features: Features, clock?: () => number): RuleOutcome {
  const fused = ruleset.fused;
  if (clock === undefined && fused !== undefined && fused.rules === ruleset.rules) {
    // Every rule compiled, as one function: nothing to time, nothing that can err.
    const n = fused.run(features, fused.fired);
    if (n >= 0) {
      let total = 0;
      const rules: FiredRule[] = [];
      for (let k = 0; k < n; k++) {
        const compiled = ruleset.rules[fused.fired[k]!]!;
        total += compiled.rule.score;
        rules.push({
          id: compiled.rule.id,
          name: compiled.rule.name,
          score: compiled.rule.score,
          expression: compiled.rule.expression,
          values: valuesRead(compiled, features),
        });
      }
      const score = Math.min(total, 100);
      return { score, decision: outcomeFor(score, ruleset.thresholds), rules, errored_rules: [], fallback_reason: null };
    }
  }
  const now = clock ?? readClock;
  let started = Number.NaN;
  const rules: FiredRule[] = [];
  const errored: ErroredRule[] = [];
  let total = 0;
  /** Why the fallback is taken, when a rule went over its cost limit. */
  let overCost: string | undefined;
  for (const compiled of ruleset.rules) {
    const timed = clock !== undefined || compiled.compiled !== true;
    if (timed && Number.isNaN(started)) started = now();
    let fired = false;
    try {
      fired = compiled.test(features);
    } catch (e) {
      errored.push({ id: compiled.rule.id, error: errorSummary(e) });
      if (e instanceof RuleCostExceeded) overCost ??= `rule ${compiled.rule.id} ${e.message}`;
    }
    if (fired) {
      total += compiled.rule.score;
      rules.push({
        id: compiled.rule.id,
        name: compiled.rule.name,
        score: compiled.rule.score,
        expression: compiled.rule.expression,
        values: valuesRead(compiled, features),
      });
    }
    if (timed && compiled !== ruleset.rules.at(-1) && now() - started > ruleset.time_budget_ms) {
      return {
        ...fallbackOutcome(total, ruleset),
        rules,
        errored_rules: errored,
        fallback_reason: `rules took longer than the ${ruleset.time_budget_ms} ms budget; stopped after ${compiled.rule.id}`,
      };
    }
  }
  if (overCost !== undefined) return { ...fallbackOutcome(total, ruleset), rules, errored_rules: errored, fallback_reason: overCost };
  const score = Math.min(total, 100);
  return { score, decision: outcomeFor(score, ruleset.thresholds), rules, errored_rules: errored, fallback_reason: null };
}

/** A block-list match blocks whatever the score; an allow-list match approves. */
function withListMatch(outcome: Pick<RuleOutcome, "decision" | "score">, listMatch: ListMatch | null): { decision: DecisionOutcome; score: number } {
  if (listMatch?.kind === "block") return { decision: "BLOCKED", score: 100 };
  if (listMatch?.kind === "allow") return { decision: "APPROVED", score: outcome.score };
  return { decision: outcome.decision, score: outcome.score };
}

function shadowOutcome(shadow: CompiledRuleset, features: Features, listMatch: ListMatch | null): ShadowOutcome {
  const outcome = evaluateRules(shadow, features);
  return { version: shadow.version, ...withListMatch(outcome, listMatch), rules: outcome.rules.map((r) => r.id) };
}

export interface DecideInput {
  tx: Transaction;
  /** The stored profile, or undefined for a customer seen for the first time. */
  profile: Profile | undefined;
  ruleset: CompiledRuleset | undefined;
  lists: readonly ListEntry[];
  settings: Pick<Settings, "timeZone">;
  decidedAt: string;
  /** A ruleset evaluated beside the live one on the same features; its outcome is only recorded. */
  shadow?: CompiledRuleset;
}

export interface DecideOutput {
  decision: Omit<Decision, "latency_ms">;
  nextProfile: Profile;
}

/** With no published ruleset every decision takes the default ruleset's fallback. */
const NO_RULESET_DECISION = defaultRulesetContent().fallback_decision;

/** The whole decision for one transaction, and the customer's profile after it. Pure. */
export function decide({ tx, profile, ruleset, lists, settings, decidedAt, shadow }: DecideInput): DecideOutput {
  const before = profile ?? newProfile(tx.user_id, tx.timestamp);
  const t = Date.parse(tx.timestamp);
  const features = computeFeatures(tx, before, settings);
  const listMatch = matchLists(tx, lists, t);
  const outcome: RuleOutcome = ruleset
    ? evaluateRules(ruleset, features)
    : { score: 0, decision: NO_RULESET_DECISION, rules: [], errored_rules: [], fallback_reason: "no published ruleset" };

  const { decision, score } = withListMatch(outcome, listMatch);
  const summary = summary30d(before, t);
  return {
    decision: {
      transaction_id: tx.transaction_id,
      user_id: tx.user_id,
      decision,
      score,
      rules: outcome.rules,
      errored_rules: outcome.errored_rules,
      list_match: listMatch,
      fallback_reason: outcome.fallback_reason,
      ruleset_version: ruleset?.version ?? 0,
      features: features as unknown as Record<string, FeatureValue>,
      profile_before: {
        risk_level: before.risk_level,
        ...summary,
        last_device_id: before.last_device_id,
        last_location: before.last_location,
        last_transaction_at: before.last_transaction_at,
        account_created: before.account_created,
        is_new_customer: profile === undefined,
      },
      transaction: tx,
      decided_at: decidedAt,
      ...(shadow ? { shadow: shadowOutcome(shadow, features, listMatch) } : {}),
    },
    nextProfile: applyTransaction(before, tx, decidedAt, decision === "APPROVED"),
  };
}
