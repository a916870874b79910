import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { threadPriorities } from "../../src/adapters/local/priority.ts";
import { REPORT_NICE, ReportProcessRunner, type ReportProcessOptions } from "../../src/adapters/local/report-process.ts";
import { sqliteLabels } from "../../src/adapters/local/report-labels.ts";
import { LocalReportRunner } from "../../src/adapters/local/report-runner.ts";
import { openDatabase, type Db } from "../../src/adapters/local/sqlite.ts";
import { BUILTIN_REPORTS } from "../../src/report/builtin-reports.ts";
import { VisibleError } from "../../src/errors/errors.ts";
import { Reports } from "../../src/report/service.ts";
import { collectReport, type ReportEvent, type ReportQuery } from "../../src/report/report.ts";
import { KNOWN_LABELS, KNOWN_ROWS, memoryReportStore, tempDirs, writeLake } from "./lake-fixture.ts";

/*
 * Reports in a process of their own (ReportProcessRunner): the same results as the engine run in
 * the caller's process, and the limits that keep a report from taking the machine from scoring:
 * DuckDB's memory limit, a watch on the process's memory, a time-out that ends the process, a
 * bounded queue, a lower priority.
 */

const dirs = tempDirs();
const RANGE = { from: "2025-06-01", to: "2025-06-03" };
const clock = () => new Date("2025-06-04T12:00:00Z");
let dataDir: string;
let db: Db;
const runners: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  dataDir = dirs.make();
  await writeLake(join(dataDir, "lake"), [KNOWN_ROWS.slice(0, 4), KNOWN_ROWS.slice(4)]);
  db = openDatabase(join(dataDir, "fraud.db"));
  const insert = db.prepare("INSERT INTO reviews (transaction_id, status, label, updated_at, updated_by) VALUES (?, 'closed', ?, ?, 'ana')");
  for (const l of KNOWN_LABELS) insert.run(l.transaction_id, l.label, "2025-06-04T00:00:00.000Z");
});
afterAll(async () => {
  for (const r of runners) await r.close();
  db.close();
  dirs.cleanup();
});

function processRunner(over: Partial<ReportProcessOptions> = {}): ReportProcessRunner {
  const runner = new ReportProcessRunner({
    lakeDir: join(dataDir, "lake"),
    databaseFile: join(dataDir, "fraud.db"),
    memoryMb: 256,
    threads: 1,
    concurrency: 1,
    queue: 2,
    spillDir: join(dataDir, "report-spill"),
    ...over,
  });
  runners.push(runner);
  return runner;
}

const query = (sql: string, over: Partial<ReportQuery> = {}): ReportQuery => ({
  sql,
  params: [],
  row_limit: 1_000,
  timeout_ms: 60_000,
  trusted: true,
  ...over,
});
/** A query that runs for hours on one thread, in little memory. */
const ENDLESS = "SELECT sum(i) FROM range(100000000000) t(i)";
/** A query that needs a list of 100 M integers at once (800 MB): it cannot spill. */
const HOG = "SELECT len(list(i)) AS n FROM range(100000000) t(i)";

