import type { Decision } from "../../decision/decision.ts";
import { toLakeRecord } from "../../lake/schema.ts";
import { raisesAlert } from "../../ruleset/ruleset.ts";
import type { CompactResult, LocalLakeWriter } from "./lake.ts";
import { guardWrite, type Db } from "./sqlite.ts";

export interface WorkerOptions {
  /** Outbox rows read per step. */
  batchSize?: number;
  /** The lake buffer is written when it holds this many records... */
  lakeFlushRecords?: number;
  /** ...or when its oldest record has waited this long, like Firehose's buffering hints. */
  lakeFlushSeconds?: number;
  log?: (line: string) => void;
}

type OutboxRow = { id: number; payload: string };

/** A UTC day is closed, and its files merged, this long after it ends: late buffers are flushed by then. */
export const LAKE_DAY_CLOSES_AFTER_MS = 60 * 60_000;

/** The last outbox id the lake has committed: files holding ids up to it are final. */
export function committedLakeId(db: Db): number {
  return db.prepare<[], { last_id: number }>("SELECT last_id FROM consumer_offsets WHERE consumer = 'lake'").get()?.last_id ?? 0;
}

/** The first day not closed at `now` (`YYYY-MM-DD`): compaction merges the days before it. */
export function firstOpenDay(now: number): string {
  return new Date(now - LAKE_DAY_CLOSES_AFTER_MS).toISOString().slice(0, 10);
}

const ALERTS = "alerts_metrics";
/** Outbox rows per alerts-and-metrics transaction: a few milliseconds of writing at most. */
export const ALERTS_BATCH = 500;
const PRUNE_CHUNK = 2_000;
const PARSED_MAX = 50_000;
const LAKE = "lake";

interface MinuteFigures {
  minute: string;
  decision: Decision["decision"];
  count: number;
  amount: number;
  score_sum: number;
  latency_sum: number;
  latency_max: number;
}

/**
 * The per-minute figures of a batch of decisions, one row per minute and outcome: written with one
 * upsert each instead of one per decision (a batch of 500 decisions spans a minute or two), which
 * keeps the worker's write transaction, and so the server's wait for the write lock, short.
 */
export function minuteFigures(decisions: readonly Decision[]): MinuteFigures[] {
  const byKey = new Map<string, MinuteFigures>();
  for (const d of decisions) {
    const minute = d.decided_at.slice(0, 16);
    const key = `${minute} ${d.decision}`;
    const m = byKey.get(key);
    if (!m) {
      byKey.set(key, {
        minute,
        decision: d.decision,
        count: 1,
        amount: d.transaction.amount,
        score_sum: d.score,
        latency_sum: d.latency_ms,
        latency_max: d.latency_ms,
      });
      continue;
    }
    m.count += 1;
    m.amount += d.transaction.amount;
    m.score_sum += d.score;
    m.latency_sum += d.latency_ms;
    m.latency_max = Math.max(m.latency_max, d.latency_ms);
  }
  return [...byKey.values()];
}

/**
 * Drains the outbox into alerts, metrics and the lake. Alerts and metrics advance their offset in
 * the same SQLite transaction that writes them (exactly once); the lake names each file after the
 * outbox ids it holds and removes files past its offset on start, so a crash never duplicates rows.
 */
export class OutboxWorker {
  /** The outbox rows in the lake writer's buffer: first and last id, since when, how many. */
  private lakeHeld: { first: number; last: number; since: number; count: number } | undefined;
  private lakeReadId: number;
  private readonly parsed = new Map<number, Decision>();
  /** The last rows read, for the other consumer (see read). */
  private lastRead: { afterId: number; rows: OutboxRow[] } | undefined;
  private readonly opts: Required<Omit<WorkerOptions, "log">> & Pick<WorkerOptions, "log">;
  /** Prepared once: the worker runs these statements every few milliseconds under load. */
  private readonly q;

