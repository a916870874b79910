/**
 * Analytics figures: every built-in report on simulated lakes of 1 M and 10 M decisions, a
 * backtest of the demo ruleset over 1 M decisions, with
 * the scan rate in rows per second, and what compaction does to a lake as the worker writes it
 * (one file per 2,000-row batch; 1 M rows, quick: 50 k). Quick: a 200 k lake, backtested over
 * its last 15 days (100 k). Called by bench/index.ts; also runs alone:
 *   node --import tsx bench/reports.ts [--quick]
 * How to read and reproduce the figures: docs/analytics.md.
 */
import { Backtest, Demo, type Platform, Report, Ruleset, Settings } from "@fraud/core";
import { DuckDBInstance } from "@duckdb/node-api";
import { databaseFile, LocalLakeWriter, LocalReportRunner, openDatabase, simulateLake, sqliteLabels } from "@fraud/core/local";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const DAYS = 30;
const END = new Date("2025-06-30T00:00:00Z");
const RANGE = { from: "2025-06-01", to: "2025-06-30" };
const WARM_RUNS = 3;

const log = (line: string) => console.error(`[bench:reports] ${line}`);
const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;

const noSavedReports: Platform.ReportStore = {
  list: async () => [] as Report.Report[],
  get: async () => undefined,
  save: async () => {
    throw new Error("the benchmark saves no report");
  },
  remove: async () => undefined,
};

function lakeBytes(rawDir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const day of readdirSync(rawDir)) {
    for (const f of readdirSync(join(rawDir, day))) {
      files++;
      bytes += statSync(join(rawDir, day, f)).size;
    }
  }
  return { files, bytes };
}

interface ReportFigure {
  cold_ms: number;
  warm_ms: number;
  rows_per_s: number;
  result_rows: number;
}

/** Runs every built-in report once (cold), then WARM_RUNS times; the best warm time counts. */
async function reportFigures(reports: Report.Reports, rows: number, label: string): Promise<Record<string, ReportFigure>> {
  const figures: Record<string, ReportFigure> = {};
  for (const def of Report.BUILTIN_REPORTS) {
    let started = performance.now();
    const first = await reports.run(def.name, RANGE);
    const cold = performance.now() - started;
    let warm = Number.POSITIVE_INFINITY;
    for (let i = 0; i < WARM_RUNS; i++) {
      started = performance.now();
      await reports.run(def.name, RANGE);
      warm = Math.min(warm, performance.now() - started);
    }
    figures[def.name] = { cold_ms: round(cold), warm_ms: round(warm), rows_per_s: round(rows / (warm / 1000)), result_rows: first.row_count };
    log(`${label}: ${def.name.padEnd(22)} cold ${round(cold)} ms, warm ${round(warm)} ms`);
  }
  return figures;
}

const BATCH_ROWS = 2_000;

/**
 * The same decisions as the outbox worker writes them: in time order, one file per batch of
 * BATCH_ROWS and day, named for its outbox ids (part-<first>-<last>.parquet), zstd, unsorted.
 */
