import type { Ruleset } from "@fraud/core";

/**
 * The one colour of each decision, used by every badge and chart: green approves, amber sends to
 * review, red blocks. Red, amber and green mean a decision and nothing else on the dashboard, so
 * other chart series take their colours from SERIES_PALETTE, which holds none of the three.
 */
export const DECISION_COLOR = { APPROVED: "#059669", REVIEW: "#d97706", BLOCKED: "#e11d48" } as const satisfies Record<Ruleset.DecisionOutcome, string>;

/** The badge tone (components/ui.tsx) of each decision, the same hue as DECISION_COLOR. */
export const DECISION_TONE = { APPROVED: "green", REVIEW: "amber", BLOCKED: "red" } as const satisfies Record<Ruleset.DecisionOutcome, string>;

/** Colours for chart series that are not a decision. */
export const SERIES_PALETTE = ["#2f5bd3", "#7c3aed", "#0891b2", "#64748b", "#db2777", "#0f766e", "#a16207", "#4338ca"] as const;

const DECISION_WORDS: ReadonlyArray<readonly [word: string, decision: keyof typeof DECISION_COLOR]> = [
  ["approved", "APPROVED"],
  ["review", "REVIEW"],
  ["blocked", "BLOCKED"],
];

/**
 * The colour of a chart series named after a column: a column that counts one decision
 * ("blocked", "amount_blocked", "review") is drawn in that decision's colour, any other takes the
 * next colour of the palette.
 */
export function seriesColor(column: string, index: number): string {
  const words = column.toLowerCase().split(/[^a-z]+/);
  const found = DECISION_WORDS.filter(([word]) => words.includes(word));
  if (found.length === 1) return DECISION_COLOR[found[0]![1]];
  return SERIES_PALETTE[index % SERIES_PALETTE.length]!;
}
