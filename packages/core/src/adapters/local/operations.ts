import { WorkerHeartbeat } from "../../telemetry/worker-heartbeat.ts";
import { guardWrite, type Db } from "./sqlite.ts";

/** The consumers of the outbox: alerts and per-minute figures, and the lake. */
export const OUTBOX_CONSUMERS = ["alerts_metrics", "lake"] as const;
export type OutboxConsumer = (typeof OUTBOX_CONSUMERS)[number];

export interface OutboxFigures {
  /** Decisions each consumer has not processed yet. */
  depth: Record<OutboxConsumer, number>;
  /** How long the oldest of them has waited (seconds; 0 when none waits). */
  oldestAgeS: Record<OutboxConsumer, number>;
}

const HEARTBEAT_KEY = "worker_heartbeat";

/**
 * Reads of the store for operating the embedded deployment: the outbox's backlog per consumer
 * and the worker's heartbeat. Each is a few index lookups, whatever the size of the outbox:
 * outbox ids only grow (AUTOINCREMENT), so a consumer's backlog is the last id minus its offset.
 */
export class OperationsStore {
  private readonly q;

  constructor(private readonly db: Db) {
    this.q = {
      lastId: db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'"),
      offset: db.prepare<[string], { last_id: number }>("SELECT last_id FROM consumer_offsets WHERE consumer = ?"),
      oldest: db.prepare<[number], { created_at: string }>("SELECT created_at FROM outbox WHERE id > ? ORDER BY id LIMIT 1"),
      heartbeat: db.prepare<[], { value: string }>(`SELECT value FROM kv WHERE key = '${HEARTBEAT_KEY}'`),
      beat: db.prepare<[string]>(`INSERT INTO kv (key, value) VALUES ('${HEARTBEAT_KEY}', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`),
    };
  }

  outbox(now: number = Date.now()): OutboxFigures {
    const last = this.q.lastId.get()?.seq ?? 0;
    const figures: OutboxFigures = { depth: { alerts_metrics: 0, lake: 0 }, oldestAgeS: { alerts_metrics: 0, lake: 0 } };
    for (const consumer of OUTBOX_CONSUMERS) {
      const offset = this.q.offset.get(consumer)?.last_id ?? 0;
      figures.depth[consumer] = Math.max(0, last - offset);
      const oldest = this.q.oldest.get(offset);
      figures.oldestAgeS[consumer] = oldest ? Math.max(0, (now - Date.parse(oldest.created_at)) / 1000) : 0;
    }
    return figures;
  }

  /** The worker's last heartbeat; undefined when it never wrote one, or wrote something else. */
  heartbeat(): WorkerHeartbeat | undefined {
    const row = this.q.heartbeat.get();
    if (!row) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(row.value);
    } catch {
      return undefined;
    }
    const parsed = WorkerHeartbeat.safeParse(value);
    return parsed.success ? parsed.data : undefined;
  }

  beat(heartbeat: WorkerHeartbeat): void {
    guardWrite(() => this.q.beat.run(JSON.stringify(heartbeat)));
  }
}
