import { Environment } from "@marcbachmann/cel-js";
import { z } from "zod";
import { FEATURES, type FeatureName, type Features, type FeatureValue } from "../features/features.ts";
import { compileExpression, compileFused } from "./compiler.ts";
import { boundedProgram } from "./budget.ts";
import { estimateCost, MAX_RULE_COST, type CostEstimate } from "./cost.ts";

export const MAX_EXPRESSION_LENGTH = 2_000;

/** A rule is data: a CEL expression over the features, and the points it adds when it is true. */
export const Rule = z.strictObject({
  id: z.string().regex(/^[A-Z][A-Z0-9_]{1,63}$/, "must be UPPER_SNAKE_CASE, 2-64 characters"),
  name: z.string().trim().min(1, "must not be empty").max(120),
  description: z.string().max(2_000).default(""),
  expression: z.string().trim().min(1, "must not be empty").max(MAX_EXPRESSION_LENGTH),
  score: z.number().int().min(0).max(100),
  enabled: z.boolean().default(true),
});
export type Rule = z.infer<typeof Rule>;
export type RuleInput = z.input<typeof Rule>;

function buildEnvironment(): Environment {
  const env = new Environment({ limits: { maxAstNodes: 400, maxDepth: 40, maxListElements: 100, maxMapEntries: 50, maxCallArguments: 8 } });
  for (const [name, spec] of Object.entries(FEATURES)) {
    env.registerVariable(name, "nullable" in spec ? "dyn" : spec.type, { description: spec.description });
  }
  return env;
}

/** One environment for the process: building it is the expensive part. */
const environment = buildEnvironment();

export interface ExpressionError {
  message: string;
  /** 0-based character offsets into the expression. */
  start: number;
  end: number;
  code: string;
  /** For `too_costly`: the worst-case cost of the sub-expression at start..end, and the limit. */
  cost?: number;
  limit?: number;
}

export type ExpressionCheck = { ok: true; reads: FeatureName[] } | { ok: false; error: ExpressionError };

type Program = ReturnType<Environment["parse"]>;

type AstNode = { op: string; args: unknown; start?: number; end?: number };

function collectIdentifiers(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) collectIdentifiers(n, into);
    return;
  }
  if (!node || typeof node !== "object") return;
  const n = node as AstNode;
  if (n.op === "id" && typeof n.args === "string") into.add(n.args);
  else collectIdentifiers(n.args, into);
}

function toError(e: unknown, expression: string): ExpressionError {
  const err = e as { summary?: string; message?: string; code?: string; range?: { start: number; end: number } };
  const start = Math.max(0, Math.min(err.range?.start ?? 0, expression.length));
  return {
    message: err.summary ?? (err.message ?? "invalid expression").split("\n")[0]!,
    start,
    end: Math.max(start, Math.min(err.range?.end ?? expression.length, expression.length)),
    code: err.code ?? "invalid_expression",
  };
}

function costError(cost: Exclude<CostEstimate, { ok: true }>): ExpressionError {
  const { message, start, end, code } = cost;
  return cost.code === "too_costly" ? { message, start, end, code, cost: cost.cost, limit: MAX_RULE_COST } : { message, start, end, code };
}

type Analysis = { ok: false; error: ExpressionError } | { ok: true; program: Program; reads: FeatureName[]; cost: CostEstimate };

/** Parses and type-checks an expression against the feature catalogue, and estimates its cost. */
function analyse(expression: string): Analysis {
  if (expression.length > MAX_EXPRESSION_LENGTH) {
    return {
      ok: false,
      error: { message: `expression longer than ${MAX_EXPRESSION_LENGTH} characters`, start: MAX_EXPRESSION_LENGTH, end: expression.length, code: "too_long" },
    };
  }
  try {
    const program = environment.parse(expression);
    const result = program.check();
    if (!result.valid) return { ok: false, error: toError(result.error, expression) };
    if (result.type !== "bool") {
      return { ok: false, error: { message: `must be true or false, not ${result.type}`, start: 0, end: expression.length, code: "not_boolean" } };
    }
    const ids = new Set<string>();
    collectIdentifiers(program.ast, ids);
    return { ok: true, program, reads: [...ids].filter((id): id is FeatureName => id in FEATURES), cost: estimateCost(program.ast) };
  } catch (e) {
    return { ok: false, error: toError(e, expression) };
  }
}

/**
 * Checks an expression as it is saved: a valid CEL boolean over the features, calling no function
 * whose cost has no bound, and costing at most `MAX_RULE_COST` steps whatever the features
 * (rule-cost.ts); errors name the offending sub-expression by its offsets.
 */
export function checkExpression(expression: string): ExpressionCheck {
  const analysis = analyse(expression);
  if (!analysis.ok) return analysis;
  if (!analysis.cost.ok) return { ok: false, error: costError(analysis.cost) };
  return { ok: true, reads: analysis.reads };
}

export interface CompiledRule {
  rule: Rule;
  reads: FeatureName[];
  test: (features: Features) => boolean;
  /** The rule runs as generated JavaScript (`rule-compiler.ts`); false: in the cel-js interpreter. */
  compiled?: boolean;
}

/**
 * Compiles a rule; throws a VisibleError-worthy message for an expression that `checkExpression`
 * refuses, except for its cost: a rule saved before the limit still runs, and is stopped at the
 * limit each time it goes over (`RuleCostExceeded`, a rule error).
 */
export function compileRule(rule: Rule): CompiledRule {
  const analysis = analyse(rule.expression);
  const error = !analysis.ok ? analysis.error : !analysis.cost.ok && analysis.cost.code !== "too_costly" ? costError(analysis.cost) : undefined;
  if (error || !analysis.ok) throw new Error(`rule ${rule.id}: ${error?.message} at ${error?.start}`);
  const program = boundedProgram(analysis.program);
  const interpret = (features: Readonly<Record<string, unknown>>) => program(features as Record<string, unknown>) === true;
  // Same answers, about ten times faster: see rule-compiler.ts.
  const fast = compileExpression(analysis.program.ast, interpret);
  return {
    rule,
    reads: analysis.reads,
    test: fast ? fast.test : interpret,
    compiled: fast !== undefined,
  };
}

/** A ruleset's compiled rules as one function (see rule-compiler.ts), for the rules it was made from. */
export interface FusedRules {
  rules: readonly CompiledRule[];
  /** Writes the indexes of the rules that fire into `fired`; returns how many, or -1 when cel-js must decide. */
  run: (features: Features, fired: Int32Array) => number;
  fired: Int32Array;
}

/** The rules fused into one function, or undefined when any of them runs in the interpreter. */
export function fuseRules(rules: readonly CompiledRule[]): FusedRules | undefined {
  if (rules.length === 0 || rules.some((r) => r.compiled !== true)) return undefined;
  const fused = compileFused(rules.map((r) => environment.parse(r.rule.expression).ast));
  return fused && { rules, run: fused.run as FusedRules["run"], fired: new Int32Array(rules.length) };
}

export function valuesRead(compiled: CompiledRule, features: Features): Record<string, FeatureValue> {
  const values: Record<string, FeatureValue> = {};
  for (const name of compiled.reads) values[name] = features[name];
  return values;
}
