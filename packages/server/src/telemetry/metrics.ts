import { DECISION_LATENCY_BUCKETS_S, type DecisionCounters, Ruleset, WORKER_STALE_AFTER_MS } from "@fraud/core";
import { OUTBOX_CONSUMERS, type OperationsStore } from "@fraud/core/local";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { HTTP_DURATION_BUCKETS_S, type HttpMetrics } from "./http-metrics.ts";

/** What GET /metrics reads: this process's counters, and the store for what the worker does. */
export interface MetricsSources {
  http: HttpMetrics;
  /** RouteTable.names: the labels of HttpMetrics' route indexes. */
  routes: readonly string[];
  decisions: DecisionCounters;
  operations: OperationsStore;
  clock?: () => number;
}

type Series = { labels: Record<string, string>; buckets: readonly number[]; sum: number };

/**
 * A histogram whose counts are kept elsewhere (a shared array, HttpMetrics) and read at each
 * scrape, so that observing a value costs no more than an array update. prom-client's own
 * histogram hashes its labels on every observation.
 */
class ReadHistogram extends Histogram<string> {
  constructor(
    private readonly spec: { name: string; help: string; labelNames: string[]; buckets: readonly number[]; registry: Registry },
    private readonly read: () => Series[],
  ) {
    super({ name: spec.name, help: spec.help, labelNames: spec.labelNames, buckets: [...spec.buckets], registers: [spec.registry] });
  }

  /** What the registry reads (prom-client's own get() reads it too, and adds nothing to it). */
  async getForPromString() {
    const { name, help, buckets } = this.spec;
    const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = [];
    for (const s of this.read()) {
      let total = 0;
      buckets.forEach((le, i) => {
        total += s.buckets[i] ?? 0;
        values.push({ metricName: `${name}_bucket`, labels: { ...s.labels, le }, value: total });
      });
      total += s.buckets[buckets.length] ?? 0;
      values.push({ metricName: `${name}_bucket`, labels: { ...s.labels, le: "+Inf" }, value: total });
      values.push({ metricName: `${name}_sum`, labels: s.labels, value: s.sum });
      values.push({ metricName: `${name}_count`, labels: s.labels, value: total });
    }
    return { name, help, type: "histogram", values, aggregator: "sum" };
  }
}

/**
 * The Prometheus registry of the server: its own process (prom-client's default metrics: memory,
 * event-loop delay, garbage collection), its HTTP requests, the decisions of its scoring thread,
 * and what the worker does, read from the store at each scrape (the outbox's backlog, the
 * worker's heartbeat). docs/operations.md#metrics lists every metric.
 */
