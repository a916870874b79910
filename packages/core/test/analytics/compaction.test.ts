import { DuckDBInstance } from "@duckdb/node-api";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { lakeFiles, LocalLakeWriter } from "../../src/adapters/local/lake.ts";
import { LocalReportRunner } from "../../src/adapters/local/report-runner.ts";
import { openLocalPlatform } from "../../src/adapters/local/platform.ts";
import { OutboxWorker } from "../../src/adapters/local/worker.ts";
import { LAKE_COLUMNS, type LakeRecord } from "../../src/lake/schema.ts";
import { collectReport, rowObjects } from "../../src/report/report.ts";
import { seedDemo } from "../../src/demo/seed.ts";
import { defaultSettings } from "../../src/settings/settings.ts";
import { NOW } from "../support.ts";
import { tempDirs } from "./lake-fixture.ts";

const dirs = tempDirs();
const closing: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const c of closing.splice(0).reverse()) await c.close();
  dirs.cleanup();
});

const HOUR = 3_600_000;

/** A decision record of the lake, on `day` (2025-06-DD), with a decision spread over the three. */
function row(n: number, day: number): { dt: string; record: LakeRecord } {
  const timestamp = `2025-06-${String(day).padStart(2, "0")}T${String(n % 24).padStart(2, "0")}:00:00.000Z`;
  const record: LakeRecord = Object.fromEntries(LAKE_COLUMNS.map((c) => [c.name, null]));
  Object.assign(record, {
    transaction_id: `t${n}`,
    user_id: `u${n % 7}`,
    amount: n * 10,
    currency: "XAF",
    merchant_id: "m1",
    timestamp,
    decision: ["APPROVED", "REVIEW", "BLOCKED"][n % 3]!,
    score: (n % 3) * 40,
    rules_fired: n % 3 === 0 ? [] : ["R1"],
    ruleset_version: 1,
    latency_ms: n / 10,
    decided_at: timestamp,
  });
  return { dt: timestamp.slice(0, 10), record };
}

/** Writes outbox ids first..last as the worker does: one file per batch and day. */
async function batch(lake: LocalLakeWriter, first: number, last: number, day: (n: number) => number): Promise<void> {
  const rows = [];
  for (let n = first; n <= last; n++) rows.push(row(n, day(n)));
  await lake.write(rows, first, last);
}

async function openLake(): Promise<{ root: string; lake: LocalLakeWriter; runner: LocalReportRunner }> {
  const root = join(dirs.make(), "lake");
  const lake = await LocalLakeWriter.open(root);
  const runner = new LocalReportRunner({ lakeDir: root });
  closing.push(lake, runner);
  return { root, lake, runner };
}

/** Every transaction id as a reader sees it, with how many times it is there. */
async function seen(runner: LocalReportRunner): Promise<Map<string, number>> {
  const result = await collectReport(
    runner.stream({
      sql: "SELECT transaction_id, count(*) AS n FROM decisions GROUP BY transaction_id",
      params: [],
      row_limit: 100_000,
      timeout_ms: 30_000,
      trusted: true,
    }),
  );
  return new Map(rowObjects(result).map((r) => [String(r.transaction_id), Number(r.n)]));
}

function ids(from: number, to: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let n = from; n <= to; n++) m.set(`t${n}`, 1);
  return m;
}

function filesOnDisk(root: string): string[] {
  const raw = join(root, "raw");
  return readdirSync(raw)
    .flatMap((d) => readdirSync(join(raw, d)).map((f) => `${d}/${f}`))
    .sort();
}

