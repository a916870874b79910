import type { Decision } from "../decision/decision.ts";
import { DECISIONS, type DecisionOutcome } from "../ruleset/ruleset.ts";

/** Upper bounds of the decision latency histogram's buckets (seconds): a decision takes about 0.1 to 5 ms. */
export const DECISION_LATENCY_BUCKETS_S = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] as const;

const FALLBACKS = DECISIONS.length;
const RULE_ERRORS = FALLBACKS + 1;
const LATENCY_SUM = RULE_ERRORS + 1;
const BUCKETS = LATENCY_SUM + 1;
/** Slots: one count per outcome, fallbacks, rule errors, the latency sum, then one count per bucket and +Inf. */
const SLOTS = BUCKETS + DECISION_LATENCY_BUCKETS_S.length + 1;

/** What a scrape reads of the decision counters. */
export interface DecisionFigures {
  byOutcome: Record<DecisionOutcome, number>;
  fallbacks: number;
  ruleErrors: number;
  /** Per bucket of DECISION_LATENCY_BUCKETS_S, then +Inf: decisions at most that long (not cumulative). */
  latencyBuckets: number[];
  latencySumSeconds: number;
}

/**
 * Counts of the decisions this process records, kept in one Float64Array so that counting a
 * decision is a few additions: nothing is allocated on the decision path. The array can live in a
 * SharedArrayBuffer, so the server's scoring thread counts and its HTTP thread reads the same
 * figures for GET /metrics (docs/decisions/040-metrics-across-processes.md). One thread writes;
 * a reader may see a decision counted a moment late, never a torn value (aligned 8-byte stores).
 */
export class DecisionCounters {
  readonly slots: Float64Array;

  constructor(buffer: ArrayBufferLike = new SharedArrayBuffer(SLOTS * Float64Array.BYTES_PER_ELEMENT)) {
    this.slots = new Float64Array(buffer, 0, SLOTS);
  }

  /** The memory to hand to another thread (postMessage, workerData) for it to count into. */
  get buffer(): ArrayBufferLike {
    return this.slots.buffer;
  }

  count(d: Pick<Decision, "decision" | "latency_ms" | "errored_rules" | "fallback_reason">): void {
    const s = this.slots;
    const outcome = d.decision === "APPROVED" ? 0 : d.decision === "REVIEW" ? 1 : 2;
    s[outcome]! += 1;
    if (d.fallback_reason !== null) s[FALLBACKS]! += 1;
    s[RULE_ERRORS]! += d.errored_rules.length;
    const seconds = d.latency_ms / 1000;
    s[LATENCY_SUM]! += seconds;
    let b = 0;
    while (b < DECISION_LATENCY_BUCKETS_S.length && seconds > DECISION_LATENCY_BUCKETS_S[b]!) b++;
    s[BUCKETS + b]! += 1;
  }

  read(): DecisionFigures {
    const s = this.slots;
    return {
      byOutcome: { APPROVED: s[0]!, REVIEW: s[1]!, BLOCKED: s[2]! },
      fallbacks: s[FALLBACKS]!,
      ruleErrors: s[RULE_ERRORS]!,
      latencyBuckets: Array.from(s.subarray(BUCKETS, SLOTS)),
      latencySumSeconds: s[LATENCY_SUM]!,
    };
  }
}
