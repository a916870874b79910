import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lakeGlob, LocalLakeWriter, openLocalPlatform, OutboxWorker, type LocalPlatform } from "../src/adapters/local/index.ts";
import { Decision } from "../src/decision/decision.ts";
import { LAKE_COLUMNS, toLakeRecord } from "../src/lake/schema.ts";
import { maskPersonalData } from "../src/privacy/personal-data.ts";
import { seedDemo } from "../src/demo/seed.ts";
import { defaultSettings } from "../src/settings/settings.ts";
import type { TransactionInput } from "../src/transaction/transaction.ts";
import { count, localPlatforms, submitted, usual } from "./local-platform-support.ts";
import { at, MINUTE, NOW } from "./support.ts";

const { dirs, opened, seeded } = localPlatforms();
let duck: DuckDBInstance;
let query: DuckDBConnection;

beforeAll(async () => {
  duck = await DuckDBInstance.create(":memory:");
  query = await duck.connect();
});

afterAll(() => {
  query.closeSync();
  duck.closeSync();
});

async function openLake(p: LocalPlatform): Promise<LocalLakeWriter> {
  const lake = await LocalLakeWriter.open(p.lakeDir);
  opened.push(lake);
  return lake;
}

/** Files of the lake, relative to the data dir, sorted. */
function lakeFiles(p: LocalPlatform): string[] {
  const raw = join(p.lakeDir, "raw");
  if (!existsSync(raw)) return [];
  return readdirSync(raw, { recursive: true, withFileTypes: true })
    .filter((f) => f.isFile())
    .map((f) => relative(p.dataDir, join(f.parentPath, f.name)))
    .sort();
}

async function lake(p: LocalPlatform, sql: (source: string) => string): Promise<Record<string, unknown>[]> {
  const source = `read_parquet('${lakeGlob(p.lakeDir)}', hive_partitioning=true)`;
  return (await query.runAndReadAll(sql(source))).getRowObjectsJS();
}

async function lakeCount(p: LocalPlatform): Promise<number> {
  if (!lakeFiles(p).some((f) => f.endsWith(".parquet"))) return 0;
  const [row] = await lake(p, (src) => `SELECT count(*) AS n FROM ${src}`);
  return Number(row!.n);
}

/** A payment like user_001's usual ones (seeded: device_abc123 in New York, 30-day average 125.50). */

