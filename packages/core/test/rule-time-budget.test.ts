import { describe, expect, it } from "vitest";
import { Decision, type Features, Ruleset } from "../src/index.ts";

describe("time budget", () => {
  const ruleset = Ruleset.compileRuleset({
    version: 1,
    ...Ruleset.RulesetContent.parse({
      fallback_decision: "REVIEW",
      time_budget_ms: 5,
      rules: [
        { id: "BIG", name: "big", expression: "amount > 100.0", score: 90 },
        { id: "SLOW", name: "slow", expression: "amount > 1.0", score: 0 },
        { id: "LAST", name: "last", expression: "amount > 2.0", score: 0 },
      ],
    }),
  });
  const features = { amount: 500 } as unknown as Features.Features;

  it("keeps a stricter decision already reached when time runs out", () => {
    let t = 0;
    const clock = () => (t += 10);
    const out = Decision.evaluateRules(ruleset, features, clock);
    expect(out.fallback_reason).toMatch(/budget/);
    expect(out.decision).toBe("BLOCKED");
  });

  it("takes the fallback when the rules so far would approve", () => {
    let t = 0;
    const out = Decision.evaluateRules(ruleset, { amount: 50 } as unknown as Features.Features, () => (t += 10));
    expect(out.fallback_reason).toMatch(/budget/);
    expect(out.decision).toBe("REVIEW");
  });
});
