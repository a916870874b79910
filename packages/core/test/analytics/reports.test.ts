import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from "@aws-sdk/client-athena";
import { DuckDBInstance } from "@duckdb/node-api";
import { mockClient } from "aws-sdk-client-mock";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AthenaReportRunner } from "../../src/adapters/aws/athena.ts";
import { sqliteLabels } from "../../src/adapters/local/report-labels.ts";
import { LocalReportRunner } from "../../src/adapters/local/report-runner.ts";
import { openDatabase, type Db } from "../../src/adapters/local/sqlite.ts";
import { athenaCell, athenaColumnType, athenaSqlProblem, athenaStartQueryInput } from "../../src/report/athena.ts";
import { BUILTIN_REPORTS } from "../../src/report/builtin-reports.ts";
import { VisibleError } from "../../src/errors/errors.ts";
import type { ReportRunner } from "../../src/platform/ports.ts";
import { Reports } from "../../src/report/service.ts";
import { compileNamedParameters, ReportDefinition, rowObjects, type ReportEvent, type ReportQuery, type ReportResult } from "../../src/report/report.ts";
import { KNOWN_LABELS, KNOWN_ROWS, memoryReportStore, tempDirs, writeLake } from "./lake-fixture.ts";

const dirs = tempDirs();
const RANGE = { from: "2025-06-01", to: "2025-06-03" };
const analyst = { id: "ana" };

/** Records every query it is given, then runs it on the real runner. */
class RecordingRunner implements ReportRunner {
  readonly engine = "duckdb" as const;
  readonly queries: ReportQuery[] = [];
  constructor(private readonly inner: ReportRunner) {}
  check(sql: string) {
    return this.inner.check(sql);
  }
  stream(query: ReportQuery, options?: { signal?: AbortSignal }): AsyncIterable<ReportEvent> {
    this.queries.push(query);
    return this.inner.stream(query, options);
  }
}

let db: Db;
let runner: LocalReportRunner;
let recording: RecordingRunner;
let reports: Reports;

beforeAll(async () => {
  const dataDir = dirs.make();
  const lakeDir = join(dataDir, "lake");
  // Three writer batches: several files in some partitions, as the worker leaves them.
  await writeLake(lakeDir, [KNOWN_ROWS.slice(0, 4), KNOWN_ROWS.slice(4, 7), KNOWN_ROWS.slice(7)]);
  db = openDatabase(join(dataDir, "fraud.db"));
  const insert = db.prepare("INSERT INTO reviews (transaction_id, status, label, updated_at, updated_by) VALUES (?, 'closed', ?, ?, 'ana')");
  for (const l of KNOWN_LABELS) insert.run(l.transaction_id, l.label, "2025-06-04T00:00:00.000Z");
  runner = new LocalReportRunner({ lakeDir, labels: sqliteLabels(db), threads: 2 });
  recording = new RecordingRunner(runner);
  reports = new Reports({ store: memoryReportStore(), runner: recording, clock: () => new Date("2025-06-04T12:00:00Z") });
});

afterAll(async () => {
  await runner.close();
  db.close();
  dirs.cleanup();
});

async function rows(name: string, params: Record<string, unknown> = RANGE) {
  return rowObjects(await reports.run(name, params));
}

