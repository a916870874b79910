import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalLakeWriter } from "../../src/adapters/local/lake.ts";
import { sqliteLabels } from "../../src/adapters/local/report-labels.ts";
import { LocalReportRunner } from "../../src/adapters/local/report-runner.ts";
import { simulateLake, type SimulateLakeResult } from "../../src/adapters/local/simulate-lake.ts";
import { openDatabase, type Db } from "../../src/adapters/local/sqlite.ts";
import { backtestRuleset } from "../../src/backtest/backtest.ts";
import { DEMO_RULESET } from "../../src/demo/ruleset.ts";
import { Reports } from "../../src/report/service.ts";
import { collectReport, rowObjects } from "../../src/report/report.ts";
import { RulesetContent } from "../../src/ruleset/ruleset.ts";
import { defaultSettings } from "../../src/settings/settings.ts";
import { memoryReportStore, tempDirs } from "./lake-fixture.ts";

const dirs = tempDirs();
let dataDir: string;
let db: Db;
let sim: SimulateLakeResult;
let runner: LocalReportRunner;
let reports: Reports;
const RANGE = { from: "2025-06-01", to: "2025-06-04" };

beforeAll(async () => {
  dataDir = dirs.make();
  db = openDatabase(join(dataDir, "fraud.db"));
  sim = await simulateLake({
    lakeDir: join(dataDir, "lake"),
    days: 4,
    txPerDay: 5_000,
    end: new Date("2025-06-04T00:00:00Z"),
    seed: 3,
    fraudRate: 0.02,
    labelsDb: db,
    runId: "t1",
    threads: 2,
  });
  runner = new LocalReportRunner({ lakeDir: join(dataDir, "lake"), labels: sqliteLabels(db), threads: 2 });
  reports = new Reports({ store: memoryReportStore(), runner });
});

afterAll(async () => {
  await runner.close();
  db.close();
  dirs.cleanup();
});

describe("simulate: history straight to the lake", () => {
  it("writes the asked number of days and transactions, with every decision outcome and labels", () => {
    expect(sim).toMatchObject({ rows: 20_000, first_day: "2025-06-01", last_day: "2025-06-04" });
    expect(sim.decisions.APPROVED + sim.decisions.REVIEW + sim.decisions.BLOCKED).toBe(20_000);
    expect(sim.decisions.REVIEW).toBeGreaterThan(0);
    expect(sim.decisions.BLOCKED).toBeGreaterThan(0);
    expect(sim.fraud).toBeGreaterThan(200);
    expect(sim.labels).toBeGreaterThan(0);
    expect((db.prepare("SELECT count(*) AS n FROM reviews WHERE label IS NOT NULL").get() as { n: number }).n).toBe(sim.labels);
  });

  it("the reports read exactly what was written", async () => {
    expect((await rowObjects(await reports.run("overview", RANGE)))[0]).toMatchObject({ transactions: 20_000 });
    const days = rowObjects(await reports.run("decisions_per_day", RANGE));
    expect(days.map((d) => d.transactions)).toEqual([5_000, 5_000, 5_000, 5_000]);
    const sum = (k: string) => days.reduce((n, d) => n + Number(d[k]), 0);
    expect({ APPROVED: sum("approved"), REVIEW: sum("review"), BLOCKED: sum("blocked") }).toEqual(sim.decisions);
    const rules = rowObjects(await reports.run("rule_hit_rates", RANGE));
    expect(rules.map((r) => r.rule_id).sort()).toEqual(["DEVICE_CHANGE", "HIGH_AMOUNT_VS_HISTORY", "LOCATION_CHANGE", "NEW_DEVICE_LARGE_AMOUNT"]);
    for (const r of rules) expect(Number(r.precision)).toBeGreaterThan(0);
  });

  it("the tuned report SQL gives the rows of the plain SQL (ties at the 1,000th amount, percentiles over microseconds)", async () => {
    const plain = async (sql: string, params: Array<{ type: "date" | "number"; value: string | number }>) =>
      (await collectReport(runner.stream({ sql, params, row_limit: 10_000, timeout_ms: 60_000, trusted: true }))).rows;
    const range = [
      { type: "date" as const, value: RANGE.from },
      { type: "date" as const, value: RANGE.to },
    ];
    const large = await reports.run("large_transactions", { ...RANGE, min_amount: 100 });
    expect(large.row_count).toBe(1000);
    expect(large.rows).toEqual(
      await plain(
        `SELECT transaction_id, user_id, amount, currency, merchant_id, device_id, "timestamp", decision FROM decisions
         WHERE dt BETWEEN ? AND ? AND amount > ? ORDER BY amount DESC, transaction_id LIMIT 1000`,
        [...range, { type: "number", value: 100 }],
      ),
    );
    const latency = await reports.run("decision_latency", RANGE);
    expect(latency.rows).toEqual(
      await plain(
        `SELECT dt AS day, count(*) AS decisions, round(quantile_disc(latency_ms, 0.5), 3), round(quantile_disc(latency_ms, 0.95), 3),
           round(quantile_disc(latency_ms, 0.99), 3), round(max(latency_ms), 3) FROM decisions WHERE dt BETWEEN ? AND ? GROUP BY dt ORDER BY dt`,
        range,
      ),
    );
  });

  it("the same seed gives the same history", async () => {
    const again = await simulateLake({
      lakeDir: join(dirs.make(), "lake"),
      days: 4,
      txPerDay: 5_000,
      end: new Date("2025-06-04T00:00:00Z"),
      seed: 3,
      fraudRate: 0.02,
      runId: "t2",
      threads: 2,
    });
    expect(again.decisions).toEqual(sim.decisions);
    expect(again.fraud).toBe(sim.fraud);
  });

  it("its files are not mistaken for the worker's (which it removes after a crash)", async () => {
    const writer = await LocalLakeWriter.open(join(dataDir, "lake"));
    try {
      expect(writer.removeUncommitted(0)).toEqual([]);
    } finally {
      writer.close();
    }
    expect(readdirSync(join(dataDir, "lake", "raw", "dt=2025-06-02"))).toEqual(["sim-t1.parquet"]);
  });

  it("can be backtested", async () => {
    const result = await backtestRuleset({
      runner,
      ruleset: { ...RulesetContent.parse(DEMO_RULESET), version: 1 },
      range: { from: "2025-06-03", to: "2025-06-04", warmup_days: 2 },
      settings: defaultSettings,
    });
    expect(result.replayed).toBe(20_000);
    expect(result.transactions).toBe(10_000);
    expect(result.labels.fraud).toBeGreaterThan(0);
    // Pinned: the whole result of the row-by-row replay on this lake (fixtures/backtest-simulated-seed3.json),
    // so that a faster replay (columns, shards) must give exactly the same.
    const { elapsed_ms: _elapsed, rows_per_second: _rate, ...outcome } = result;
    const before = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "backtest-simulated-seed3.json"), "utf8")) as unknown;
    expect(outcome).toEqual(before);
  });
});
