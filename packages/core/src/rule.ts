import { Environment } from "@marcbachmann/cel-js";
import { z } from "zod";
import { FEATURES, type FeatureName, type Features, type FeatureValue } from "./features.ts";
import { compileExpression, compileFused } from "./rule-compiler.ts";

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
}

export type ExpressionCheck = { ok: true; reads: FeatureName[] } | { ok: false; error: ExpressionError };

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

/** The first call of `name` (as a function or a method) in an AST. */
function findCall(node: unknown, name: string): AstNode | undefined {
  if (Array.isArray(node)) {
    for (const n of node) {
      const found = findCall(n, name);
      if (found) return found;
    }
    return undefined;
  }
  if (!node || typeof node !== "object") return undefined;
  const n = node as AstNode;
  if ((n.op === "call" || n.op === "rcall") && Array.isArray(n.args) && n.args[0] === name) return n;
  return findCall(n.args, name);
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

/** Type-checks an expression against the feature catalogue: it must be a valid CEL boolean. */
export function checkExpression(expression: string): ExpressionCheck {
  if (expression.length > MAX_EXPRESSION_LENGTH) {
    return { ok: false, error: { message: `expression longer than ${MAX_EXPRESSION_LENGTH} characters`, start: MAX_EXPRESSION_LENGTH, end: expression.length, code: "too_long" } };
  }
  try {
    const result = environment.check(expression);
    if (!result.valid) return { ok: false, error: toError(result.error, expression) };
    if (result.type !== "bool") {
      return { ok: false, error: { message: `must be true or false, not ${result.type}`, start: 0, end: expression.length, code: "not_boolean" } };
    }
    const ast = environment.parse(expression).ast;
    const regex = findCall(ast, "matches");
    if (regex) {
      return {
        ok: false,
        error: {
          message: "regular expressions (matches) are not allowed: their cost has no bound; use contains, startsWith, endsWith or a list",
          start: regex.start ?? 0,
          end: regex.end ?? expression.length,
          code: "forbidden_function",
        },
      };
    }
    const ids = new Set<string>();
    collectIdentifiers(ast, ids);
    return { ok: true, reads: [...ids].filter((id): id is FeatureName => id in FEATURES) };
  } catch (e) {
    return { ok: false, error: toError(e, expression) };
  }
}

export interface CompiledRule {
  rule: Rule;
  reads: FeatureName[];
  test: (features: Features) => boolean;
  /** The rule runs as generated JavaScript (`rule-compiler.ts`); false: in the cel-js interpreter. */
  compiled?: boolean;
}

/** Compiles a rule that passed `checkExpression`; throws a VisibleError-worthy message otherwise. */
export function compileRule(rule: Rule): CompiledRule {
  const check = checkExpression(rule.expression);
  if (!check.ok) throw new Error(`rule ${rule.id}: ${check.error.message} at ${check.error.start}`);
  const program = environment.parse(rule.expression);
  const interpret = (features: Readonly<Record<string, unknown>>) => program(features as Record<string, unknown>) === true;
  // Same answers, about ten times faster: see rule-compiler.ts.
  const fast = compileExpression(program.ast, interpret);
  return {
    rule,
    reads: check.reads,
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