describe("built-in reports on a lake with known contents", () => {
  it("overview: count, total, average and distinct customers, only in the date range", async () => {
    expect(await rows("overview")).toEqual([{ transactions: 9, total_amount: 13450, average_amount: 1494.44, customers: 4 }]);
    expect(await rows("overview", { from: "2025-05-20", to: "2025-05-20" })).toEqual([
      { transactions: 1, total_amount: 99999, average_amount: 99999, customers: 1 },
    ]);
    expect(await rows("overview", { from: "2024-01-01", to: "2024-01-31" })).toEqual([
      { transactions: 0, total_amount: null, average_amount: null, customers: 0 },
    ]);
  });

  it("top customers by total amount", async () => {
    expect(await rows("top_customers")).toEqual([
      { user_id: "u3", transactions: 2, total_amount: 4050 },
      { user_id: "u1", transactions: 3, total_amount: 3800 },
      { user_id: "u4", transactions: 2, total_amount: 3800 },
      { user_id: "u2", transactions: 2, total_amount: 1800 },
    ]);
  });

  it("large transactions: over 1,000 by default, largest first, with ISO timestamps", async () => {
    const large = await rows("large_transactions");
    expect(large.map((r) => [r.transaction_id, r.amount])).toEqual([
      ["t6", 4000],
      ["t9", 3000],
      ["t2", 2500],
      ["t4", 1500],
      ["t7", 1200],
    ]);
    expect(large[0]).toMatchObject({ user_id: "u3", currency: "EUR", device_id: "dev9", timestamp: "2025-06-02T12:00:00.000Z", decision: "BLOCKED" });
    expect((await rows("large_transactions", { ...RANGE, min_amount: 2500 })).map((r) => r.transaction_id)).toEqual(["t6", "t9"]);
  });

  it("by merchant category, a missing category counted as (none)", async () => {
    expect(await rows("by_merchant_category")).toEqual([
      { merchant_category: "GROCERY", transactions: 4, average_amount: 600 },
      { merchant_category: "AIRTIME", transactions: 2, average_amount: 2250 },
      { merchant_category: "ELECTRONICS", transactions: 2, average_amount: 3250 },
      { merchant_category: "(none)", transactions: 1, average_amount: 50 },
    ]);
  });

  it("decisions per day by outcome", async () => {
    expect(await rows("decisions_per_day")).toEqual([
      { day: "2025-06-01", transactions: 3, approved: 2, review: 0, blocked: 1 },
      { day: "2025-06-02", transactions: 3, approved: 1, review: 1, blocked: 1 },
      { day: "2025-06-03", transactions: 3, approved: 1, review: 1, blocked: 1 },
    ]);
  });

  it("rule hit rates, with precision from the review labels", async () => {
    expect(await rows("rule_hit_rates")).toEqual([
      { rule_id: "VERY_HIGH_AMOUNT", hits: 4, hit_rate: 0.4444, labelled: 4, fraud: 2, legitimate: 2, precision: 0.5 },
      { rule_id: "DEVICE_CHANGE", hits: 3, hit_rate: 0.3333, labelled: 3, fraud: 2, legitimate: 1, precision: 0.6667 },
      { rule_id: "LOCATION_CHANGE", hits: 2, hit_rate: 0.2222, labelled: 2, fraud: 2, legitimate: 0, precision: 1 },
    ]);
  });

  it("amount blocked in FCFA per day; other currencies apart", async () => {
    expect(await rows("amount_blocked")).toEqual([
      { day: "2025-06-01", blocked_transactions: 1, amount_blocked: 2500 },
      { day: "2025-06-03", blocked_transactions: 1, amount_blocked: 3000 },
    ]);
    expect(await rows("amount_blocked", { ...RANGE, currency: "EUR" })).toEqual([{ day: "2025-06-02", blocked_transactions: 1, amount_blocked: 4000 }]);
  });

  it("decision latency percentiles per day (values of the data, nearest rank)", async () => {
    expect(await rows("decision_latency")).toEqual([
      { day: "2025-06-01", decisions: 3, p50_ms: 2, p95_ms: 3, p99_ms: 3, max_ms: 3 },
      { day: "2025-06-02", decisions: 3, p50_ms: 5, p95_ms: 6, p99_ms: 6, max_ms: 6 },
      { day: "2025-06-03", decisions: 3, p50_ms: 8, p95_ms: 9, p99_ms: 9, max_ms: 9 },
    ]);
  });

  it("top devices and locations among flagged transactions", async () => {
    expect(await rows("flagged_devices")).toEqual([
      { device_id: "dev9", flagged: 3, blocked: 3, customers: 3, total_amount: 9500 },
      { device_id: "dev1", flagged: 1, blocked: 0, customers: 1, total_amount: 1200 },
      { device_id: "dev2", flagged: 1, blocked: 0, customers: 1, total_amount: 1500 },
    ]);
    expect(await rows("flagged_locations")).toEqual([
      { location: "Lagos, NG", flagged: 3, blocked: 3, customers: 3, total_amount: 9500 },
      { location: "Douala, CM", flagged: 1, blocked: 0, customers: 1, total_amount: 1200 },
      { location: "Yaoundé, CM", flagged: 1, blocked: 0, customers: 1, total_amount: 1500 },
    ]);
  });

  it("shadow ruleset against the live one", async () => {
    expect(await rows("shadow_comparison")).toEqual([
      { shadow_version: 7, live_decision: "APPROVED", shadow_decision: "APPROVED", transactions: 1, total_amount: 100 },
      { shadow_version: 7, live_decision: "APPROVED", shadow_decision: "REVIEW", transactions: 1, total_amount: 300 },
      { shadow_version: 7, live_decision: "BLOCKED", shadow_decision: "BLOCKED", transactions: 1, total_amount: 2500 },
    ]);
  });

  it("every built-in report is covered above", () => {
    const tested = [
      "overview",
      "top_customers",
      "large_transactions",
      "by_merchant_category",
      "decisions_per_day",
      "rule_hit_rates",
      "amount_blocked",
      "decision_latency",
      "flagged_devices",
      "flagged_locations",
      "shadow_comparison",
    ];
    expect(BUILTIN_REPORTS.map((r) => r.name).sort()).toEqual([...tested].sort());
  });

  it("a new label is seen by the next run", async () => {
    db.prepare("UPDATE reviews SET label = 'fraud', updated_at = ? WHERE transaction_id = 't5'").run("2025-06-05T00:00:00.000Z");
    try {
      const device = (await rows("rule_hit_rates")).find((r) => r.rule_id === "DEVICE_CHANGE");
      expect(device).toMatchObject({ fraud: 3, legitimate: 0, precision: 1 });
    } finally {
      db.prepare("UPDATE reviews SET label = 'legitimate', updated_at = ? WHERE transaction_id = 't5'").run("2025-06-06T00:00:00.000Z");
    }
  });

  it("defaults: the last 30 days up to today", async () => {
    const result = await reports.run("overview", {});
    expect(result.params).toEqual({ from: "2025-05-05", to: "2025-06-04" });
    expect(rowObjects(result)).toEqual([{ transactions: 10, total_amount: 113449, average_amount: 11344.9, customers: 5 }]);
  });

  it("refuses bad parameters, naming each one", async () => {
    const err = await reports.run("large_transactions", { from: "2025-06-31", to: "yesterday", min_amount: "a lot", colour: "red" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VisibleError);
    expect((err as VisibleError).code).toBe("INVALID_REPORT_PARAMS");
    expect(Object.keys((err as VisibleError).fields!).sort()).toEqual(["colour", "from", "min_amount", "to"]);
    await expect(reports.run("overview", { from: "2025-06-03", to: "2025-06-01" })).rejects.toMatchObject({
      code: "INVALID_REPORT_PARAMS",
      fields: { from: ["must not be after `to`"] },
    });
    await expect(reports.run("no_such_report", {})).rejects.toMatchObject({ code: "REPORT_NOT_FOUND" });
  });

  it("binds parameter values: text that looks like SQL is only a value", async () => {
    expect(await rows("amount_blocked", { ...RANGE, currency: "XAF' OR '1'='1" })).toEqual([]);
  });

  it("streams progress, columns, rows and a summary", async () => {
    const events: ReportEvent[] = [];
    for await (const e of reports.stream("decisions_per_day", RANGE)) events.push(e);
    const kinds = events.map((e) => e.type).filter((t) => t !== "progress");
    expect(kinds).toEqual(["columns", "rows", "done"]);
    expect(events.find((e) => e.type === "columns")).toEqual({
      type: "columns",
      columns: [
        { name: "day", type: "string" },
        { name: "transactions", type: "number" },
        { name: "approved", type: "number" },
        { name: "review", type: "number" },
        { name: "blocked", type: "number" },
      ],
    });
    expect(events.at(-1)).toMatchObject({ type: "done", row_count: 3, truncated: false });
  });
});

describe("one SQL text for DuckDB and Athena", () => {
  it("the Athena request carries the very SQL DuckDB ran, with the values as quoted literals", async () => {
    recording.queries.length = 0;
    await reports.run("amount_blocked", RANGE);
    const ran = recording.queries[0]!;
    const request = athenaStartQueryInput(ran, { workGroup: "analysts", database: "fraud_prod" });
    expect(request).toEqual({
      QueryString: ran.sql,
      WorkGroup: "analysts",
      QueryExecutionContext: { Database: "fraud_prod" },
      ExecutionParameters: ["'2025-06-01'", "'2025-06-03'", "'XAF'"],
    });
    expect(request.QueryString).toBe(compileNamedParameters(BUILTIN_REPORTS.find((r) => r.name === "amount_blocked")!.sql).sql);
    const large = recording.queries.length;
    await reports.run("large_transactions", { ...RANGE, min_amount: 1000.5 });
    expect(athenaStartQueryInput(recording.queries[large]!, { workGroup: "w", database: "d" }).ExecutionParameters).toEqual([
      "'2025-06-01'",
      "'2025-06-03'",
      "1000.5",
      "'2025-06-01'",
      "'2025-06-03'",
      "1000.5",
    ]);
  });

  it("every built-in report sends Athena the SQL and values DuckDB ran", async () => {
    const athena = mockClient(AthenaClient);
    try {
      athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: "q" });
      athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: "SUCCEEDED" } } });
      athena.on(GetQueryResultsCommand).resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: [] }, Rows: [] } });
      const client = new AthenaClient({ region: "eu-west-3", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
      const onAthena = new Reports({
        store: memoryReportStore(),
        runner: new AthenaReportRunner(client, { workGroup: "analysts", database: "fraud_prod" }),
        clock: () => new Date("2025-06-04T12:00:00Z"),
      });
      for (const def of BUILTIN_REPORTS) {
        recording.queries.length = 0;
        athena.resetHistory();
        await reports.run(def.name, RANGE);
        await onAthena.run(def.name, RANGE);
        const ran = recording.queries[0]!;
        expect(athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input, def.name).toEqual(
          athenaStartQueryInput(ran, { workGroup: "analysts", database: "fraud_prod" }),
        );
      }
    } finally {
      athena.restore();
    }
  });

  it("built-in SQL uses only functions Athena (Trino) has, and no DuckDB-only syntax", async () => {
    const trino = new Set([
      "count",
      "count_star",
      "sum",
      "avg",
      "max",
      "min",
      "round",
      "count_if",
      "coalesce",
      "nullif",
      "cardinality",
      "approx_percentile",
      "cast",
    ]);
    const operators = /^(\+|-|\*|\/|%|=|<>|!=|<|>|<=|>=|~~)$/;
    const instance = await DuckDBInstance.create(":memory:");
    const conn = await instance.connect();
    try {
      for (const def of BUILTIN_REPORTS) {
        const { sql } = compileNamedParameters(def.sql);
        expect(sql, def.name).not.toMatch(/::|\$\d|\bFROM\s+'/i);
        const ast = (await conn.runAndReadAll("SELECT json_serialize_sql($1::VARCHAR)", [sql])).getRows()[0]![0] as string;
        const names = [...ast.matchAll(/"function_name":"([^"]+)"/g)].map((m) => m[1]!).filter((n) => !operators.test(n) && n !== "unnest");
        expect(
          names.filter((n) => !trino.has(n)),
          def.name,
        ).toEqual([]);
      }
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });

  it("every built-in report passes the Athena runner's own check of an analyst's SQL", () => {
    for (const def of BUILTIN_REPORTS) expect(athenaSqlProblem(compileNamedParameters(def.sql).sql), def.name).toBeUndefined();
  });

  it("Athena's string cells become the runner's typed cells", () => {
    expect(athenaColumnType("bigint")).toBe("number");
    expect(athenaColumnType("timestamp(3)")).toBe("timestamp");
    expect(athenaCell("number", "13450.0")).toBe(13450);
    expect(athenaCell("timestamp", "2025-06-02 12:00:00.000")).toBe("2025-06-02T12:00:00.000Z");
    expect(athenaCell("array", "[DEVICE_CHANGE, LOCATION_CHANGE]")).toEqual(["DEVICE_CHANGE", "LOCATION_CHANGE"]);
    expect(athenaCell("array", "[]")).toEqual([]);
    expect(athenaCell("string", undefined)).toBeNull();
  });
});

