import { Environment } from "@marcbachmann/cel-js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decide, evaluateRules } from "../src/decision/decision.ts";
import { DEMO_RULESET } from "../src/demo/ruleset.ts";
import { evaluateLab } from "../src/tools/eval/replay.ts";
import { FEATURE_NAMES, FEATURES, type Features } from "../src/features/features.ts";
import { checkExpression, compileRule, Rule } from "../src/rule/rule.ts";
import { boundedProgram, RuleCostExceeded } from "../src/rule/budget.ts";
import { estimateCost, MAX_RULE_COST } from "../src/rule/cost.ts";
import { RulesetContent, validateRulesetContent, type RulesetContentInput } from "../src/ruleset/ruleset.ts";
import { CARD_RULESET } from "../src/ruleset/card.ts";
import { MOBILE_MONEY_RULESET } from "../src/ruleset/mobile-money.ts";
import { defaultSettings } from "../src/settings/settings.ts";
import { compile, customer, tx } from "./support.ts";

/** The interpreter, set up as rule.ts sets it up. */
const cel = new Environment({ limits: { maxAstNodes: 400, maxDepth: 40, maxListElements: 100, maxMapEntries: 50, maxCallArguments: 8 } });
for (const [name, spec] of Object.entries(FEATURES)) cel.registerVariable(name, "nullable" in spec ? "dyn" : spec.type);

const range = (n: number) => `[${Array.from({ length: n }, (_, i) => i).join(", ")}]`;
const R100 = range(100);
const R20 = range(20);
const text = (c: string, n: number) => JSON.stringify(c.repeat(n));

/**
 * Expressions that type-check, a few hundred characters long, and run for seconds, for minutes or
 * until memory runs out. `at` is the sub-expression the refusal points at: the smallest one over
 * the limit by itself.
 */
const HOSTILE: Array<{ name: string; expression: string; at: string }> = [
  (() => {
    const inner = `${R100}.exists(b, ${R100}.exists(c, a + b + c < 0))`;
    return { name: "three loops nested over 100 numbers", expression: `${R100}.exists(a, ${inner})`, at: inner };
  })(),
  (() => {
    const inner = `${R20}.exists(b, ${R20}.exists(c, ${R20}.exists(d, a + b + c + d < 0)))`;
    return { name: "four loops nested over 20 numbers", expression: `${R20}.exists(a, ${inner})`, at: inner };
  })(),
  {
    name: "a string doubled ten times with cel.bind",
    expression:
      "cel.bind(a, user_id + user_id, cel.bind(b, a + a, cel.bind(c, b + b, cel.bind(d, c + c, cel.bind(e, d + d, cel.bind(g, e + e, cel.bind(h, g + g, cel.bind(i, h + h, cel.bind(j, i + i, j.size() < 0)))))))))",
    at: "i + i",
  },
  {
    name: "split and join multiplying a string",
    expression: `size(user_id.split("").join(${text("x", 200)}).split("").join(${text("y", 200)})) < 0`,
    at: `user_id.split("").join(${text("x", 200)}).split("")`,
  },
  {
    name: "loops over the characters of three features",
    expression: 'user_id.split("").exists(a, merchant_id.split("").exists(b, location.split("").exists(c, a + b + c == "xyz")))',
    at: 'location.split("").exists(c, a + b + c == "xyz")',
  },
  {
    name: "a list doubled, then crossed with itself",
    expression: `cel.bind(l, ${R100} + ${R100}, cel.bind(m, l + l, m.exists(x, m.exists(y, x == y + 1000))))`,
    at: "m.exists(x, m.exists(y, x == y + 1000))",
  },
  {
    name: "a table built with map, then filtered row by row",
    expression: `${R100}.map(a, ${R100}.map(b, a * b)).exists(row, row.filter(v, v > 5000).size() > 100)`,
    at: `${R100}.map(a, ${R100}.map(b, a * b))`,
  },
  (() => {
    const inner = `${R100}.all(b, ${R100}.all(c, a + b + c >= 0))`;
    return { name: "behind an ordinary condition", expression: `amount > 1.0 && ${R100}.all(a, ${inner})`, at: inner };
  })(),
];

/** Features as long as the catalogue allows: every string 128 characters. */
const LONGEST = Object.fromEntries(
  FEATURE_NAMES.map((n) => [n, FEATURES[n].type === "string" ? "x".repeat(128) : FEATURES[n].type === "bool" ? false : 100]),
) as unknown as Features;

const hostileRule = (expression: string, id = "HOSTILE") => Rule.parse({ id, name: "hostile", expression, score: 10 });