export function createMetricsRegistry(sources: MetricsSources): Registry {
  const registry = new Registry();
  const registers = [registry];
  const now = sources.clock ?? Date.now;
  collectDefaultMetrics({ register: registry });

  new Counter({
    name: "fraud_decisions_total",
    help: "Decisions recorded, by outcome",
    labelNames: ["outcome"],
    registers,
    collect() {
      const { byOutcome } = sources.decisions.read();
      this.reset();
      for (const outcome of Ruleset.DECISIONS) this.inc({ outcome }, byOutcome[outcome]);
    },
  });
  new ReadHistogram(
    {
      name: "fraud_decision_latency_seconds",
      help: "Time to decide, from the transaction's body to its decision (the answer's latency_ms)",
      labelNames: [],
      buckets: DECISION_LATENCY_BUCKETS_S,
      registry,
    },
    () => {
      const f = sources.decisions.read();
      return [{ labels: {}, buckets: f.latencyBuckets, sum: f.latencySumSeconds }];
    },
  );
  counter(
    registry,
    "fraud_decision_fallbacks_total",
    "Decisions that took the ruleset's fallback (time budget, cost limit, no published ruleset)",
    () => sources.decisions.read().fallbacks,
  );
  counter(
    registry,
    "fraud_rule_errors_total",
    "Rule evaluations that failed (the rule did not fire; the decision went on)",
    () => sources.decisions.read().ruleErrors,
  );

  new Counter({
    name: "fraud_http_requests_total",
    help: "HTTP requests answered, by route pattern, method and status",
    labelNames: ["route", "method", "status"],
    registers,
    collect() {
      this.reset();
      for (const r of sources.http.requestCounts(sources.routes)) this.inc({ route: r.route, method: r.method, status: r.status }, r.count);
    },
  });
  new ReadHistogram(
    {
      name: "fraud_http_request_duration_seconds",
      help: "Time from a request's arrival to the end of its answer, by route pattern and method",
      labelNames: ["route", "method"],
      buckets: HTTP_DURATION_BUCKETS_S,
      registry,
    },
    () => sources.http.durationHistograms(sources.routes).map((h) => ({ labels: { route: h.route, method: h.method }, buckets: h.buckets, sum: h.sum })),
  );

  // The outbox and the worker, read from the store: the worker is another process.
  const outbox = () => sources.operations.outbox(now());
  new Gauge({
    name: "fraud_outbox_depth",
    help: "Decisions recorded that a consumer of the outbox has not processed yet",
    labelNames: ["consumer"],
    registers,
    collect() {
      const figures = outbox();
      for (const consumer of OUTBOX_CONSUMERS) this.set({ consumer }, figures.depth[consumer]);
    },
  });
  new Gauge({
    name: "fraud_outbox_oldest_age_seconds",
    help: "How long the oldest decision a consumer has not processed yet has waited (0 when none waits)",
    labelNames: ["consumer"],
    registers,
    collect() {
      const figures = outbox();
      for (const consumer of OUTBOX_CONSUMERS) this.set({ consumer }, figures.oldestAgeS[consumer]);
    },
  });
  gauge(
    registry,
    "fraud_lake_flush_lag_seconds",
    "How long the oldest decision not yet in a lake file has waited (buffering included)",
    () => outbox().oldestAgeS.lake,
  );

  const heartbeat = () => sources.operations.heartbeat();
  gauge(registry, "fraud_worker_up", "1 when the worker's last heartbeat is recent, else 0", () => {
    const beat = heartbeat();
    return beat && now() - Date.parse(beat.at) <= WORKER_STALE_AFTER_MS ? 1 : 0;
  });
  gauge(registry, "fraud_worker_heartbeat_age_seconds", "Since the worker's last heartbeat", () => {
    const beat = heartbeat();
    return beat ? Math.max(0, (now() - Date.parse(beat.at)) / 1000) : Number.POSITIVE_INFINITY;
  });
  gauge(registry, "fraud_worker_resident_memory_bytes", "The worker process's resident memory", () => heartbeat()?.memory.rss_bytes ?? 0);
  gauge(registry, "fraud_worker_heap_used_bytes", "The worker process's V8 heap in use", () => heartbeat()?.memory.heap_used_bytes ?? 0);
  gauge(
    registry,
    "fraud_worker_event_loop_delay_p99_seconds",
    "The 99th percentile of the worker's event-loop delay over its last second",
    () => heartbeat()?.event_loop_delay_p99_s ?? 0,
  );
  new Counter({
    name: "fraud_webhook_deliveries_total",
    help: "Alert webhook delivery attempts, by result: delivered, retried (failed, tried again later), failed (given up)",
    labelNames: ["result"],
    registers,
    collect() {
      const d = heartbeat()?.deliveries ?? { delivered: 0, retried: 0, failed: 0 };
      this.reset();
      for (const result of ["delivered", "retried", "failed"] as const) this.inc({ result }, d[result]);
    },
  });
  counter(registry, "fraud_lake_records_total", "Decisions written to lake files", () => heartbeat()?.lake.records ?? 0);
  counter(registry, "fraud_lake_flushes_total", "Lake files written", () => heartbeat()?.lake.flushes ?? 0);
  counter(registry, "fraud_worker_store_failures_total", "Worker steps that failed because the store could not write", () => heartbeat()?.store_failures ?? 0);
  return registry;
}

function counter(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

function gauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}