describe("analysts' own reports", () => {
  const mine = {
    name: "big_spenders",
    title: "Big spenders",
    parameters: [
      { name: "from", type: "date", label: "From" },
      { name: "to", type: "date", label: "To" },
      { name: "min", type: "number", label: "At least", default: 1000 },
    ],
    sql: `-- customers with at least one large payment, and their labels
SELECT d.user_id, count(*) AS n, count(l.label) AS labelled
FROM decisions d LEFT JOIN labels l ON l.transaction_id = d.transaction_id
WHERE d.dt BETWEEN :from AND :to AND d.amount >= :min
GROUP BY d.user_id
ORDER BY n DESC, d.user_id;`,
    chart: { kind: "bar", x: "user_id", y: ["n"] },
  };

  it("are saved, listed after the built-in ones and run with bound parameters", async () => {
    const saved = await reports.save(mine, analyst);
    expect(saved).toMatchObject({ name: "big_spenders", builtin: false, updated_by: "ana" });
    expect(saved.sql.endsWith(";")).toBe(false);
    const names = (await reports.list()).map((r) => r.name);
    expect(names.at(-1)).toBe("big_spenders");
    expect(names.slice(0, BUILTIN_REPORTS.length)).toEqual(BUILTIN_REPORTS.map((r) => r.name));
    expect(await rows("big_spenders", { ...RANGE, min: 2000 })).toEqual([
      { user_id: "u1", n: 1, labelled: 1 },
      { user_id: "u3", n: 1, labelled: 1 },
      { user_id: "u4", n: 1, labelled: 1 },
    ]);
  });

  it("stop at the row limit and say so", async () => {
    await reports.save({ ...mine, name: "all_rows", parameters: [], sql: "SELECT transaction_id FROM decisions ORDER BY transaction_id" }, analyst);
    const result: ReportResult = await reports.run("all_rows", {}, { rowLimit: 3 });
    expect(result.rows).toEqual([["t0"], ["t1"], ["t2"]]);
    expect(result.truncated).toBe(true);
    expect((await reports.run("all_rows", {}, { rowLimit: 10 })).truncated).toBe(false);
  });

  const refused: Array<[string, string, RegExp]> = [
    ["a write", "DELETE FROM labels", /only a SELECT/],
    ["DDL", "CREATE TABLE x AS SELECT * FROM decisions", /only a SELECT/],
    ["two statements", "SELECT 1; SELECT 2", /only one statement/],
    ["a comment hiding nothing but a second statement", "SELECT 1 /* ok */; DROP TABLE labels", /only one statement/],
    ["a settings change", "SET enable_external_access = true", /only a SELECT/],
    ["attaching a database", "ATTACH '/tmp/x.db'", /only a SELECT/],
    ["copying out", "COPY (SELECT * FROM decisions) TO '/tmp/out.csv'", /only a SELECT/],
    ["reading a file", "SELECT * FROM read_csv('/etc/passwd')", /table function 'read_csv'/],
    ["reading a file by name", "SELECT * FROM '/etc/passwd'", /not a table of the lake/],
    ["reading Parquet elsewhere", "SELECT * FROM read_parquet('/tmp/*.parquet')", /table function 'read_parquet'/],
    ["SQL in a string", "SELECT * FROM query('SELECT 1')", /table function 'query'/],
    ["the catalog", "SELECT * FROM information_schema.tables", /without a schema/],
    ["engine settings", "SELECT current_setting('threads')", /function 'current_setting'/],
    ["a table that is not there", "SELECT * FROM secrets", /not a table of the lake/],
    ["a column that is not there", "SELECT no_such_column FROM decisions", /no_such_column/],
    ["a syntax error", "SELEC 1", /syntax error/],
  ];
  for (const [what, sql, message] of refused) {
    it(`are refused, with a clear error, for ${what}`, async () => {
      const err = await reports.save({ ...mine, name: "bad", parameters: [], sql }, analyst).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VisibleError);
      expect((err as VisibleError).code).toBe("REPORT_SQL_REJECTED");
      expect((err as VisibleError).message).toMatch(message);
      expect((err as VisibleError).message).not.toMatch(/fraud-analytics-/);
    });
  }

  it("are refused when parameters and SQL disagree, or the name is a built-in's", async () => {
    await expect(reports.save({ ...mine, parameters: [] }, analyst)).rejects.toMatchObject({
      code: "INVALID_REPORT",
      fields: {
        sql: [":from is used but not declared as a parameter", ":to is used but not declared as a parameter", ":min is used but not declared as a parameter"],
      },
    });
    await expect(reports.save({ ...mine, sql: "SELECT * FROM decisions WHERE amount > ?" }, analyst)).rejects.toMatchObject({ code: "INVALID_REPORT" });
    await expect(reports.save({ ...mine, name: "overview" }, analyst)).rejects.toMatchObject({ code: "REPORT_NAME_TAKEN" });
    await expect(reports.remove("overview", analyst)).rejects.toMatchObject({ code: "REPORT_BUILTIN" });
  });

  it("keep :placeholders inside strings, identifiers and comments as text", () => {
    expect(compileNamedParameters("SELECT ':x' AS \"a:b\", x::INT -- :y\nFROM t WHERE a = :a /* :z */ AND b = :a")).toEqual({
      sql: "SELECT ':x' AS \"a:b\", x::INT -- :y\nFROM t WHERE a = ? /* :z */ AND b = ?",
      order: ["a", "a"],
    });
  });

  it("are checked again when run, even if the stored SQL was changed behind the service's back", async () => {
    const store = memoryReportStore();
    await store.save(ReportDefinition.parse({ ...mine, name: "tampered", parameters: [], sql: "SELECT * FROM read_text('/etc/hostname')" }), analyst);
    const other = new Reports({ store, runner });
    await expect(other.run("tampered", {})).rejects.toMatchObject({ code: "REPORT_SQL_REJECTED" });
  });

  it("an engine error in an analyst's SQL at run time is reported, not thrown as a bug", async () => {
    await reports.save({ ...mine, name: "divide", parameters: [], sql: "SELECT CAST('x' || transaction_id AS INTEGER) AS n FROM decisions" }, analyst);
    await expect(reports.run("divide", {})).rejects.toMatchObject({ code: "REPORT_SQL_ERROR" });
  });
});

