import { describe, expect, it } from "vitest";
import { checkExpression, compileRuleset, evaluateRules, fingerprint, RulesetContent, defaultSettings, type Features } from "../src/index.ts";

describe("rule expressions", () => {
  it("refuse regular expressions, whose cost has no bound, and say where", () => {
    const expr = 'amount > 10.0 && user_id.matches("(a+)+$")';
    const check = checkExpression(expr);
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.error.code).toBe("forbidden_function");
      expect(expr.slice(check.error.start, check.error.end)).toContain("matches");
    }
    expect(checkExpression('matches(user_id, "x")').ok).toBe(false);
    expect(checkExpression('user_id.startsWith("test_")').ok).toBe(true);
  });
});

describe("time budget", () => {
  const ruleset = compileRuleset({
    version: 1,
    ...RulesetContent.parse({
      fallback_decision: "REVIEW",
      time_budget_ms: 5,
      rules: [
        { id: "BIG", name: "big", expression: "amount > 100.0", score: 90 },
        { id: "SLOW", name: "slow", expression: "amount > 1.0", score: 0 },
        { id: "LAST", name: "last", expression: "amount > 2.0", score: 0 },
      ],
    }),
  });
  const features = { amount: 500 } as unknown as Features;

  it("keeps a stricter decision already reached when time runs out", () => {
    let t = 0;
    const clock = () => (t += 10);
    const out = evaluateRules(ruleset, features, clock);
    expect(out.fallback_reason).toMatch(/budget/);
    expect(out.decision).toBe("BLOCKED");
  });

  it("takes the fallback when the rules so far would approve", () => {
    let t = 0;
    const out = evaluateRules(ruleset, { amount: 50 } as unknown as Features, () => (t += 10));
    expect(out.fallback_reason).toMatch(/budget/);
    expect(out.decision).toBe("REVIEW");
  });
});

describe("fingerprint", () => {
  const base = { user_id: "u", amount: 10, merchant_id: "m", timestamp: "2026-01-01T10:00:00.000Z" };
  it("treats the same instant and the default currency spelled out as the same transaction", () => {
    const a = fingerprint(base, defaultSettings);
    expect(fingerprint({ ...base, timestamp: "2026-01-01T11:00:00+01:00" }, defaultSettings)).toBe(a);
    expect(fingerprint({ ...base, currency: "XAF" }, defaultSettings)).toBe(a);
    expect(fingerprint({ ...base, amount: 11 }, defaultSettings)).not.toBe(a);
    expect(fingerprint({ ...base, currency: "EUR" }, defaultSettings)).not.toBe(a);
  });

  it("stays the value stored by earlier versions, so a retry after an upgrade is still a retry", () => {
    expect(fingerprint(base, defaultSettings)).toBe("Yfk54xDkGl7NpKTaS7IHYX");
  });
});