describe("OutboxWorker", () => {
  /** Four decisions over two days: two approved, one REVIEW (high-risk customer), one BLOCKED (takeover). */
  async function traffic(p: LocalPlatform): Promise<Record<string, Decision>> {
    const inputs: Record<string, TransactionInput> = {
      approved1: usual({ transaction_id: "a-1", amount: 120, timestamp: "2025-06-14T10:00:00Z" }),
      review: {
        transaction_id: "r-1",
        user_id: "user_002",
        amount: 40,
        merchant_id: "MERCH_TARGET",
        device_id: "device_xyz789",
        location: "Los Angeles, US",
        timestamp: "2025-06-14T18:00:00Z",
      },
      blocked: usual({ transaction_id: "b-1", amount: 7500, device_id: "device_unknown", location: "Lagos, NG", timestamp: "2025-06-15T09:00:00Z" }),
      approved2: {
        transaction_id: "a-2",
        user_id: "user_004",
        amount: 900,
        merchant_id: "MERCH_APPLE",
        device_id: "device_premium",
        location: "Miami, US",
        timestamp: "2025-06-15T10:00:00Z",
      },
    };
    const out: Record<string, Decision> = {};
    for (const [name, input] of Object.entries(inputs)) out[name] = await submitted(p, input);
    expect(Object.fromEntries(Object.entries(out).map(([k, d]) => [k, d.decision]))).toEqual({
      approved1: "APPROVED",
      review: "REVIEW",
      blocked: "BLOCKED",
      approved2: "APPROVED",
    });
    return out;
  }

  it("the worker checkpoints the write-ahead log, so the server's commits need not", async () => {
    const p = openLocalPlatform({ dataDir: dirs.make(), settings: defaultSettings, clock: () => NOW, walAutocheckpointPages: 50_000 });
    opened.push(p);
    await seedDemo(p, NOW);
    expect(p.db.pragma("wal_autocheckpoint", { simple: true })).toBe(50_000);
    for (let i = 0; i < 300; i++) await submitted(p, usual({ transaction_id: `w-${i}`, user_id: `wal-${i}` }));
    const worker = new OutboxWorker(p.db, await openLake(p));
    // The log went past SQLite's default of 1,000 pages without a checkpoint; the worker copies all of it.
    const { log, checkpointed } = worker.checkpoint();
    expect(log).toBeGreaterThan(1_000);
    expect(checkpointed).toBe(log);
    expect(worker.checkpoint()).toEqual({ log, checkpointed: log });
  });

  it("stops at an outbox row that does not hold a decision, before writing alerts, metrics or the lake", async () => {
    const p = await seeded();
    await traffic(p);
    p.db.prepare("INSERT INTO outbox (transaction_id, payload, created_at) VALUES ('not-a-decision', '{\"hello\":1}', ?)").run(NOW.toISOString());
    const worker = new OutboxWorker(p.db, await openLake(p));
    expect(() => worker.stepAlertsAndMetrics()).toThrow(/does not hold a decision/);
    await expect(worker.stepLake(Date.now(), true)).rejects.toThrow(/does not hold a decision/);
    expect(worker.offset("alerts_metrics")).toBe(0);
    expect(worker.offset("lake")).toBe(0);
    expect(p.db.prepare("SELECT count(*) AS n FROM metrics_minute").get()).toEqual({ n: 0 });
  });

  it("says which outbox ids reached the lake in words that survive the logs' masking of phone numbers", async () => {
    const p = await seeded();
    // Ids far into a busy day: "7304-27396" would read as a phone number and be masked.
    p.db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', 7303)").run();
    await traffic(p);
    const lines: string[] = [];
    const worker = new OutboxWorker(p.db, await openLake(p), { log: (line) => lines.push(line) });
    await worker.drain();
    const wrote = lines.find((l) => l.includes("to the lake"));
    expect(wrote).toMatch(/^wrote \d+ record\(s\) to the lake \(outbox ids 7304 to \d{4,}\)$/);
    expect(maskPersonalData(wrote!)).toBe(wrote);
  });

  it("prunes only the outbox rows every consumer has processed, in chunks", async () => {
    const p = await seeded();
    const worker = new OutboxWorker(p.db, await openLake(p));
    const insert = p.db.prepare("INSERT INTO outbox (transaction_id, payload, created_at) VALUES (?, 'x', ?)");
    const ids = p.db.transaction(() => Array.from({ length: 4_500 }, (_, i) => Number(insert.run(`p-${i}`, NOW.toISOString()).lastInsertRowid)))();
    p.db.prepare("UPDATE consumer_offsets SET last_id = ? WHERE consumer = 'alerts_metrics'").run(ids[4_199]);
    p.db.prepare("UPDATE consumer_offsets SET last_id = ? WHERE consumer = 'lake'").run(ids[3_999]);
    expect(await worker.prune()).toBe(4_000);
    expect(p.db.prepare("SELECT min(id) AS first, count(*) AS n FROM outbox").get()).toEqual({ first: ids[4_000], n: 500 });
  });

  it("per-minute metrics, summed per minute and outcome before writing, equal the sum over every decision", async () => {
    const p = await seeded();
    await traffic(p);
    for (let i = 0; i < 30; i++) {
      await p.scoring.submit({
        transaction_id: `m-${i}`,
        user_id: `mu-${i % 4}`,
        amount: 100 + i * 37,
        merchant_id: "MERCH_A",
        device_id: "d1",
        location: "Douala, CM",
      });
    }
    // Spread the decisions over three minutes (the platform's clock is fixed).
    p.db
      .prepare(
        "UPDATE decisions SET data = json_set(data, '$.decided_at', strftime('%Y-%m-%dT%H:%M:%fZ', json_extract(data, '$.decided_at'), '+' || (seq % 3) || ' minutes'))",
      )
      .run();
    const worker = new OutboxWorker(p.db, await openLake(p));
    while (worker.stepAlertsAndMetrics() > 0);
    const decisions = p.db
      .prepare<[], { data: string }>("SELECT data FROM decisions")
      .all()
      .map((r) => Decision.parse(JSON.parse(r.data)));
    const expected = new Map<
      string,
      { minute: string; decision: string; count: number; amount: number; score_sum: number; latency_sum: number; latency_max: number }
    >();
    for (const d of decisions) {
      const key = `${d.decided_at.slice(0, 16)}/${d.decision}`;
      const m = expected.get(key) ?? {
        minute: d.decided_at.slice(0, 16),
        decision: d.decision,
        count: 0,
        amount: 0,
        score_sum: 0,
        latency_sum: 0,
        latency_max: 0,
      };
      expected.set(key, {
        ...m,
        count: m.count + 1,
        amount: m.amount + d.transaction.amount,
        score_sum: m.score_sum + d.score,
        latency_sum: m.latency_sum + d.latency_ms,
        latency_max: Math.max(m.latency_max, d.latency_ms),
      });
    }
    const rows = p.db.prepare("SELECT * FROM metrics_minute ORDER BY minute, decision").all() as Array<{ latency_sum: number }>;
    const want = [...expected.values()].sort((a, b) => `${a.minute}${a.decision}`.localeCompare(`${b.minute}${b.decision}`));
    expect(rows.map((r) => ({ ...r, latency_sum: Math.round(r.latency_sum * 1e6) }))).toEqual(
      want.map((r) => ({ ...r, latency_sum: Math.round(r.latency_sum * 1e6) })),
    );
    expect(new Set(want.map((r) => r.minute)).size).toBeGreaterThan(1);
    expect(new Set(want.map((r) => r.decision)).size).toBeGreaterThan(1);
  });

  it("drain writes alerts for REVIEW and BLOCKED only, per-minute metrics, and one Parquet row per decision", async () => {
    const p = await seeded();
    const decisions = await traffic(p);
    const worker = new OutboxWorker(p.db, await openLake(p));
    await worker.drain();

    const alerts = p.db.prepare("SELECT transaction_id, decision, score, rules, status FROM alerts ORDER BY transaction_id").all();
    expect(alerts).toEqual([
      { transaction_id: "b-1", decision: "BLOCKED", score: 100, rules: JSON.stringify(decisions.blocked!.rules.map((r) => r.id)), status: "open" },
      { transaction_id: "r-1", decision: "REVIEW", score: decisions.review!.score, rules: '["HIGH_RISK_CUSTOMER"]', status: "open" },
    ]);
    expect(p.db.prepare("SELECT minute, decision, count, amount FROM metrics_minute ORDER BY decision").all()).toEqual([
      { minute: "2025-06-15T12:00", decision: "APPROVED", count: 2, amount: 1020 },
      { minute: "2025-06-15T12:00", decision: "BLOCKED", count: 1, amount: 7500 },
      { minute: "2025-06-15T12:00", decision: "REVIEW", count: 1, amount: 40 },
    ]);

    expect(lakeFiles(p)).toEqual(["lake/raw/dt=2025-06-14/part-1-4.parquet", "lake/raw/dt=2025-06-15/part-1-4.parquet"]);
    expect(await lakeCount(p)).toBe(4);
    const described = await lake(p, (src) => `DESCRIBE SELECT * FROM ${src}`);
    expect(described.map((c) => c.column_name)).toEqual([...LAKE_COLUMNS.map((c) => c.name), "dt"]);
    const duckType = { string: "VARCHAR", double: "DOUBLE", bigint: "BIGINT", boolean: "BOOLEAN", timestamp: "TIMESTAMP", "array<string>": "VARCHAR[]" };
    expect(described.slice(0, -1).map((c) => c.column_type)).toEqual(LAKE_COLUMNS.map((c) => duckType[c.type]));

    const rows = await lake(
      p,
      (src) => `SELECT transaction_id, CAST(dt AS VARCHAR) AS dt, decision, score, amount, rules_fired, "timestamp" FROM ${src} ORDER BY "timestamp"`,
    );
    expect(rows.map((r) => [r.transaction_id, r.dt, r.decision, Number(r.score), r.amount])).toEqual([
      ["a-1", "2025-06-14", "APPROVED", 0, 120],
      ["r-1", "2025-06-14", "REVIEW", decisions.review!.score, 40],
      ["b-1", "2025-06-15", "BLOCKED", 100, 7500],
      ["a-2", "2025-06-15", "APPROVED", 0, 900],
    ]);
    expect(rows[2]!.rules_fired).toEqual(decisions.blocked!.rules.map((r) => r.id));
    expect((rows[0]!.timestamp as Date).toISOString()).toBe("2025-06-14T10:00:00.000Z");
    expect(count(p, "outbox")).toBe(0);
  });

  it("draining again writes nothing new; a later decision is added once", async () => {
    const p = await seeded();
    await traffic(p);
    const worker = new OutboxWorker(p.db, await openLake(p));
    await worker.drain();
    const state = { files: lakeFiles(p), alerts: p.db.prepare("SELECT * FROM alerts").all(), metrics: p.db.prepare("SELECT * FROM metrics_minute").all() };
    await worker.drain();
    await new OutboxWorker(p.db, await openLake(p)).drain();
    expect({ files: lakeFiles(p), alerts: p.db.prepare("SELECT * FROM alerts").all(), metrics: p.db.prepare("SELECT * FROM metrics_minute").all() }).toEqual(
      state,
    );
    expect(await lakeCount(p)).toBe(4);

    await submitted(p, usual({ transaction_id: "a-3", timestamp: at(-MINUTE) }));
    await worker.drain();
    expect(await lakeCount(p)).toBe(5);
    expect(count(p, "alerts")).toBe(2);
    expect(lakeFiles(p)).toContain("lake/raw/dt=2025-06-15/part-5-5.parquet");
  });

  it("the lake buffer fills as rows are read and is written when due; a failed append starts again from the lake's offset", async () => {
    const p = await seeded();
    await traffic(p);
    const writer = await openLake(p);
    const worker = new OutboxWorker(p.db, writer, { lakeFlushSeconds: 60, lakeFlushRecords: 1_000 });
    const t0 = Date.now();
    expect(await worker.stepLake(t0)).toBe(0);
    expect([writer.buffered, lakeFiles(p).length]).toEqual([4, 0]); // converted at once, written later

    await submitted(p, usual({ transaction_id: "a-3", timestamp: at(-MINUTE) }));
    const append = writer.append.bind(writer);
    writer.append = async (batch) => {
      await append(batch.slice(0, 1));
      throw new Error("append failed half way");
    };
    await expect(worker.stepLake(t0 + 1_000)).rejects.toThrow("append failed half way");
    expect(writer.buffered).toBe(0);
    writer.append = append;

    expect(await worker.stepLake(t0 + 2_000)).toBe(0);
    expect(writer.buffered).toBe(5);
    expect(await worker.stepLake(t0 + 62_000)).toBe(5);
    expect(writer.buffered).toBe(0);
    expect(lakeFiles(p)).toEqual(["lake/raw/dt=2025-06-14/part-1-5.parquet", "lake/raw/dt=2025-06-15/part-1-5.parquet"]);
    const perTransaction = await lake(p, (src) => `SELECT transaction_id, count(*) AS n FROM ${src} GROUP BY transaction_id ORDER BY transaction_id`);
    expect(perTransaction.map((r) => [r.transaction_id, Number(r.n)])).toEqual([
      ["a-1", 1],
      ["a-2", 1],
      ["a-3", 1],
      ["b-1", 1],
      ["r-1", 1],
    ]);
  });

  it("alerts and the lake read each outbox row once between them, and a row that arrives between the two steps is not missed", async () => {
    const p = await seeded();
    await traffic(p);
    const writer = await openLake(p);
    const worker = new OutboxWorker(p.db, writer, { lakeFlushSeconds: 60, lakeFlushRecords: 1_000 });
    let rowsRead = 0;
    const q = (worker as unknown as { q: { read: { all: (...a: number[]) => unknown[] } } }).q;
    const all = q.read.all.bind(q.read);
    q.read.all = (...a: number[]) => {
      const rows = all(...a);
      rowsRead += rows.length;
      return rows;
    };
    const t0 = Date.now();
    expect(worker.stepAlertsAndMetrics()).toBe(4);
    // A decision recorded between the alerts step and the lake step.
    await submitted(p, usual({ transaction_id: "a-3", timestamp: at(-MINUTE) }));
    expect(await worker.stepLake(t0)).toBe(0);
    // The lake step took the alerts step's four rows without reading them again, then read on
    // from there: five rows read from SQLite in all (nine if each step read for itself).
    expect([writer.buffered, rowsRead]).toEqual([5, 5]);
    expect(worker.stepAlertsAndMetrics()).toBe(1);
    expect(await worker.stepLake(t0 + 61_000)).toBe(5);
    const perTransaction = await lake(p, (src) => `SELECT transaction_id, count(*) AS n FROM ${src} GROUP BY transaction_id ORDER BY transaction_id`);
    expect(perTransaction.map((r) => [r.transaction_id, Number(r.n)])).toEqual([
      ["a-1", 1],
      ["a-2", 1],
      ["a-3", 1],
      ["b-1", 1],
      ["r-1", 1],
    ]);
    expect(count(p, "alerts")).toBe(2);
  });

  it("after a crash between the lake write and the offset update, each transaction is in the lake exactly once", async () => {
    const p = await seeded();
    await traffic(p);
    const lakeWriter = await openLake(p);
    await new OutboxWorker(p.db, lakeWriter).drain();
    expect(await lakeCount(p)).toBe(4);

    // Two more decisions; a worker writes them to the lake and dies before recording its offset.
    await submitted(p, usual({ transaction_id: "c-1", timestamp: at(-2 * MINUTE) }));
    await submitted(p, {
      transaction_id: "c-2",
      user_id: "user_005",
      amount: 80,
      merchant_id: "MERCH_TARGET",
      device_id: "device_normal",
      location: "Seattle, US",
      timestamp: "2025-06-14T23:00:00Z",
    });
    const pending = p.db
      .prepare(
        "SELECT o.id, o.transaction_id, CASE WHEN o.payload = '' THEN d.data ELSE o.payload END AS payload FROM outbox o JOIN decisions d USING (transaction_id) ORDER BY o.id",
      )
      .all() as Array<{ id: number; payload: string }>;
    expect(pending.map((r) => r.id)).toEqual([5, 6]);
    const written = await lakeWriter.write(
      pending.map((r) => toLakeRecord(Decision.parse(JSON.parse(r.payload)))),
      5,
      6,
    );
    expect(written).toHaveLength(2);
    // ... and a COPY that was cut short.
    writeFileSync(join(p.lakeDir, "raw", "dt=2025-06-15", "part-7-7.parquet.tmp"), "half a file");
    expect(await lakeCount(p)).toBe(6);

    const restarted = new OutboxWorker(p.db, await openLake(p));
    expect(lakeFiles(p)).toEqual(["lake/raw/dt=2025-06-14/part-1-4.parquet", "lake/raw/dt=2025-06-15/part-1-4.parquet"]);
    await restarted.drain();
    const perTransaction = await lake(p, (src) => `SELECT transaction_id, count(*) AS n FROM ${src} GROUP BY transaction_id ORDER BY transaction_id`);
    expect(perTransaction.map((r) => [r.transaction_id, Number(r.n)])).toEqual([
      ["a-1", 1],
      ["a-2", 1],
      ["b-1", 1],
      ["c-1", 1],
      ["c-2", 1],
      ["r-1", 1],
    ]);
    const files = lakeFiles(p);
    await restarted.drain();
    expect(lakeFiles(p)).toEqual(files);
    expect(await lakeCount(p)).toBe(6);
  });
});
