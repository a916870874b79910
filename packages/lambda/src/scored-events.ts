import type { Logger } from "@aws-lambda-powertools/logger";
import { MetricUnit, type Metrics } from "@aws-lambda-powertools/metrics";
import { type Decision, type Platform, Ruleset } from "@fraud/core";
import { alertOf, decodeEvent } from "@fraud/core/aws";
import type { KinesisStreamRecord } from "aws-lambda";

export interface ScoredEventDeps {
  /** Stores what the dashboard shows of the event (alert inbox, live figures); a no-op when done before. */
  recordEvent: (decision: Decision.Decision) => Promise<unknown>;
  sendAlert: (message: Platform.AlertMessage) => Promise<unknown>;
  metrics: Pick<Metrics, "addMetric" | "singleMetric" | "publishStoredMetrics">;
  logger: Pick<Logger, "error">;
}

/**
 * What the consumer does with one scored event, and the batch's metrics: a count per outcome
 * (one EMF document per outcome, dimension `decision`), and every score and latency.
 */
export function scoredEventHandler(deps: ScoredEventDeps) {
  const counts = new Map<Ruleset.DecisionOutcome, number>();
  return {
    async record(record: KinesisStreamRecord): Promise<void> {
      let decision;
      try {
        decision = decodeEvent(record.kinesis.data);
      } catch (e) {
        // Reported as failed: retried, then bisected away into the dead-letter queue.
        deps.logger.error("scored event is not a valid decision", { sequenceNumber: record.kinesis.sequenceNumber, error: e as Error });
        throw e;
      }
      // Every step is idempotent per transaction: a retried record redoes only what failed.
      await deps.recordEvent(decision);
      const alert = alertOf(decision);
      if (alert) await deps.sendAlert(alert);
      counts.set(decision.decision, (counts.get(decision.decision) ?? 0) + 1);
      deps.metrics.addMetric("Score", MetricUnit.NoUnit, decision.score);
      deps.metrics.addMetric("LatencyMs", MetricUnit.Milliseconds, decision.latency_ms);
    },
    flush(): void {
      for (const outcome of Ruleset.DECISIONS) {
        const n = counts.get(outcome);
        if (!n) continue;
        deps.metrics.singleMetric().addDimension("decision", outcome).addMetric("Decisions", MetricUnit.Count, n);
      }
      counts.clear();
      deps.metrics.publishStoredMetrics();
    },
  };
}
