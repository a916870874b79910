import { MinuteFigures, quantile, type RecentSample } from "../../monitoring/monitoring.ts";
import type { LiveMetrics } from "../../platform/ports.ts";
import type { Db } from "./sqlite.ts";

/** Reads the per-minute table the outbox worker keeps, and samples the newest decisions. */
export class LocalLiveMetrics implements LiveMetrics {
  constructor(private readonly db: Db) {}

  async perMinute(minutes: number, now: Date): Promise<MinuteFigures[]> {
    const since = new Date(Math.floor(now.getTime() / 60_000) * 60_000 - (minutes - 1) * 60_000).toISOString().slice(0, 16);
    const rows = this.db
      .prepare<[string], { minute: string; decision: "APPROVED" | "REVIEW" | "BLOCKED"; count: number; amount: number }>(
        "SELECT minute, decision, count, amount FROM metrics_minute WHERE minute >= ? ORDER BY minute",
      )
      .all(since);
    const byMinute = new Map<string, MinuteFigures>();
    for (const r of rows) {
      const m = byMinute.get(r.minute) ?? { minute: r.minute, APPROVED: 0, REVIEW: 0, BLOCKED: 0, amount_blocked: 0 };
      m[r.decision] += r.count;
      if (r.decision === "BLOCKED") m.amount_blocked += r.amount;
      byMinute.set(r.minute, m);
    }
    return [...byMinute.values()].map((m) => MinuteFigures.parse(m));
  }

  async recent(size: number): Promise<RecentSample> {
    const rows = this.db
      .prepare<[number], { score: number; latency: number | null }>(
        "SELECT score, json_extract(data, '$.latency_ms') AS latency FROM decisions ORDER BY seq DESC LIMIT ?",
      )
      .all(Math.min(Math.max(size, 1), 20_000));
    const buckets = Array.from({ length: 10 }, () => 0);
    const latencies: number[] = [];
    for (const r of rows) {
      buckets[Math.min(9, Math.floor(r.score / 10))]! += 1;
      if (typeof r.latency === "number") latencies.push(r.latency);
    }
    latencies.sort((a, b) => a - b);
    return { size: rows.length, score_buckets: buckets, latency_p50_ms: quantile(latencies, 0.5), latency_p99_ms: quantile(latencies, 0.99) };
  }
}