describe("rule cost at save", () => {
  for (const h of HOSTILE) {
    it(`refuses ${h.name}, with the cost, the limit and where`, () => {
      expect(h.expression.length).toBeLessThanOrEqual(2_000);
      expect(cel.check(h.expression)).toMatchObject({ valid: true, type: "bool" });
      const check = checkExpression(h.expression);
      expect(check.ok).toBe(false);
      if (check.ok) return;
      expect(check.error).toMatchObject({ code: "too_costly", limit: MAX_RULE_COST });
      expect(check.error.cost).toBeGreaterThan(MAX_RULE_COST);
      expect(check.error.message).toMatch(/^too costly: up to [\d,]+ steps in the worst case, over the limit of 100,000$/);
      expect(h.expression.slice(check.error.start, check.error.end)).toBe(h.at);
    });
  }

  it("names each refused rule with its position when a ruleset is saved, as data for the dashboard too", () => {
    const expression = HOSTILE[0]!.expression;
    const content: RulesetContentInput = {
      rules: [
        { id: "FINE", name: "fine", expression: "amount > 1.0", score: 10 },
        { id: "NESTED", name: "nested", expression, score: 10 },
      ],
    };
    const error = (() => {
      try {
        validateRulesetContent(content);
      } catch (e) {
        return e as { code: string; fields: Record<string, string[]>; issues: unknown[] };
      }
    })();
    const position = expression.indexOf(HOSTILE[0]!.at) + 1;
    expect(error?.code).toBe("INVALID_RULE_EXPRESSION");
    expect(error?.fields["rules.1.expression"]).toEqual([expect.stringMatching(new RegExp(`^NESTED: too costly: .* \\(at character ${position}\\)$`))]);
    expect(error?.issues).toEqual([
      {
        field: "rules.1.expression",
        code: "custom",
        message: error?.fields["rules.1.expression"]![0],
        params: { key: "rule_too_costly", rule: "NESTED", position, cost: expect.any(Number), limit: MAX_RULE_COST },
      },
    ]);
  });

  it("refuses json(), whose result has no bounded shape, and still matches()", () => {
    expect(checkExpression("size(bytes(user_id).json()) > 0")).toMatchObject({ ok: false, error: { code: "forbidden_function" } });
    expect(checkExpression('user_id.matches("(a+)+$")')).toMatchObject({ ok: false, error: { code: "forbidden_function" } });
  });

  const SHIPPED: Array<[string, RulesetContentInput]> = [
    ["demo", DEMO_RULESET],
    ["mobile money", MOBILE_MONEY_RULESET],
    ["card", CARD_RULESET],
  ];
  for (const [name, content] of SHIPPED) {
    it(`passes every rule of the shipped ${name} ruleset, far under the limit`, () => {
      for (const rule of RulesetContent.parse(content).rules) {
        expect(checkExpression(rule.expression), rule.id).toMatchObject({ ok: true });
        const estimate = estimateCost(cel.parse(rule.expression).ast);
        expect(estimate.ok && estimate.cost, rule.id).toBeLessThan(MAX_RULE_COST / 100);
      }
      expect(() => validateRulesetContent(content)).not.toThrow();
    });
  }

  it("lets ordinary loops over a list of values through", () => {
    expect(
      checkExpression(`["CASH_OUT", "TRANSFER"].exists(t, tx_type == t) && ["grocery_pos", "gas_transport", "misc_net"].all(c, merchant_category != c)`),
    ).toMatchObject({ ok: true });
    expect(checkExpression(`["test_", "qa_", "demo_"].exists(p, user_id.startsWith(p) || merchant_id.startsWith(p))`)).toMatchObject({ ok: true });
  });
});