  constructor(
    private readonly db: Db,
    private readonly lake: LocalLakeWriter,
    options: WorkerOptions = {},
  ) {
    this.opts = { batchSize: 2_000, lakeFlushRecords: 20_000, lakeFlushSeconds: 5, ...options };
    this.q = {
      offset: db.prepare<[string], { last_id: number }>("SELECT last_id FROM consumer_offsets WHERE consumer = ?"),
      setOffset: db.prepare<[number, string]>("UPDATE consumer_offsets SET last_id = ? WHERE consumer = ?"),
      read: db.prepare<[number, number], OutboxRow>(
        `SELECT o.id, CASE WHEN o.payload = '' THEN d.data ELSE o.payload END AS payload
         FROM outbox o LEFT JOIN decisions d ON d.transaction_id = o.transaction_id
         WHERE o.id > ? ORDER BY o.id LIMIT ?`,
      ),
      alert: db.prepare(
        `INSERT INTO alerts (transaction_id, user_id, decision, score, amount, rules, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(transaction_id) DO NOTHING`,
      ),
      metric: db.prepare(
        `INSERT INTO metrics_minute (minute, decision, count, amount, score_sum, latency_sum, latency_max) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(minute, decision) DO UPDATE SET count = count + excluded.count, amount = amount + excluded.amount,
           score_sum = score_sum + excluded.score_sum, latency_sum = latency_sum + excluded.latency_sum,
           latency_max = max(latency_max, excluded.latency_max)`,
      ),
    };
    guardWrite(() => db.prepare("INSERT INTO consumer_offsets (consumer, last_id) VALUES (?, 0), (?, 0) ON CONFLICT DO NOTHING").run(ALERTS, LAKE));
    this.lakeReadId = this.offset(LAKE);
    const removed = lake.removeUncommitted(this.lakeReadId);
    if (removed.length > 0) this.opts.log?.(`removed ${removed.length} uncommitted lake file(s) after offset ${this.lakeReadId}`);
  }

  /**
   * Both consumers read the same outbox rows, usually moments apart: each row is parsed once, by
   * the first, and handed to the second (bounded, in case one of them falls far behind). The rows
   * are decisions this platform's server built and wrote itself (the Decision type, in the same
   * transaction as the outbox row), so they are read as JSON without checking every field against
   * the schema again, which was a third of the worker's CPU; a row that is not a decision at all
   * still stops the worker rather than reaching the lake.
   */
  private decisionOf(row: OutboxRow): Decision {
    const known = this.parsed.get(row.id);
    if (known) {
      this.parsed.delete(row.id);
      return known;
    }
    const decision = JSON.parse(row.payload) as Decision;
    if (typeof decision?.transaction_id !== "string" || typeof decision.decided_at !== "string" || typeof decision.transaction !== "object") {
      throw new Error(`outbox row ${row.id} does not hold a decision`);
    }
    if (this.parsed.size >= PARSED_MAX) this.parsed.clear();
    this.parsed.set(row.id, decision);
    return decision;
  }

  offset(consumer: string): number {
    return this.q.offset.get(consumer)?.last_id ?? 0;
  }

  /**
   * Outbox rows after `afterId`. Both consumers usually ask for the rows after the same id, one
   * right after the other: the second gets the first one's rows (outbox rows never change, and
   * they become visible in id order), and any newer ones on its next read. Each row, with its
   * decision looked up by transaction id, is then read from SQLite once instead of twice.
   */
  private read(afterId: number, limit = this.opts.batchSize): OutboxRow[] {
    const last = this.lastRead;
    if (last && last.afterId === afterId && last.rows.length > 0 && last.rows.length <= limit) {
      this.lastRead = undefined;
      return last.rows;
    }
    const rows = this.q.read.all(afterId, limit);
    this.lastRead = { afterId, rows };
    return rows;
  }

  /**
   * Alerts for REVIEW and BLOCKED, and per-minute metrics; returns rows processed. The rows are
   * read and parsed before the write transaction, which then only writes: the server waits for
   * SQLite's write lock while any transaction holds it, so every write here stays short.
   */
  stepAlertsAndMetrics(): number {
    const from = this.offset(ALERTS);
    const rows = this.read(from, ALERTS_BATCH);
    if (rows.length === 0) return 0;
    const decisions = rows.map((row) => this.decisionOf(row));
    return guardWrite(() =>
      this.db
        .transaction(() => {
          // Another worker moved the offset meanwhile: nothing written, the next step reads again.
          if (this.offset(ALERTS) !== from) return 0;
          for (const d of decisions) {
            if (raisesAlert(d.decision)) {
              this.q.alert.run(d.transaction_id, d.user_id, d.decision, d.score, d.transaction.amount, JSON.stringify(d.rules.map((r) => r.id)), d.decided_at);
            }
          }
          for (const m of minuteFigures(decisions)) this.q.metric.run(m.minute, m.decision, m.count, m.amount, m.score_sum, m.latency_sum, m.latency_max);
          this.q.setOffset.run(rows.at(-1)!.id, ALERTS);
          return rows.length;
        })
        .immediate(),
    );
  }

