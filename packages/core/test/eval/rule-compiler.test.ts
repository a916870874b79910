import { Environment } from "@marcbachmann/cel-js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateRules } from "../../src/decision/decision.ts";
import { DEMO_RULESET } from "../../src/demo/ruleset.ts";
import { FEATURES, type FeatureName, type Features } from "../../src/features/features.ts";
import { checkExpression, compileRule, Rule } from "../../src/rule/rule.ts";
import { compileRuleset, RulesetContent, type RulesetContentInput } from "../../src/ruleset/ruleset.ts";
import { CARD_RULESET } from "../../src/ruleset/card.ts";
import { MOBILE_MONEY_RULESET } from "../../src/ruleset/mobile-money.ts";

/** The interpreter, set up as rule.ts sets it up: the reference the compiled rules must match. */
const cel = new Environment({ limits: { maxAstNodes: 400, maxDepth: 40, maxListElements: 100, maxMapEntries: 50, maxCallArguments: 8 } });
for (const [name, spec] of Object.entries(FEATURES)) cel.registerVariable(name, "nullable" in spec ? "dyn" : spec.type);

type Outcome = { value: boolean } | { error: string };

function interpreted(expression: string, features: Record<string, unknown>): Outcome {
  try {
    return { value: cel.evaluate(expression, features) === true };
  } catch (e) {
    return { error: (e as Error).message.split("\n")[0]! };
  }
}

function compiledOutcome(rule: ReturnType<typeof compileRule>, features: Record<string, unknown>): Outcome {
  try {
    return { value: rule.test(features as Features) };
  } catch (e) {
    return { error: (e as Error).message.split("\n")[0]! };
  }
}

const WORDS = ["TRANSFER", "CASH_OUT", "PAYMENT", "HIGH", "LOW", "NEW", "", "XAF", "device_1", "grocery_pos", "Douala, CM"];
const number = fc.oneof(
  fc.constantFrom(0, -0, 1, 0.5, 3, 5, 10, 22, 60, 200, 600, 5000, 86400, 1e7, -1, Number.NaN, Infinity),
  fc.double({ min: -1e8, max: 1e8, noNaN: true }),
  fc.integer({ min: 0, max: 100 }).map(Number),
);
const valueOf = (name: FeatureName) => {
  const spec = FEATURES[name];
  const base = spec.type === "double" ? number : spec.type === "bool" ? fc.boolean() : fc.oneof(fc.constantFrom(...WORDS), fc.string({ maxLength: 6 }));
  return "nullable" in spec ? fc.oneof(fc.constant(null), base) : base;
};
const NAMES = Object.keys(FEATURES) as FeatureName[];
const featuresArb: fc.Arbitrary<Record<string, unknown>> = fc.record(Object.fromEntries(NAMES.map((n) => [n, valueOf(n)])));

const SHIPPED: Array<[string, RulesetContentInput]> = [
  ["demo", DEMO_RULESET],
  ["mobile money", MOBILE_MONEY_RULESET],
  ["card", CARD_RULESET],
];