async function drain(events: AsyncIterable<ReportEvent>): Promise<ReportEvent[]> {
  const seen: ReportEvent[] = [];
  for await (const e of events) seen.push(e);
  return seen;
}
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("reports in a process of their own", () => {
  it("give every built-in report exactly the result of the engine run in the caller's process", async () => {
    const inProcess = new LocalReportRunner({ lakeDir: join(dataDir, "lake"), labels: sqliteLabels(db), threads: 1 });
    runners.push(inProcess);
    const here = new Reports({ store: memoryReportStore(), runner: inProcess, clock });
    const there = new Reports({ store: memoryReportStore(), runner: processRunner(), clock });
    for (const r of BUILTIN_REPORTS) {
      const a = await here.run(r.name, RANGE);
      const b = await there.run(r.name, RANGE);
      expect({ ...b, elapsed_ms: 0 }, r.name).toEqual({ ...a, elapsed_ms: 0 });
    }
    // Every kind of cell: timestamps, dates, lists, decimals, big integers, NULLs.
    const cells = `SELECT TIMESTAMP '2025-06-02 12:00:00.123' AS t, DATE '2025-06-02' AS d, ['a', NULL] AS l, CAST(1.25 AS DECIMAL(9, 2)) AS m,
      CAST(9007199254740991 AS BIGINT) AS b, NULL AS n, rules_fired, "timestamp" FROM decisions ORDER BY transaction_id LIMIT 3`;
    const local = await collectReport(inProcess.stream(query(cells)));
    const remote = await collectReport(processRunner().stream(query(cells)));
    expect({ ...remote, elapsed_ms: 0 }).toEqual({ ...local, elapsed_ms: 0 });
    expect(remote.rows[0]!.slice(0, 6)).toEqual(["2025-06-02T12:00:00.123Z", "2025-06-02", ["a", null], 1.25, 9007199254740991, null]);
  });

  it("run outside the caller's process, at a lower priority, without the caller's environment, one process per report at a time", async () => {
    const runner = processRunner();
    await drain(runner.stream(query("SELECT count(*) FROM decisions")));
    const [pid] = runner.processIds();
    expect(pid).toBeDefined();
    expect(pid).not.toBe(process.pid);
    expect(Math.min(...threadPriorities(pid!).values())).toBeGreaterThanOrEqual(REPORT_NICE);
    await drain(runner.stream(query("SELECT count(*) FROM labels")));
    expect(runner.processIds()).toEqual([pid]);
    // Only what Node sets for the channel to its parent: no PATH, no FRAUD_* setting or secret.
    expect(
      readFileSync(`/proc/${pid}/environ`, "utf8")
        .split("\0")
        .filter(Boolean)
        .map((v) => v.split("=")[0])
        .sort(),
    ).toEqual(["NODE_CHANNEL_FD", "NODE_CHANNEL_SERIALIZATION_MODE"]);
    await runner.close();
    await expect.poll(() => alive(pid!)).toBe(false);
  });

  it("a report past DuckDB's memory limit stops with REPORT_MEMORY_LIMIT, and the next report runs", async () => {
    const runner = processRunner({ memoryMb: 64 });
    const err = await failure(drain(runner.stream(query(HOG))));
    expect(err).toBeInstanceOf(VisibleError);
    expect(err).toMatchObject({ code: "REPORT_MEMORY_LIMIT", message: expect.stringContaining("64 MB") });
    expect(await collectReport(runner.stream(query("SELECT count(*) AS n FROM decisions")))).toMatchObject({ rows: [[KNOWN_ROWS.length]] });
  });

  it("an analyst's report past the memory limit gets the same error, not the engine's", async () => {
    const reports = new Reports({ store: memoryReportStore(), runner: processRunner({ memoryMb: 64 }), clock });
    // Ten rows joined eight times: 100 M amounts in one list.
    const def = {
      name: "hog",
      title: "Hog",
      sql: "SELECT len(list(a.amount)) AS n FROM decisions a, decisions b, decisions c, decisions d, decisions e, decisions f, decisions g, decisions h",
    };
    await expect(reports.save(def, { id: "ana" })).resolves.toMatchObject({ name: "hog" });
    await expect(reports.run("hog", {})).rejects.toMatchObject({ code: "REPORT_MEMORY_LIMIT" });
  });

  it("the check of an analyst's SQL is watched too: DuckDB folding a huge constant is stopped with REPORT_MEMORY_LIMIT", async () => {
    const runner = processRunner({ memoryMb: 64 });
    await expect(runner.check("SELECT len(generate_series(1, 1000000000)) AS n")).rejects.toMatchObject({ code: "REPORT_MEMORY_LIMIT" });
    expect(await runner.check("SELECT 1")).toEqual({ ok: true });
  });

  it("a process whose resident memory passes the watch is ended, with REPORT_MEMORY_LIMIT; the next report gets a new process", async () => {
    // A watch below what Node and DuckDB take on their own: the first report trips it.
    const runner = processRunner({ memoryWatchMb: 16 });
    const err = await failure(drain(runner.stream(query(ENDLESS))));
    expect(err).toMatchObject({ code: "REPORT_MEMORY_LIMIT" });
    expect(runner.processIds()).toEqual([]);
  });

  it("a report past its time-out is stopped with REPORT_TIMEOUT and its process ended; the next report gets a new one", async () => {
    const runner = processRunner();
    await drain(runner.stream(query("SELECT 1")));
    const [first] = runner.processIds();
    const events: string[] = [];
    const err = await failure(
      (async () => {
        for await (const e of runner.stream(query(ENDLESS, { timeout_ms: 1_500 }))) events.push(e.type);
      })(),
    );
    expect(err).toMatchObject({ code: "REPORT_TIMEOUT", message: "the report took longer than 2 s and was stopped" });
    expect(events).toContain("progress");
    expect(alive(first!)).toBe(false);
    expect(await collectReport(runner.stream(query("SELECT 42 AS n")))).toMatchObject({ rows: [[42]] });
    expect(runner.processIds()).not.toContain(first);
  });

  it("a cancelled report stops with REPORT_CANCELLED and its process serves the next one", async () => {
    const runner = processRunner();
    const controller = new AbortController();
    const events = runner.stream(query(ENDLESS), { signal: controller.signal })[Symbol.asyncIterator]();
    expect((await events.next()).value).toMatchObject({ type: "progress" });
    const [pid] = runner.processIds();
    controller.abort();
    const err = await failure(
      (async () => {
        for (;;) if ((await events.next()).done) return;
      })(),
    );
    expect(err).toMatchObject({ code: "REPORT_CANCELLED" });
    expect(await collectReport(runner.stream(query("SELECT 7 AS n")))).toMatchObject({ rows: [[7]] });
    expect(runner.processIds()).toEqual([pid]);
  });

  it("a caller that stops reading early frees the process for the next report", async () => {
    const runner = processRunner();
    for await (const e of runner.stream(query("SELECT i FROM range(1000000) t(i)", { row_limit: 1_000_000 }))) if (e.type === "rows") break;
    expect(await collectReport(runner.stream(query("SELECT 8 AS n")))).toMatchObject({ rows: [[8]] });
  });

  it("runs one report at a time; a few wait, more are refused with REPORTS_BUSY", async () => {
    const runner = processRunner({ concurrency: 1, queue: 1 });
    const controller = new AbortController();
    const long = runner.stream(query(ENDLESS), { signal: controller.signal })[Symbol.asyncIterator]();
    await long.next();
    const waiting = collectReport(runner.stream(query("SELECT 1 AS n")));
    const refused = await failure(drain(runner.stream(query("SELECT 2 AS n"))));
    expect(refused).toMatchObject({ code: "REPORTS_BUSY" });
    controller.abort();
    await failure(long.next());
    await expect(waiting).resolves.toMatchObject({ rows: [[1]] });
  });

  it("a report that waits longer than its time-out for a free process is refused with REPORTS_BUSY", async () => {
    const runner = processRunner({ concurrency: 1, queue: 4 });
    const controller = new AbortController();
    const long = runner.stream(query(ENDLESS), { signal: controller.signal })[Symbol.asyncIterator]();
    await long.next();
    expect(await failure(drain(runner.stream(query("SELECT 1", { timeout_ms: 300 }))))).toMatchObject({ code: "REPORTS_BUSY" });
    controller.abort();
    await failure(long.next());
  });

  it("checks an analyst's SQL in the report process, with the same answers", async () => {
    const runner = processRunner();
    expect(await runner.check("SELECT count(*) FROM decisions")).toEqual({ ok: true });
    expect(await runner.check("SELECT * FROM duckdb_views()")).toMatchObject({ ok: false, message: expect.stringContaining("duckdb_views") });
  });
});