  /**
   * Appends new outbox rows to the lake writer's buffer as they are read, and writes the buffer to
   * the lake when it is due; returns rows written.
   */
  async stepLake(now = Date.now(), force = false): Promise<number> {
    for (;;) {
      const rows = this.read(this.lakeReadId);
      if (rows.length === 0) break;
      if (this.lakeHeld === undefined) this.lakeHeld = { first: rows[0]!.id, last: rows[0]!.id, since: now, count: 0 };
      try {
        await this.lake.append(rows.map((row) => toLakeRecord(this.decisionOf(row))));
      } catch (error) {
        // Part of the rows may be in the buffer: start again from the lake's offset, nothing lost or doubled.
        await this.lake.discard();
        this.lakeHeld = undefined;
        this.lakeReadId = this.offset(LAKE);
        throw error;
      }
      this.lakeHeld.last = rows.at(-1)!.id;
      this.lakeHeld.count += rows.length;
      this.lakeReadId = this.lakeHeld.last;
      if (this.lakeHeld.count >= this.opts.lakeFlushRecords) break;
    }
    const held = this.lakeHeld;
    if (!held) return 0;
    const due = held.count >= this.opts.lakeFlushRecords || force || now - held.since >= this.opts.lakeFlushSeconds * 1000;
    if (!due) return 0;
    await this.lake.flush(held.first, held.last);
    guardWrite(() => this.q.setOffset.run(held.last, LAKE));
    this.lakeHeld = undefined;
    // "ids 7304 to 27396", not "7304-27396": logs mask anything shaped like a phone number.
    this.opts.log?.(`wrote ${held.count} record(s) to the lake (outbox ids ${held.first} to ${held.last})`);
    return held.count;
  }

  /** Merges the worker's files of each closed day into one file (see LocalLakeWriter.compact). */
  async compactLake(now = Date.now()): Promise<CompactResult> {
    const result = await this.lake.compact({ committedId: this.offset(LAKE), before: firstOpenDay(now), now });
    for (const m of result.merged) this.opts.log?.(`compacted ${m.files} lake files of ${m.dt} into ${m.file} (${m.rows} rows)`);
    if (result.removed.length > 0) this.opts.log?.(`removed ${result.removed.length} lake file(s) replaced by compacted ones`);
    return result;
  }

  /**
   * Deletes outbox rows every consumer has processed, a few thousand per transaction with a pause
   * between them, so the server is never kept waiting for the write lock behind one long delete.
   */
  async prune(): Promise<number> {
    const done = Math.min(this.offset(ALERTS), this.offset(LAKE));
    const chunk = this.db.prepare("DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE id <= ? ORDER BY id LIMIT ?)");
    let total = 0;
    for (;;) {
      const n = guardWrite(() => chunk.run(done, PRUNE_CHUNK).changes);
      total += n;
      if (n < PRUNE_CHUNK) return total;
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /**
   * Copies the write-ahead log into the database file (a passive checkpoint: it waits for nobody).
   * Done here, in the worker, so that no commit of the server pays for it.
   */
  checkpoint(): { log: number; checkpointed: number } {
    const [state] = guardWrite(() => this.db.pragma("wal_checkpoint(PASSIVE)") as Array<{ log: number; checkpointed: number }>);
    return { log: state?.log ?? 0, checkpointed: state?.checkpointed ?? 0 };
  }

  /** Processes everything now, flushing the lake buffer: for tests and a clean shutdown. */
  async drain(): Promise<void> {
    while (this.stepAlertsAndMetrics() > 0);
    while ((await this.stepLake(Date.now(), true)) > 0);
    await this.prune();
  }

  /** Outbox rows not yet in the lake (buffered or unread). */
  lakeBacklog(): number {
    return this.db.prepare<[number], { n: number }>("SELECT count(*) AS n FROM outbox WHERE id > ?").get(this.offset(LAKE))?.n ?? 0;
  }
}
