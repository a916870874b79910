import type { DecisionOutcome, Thresholds } from "../../ruleset/ruleset.ts";

/** One point of the trade-off curve: flag (REVIEW or BLOCKED) every transaction scoring `threshold` or more. */
export interface CurvePoint {
  threshold: number;
  detection_rate: number;
  false_positive_rate: number;
  precision: number | null;
  flagged: number;
}

export interface RuleFigures {
  hits: number;
  fraud_hits: number;
  /** Share of the rule's hits that are fraud; null when it never fired. */
  precision: number | null;
}

export interface EvalReport {
  rows: number;
  frauds: number;
  legitimate: number;
  flagged: number;
  true_positives: number;
  false_positives: number;
  detection_rate: number | null;
  false_positive_rate: number | null;
  precision: number | null;
  decisions: Record<DecisionOutcome, number>;
  decisions_of_frauds: Record<DecisionOutcome, number>;
  rules: Record<string, RuleFigures>;
  errored_rules: Record<string, number>;
  fallbacks: number;
  latency_us: { p50: number; p99: number; max: number; mean: number };
  thresholds: Thresholds;
  /** Detection and false positives for every review threshold that changes something. */
  curve: CurvePoint[];
}

const round = (x: number, digits = 6) => Number(x.toFixed(digits));
const ratio = (a: number, b: number) => (b === 0 ? null : round(a / b));

/** Sorted-sample percentile (nearest rank). */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Accumulates decisions against labels; memory is one double per row (for latency percentiles). */
export class EvalMetrics {
  private frauds = 0;
  private legitimate = 0;
  private readonly decisions: Record<DecisionOutcome, number> = { APPROVED: 0, REVIEW: 0, BLOCKED: 0 };
  private readonly decisionsOfFrauds: Record<DecisionOutcome, number> = { APPROVED: 0, REVIEW: 0, BLOCKED: 0 };
  private readonly ruleHits = new Map<string, { hits: number; fraud: number }>();
  private readonly errored = new Map<string, number>();
  private fallbacks = 0;
  /** Rows per score 0..100, per label. */
  private readonly scoresFraud = new Float64Array(101);
  private readonly scoresLegit = new Float64Array(101);
  private latencies = new Float64Array(1 << 16);
  private count = 0;

  constructor(private readonly thresholds: Thresholds) {}

  add(
    outcome: {
      decision: DecisionOutcome;
      score: number;
      rules: ReadonlyArray<{ id: string }>;
      errored_rules: ReadonlyArray<{ id: string }>;
      fallback_reason: string | null;
    },
    fraud: boolean,
    latencyUs: number,
  ): void {
    if (fraud) this.frauds++;
    else this.legitimate++;
    this.decisions[outcome.decision]++;
    if (fraud) this.decisionsOfFrauds[outcome.decision]++;
    for (const r of outcome.rules) {
      const h = this.ruleHits.get(r.id) ?? { hits: 0, fraud: 0 };
      h.hits++;
      if (fraud) h.fraud++;
      this.ruleHits.set(r.id, h);
    }
    for (const r of outcome.errored_rules) this.errored.set(r.id, (this.errored.get(r.id) ?? 0) + 1);
    if (outcome.fallback_reason !== null) this.fallbacks++;
    const score = Math.max(0, Math.min(100, Math.round(outcome.score)));
    (fraud ? this.scoresFraud : this.scoresLegit)[score]! += 1;
    if (this.count === this.latencies.length) {
      const bigger = new Float64Array(this.latencies.length * 2);
      bigger.set(this.latencies);
      this.latencies = bigger;
    }
    this.latencies[this.count++] = latencyUs;
  }

  /** Rule ids to list with zero hits (rules of the ruleset that never fired). */
  report(ruleIds: readonly string[] = []): EvalReport {
    const flaggedFrauds = this.decisionsOfFrauds.REVIEW + this.decisionsOfFrauds.BLOCKED;
    const flagged = this.decisions.REVIEW + this.decisions.BLOCKED;
    const falsePositives = flagged - flaggedFrauds;
    const rules: Record<string, RuleFigures> = {};
    for (const id of new Set([...ruleIds, ...this.ruleHits.keys()])) {
      const h = this.ruleHits.get(id) ?? { hits: 0, fraud: 0 };
      rules[id] = { hits: h.hits, fraud_hits: h.fraud, precision: ratio(h.fraud, h.hits) };
    }
    const lat = this.latencies.slice(0, this.count).sort();
    let sum = 0;
    for (const x of lat) sum += x;
    return {
      rows: this.frauds + this.legitimate,
      frauds: this.frauds,
      legitimate: this.legitimate,
      flagged,
      true_positives: flaggedFrauds,
      false_positives: falsePositives,
      detection_rate: ratio(flaggedFrauds, this.frauds),
      false_positive_rate: ratio(falsePositives, this.legitimate),
      precision: ratio(flaggedFrauds, flagged),
      decisions: { ...this.decisions },
      decisions_of_frauds: { ...this.decisionsOfFrauds },
      rules,
      errored_rules: Object.fromEntries(this.errored),
      fallbacks: this.fallbacks,
      latency_us: {
        p50: round(percentile(lat, 50), 2),
        p99: round(percentile(lat, 99), 2),
        max: round(lat[lat.length - 1] ?? Number.NaN, 2),
        mean: round(lat.length === 0 ? Number.NaN : sum / lat.length, 2),
      },
      thresholds: this.thresholds,
      curve: this.curve(),
    };
  }

  /**
   * The trade-off curve over review thresholds 1..100: a point for each threshold at which
   * the flagged set changes. Decisions taken by a fallback are counted by their score here.
   */
  curve(): CurvePoint[] {
    const points: CurvePoint[] = [];
    let tp = 0;
    let fp = 0;
    for (let t = 100; t >= 1; t--) {
      const addFraud = this.scoresFraud[t]!;
      const addLegit = this.scoresLegit[t]!;
      tp += addFraud;
      fp += addLegit;
      if (addFraud === 0 && addLegit === 0) continue;
      points.push({
        threshold: t,
        detection_rate: ratio(tp, this.frauds) ?? 0,
        false_positive_rate: ratio(fp, this.legitimate) ?? 0,
        precision: ratio(tp, tp + fp),
        flagged: tp + fp,
      });
    }
    return points.reverse();
  }
}