describe("lake compaction: one file per day, each row exactly once", () => {
  it("merges a day's batch files into one; readers see every row once before, during the grace period and after", async () => {
    const { root, lake, runner } = await openLake();
    // Five batches over two days (ids 1..50; days 1 and 2, batches crossing midnight).
    for (let b = 0; b < 5; b++) await batch(lake, b * 10 + 1, b * 10 + 10, (n) => (n <= 23 ? 1 : 2));
    expect(filesOnDisk(root)).toHaveLength(6);
    const before = await seen(runner);
    expect(before).toEqual(ids(1, 50));

    const now = Date.parse("2025-06-10T00:00:00Z");
    const result = await lake.compact({ committedId: 50, now });
    expect(result.merged).toEqual([
      { dt: "2025-06-01", file: "dt=2025-06-01/part-1-30.parquet", files: 3, rows: 23 },
      { dt: "2025-06-02", file: "dt=2025-06-02/part-21-50.parquet", files: 3, rows: 27 },
    ]);
    // The replaced files stay for readers that listed them, but no reader lists them any more.
    expect(result.removed).toEqual([]);
    expect(filesOnDisk(root)).toHaveLength(8);
    expect(lakeFiles(root)).toEqual(["dt=2025-06-01/part-1-30.parquet", "dt=2025-06-02/part-21-50.parquet"]);
    expect(await seen(runner)).toEqual(before);

    // A pass after the grace period removes them; nothing else changes.
    const later = await lake.compact({ committedId: 50, now: Date.now() + 2 * HOUR });
    expect(later.merged).toEqual([]);
    expect(later.removed).toHaveLength(6);
    expect(filesOnDisk(root)).toEqual(["dt=2025-06-01/part-1-30.parquet", "dt=2025-06-02/part-21-50.parquet"]);
    expect(await seen(runner)).toEqual(before);
  });

  it("the merged file holds the same rows, sorted by decision so flagged rows share row groups", async () => {
    const { root, lake } = await openLake();
    for (let b = 0; b < 3; b++) await batch(lake, b * 10 + 1, b * 10 + 10, () => 3);
    const duck = await DuckDBInstance.create(":memory:");
    const conn = await duck.connect();
    try {
      const read = async (files: string) =>
        (
          await conn.runAndReadAll(`SELECT transaction_id, decision, amount, rules_fired, "timestamp" FROM read_parquet(${files}) ORDER BY transaction_id`)
        ).getRowObjectsJS();
      const raw = join(root, "raw", "dt=2025-06-03");
      const expected = await read(`'${raw}/*.parquet'`);
      await lake.compact({ committedId: 30 });
      const merged = await read(`'${raw}/part-1-30.parquet'`);
      expect(merged).toEqual(expected);
      const order = (await conn.runAndReadAll(`SELECT decision FROM read_parquet('${raw}/part-1-30.parquet')`)).getRows().map((r) => String(r[0]));
      expect(order).toEqual([...order].sort());
    } finally {
      conn.closeSync();
      duck.closeSync();
    }
  });

  it("merges only committed files: a file past the offset may be removed and written again after a crash", async () => {
    const { root, lake, runner } = await openLake();
    await batch(lake, 1, 10, () => 4);
    await batch(lake, 11, 20, () => 4);
    // Written, but the worker died before recording its offset (20).
    await batch(lake, 21, 25, () => 4);
    const result = await lake.compact({ committedId: 20 });
    expect(result.merged.map((m) => m.file)).toEqual(["dt=2025-06-04/part-1-20.parquet"]);
    expect(lakeFiles(root)).toEqual(["dt=2025-06-04/part-1-20.parquet", "dt=2025-06-04/part-21-25.parquet"]);

    // The restarted worker removes the uncommitted file and writes those rows again, with more.
    expect(lake.removeUncommitted(20)).toEqual(["dt=2025-06-04/part-21-25.parquet"]);
    await batch(lake, 21, 30, () => 4);
    expect(await seen(runner)).toEqual(ids(1, 30));
    await lake.compact({ committedId: 30 });
    expect(lakeFiles(root)).toEqual(["dt=2025-06-04/part-1-30.parquet"]);
    expect(await seen(runner)).toEqual(ids(1, 30));
  });

  it("a compaction cut short leaves only a temporary file, which readers ignore and the worker removes on start", async () => {
    const { root, lake, runner } = await openLake();
    await batch(lake, 1, 10, () => 5);
    await batch(lake, 11, 20, () => 5);
    const tmp = join(root, "raw", "dt=2025-06-05", "part-1-20.parquet.4242-abc.tmp");
    writeFileSync(tmp, "half a file");
    expect(await seen(runner)).toEqual(ids(1, 20));
    expect(lake.removeUncommitted(20)).toEqual(["dt=2025-06-05/part-1-20.parquet.4242-abc.tmp"]);
    expect(existsSync(tmp)).toBe(false);
    await lake.compact({ committedId: 20 });
    expect(await seen(runner)).toEqual(ids(1, 20));
  });

  it("rows that arrive for a day after it was merged are merged into it on a later pass", async () => {
    const { root, lake, runner } = await openLake();
    await batch(lake, 1, 10, () => 6);
    await batch(lake, 11, 20, () => 6);
    await lake.compact({ committedId: 20 });
    // A late transaction of that day, and one of the next, in one batch.
    await batch(lake, 21, 22, (n) => (n === 21 ? 6 : 7));
    expect(await seen(runner)).toEqual(ids(1, 22));
    const result = await lake.compact({ committedId: 22, before: "2025-06-07" });
    expect(result.merged.map((m) => [m.file, m.files, m.rows])).toEqual([["dt=2025-06-06/part-1-22.parquet", 2, 21]]);
    expect(lakeFiles(root)).toEqual(["dt=2025-06-06/part-1-22.parquet", "dt=2025-06-07/part-21-22.parquet"]);
    expect(await seen(runner)).toEqual(ids(1, 22));
  });

  it("two compactions of the same lake at once leave each row once", async () => {
    const { root, lake, runner } = await openLake();
    const other = await LocalLakeWriter.open(root);
    closing.push(other);
    for (let b = 0; b < 4; b++) await batch(lake, b * 10 + 1, b * 10 + 10, () => 8);
    await Promise.all([lake.compact({ committedId: 40 }), other.compact({ committedId: 40 })]);
    expect(lakeFiles(root)).toEqual(["dt=2025-06-08/part-1-40.parquet"]);
    expect(await seen(runner)).toEqual(ids(1, 40));
  });
});

