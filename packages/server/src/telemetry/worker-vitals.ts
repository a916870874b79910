import { WORKER_HEARTBEAT_EVERY_MS, type WorkerHeartbeat } from "@fraud/core";
import type { OperationsStore } from "@fraud/core/local";
import { monitorEventLoopDelay } from "node:perf_hooks";

type Counts = Pick<WorkerHeartbeat, "deliveries" | "lake" | "store_failures">;

const NONE: Counts = { deliveries: { delivered: 0, retried: 0, failed: 0 }, lake: { records: 0, flushes: 0, last_flush_at: null }, store_failures: 0 };

/**
 * The worker's heartbeat (WorkerHeartbeat): that it is alive, its memory and event-loop delay,
 * and its counters, written to the store once a second. Counters go on from the previous
 * heartbeat, so a restarted worker's figures keep growing, as Prometheus expects of a counter.
 */
export class WorkerVitals {
  private readonly delay = monitorEventLoopDelay({ resolution: 10 });
  private readonly startedAt = new Date().toISOString();
  private readonly before: Counts;
  private readonly lake = { records: 0, flushes: 0, last_flush_at: null as string | null };
  private storeFailures = 0;
  private lastBeat = -Infinity;

  constructor(
    private readonly store: OperationsStore,
    private readonly deliveries: { attempts: { delivered: number; retried: number; failed: number } },
  ) {
    this.before = store.heartbeat() ?? NONE;
    this.delay.enable();
  }

  lakeFlushed(records: number): void {
    this.lake.records += records;
    this.lake.flushes += 1;
    this.lake.last_flush_at = new Date().toISOString();
  }

  storeFailed(): void {
    this.storeFailures += 1;
  }

  /** Writes the heartbeat when the last one is WORKER_HEARTBEAT_EVERY_MS old. */
  beatIfDue(now = performance.now()): void {
    if (now - this.lastBeat < WORKER_HEARTBEAT_EVERY_MS) return;
    const memory = process.memoryUsage();
    const a = this.deliveries.attempts;
    const b = this.before;
    this.store.beat({
      at: new Date().toISOString(),
      pid: process.pid,
      started_at: this.startedAt,
      memory: { rss_bytes: memory.rss, heap_used_bytes: memory.heapUsed },
      event_loop_delay_p99_s: this.delay.count > 0 ? this.delay.percentile(99) / 1e9 : 0,
      deliveries: { delivered: b.deliveries.delivered + a.delivered, retried: b.deliveries.retried + a.retried, failed: b.deliveries.failed + a.failed },
      lake: {
        records: b.lake.records + this.lake.records,
        flushes: b.lake.flushes + this.lake.flushes,
        last_flush_at: this.lake.last_flush_at ?? b.lake.last_flush_at,
      },
      store_failures: b.store_failures + this.storeFailures,
    });
    this.lastBeat = now;
    this.delay.reset();
  }

  close(): void {
    this.delay.disable();
  }
}
