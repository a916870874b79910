import { describe, expect, it } from "vitest";
import { EvalMetrics } from "../../src/tools/eval/metrics.ts";
import type { DecisionOutcome } from "../../src/ruleset/ruleset.ts";

const outcome = (score: number, rules: string[] = []) => ({
  decision: (score >= 80 ? "BLOCKED" : score >= 50 ? "REVIEW" : "APPROVED") as DecisionOutcome,
  score,
  rules: rules.map((id) => ({ id })),
  errored_rules: [],
  fallback_reason: null,
});

describe("detection figures", () => {
  // 4 frauds scoring 90, 60, 40, 0; 6 legitimate scoring 60, 20, 0, 0, 0, 0.
  const m = new EvalMetrics({ review: 50, block: 80 });
  m.add(outcome(90, ["A", "B"]), true, 10);
  m.add(outcome(60, ["A"]), true, 20);
  m.add(outcome(40, ["B"]), true, 30);
  m.add(outcome(0), true, 40);
  m.add(outcome(60, ["A"]), false, 50);
  m.add(outcome(20, ["C"]), false, 60);
  for (let i = 0; i < 4; i++) m.add(outcome(0), false, 70 + i);
  const r = m.report(["A", "B", "C", "NEVER"]);

  it("counts flagged (REVIEW or BLOCKED) against the labels", () => {
    expect(r).toMatchObject({ rows: 10, frauds: 4, legitimate: 6, flagged: 3, true_positives: 2, false_positives: 1 });
    expect([r.detection_rate, r.false_positive_rate, r.precision]).toEqual([0.5, 0.166667, 0.666667]);
    expect(r.decisions).toEqual({ APPROVED: 7, REVIEW: 2, BLOCKED: 1 });
    expect(r.decisions_of_frauds).toEqual({ APPROVED: 2, REVIEW: 1, BLOCKED: 1 });
  });

  it("gives each rule its hits and precision, including rules that never fired", () => {
    expect(r.rules).toEqual({
      A: { hits: 3, fraud_hits: 2, precision: 0.666667 },
      B: { hits: 2, fraud_hits: 2, precision: 1 },
      C: { hits: 1, fraud_hits: 0, precision: 0 },
      NEVER: { hits: 0, fraud_hits: 0, precision: null },
    });
  });

  it("gives the whole trade-off curve: one point per threshold that changes what is flagged", () => {
    expect(r.curve).toEqual([
      { threshold: 20, detection_rate: 0.75, false_positive_rate: 0.333333, precision: 0.6, flagged: 5 },
      { threshold: 40, detection_rate: 0.75, false_positive_rate: 0.166667, precision: 0.75, flagged: 4 },
      { threshold: 60, detection_rate: 0.5, false_positive_rate: 0.166667, precision: 0.666667, flagged: 3 },
      { threshold: 90, detection_rate: 0.25, false_positive_rate: 0, precision: 1, flagged: 1 },
    ]);
    // At the ruleset's own review threshold the curve agrees with the decisions.
    const atReview = r.curve.find((p) => p.threshold >= 50)!;
    expect([atReview.detection_rate, atReview.false_positive_rate]).toEqual([r.detection_rate, r.false_positive_rate]);
  });

  it("reports engine latency percentiles in microseconds", () => {
    expect(r.latency_us).toEqual({ p50: 50, p99: 73, max: 73, mean: 49.6 });
  });
});
