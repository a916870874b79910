import { Report, Ruleset } from "@fraud/core";
import { describe, expect, it } from "vitest";
import { DECISION_COLOR, DECISION_TONE, SERIES_PALETTE, seriesColor } from "@/lib/decision-colors";

describe("decision colours", () => {
  it("draws each series of the decisions-per-day chart in its decision's colour", () => {
    const report = Report.BUILTIN_REPORTS.find((r) => r.name === "decisions_per_day")!;
    const colours = Object.fromEntries(report.chart.y.map((s, i) => [s, seriesColor(s, i)]));
    expect(colours).toEqual({ approved: DECISION_COLOR.APPROVED, review: DECISION_COLOR.REVIEW, blocked: DECISION_COLOR.BLOCKED });
  });

  it("draws a column about one decision in that decision's colour, whatever its place", () => {
    expect(seriesColor("amount_blocked", 0)).toBe(DECISION_COLOR.BLOCKED);
    expect(seriesColor("blocked_transactions", 3)).toBe(DECISION_COLOR.BLOCKED);
  });

  it("never gives another series a decision's colour", () => {
    const decisionColours = new Set<string>(Object.values(DECISION_COLOR));
    for (let i = 0; i < 2 * SERIES_PALETTE.length; i++) {
      for (const column of ["hits", "p50_ms", "total_amount", "flagged", "approved_or_blocked"])
        expect(decisionColours.has(seriesColor(column, i))).toBe(false);
    }
  });

  it("gives badges the same hue as charts: green approves, amber reviews, red blocks", () => {
    expect(Ruleset.DECISIONS.map((d) => DECISION_TONE[d])).toEqual(["green", "amber", "red"]);
  });
});