async function asWorkerFiles(fromLake: string, toLake: string): Promise<number> {
  const instance = await DuckDBInstance.create(":memory:", { threads: String(availableParallelism()) });
  const conn = await instance.connect();
  try {
    const src = join(fromLake, "raw", "dt=*", "*.parquet").replaceAll("'", "''");
    await conn.run(
      `CREATE TABLE batches AS SELECT *, (row_number() OVER (ORDER BY "timestamp", transaction_id) - 1) // ${BATCH_ROWS} AS batch
       FROM read_parquet('${src}', hive_partitioning = true, hive_types = {'dt': VARCHAR})`,
    );
    const files = (await conn.runAndReadAll("SELECT DISTINCT dt, batch FROM batches ORDER BY batch, dt")).getRows();
    for (const [dt, batch] of files) {
      const first = Number(batch) * BATCH_ROWS + 1;
      const dir = join(toLake, "raw", `dt=${String(dt)}`);
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `part-${first}-${first + BATCH_ROWS - 1}.parquet`).replaceAll("'", "''");
      await conn.run(
        `COPY (SELECT * EXCLUDE (batch, dt) FROM batches WHERE dt = '${String(dt)}' AND batch = ${Number(batch)}) TO '${file}' (FORMAT parquet, COMPRESSION zstd)`,
      );
    }
    return files.length;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** Reports on a lake as the worker writes it, the compaction of its closed days, and the reports again. */
async function compactionFigures(rows: number) {
  const dir = mkdtempSync(join(tmpdir(), "fraud-bench-compact-"));
  const db = openDatabase(databaseFile(dir));
  try {
    const perDay = Math.ceil(rows / DAYS);
    log(`compaction: ${(perDay * DAYS).toLocaleString("en")} decisions as the worker writes them (${BATCH_ROWS.toLocaleString("en")} per file)`);
    const sim = await simulateLake({ lakeDir: join(dir, "sim"), days: DAYS, txPerDay: perDay, end: END, seed: 42, labelsDb: db, runId: "bench" });
    const lakeDir = join(dir, "lake");
    const files = await asWorkerFiles(join(dir, "sim"), lakeDir);
    rmSync(join(dir, "sim"), { recursive: true, force: true });
    const measure = async (label: string) => {
      const runner = new LocalReportRunner({ lakeDir, labels: sqliteLabels(db) });
      try {
        return await reportFigures(new Report.Reports({ store: noSavedReports, runner, timeoutMs: 600_000 }), sim.rows, label);
      } finally {
        await runner.close();
      }
    };
    const before = await measure(`${files} worker files`);
    const writer = await LocalLakeWriter.open(lakeDir, { threads: availableParallelism() });
    const started = performance.now();
    const cpu = process.cpuUsage();
    let compacted;
    try {
      compacted = await writer.compact({ committedId: Number.MAX_SAFE_INTEGER });
    } finally {
      writer.close();
    }
    const compactMs = performance.now() - started;
    const compactCpu = process.cpuUsage(cpu);
    log(`compaction: ${compacted.merged.length} days, ${files} files merged in ${round(compactMs / 1000, 1)} s`);
    const after = await measure("compacted");
    const total = (f: Record<string, ReportFigure>) => round(Object.values(f).reduce((n, x) => n + x.warm_ms, 0));
    return {
      rows: sim.rows,
      files_before: files,
      files_after: compacted.merged.length,
      compaction_s: round(compactMs / 1000, 1),
      compaction_cpu_s: round((compactCpu.user + compactCpu.system) / 1e6, 1),
      compaction_rows_per_s: round(sim.rows / (compactMs / 1000)),
      all_reports_warm_ms: { before: total(before), after: total(after) },
      reports: Object.fromEntries(Object.keys(before).map((name) => [name, { before_ms: before[name]!.warm_ms, after_ms: after[name]!.warm_ms }])),
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function lakeFigures(rows: number, backtestRange: { from: string; to: string } | undefined) {
  const dir = mkdtempSync(join(tmpdir(), "fraud-bench-lake-"));
  const db = openDatabase(databaseFile(dir));
  const runner = new LocalReportRunner({ lakeDir: join(dir, "lake"), labels: sqliteLabels(db) });
  try {
    const perDay = Math.ceil(rows / DAYS);
    log(`simulating ${(perDay * DAYS).toLocaleString("en")} decisions over ${DAYS} days`);
    const sim = await simulateLake({ lakeDir: join(dir, "lake"), days: DAYS, txPerDay: perDay, end: END, seed: 42, labelsDb: db, runId: "bench" });
    const size = lakeBytes(join(dir, "lake", "raw"));
    const reports = new Report.Reports({ store: noSavedReports, runner, timeoutMs: 600_000 });
    const loadAtStart = round(loadavg()[0]!, 2);
    const figures = await reportFigures(reports, sim.rows, `${rows.toLocaleString("en")} rows`);
    const warmTimes = Object.values(figures).map((f) => f.warm_ms);
    const lake = {
      rows: sim.rows,
      days: DAYS,
      customers: sim.customers,
      labels: sim.labels,
      files: size.files,
      mb_on_disk: round(size.bytes / 1024 ** 2, 1),
      generate_s: round(sim.elapsed_ms / 1000, 1),
      generate_rows_per_s: sim.rows_per_second,
      load_average_at_start: loadAtStart,
      load_average_at_end: round(loadavg()[0]!, 2),
      reports: figures,
      slowest_warm_ms: Math.max(...warmTimes),
      all_warm_under_1s: warmTimes.every((t) => t < 1000),
    };
    let backtest: Record<string, unknown> | undefined;
    if (backtestRange) {
      log(`backtest of the demo ruleset over ${sim.rows.toLocaleString("en")} decisions`);
      let decile = -1;
      const cpu = process.cpuUsage();
      const result = await Backtest.backtestRuleset({
        runner,
        ruleset: { ...Ruleset.RulesetContent.parse(Demo.DEMO_RULESET), version: 1 },
        range: { ...backtestRange, warmup_days: 0 },
        settings: Settings.defaultSettings,
        timeoutMs: 3_600_000,
        onProgress: (p) => {
          if (p.phase === "replaying" && Math.floor(p.fraction * 10) > decile) {
            decile = Math.floor(p.fraction * 10);
            log(`backtest ${decile * 10}% after ${round(p.elapsed_ms / 1000, 1)} s`);
          }
        },
      });
      const used = process.cpuUsage(cpu);
      backtest = {
        rows: result.replayed,
        elapsed_s: round(result.elapsed_ms / 1000, 1),
        cpu_s: round((used.user + used.system) / 1e6, 1),
        rows_per_s: result.rows_per_second,
        load_average_at_end: round(loadavg()[0]!, 2),
        changed_decisions: result.changes.reduce((n, c) => n + c.count, 0),
        draft_outcomes: result.outcomes.draft,
      };
      log(
        `backtest: ${result.replayed.toLocaleString("en")} rows in ${round(result.elapsed_ms / 1000, 1)} s (${result.rows_per_second.toLocaleString("en")} rows/s)`,
      );
    }
    return { lake, backtest };
  } finally {
    await runner.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the analytics benchmark; prints progress on stderr and returns the figures. */
export async function run(opts: { quick: boolean }): Promise<Record<string, unknown>> {
  const sizes = opts.quick ? [200_000] : [1_000_000, 10_000_000];
  const lakes = [];
  let backtest: Record<string, unknown> | undefined;
  for (const [i, rows] of sizes.entries()) {
    // The quick run backtests the last 15 of the 30 days (100 k decisions).
    const figures = await lakeFigures(rows, i > 0 ? undefined : opts.quick ? { from: "2025-06-16", to: RANGE.to } : RANGE);
    lakes.push(figures.lake);
    backtest ??= figures.backtest;
  }
  const compaction = await compactionFigures(opts.quick ? 50_000 : 1_000_000);
  return {
    engine: `DuckDB (@duckdb/node-api), ${availableParallelism()} threads, Parquet lake in a temp dir; warm = best of ${WARM_RUNS} runs after a first (cold) one`,
    lakes,
    backtest,
    compaction,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const figures = await run({ quick: process.argv.includes("--quick") });
  console.log(JSON.stringify(figures, null, 2));
}