describe("limits of a run", () => {
  it("a run past its time-out is stopped with REPORT_TIMEOUT", async () => {
    const started = performance.now();
    const events = runner.stream({ sql: "SELECT sum(i) FROM range(100000000000) t(i)", params: [], row_limit: 10, timeout_ms: 300, trusted: true });
    const err = await (async () => {
      for await (const e of events) void e;
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "REPORT_TIMEOUT" });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("a cancelled run stops with REPORT_CANCELLED, and the engine serves the next one", async () => {
    const controller = new AbortController();
    const events = runner.stream(
      { sql: "SELECT sum(i) FROM range(100000000000) t(i)", params: [], row_limit: 10, timeout_ms: 60_000, trusted: true },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 700);
    const seen: string[] = [];
    const err = await (async () => {
      for await (const e of events) seen.push(e.type);
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "REPORT_CANCELLED" });
    expect(seen).toContain("progress");
    expect(await rows("overview")).toEqual([{ transactions: 9, total_amount: 13450, average_amount: 1494.44, customers: 4 }]);
  });
});

describe("the lake over time", () => {
  it("an empty lake gives empty reports; files written before a column existed read it as NULL", async () => {
    const lakeDir = join(dirs.make(), "lake");
    const fresh = new LocalReportRunner({ lakeDir, threads: 1 });
    try {
      const onFresh = new Reports({ store: memoryReportStore(), runner: fresh });
      expect(rowObjects(await onFresh.run("overview", RANGE))).toEqual([{ transactions: 0, total_amount: null, average_amount: null, customers: 0 }]);
      // A file of the lake's first format: no account_created, no shadow columns.
      const instance = await DuckDBInstance.create(":memory:");
      const conn = await instance.connect();
      const old = join(lakeDir, "raw", "dt=2025-06-02");
      mkdirSync(old, { recursive: true });
      await conn.run(
        `COPY (SELECT 'old-1' AS transaction_id, 'u9' AS user_id, 10.0 AS amount, 'XAF' AS currency, TIMESTAMP '2025-06-02 10:00:00' AS "timestamp", 'APPROVED' AS decision, CAST(0 AS BIGINT) AS score, CAST([] AS VARCHAR[]) AS rules_fired) TO '${join(old, "part-1-1.parquet")}' (FORMAT parquet)`,
      );
      conn.closeSync();
      instance.closeSync();
      expect(rowObjects(await onFresh.run("overview", RANGE))).toEqual([{ transactions: 1, total_amount: 10, average_amount: 10, customers: 1 }]);
      expect(rowObjects(await onFresh.run("shadow_comparison", RANGE))).toEqual([]);
      await writeLake(lakeDir, [KNOWN_ROWS.slice(0, 3)]);
      expect(rowObjects(await onFresh.run("overview", RANGE))[0]).toMatchObject({ transactions: 4, customers: 3 });
      expect(rowObjects(await onFresh.run("shadow_comparison", RANGE))).toHaveLength(3);
    } finally {
      await fresh.close();
    }
  });
});
