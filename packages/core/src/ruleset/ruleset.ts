import { z } from "zod";
import { fieldErrors, invalidInput, VisibleError, type FieldIssue } from "../errors/errors.ts";
import { checkExpression, compileRule, fuseRules, Rule, type CompiledRule, type FusedRules } from "../rule/rule.ts";

export const DECISIONS = ["APPROVED", "REVIEW", "BLOCKED"] as const;
export type DecisionOutcome = (typeof DECISIONS)[number];

/** The decisions someone should look at: each raises an alert and opens a review case. */
export const ALERTING_DECISIONS = ["REVIEW", "BLOCKED"] as const satisfies readonly DecisionOutcome[];
export type AlertingDecision = (typeof ALERTING_DECISIONS)[number];

/** Whether a decision raises an alert and opens a review case. */
export function raisesAlert(outcome: DecisionOutcome): outcome is AlertingDecision {
  return (ALERTING_DECISIONS as readonly DecisionOutcome[]).includes(outcome);
}

export const RULESET_STATUSES = ["draft", "published", "archived"] as const;

export const Thresholds = z
  .strictObject({
    review: z.number().int().min(1).max(100),
    block: z.number().int().min(1).max(100),
  })
  .refine((t) => t.review <= t.block, { message: "review threshold must not exceed block threshold", path: ["review"], params: { key: "review_above_block" } });
export type Thresholds = z.infer<typeof Thresholds>;

/** What an analyst edits: the rules, the thresholds and the decision to take when scoring fails. */
export const RulesetContent = z.strictObject({
  rules: z
    .array(Rule)
    .max(500)
    .refine((rules) => new Set(rules.map((r) => r.id)).size === rules.length, { message: "rule ids must be unique", params: { key: "unique_rules" } }),
  thresholds: Thresholds.default({ review: 50, block: 80 }),
  fallback_decision: z.enum(DECISIONS).default("REVIEW"),
  /** A decision that takes longer than this stops evaluating rules and takes the fallback. */
  time_budget_ms: z.number().positive().max(1_000).default(50),
});
export type RulesetContent = z.infer<typeof RulesetContent>;
export type RulesetContentInput = z.input<typeof RulesetContent>;

/** The ruleset a deployment without one starts from: no rules, and the schema's default settings. */
export function defaultRulesetContent(): RulesetContent {
  return RulesetContent.parse({ rules: [] });
}

export const Ruleset = RulesetContent.safeExtend({
  version: z.number().int().positive(),
  status: z.enum(RULESET_STATUSES),
  note: z.string().max(500).default(""),
  created_at: z.iso.datetime({ offset: true }),
  created_by: z.string(),
  published_at: z.iso.datetime({ offset: true }).nullable(),
  published_by: z.string().nullable(),
});
export type Ruleset = z.infer<typeof Ruleset>;

/**
 * Checks every expression; throws a VisibleError naming each rule and the error's position, with
 * the same as issues (`rule_too_costly` with the cost and the limit, `rule_expression` otherwise)
 * for a client that says them in its own language.
 */
export function validateRulesetContent(input: unknown): RulesetContent {
  const parsed = RulesetContent.safeParse(input);
  if (!parsed.success) {
    throw invalidInput("INVALID_RULESET", "the ruleset is not valid", parsed.error);
  }
  const issues: FieldIssue[] = [];
  parsed.data.rules.forEach((rule, i) => {
    const check = checkExpression(rule.expression);
    if (check.ok) return;
    const { error } = check;
    const position = error.start + 1;
    const params: FieldIssue["params"] =
      error.code === "too_costly"
        ? { key: "rule_too_costly", rule: rule.id, position, cost: error.cost ?? 0, limit: error.limit ?? 0 }
        : { key: "rule_expression", rule: rule.id, position, detail: error.message };
    issues.push({ field: `rules.${i}.expression`, code: "custom", message: `${rule.id}: ${error.message} (at character ${position})`, params });
  });
  if (issues.length > 0) throw new VisibleError("INVALID_RULE_EXPRESSION", "a rule expression is not valid", fieldErrors(issues), issues);
  return parsed.data;
}

export interface CompiledRuleset {
  version: number;
  rules: CompiledRule[];
  thresholds: Thresholds;
  fallback_decision: DecisionOutcome;
  time_budget_ms: number;
  /** All the rules as one function, when all compile: evaluateRules' fast path (used only with these `rules`). */
  fused?: FusedRules;
}

export function compileRuleset(ruleset: Pick<Ruleset, "version" | "rules" | "thresholds" | "fallback_decision" | "time_budget_ms">): CompiledRuleset {
  const rules = ruleset.rules.filter((r) => r.enabled).map(compileRule);
  return {
    version: ruleset.version,
    rules,
    thresholds: ruleset.thresholds,
    fallback_decision: ruleset.fallback_decision,
    time_budget_ms: ruleset.time_budget_ms,
    fused: fuseRules(rules),
  };
}

export function outcomeFor(score: number, thresholds: Thresholds): DecisionOutcome {
  if (score >= thresholds.block) return "BLOCKED";
  if (score >= thresholds.review) return "REVIEW";
  return "APPROVED";
}

/** The editable part of a stored ruleset. */
export function contentOf(r: RulesetContent): RulesetContent {
  return { rules: r.rules, thresholds: r.thresholds, fallback_decision: r.fallback_decision, time_budget_ms: r.time_budget_ms };
}