describe("rule cost at run time", () => {
  for (const h of HOSTILE) {
    it(`stops ${h.name} when it was never checked (compiled directly, or stored before the check)`, () => {
      const rule = compileRule(hostileRule(h.expression));
      expect(() => rule.test(LONGEST)).toThrow(RuleCostExceeded);
      // And again: the budget starts afresh on every evaluation.
      expect(() => rule.test(LONGEST)).toThrow(RuleCostExceeded);
    });
  }

  it("is an error whatever cel-js answered: || absorbs the error, the rule still went over", () => {
    const rule = compileRule(hostileRule(`${HOSTILE[0]!.expression} || amount > 1.0`));
    expect(() => rule.test(LONGEST)).toThrow(RuleCostExceeded);
  });

  it("leaves rules within the limit as cel-js decides them", () => {
    const rule = compileRule(hostileRule(`${R20}.exists(a, ${R20}.exists(b, a * b == 361))`));
    expect(rule.test(LONGEST)).toBe(true);
    expect(compileRule(hostileRule(`${R20}.exists(a, a > 100)`)).test(LONGEST)).toBe(false);
  });

  it("live scoring: the rule errs, the others still count, and the decision takes the ruleset's fallback", () => {
    const ruleset = compile({
      fallback_decision: "REVIEW",
      rules: [
        { id: "SMALL", name: "small", expression: "amount > 1.0", score: 10 },
        { id: "HOSTILE", name: "hostile", expression: HOSTILE[0]!.expression, score: 10 },
      ],
    });
    const out = evaluateRules(ruleset, LONGEST);
    expect(out.rules.map((r) => r.id)).toEqual(["SMALL"]);
    expect(out.errored_rules).toEqual([{ id: "HOSTILE", error: "went over the cost limit of 100,000 steps" }]);
    expect(out.fallback_reason).toBe("rule HOSTILE went over the cost limit of 100,000 steps");
    expect(out.decision).toBe("REVIEW");

    // A stricter decision already reached stands.
    const strict = compile({
      fallback_decision: "REVIEW",
      rules: [
        { id: "BIG", name: "big", expression: "amount > 1.0", score: 90 },
        { id: "HOSTILE", name: "hostile", expression: HOSTILE[2]!.expression, score: 10 },
      ],
    });
    expect(evaluateRules(strict, LONGEST)).toMatchObject({ decision: "BLOCKED", fallback_reason: "rule HOSTILE went over the cost limit of 100,000 steps" });
  });

  it("the shadow ruleset: its outcome is the fallback, the live decision is untouched", () => {
    const live = compile({ rules: [{ id: "BIG", name: "big", expression: "amount > 5000.0", score: 90 }] });
    const shadow = compile({ fallback_decision: "BLOCKED", rules: [{ id: "HOSTILE", name: "hostile", expression: HOSTILE[4]!.expression, score: 10 }] }, 2);
    const t = tx({ user_id: "u".repeat(128), merchant_id: "m".repeat(128), location: "l".repeat(128) });
    const { decision } = decide({
      tx: t,
      profile: customer({ user_id: t.user_id }),
      ruleset: live,
      shadow,
      lists: [],
      settings: defaultSettings,
      decidedAt: t.timestamp,
    });
    expect(decision.decision).toBe("APPROVED");
    expect(decision.fallback_reason).toBeNull();
    expect(decision.shadow).toEqual({ version: 2, decision: "BLOCKED", score: 0, rules: [] });
  });

  it("eval replays: every decision of the lab scenario takes the fallback and names the rule", () => {
    const ruleset = compile({ rules: [...RulesetContent.parse(DEMO_RULESET).rules, hostileRule(HOSTILE[5]!.expression)] });
    const report = evaluateLab(ruleset);
    expect(report.fallbacks).toBe(report.rows);
    expect(report.errored_rules).toEqual({ HOSTILE: report.rows });
  });
});