describe("rules compiled to JavaScript", () => {
  for (const [name, content] of SHIPPED) {
    it(`compiles every rule of the ${name} ruleset and decides exactly as cel-js on random features`, () => {
      const rules = RulesetContent.parse(content).rules.map((r) => compileRule(r));
      expect(rules.filter((r) => !r.compiled).map((r) => r.rule.id)).toEqual([]);
      fc.assert(
        fc.property(featuresArb, (features) => {
          for (const rule of rules) expect(compiledOutcome(rule, features)).toEqual(interpreted(rule.rule.expression, features));
        }),
        { numRuns: 2_000 },
      );
    });
  }

  it("gives the same score, decision and fired rules as the interpreter for whole rulesets", () => {
    for (const [, content] of SHIPPED) {
      const ruleset = compileRuleset({ version: 1, ...RulesetContent.parse(content) });
      const interpretedRuleset = {
        ...ruleset,
        rules: ruleset.rules.map((r) => ({
          ...r,
          compiled: false,
          test: (f: Features) => cel.evaluate(r.rule.expression, f as unknown as Record<string, unknown>) === true,
        })),
      };
      fc.assert(
        fc.property(featuresArb, (features) => {
          // No clock: the fused path (one function for the whole ruleset) when it can answer.
          const a = evaluateRules(ruleset, features as Features);
          const b = evaluateRules(interpretedRuleset, features as Features, () => 0);
          expect(a).toEqual(b);
        }),
        { numRuns: 500 },
      );
    }
  });

  it("a null where a number is needed is cel-js's own error, recorded as before", () => {
    const rule = compileRule(Rule.parse({ id: "FAR", name: "far", expression: "distance_km > 500.0", score: 70 }));
    expect(rule.compiled).toBe(true);
    expect(() => rule.test({ distance_km: null } as unknown as Features)).toThrow(/no such overload/);
    // CEL's error absorption: false && error is false, whichever side errs.
    const absorbed = compileRule(Rule.parse({ id: "ABSORB", name: "absorb", expression: "distance_km > 500.0 && amount < 0.0", score: 1 }));
    expect(absorbed.test({ distance_km: null, amount: 5 } as unknown as Features)).toBe(false);
  });

  it("leaves to cel-js what it does not compile, with the same answers", () => {
    const expressions = ["int(amount) > 3", "size(device_id) > 2", "(amount > 1.0 ? 1 : 2) == 1", "tx_count_1h + 1.0 > 2.0 ? true : false"];
    for (const expression of expressions) {
      const rule = compileRule(Rule.parse({ id: "OTHER", name: "other", expression, score: 1 }));
      fc.assert(
        fc.property(featuresArb, (f) => {
          expect(compiledOutcome(rule, f)).toEqual(interpreted(expression, f));
        }),
        { numRuns: 200 },
      );
    }
    expect(compileRule(Rule.parse({ id: "OTHER", name: "other", expression: "int(amount) > 3", score: 1 })).compiled).toBe(false);
  });

  it("decides exactly as cel-js on random expressions", () => {
    const doubles = NAMES.filter((n) => FEATURES[n].type === "double" && !("nullable" in FEATURES[n]));
    const nullables = NAMES.filter((n) => "nullable" in FEATURES[n]);
    const strings = NAMES.filter((n) => FEATURES[n].type === "string");
    const bools = NAMES.filter((n) => FEATURES[n].type === "bool");
    const lit = fc.oneof(fc.constantFrom("0.0", "1.5", "5.0", "-2.0", "1e3", "60.0"), fc.constantFrom("0", "5", "22", "-3"));
    const numTerm: fc.Arbitrary<string> = fc.letrec<{ num: string }>((tie) => ({
      num: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.constantFrom(...doubles),
        fc.constantFrom(...nullables),
        fc.constantFrom("0.0", "1.5", "5.0", "-2.0", "1e3"),
        fc.tuple(tie("num"), fc.constantFrom("+", "-", "*", "/"), tie("num")).map(([a, op, b]) => `(${a} ${op} ${b})`),
        tie("num").map((a) => `-${a}`),
      ),
    })).num;
    const boolExpr = fc.letrec<{ b: string }>((tie) => ({
      b: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.constantFrom(...bools),
        fc.tuple(numTerm, fc.constantFrom("<", "<=", ">", ">=", "==", "!="), fc.oneof(numTerm, lit)).map(([a, op, b]) => `${a} ${op} ${b}`),
        fc.constantFrom(...nullables).map((n) => `${n} != null`),
        fc.constantFrom(...nullables).map((n) => `${n} == null`),
        fc
          .tuple(fc.constantFrom(...strings), fc.constantFrom("==", "!=", "<"), fc.constantFrom(...WORDS))
          .map(([s, op, w]) => `${s} ${op} ${JSON.stringify(w)}`),
        fc.tuple(fc.constantFrom(...strings), fc.subarray(WORDS, { minLength: 1 })).map(([s, ws]) => `${s} in ${JSON.stringify(ws)}`),
        fc
          .tuple(fc.constantFrom(...nullables, ...doubles), fc.subarray(["1.0", "5.0", "22.0"], { minLength: 1 }))
          .map(([n, ws]) => `${n} in [${ws.join(", ")}]`),
        fc
          .tuple(fc.constantFrom(...strings), fc.constantFrom("startsWith", "endsWith", "contains"), fc.constantFrom(...WORDS))
          .map(([s, f, w]) => `${s}.${f}(${JSON.stringify(w)})`),
        fc.tuple(tie("b"), fc.constantFrom("&&", "||"), tie("b")).map(([a, op, b]) => `(${a} ${op} ${b})`),
        tie("b").map((a) => `!(${a})`),
        fc.tuple(tie("b"), tie("b"), tie("b")).map(([c, a, b]) => `(${c} ? ${a} : ${b})`),
      ),
    })).b;
    let compiled = 0;
    let checked = 0;
    fc.assert(
      fc.property(boolExpr, fc.array(featuresArb, { minLength: 5, maxLength: 5 }), (expression, samples) => {
        if (!checkExpression(expression).ok) return;
        checked++;
        const rule = compileRule(Rule.parse({ id: "RANDOM", name: "random", expression, score: 1 }));
        if (rule.compiled) compiled++;
        for (const f of samples) expect(compiledOutcome(rule, f)).toEqual(interpreted(expression, f));
      }),
      { numRuns: 1_500 },
    );
    // The generator must exercise the compiler, not only the fallback.
    expect(compiled).toBeGreaterThan(checked * 0.5);

    // Random expressions as whole rulesets: fused into one function, against cel-js rule by rule.
    let fusedRulesets = 0;
    fc.assert(
      fc.property(fc.array(boolExpr, { minLength: 2, maxLength: 5 }), fc.array(featuresArb, { minLength: 5, maxLength: 5 }), (expressions, samples) => {
        const valid = expressions.filter((e) => checkExpression(e).ok);
        if (valid.length === 0) return;
        const ruleset = compileRuleset({
          version: 1,
          ...RulesetContent.parse({ rules: valid.map((expression, i) => ({ id: `R${i}X`, name: "random", expression, score: 10 * (i + 1) })) }),
        });
        if (ruleset.fused) fusedRulesets++;
        const interpretedRuleset = {
          ...ruleset,
          rules: ruleset.rules.map((r) => ({
            ...r,
            compiled: false,
            test: (f: Features) => cel.evaluate(r.rule.expression, f as unknown as Record<string, unknown>) === true,
          })),
        };
        for (const f of samples) {
          const b = evaluateRules(interpretedRuleset, f as Features, () => 0);
          const a = evaluateRules(ruleset, f as Features);
          expect({ ...a, errored_rules: a.errored_rules.map((e) => e.id) }).toEqual({ ...b, errored_rules: b.errored_rules.map((e) => e.id) });
        }
      }),
      { numRuns: 500 },
    );
    expect(fusedRulesets).toBeGreaterThan(50);
  });
});
