/**
 * Analytics figures: every built-in report on simulated lakes of 1 M and 10 M decisions (the
 * quick run: 200 k), and a backtest of the demo ruleset over 1 M decisions (quick: 200 k), with
 * the scan rate in rows per second. Called by bench/index.ts; also runs alone:
 *   node --import tsx bench/reports.ts [--quick]
 * How to read and reproduce the figures: docs/analytics.md.
 */
import { backtestRuleset, BUILTIN_REPORTS, DEMO_RULESET, defaultSettings, Reports, RulesetContent, type Report, type ReportStore } from "@fraud/core";
import { databaseFile, LocalReportRunner, openDatabase, simulateLake, sqliteLabels } from "@fraud/core/local";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const DAYS = 30;
const END = new Date("2025-06-30T00:00:00Z");
const RANGE = { from: "2025-06-01", to: "2025-06-30" };
const WARM_RUNS = 3;

const log = (line: string) => console.error(`[bench:reports] ${line}`);
const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;

const noSavedReports: ReportStore = {
  list: async () => [] as Report[],
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

async function lakeFigures(rows: number, withBacktest: boolean) {
  const dir = mkdtempSync(join(tmpdir(), "fraud-bench-lake-"));
  const db = openDatabase(databaseFile(dir));
  const runner = new LocalReportRunner({ lakeDir: join(dir, "lake"), labels: sqliteLabels(db) });
  try {
    const perDay = Math.ceil(rows / DAYS);
    log(`simulating ${(perDay * DAYS).toLocaleString("en")} decisions over ${DAYS} days`);
    const sim = await simulateLake({ lakeDir: join(dir, "lake"), days: DAYS, txPerDay: perDay, end: END, seed: 42, labelsDb: db, runId: "bench" });
    const size = lakeBytes(join(dir, "lake", "raw"));
    const reports = new Reports({ store: noSavedReports, runner, timeoutMs: 600_000 });
    const figures: Record<string, ReportFigure> = {};
    for (const def of BUILTIN_REPORTS) {
      let started = performance.now();
      const first = await reports.run(def.name, RANGE);
      const cold = performance.now() - started;
      let warm = Number.POSITIVE_INFINITY;
      for (let i = 0; i < WARM_RUNS; i++) {
        started = performance.now();
        await reports.run(def.name, RANGE);
        warm = Math.min(warm, performance.now() - started);
      }
      figures[def.name] = { cold_ms: round(cold), warm_ms: round(warm), rows_per_s: round(sim.rows / (warm / 1000)), result_rows: first.row_count };
      log(`${rows.toLocaleString("en")} rows: ${def.name.padEnd(22)} cold ${round(cold)} ms, warm ${round(warm)} ms`);
    }
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
      reports: figures,
      slowest_warm_ms: Math.max(...warmTimes),
      all_warm_under_1s: warmTimes.every((t) => t < 1000),
    };
    let backtest: Record<string, unknown> | undefined;
    if (withBacktest) {
      log(`backtest of the demo ruleset over ${sim.rows.toLocaleString("en")} decisions`);
      let decile = -1;
      const result = await backtestRuleset({
        runner,
        ruleset: { ...RulesetContent.parse(DEMO_RULESET), version: 1 },
        range: { ...RANGE, warmup_days: 0 },
        settings: defaultSettings,
        timeoutMs: 3_600_000,
        onProgress: (p) => {
          if (p.phase === "replaying" && Math.floor(p.fraction * 10) > decile) {
            decile = Math.floor(p.fraction * 10);
            log(`backtest ${decile * 10}% after ${round(p.elapsed_ms / 1000, 1)} s`);
          }
        },
      });
      backtest = {
        rows: result.replayed,
        elapsed_s: round(result.elapsed_ms / 1000, 1),
        rows_per_s: result.rows_per_second,
        changed_decisions: result.changes.reduce((n, c) => n + c.count, 0),
        draft_outcomes: result.outcomes.draft,
      };
      log(`backtest: ${result.replayed.toLocaleString("en")} rows in ${round(result.elapsed_ms / 1000, 1)} s (${result.rows_per_second.toLocaleString("en")} rows/s)`);
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
    const figures = await lakeFigures(rows, i === 0);
    lakes.push(figures.lake);
    backtest ??= figures.backtest;
  }
  return {
    engine: `DuckDB (@duckdb/node-api), ${availableParallelism()} threads, Parquet lake in a temp dir; warm = best of ${WARM_RUNS} runs after a first (cold) one`,
    lakes,
    backtest,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const figures = await run({ quick: process.argv.includes("--quick") });
  console.log(JSON.stringify(figures, null, 2));
}