describe("the estimate bounds what the rule costs when it runs", () => {
  const strings = FEATURE_NAMES.filter((n) => FEATURES[n].type === "string");
  const doubles = FEATURE_NAMES.filter((n) => FEATURES[n].type === "double" && !("nullable" in FEATURES[n]));
  const word = fc.constantFrom('""', '"a"', '"-"', '"CASH_OUT"', '"xyz"', text("q", 40));
  const variable = fc.constantFrom("x", "y", "z");
  const gen = fc.letrec<{ str: string; strs: string; num: string; nums: string; bool: string }>((tie) => ({
    str: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.constantFrom(...strings),
      word,
      fc.tuple(tie("str"), tie("str")).map(([a, b]) => `(${a} + ${b})`),
      tie("str").map((a) => `${a}.lowerAscii()`),
      fc.tuple(tie("strs"), word).map(([l, s]) => `${l}.join(${s})`),
      fc.tuple(variable, tie("str")).map(([v, s]) => `cel.bind(${v}, ${s}, ${v} + ${v})`),
      tie("num").map((n) => `string(${n})`),
      fc.tuple(tie("bool"), tie("str"), tie("str")).map(([c, a, b]) => `(${c} ? ${a} : ${b})`),
      fc.tuple(tie("str"), tie("str")).map(([k, v]) => `{"k": ${v}, ${k}: "w"}["k"]`),
    ),
    strs: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.tuple(tie("str"), word).map(([s, sep]) => `${s}.split(${sep})`),
      fc.array(tie("str"), { minLength: 1, maxLength: 4 }).map((xs) => `[${xs.join(", ")}]`),
      fc.tuple(tie("strs"), tie("strs")).map(([a, b]) => `(${a} + ${b})`),
      fc.tuple(tie("strs"), variable, tie("str")).map(([l, v, s]) => `${l}.map(${v}, ${v} + ${s})`),
      fc.tuple(tie("strs"), variable, tie("str")).map(([l, v, s]) => `${l}.filter(${v}, ${v}.contains(${s}))`),
      fc.tuple(tie("strs"), variable, tie("str")).map(([l, v, s]) => `${l}.map(${v}, ${v} != "", ${s})`),
    ),
    num: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.constantFrom(...doubles),
      fc.constantFrom("1.0", "2.5", "100.0"),
      tie("str").map((s) => `double(size(${s}))`),
      tie("strs").map((l) => `double(${l}.size())`),
      fc.tuple(tie("num"), tie("num")).map(([a, b]) => `(${a} + ${b})`),
    ),
    nums: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.constantFrom("[1.0, 2.0, 3.0]", "[0.5]", `[${Array.from({ length: 30 }, (_, i) => `${i}.0`).join(", ")}]`),
      fc.tuple(tie("nums"), tie("nums")).map(([a, b]) => `(${a} + ${b})`),
      fc.tuple(tie("nums"), variable, tie("num")).map(([l, v, n]) => `${l}.map(${v}, ${v} * ${n})`),
      fc.tuple(tie("strs"), variable).map(([l, v]) => `${l}.map(${v}, double(size(${v})))`),
    ),
    bool: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.tuple(tie("str"), tie("str")).map(([a, b]) => `${a} == ${b}`),
      fc.tuple(tie("str"), tie("str")).map(([a, b]) => `${a}.contains(${b})`),
      fc.tuple(tie("str"), tie("strs")).map(([a, l]) => `${a} in ${l}`),
      fc.tuple(tie("strs"), variable, tie("str")).map(([l, v, s]) => `${l}.exists(${v}, ${v} == ${s})`),
      fc.tuple(tie("strs"), variable, tie("str")).map(([l, v, s]) => `${l}.exists_one(${v}, ${v}.startsWith(${s}))`),
      fc.tuple(tie("nums"), variable, tie("num")).map(([l, v, n]) => `${l}.all(${v}, ${v} < ${n})`),
      fc.tuple(tie("nums"), tie("nums")).map(([a, b]) => `${a} == ${b}`),
      fc.tuple(tie("bool"), fc.constantFrom("&&", "||"), tie("bool")).map(([a, op, b]) => `(${a} ${op} ${b})`),
      fc.tuple(variable, tie("str"), tie("str")).map(([v, s, t]) => `cel.bind(${v}, ${s}, ${v}.size() > 2 && ${v}.startsWith(${t}))`),
    ),
  }));
  const featureText = fc.oneof(fc.constantFrom("", "CASH_OUT", "x".repeat(128), "a-b-c"), fc.string({ maxLength: 128 }));
  const features: fc.Arbitrary<Record<string, unknown>> = fc.record(
    Object.fromEntries(
      FEATURE_NAMES.map((n) => [
        n,
        FEATURES[n].type === "string"
          ? featureText
          : FEATURES[n].type === "bool"
            ? fc.boolean()
            : fc.oneof(fc.constant(null), fc.double({ min: -10, max: 1e4, noNaN: true })),
      ]),
    ),
  );

  /** cel-js's own answer, unbounded: a value, or the first line of its error. */
  function unbounded(expression: string, f: Record<string, unknown>) {
    try {
      return { value: cel.evaluate(expression, f) };
    } catch (e) {
      return { error: (e as Error).message.split("\n")[0] };
    }
  }

  it("never stops a random expression given exactly its estimate, and answers as cel-js does", () => {
    let measured = 0;
    let loops = 0;
    fc.assert(
      fc.property(gen.bool, fc.array(features, { minLength: 3, maxLength: 3 }), (expression, samples) => {
        if (expression.length > 2_000 || !cel.check(expression).valid) return;
        const program = cel.parse(expression);
        const estimate = estimateCost(program.ast, Number.POSITIVE_INFINITY);
        if (!estimate.ok || estimate.cost > 2_000_000) return;
        measured++;
        if (/\.(map|filter|exists|exists_one|all)\(|cel\.bind/.test(expression)) loops++;
        const bounded = boundedProgram(program, estimate.cost);
        for (const f of samples) {
          let answer: { value: unknown } | { error: string | undefined };
          try {
            answer = { value: bounded(f) };
          } catch (e) {
            expect(e, expression).not.toBeInstanceOf(RuleCostExceeded);
            answer = { error: (e as Error).message.split("\n")[0] };
          }
          expect(answer, expression).toEqual(unbounded(expression, f));
        }
      }),
      { numRuns: 600 },
    );
    // The generator must reach expressions worth measuring, loops among them.
    expect(measured).toBeGreaterThan(200);
    expect(loops).toBeGreaterThan(100);
  });
});