describe("the outbox worker compacts closed days", () => {
  it("merges the files of days that ended over an hour ago, not today's", async () => {
    const dataDir = dirs.make();
    const p = openLocalPlatform({ dataDir, settings: defaultSettings, clock: () => NOW });
    closing.push(p);
    await seedDemo(p, NOW);
    const lake = await LocalLakeWriter.open(p.lakeDir);
    closing.push(lake);
    const worker = new OutboxWorker(p.db, lake);
    const submit = async (id: string, timestamp: string) => {
      const r = await p.scoring.submit({
        transaction_id: id,
        user_id: "user_001",
        amount: 120,
        merchant_id: "MERCH_AMAZON",
        device_id: "device_abc123",
        location: "New York, US",
        timestamp,
      });
      expect(r.status).toBe("recorded");
      await worker.drain();
    };
    // Two batches on a closed day (2025-06-14) and two today (2025-06-15, NOW is noon).
    await submit("y-1", "2025-06-14T08:00:00Z");
    await submit("y-2", "2025-06-14T09:00:00Z");
    await submit("t-1", "2025-06-15T08:00:00Z");
    await submit("t-2", "2025-06-15T09:00:00Z");
    const result = await worker.compactLake(NOW.getTime());
    expect(result.merged.map((m) => [m.dt, m.files, m.rows])).toEqual([["2025-06-14", 2, 2]]);
    expect(lakeFiles(p.lakeDir)).toEqual(["dt=2025-06-14/part-1-2.parquet", "dt=2025-06-15/part-3-3.parquet", "dt=2025-06-15/part-4-4.parquet"]);
    const runner = new LocalReportRunner({ lakeDir: p.lakeDir });
    closing.push(runner);
    expect(await seen(runner)).toEqual(
      new Map([
        ["t-1", 1],
        ["t-2", 1],
        ["y-1", 1],
        ["y-2", 1],
      ]),
    );
  });
});
