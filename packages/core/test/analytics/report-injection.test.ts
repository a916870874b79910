import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLocalPlatform, type LocalPlatform } from "../../src/adapters/local/platform.ts";
import { LocalReportStore } from "../../src/adapters/local/report-store.ts";
import { BUILTIN_REPORTS } from "../../src/report/builtin-reports.ts";
import { VisibleError } from "../../src/errors/errors.ts";
import { ReportDefinition, rowObjects, type ReportEvent } from "../../src/report/report.ts";
import { defaultSettings } from "../../src/settings/settings.ts";
import { KNOWN_LABELS, KNOWN_ROWS, tempDirs, writeLake } from "./lake-fixture.ts";

/*
 * SQL injection against the real report service of the embedded stack (DuckDB over the Parquet
 * lake, labels from SQLite), in one place: through parameters, through the report name, and
 * through analysts' own SQL (saved, previewed, or tampered with in the store). Every attempt is
 * refused with a clear error, and afterwards the lake files, the SQLite store and the engine are
 * exactly as they were.
 */

const dirs = tempDirs();
const RANGE = { from: "2025-06-01", to: "2025-06-03" };
const analyst = { id: "ana" };
const dataDir = dirs.make();
/** A directory outside the data dir: attempts try to write here. */
const outside = dirs.make("fraud-outside-");
let p: LocalPlatform;

beforeAll(async () => {
  await writeLake(join(dataDir, "lake"), [KNOWN_ROWS.slice(0, 5), KNOWN_ROWS.slice(5)]);
  p = openLocalPlatform({ dataDir, settings: defaultSettings, clock: () => new Date("2025-06-04T12:00:00Z") });
  const insert = p.db.prepare("INSERT INTO reviews (transaction_id, status, label, updated_at, updated_by) VALUES (?, 'closed', ?, ?, 'ana')");
  for (const l of KNOWN_LABELS) insert.run(l.transaction_id, l.label, "2025-06-04T00:00:00.000Z");
});
afterAll(async () => {
  await p.reportRunner.close();
  p.close();
  dirs.cleanup();
});

/** Every lake file and its bytes, and every SQLite table's rows: equal digests, nothing changed. */
function state(): string {
  const h = createHash("sha256");
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const f = join(d, e.name);
      h.update(f);
      if (e.isDirectory()) walk(f);
      else h.update(readFileSync(f));
    }
  };
  walk(join(dataDir, "lake"));
  walk(outside);
  h.update(JSON.stringify(p.db.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY name").raw().all()));
  const tables = p.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  for (const t of tables) h.update(t).update(JSON.stringify(p.db.prepare(`SELECT * FROM "${t}"`).raw().all()));
  return h.digest("hex");
}

/** What a user must never see in an error: a stack, the data dir, an engine internal. */
function expectClear(err: unknown, code: string | string[]) {
  expect(err).toBeInstanceOf(VisibleError);
  const e = err as VisibleError;
  expect([code].flat()).toContain(e.code);
  expect(e.message.length).toBeGreaterThan(5);
  expect(e.message).not.toContain(dataDir);
  expect(e.message).not.toMatch(/\n\s+at /);
}

async function drain(events: AsyncIterable<ReportEvent>) {
  for await (const e of events) void e;
}

describe("injection through parameters", () => {
  it("string parameters are values, never SQL", async () => {
    const before = state();
    for (const currency of ["XAF' OR '1'='1", "XAF'; DROP VIEW decisions; --", "XAF' UNION SELECT user_id, 1, 1 FROM decisions --", "XAF'/*", "XAF\\'"]) {
      expect(rowObjects(await p.reports.run("amount_blocked", { ...RANGE, currency }))).toEqual([]);
    }
    // Control characters and oversized text are refused before any SQL.
    for (const currency of ["XAF\u0000'; DROP VIEW decisions", `XAF${"' OR 1=1".repeat(40)}`]) {
      expectClear(await p.reports.run("amount_blocked", { ...RANGE, currency }).catch((e: unknown) => e), "INVALID_REPORT_PARAMS");
    }
    expect(state()).toBe(before);
  });

  const typed: Array<[string, Record<string, string>, string[]]> = [
    ["a date carrying a statement", { from: "2025-06-01'; DROP VIEW decisions; --", to: "2025-06-03" }, ["from"]],
    ["a date carrying a comment", { from: "2025-06-01 --", to: "2025-06-03/*" }, ["from", "to"]],
    ["a number carrying a statement", { ...RANGE, min_amount: "1; DELETE FROM labels" }, ["min_amount"]],
    ["a number with a tautology", { ...RANGE, min_amount: "0 OR 1=1" }, ["min_amount"]],
    ["a parameter the report does not have", { ...RANGE, "from) OR (1=1": "x" }, ["from) OR (1=1"]],
  ];
  for (const [what, params, fields] of typed) {
    it(`refuses ${what}, naming the parameter`, async () => {
      const before = state();
      const err = await p.reports.run("large_transactions", params).catch((e: unknown) => e);
      expectClear(err, "INVALID_REPORT_PARAMS");
      expect(Object.keys((err as VisibleError).fields ?? {})).toEqual(expect.arrayContaining(fields));
      expect(state()).toBe(before);
    });
  }

  it("a report name is only looked up, never run as SQL", async () => {
    const before = state();
    for (const name of ["overview; DROP VIEW decisions", "overview' OR '1'='1", "../../fraud.db", "read_csv('/etc/passwd')"]) {
      expectClear(await p.reports.run(name, RANGE).catch((e: unknown) => e), "REPORT_NOT_FOUND");
    }
    expect(state()).toBe(before);
  });
});

describe("injection through an analyst's SQL", () => {
  const file = (name: string) => join(outside, name);
  const ATTEMPTS: Array<[string, string]> = [
    // stacked statements, with and without comments hiding them
    ["stacked DROP", "SELECT * FROM decisions; DROP VIEW decisions"],
    ["stacked DELETE after a line comment", "SELECT 1 -- harmless\n; DELETE FROM labels"],
    ["stacked ATTACH after a block comment", "SELECT 1 /* ; */ ; ATTACH ':memory:' AS x"],
    ["a statement in a comment-broken keyword", "SELECT 1; DR/**/OP VIEW decisions"],
    // DDL and DML
    ["CREATE TABLE", "CREATE TABLE stolen AS SELECT * FROM decisions"],
    ["CREATE OR REPLACE VIEW over the lake", "CREATE OR REPLACE VIEW decisions AS SELECT 1 AS x"],
    ["DROP VIEW", "DROP VIEW decisions"],
    ["ALTER", "ALTER TABLE labels RENAME TO gone"],
    ["CREATE MACRO", "CREATE MACRO approx_distinct(x) AS 0"],
    ["INSERT", "INSERT INTO labels VALUES ('t1', 'fraud')"],
    ["UPDATE", "UPDATE labels SET label = 'legitimate'"],
    ["DELETE", "DELETE FROM labels"],
    ["a write inside a CTE", "WITH x AS (DELETE FROM labels RETURNING *) SELECT * FROM x"],
    // files in and out
    ["COPY out", `COPY (SELECT * FROM decisions) TO '${file("out.csv")}'`],
    ["COPY a table out", `COPY labels TO '${file("labels.parquet")}' (FORMAT parquet)`],
    ["COPY in", "COPY labels FROM '/etc/passwd'"],
    ["EXPORT DATABASE", `EXPORT DATABASE '${file("export")}'`],
    ["ATTACH a file", `ATTACH '${file("x.duckdb")}' AS x`],
    ["ATTACH the SQLite store", `ATTACH '${join(dataDir, "fraud.db")}' AS store (TYPE sqlite)`],
    ["DETACH", "DETACH memory"],
    ["read_csv", "SELECT * FROM read_csv('/etc/passwd')"],
    ["read_csv_auto", "SELECT * FROM read_csv_auto('/etc/passwd')"],
    ["read_text", "SELECT * FROM read_text('/etc/hostname')"],
    ["read_blob of the store", `SELECT * FROM read_blob('${join(dataDir, "fraud.db")}')`],
    ["read_json", "SELECT * FROM read_json('/etc/os-release')"],
    ["read_parquet outside the lake", `SELECT * FROM read_parquet('${file("*.parquet")}')`],
    ["read_parquet climbing out of the lake", `SELECT * FROM read_parquet('${join(dataDir, "lake", "raw", "..", "..", "*.parquet")}')`],
    ["parquet_scan", "SELECT * FROM parquet_scan('/tmp/x.parquet')"],
    ["sqlite_scan of the store", `SELECT * FROM sqlite_scan('${join(dataDir, "fraud.db")}', 'users')`],
    ["glob", "SELECT * FROM glob('/etc/*')"],
    ["a file path as a table", "SELECT * FROM '/etc/passwd'"],
    ["a file path joined in", "SELECT * FROM decisions, '/etc/passwd' AS p"],
    ["a file read inside a CTE", "WITH x AS (SELECT * FROM read_csv('/etc/passwd')) SELECT * FROM x"],
    ["a file read in a subquery", "SELECT (SELECT count(*) FROM read_text('/etc/hostname')) AS n FROM decisions"],
    ["query()", "SELECT * FROM query('DROP VIEW decisions')"],
    ["query_table()", "SELECT * FROM query_table('labels')"],
    // engine configuration and catalog
    ["PRAGMA", "PRAGMA database_list"],
    ["PRAGMA as a table function", "SELECT * FROM pragma_database_list()"],
    ["SET", "SET enable_external_access = true"],
    ["SET GLOBAL", "SET GLOBAL allowed_directories = ['/']"],
    ["RESET", "RESET lock_configuration"],
    ["current_setting()", "SELECT current_setting('allowed_directories') AS s"],
    ["getenv()", "SELECT getenv('HOME') AS h"],
    ["duckdb_settings()", "SELECT * FROM duckdb_settings()"],
    ["duckdb_secrets()", "SELECT * FROM duckdb_secrets()"],
    ["the catalog", "SELECT * FROM information_schema.tables"],
    ["another schema", "SELECT * FROM main.labels"],
    ["a table that is not the lake's", "SELECT * FROM sessions"],
    // extensions
    ["INSTALL", "INSTALL httpfs"],
    ["LOAD", "LOAD httpfs"],
    ["FORCE INSTALL", "FORCE INSTALL sqlite_scanner"],
    // other statements
    ["CALL", "CALL pragma_version()"],
    ["transactions", "BEGIN TRANSACTION"],
    ["CHECKPOINT", "CHECKPOINT"],
    ["VACUUM", "VACUUM"],
    ["SUMMARIZE of a file", "SUMMARIZE '/etc/passwd'"],
    ["DESCRIBE of a file", "DESCRIBE '/etc/passwd'"],
    ["EXPLAIN", "EXPLAIN ANALYZE SELECT * FROM decisions"],
    ["no statement at all", "-- nothing here"],
  ];

  const def = (sql: string) => ({ name: "attempt", title: "Attempt", parameters: [], sql });

  for (const [what, sql] of ATTEMPTS) {
    it(`refuses ${what}, when saved and when previewed, and changes nothing`, async () => {
      const before = state();
      expectClear(await p.reports.save(def(sql), analyst).catch((e: unknown) => e), ["REPORT_SQL_REJECTED", "INVALID_REPORT"]);
      expectClear(await drain(p.reports.preview(def(sql), {})).catch((e: unknown) => e), ["REPORT_SQL_REJECTED", "INVALID_REPORT"]);
      expect(await p.reports.get("attempt")).toBeUndefined();
      expect(state()).toBe(before);
    });
  }

  it("refuses the same SQL when it was written into the store behind the service's back", async () => {
    const store = new LocalReportStore(p.db);
    const before = p.db.prepare("SELECT count(*) FROM reports").pluck().get();
    for (const [what, sql] of ATTEMPTS.filter(([w]) => /COPY out|read_text|ATTACH the SQLite|SET$|stacked DROP/.test(w))) {
      await store.save(ReportDefinition.parse({ ...def(sql), name: "tampered" }), analyst);
      const snapshot = state();
      const err = await p.reports.run("tampered", {}).catch((e: unknown) => e);
      expectClear(err, "REPORT_SQL_REJECTED");
      expect(state(), what).toBe(snapshot);
    }
    await store.remove("tampered", analyst);
    expect(p.db.prepare("SELECT count(*) FROM reports").pluck().get()).toBe(before);
  });

  it("even SQL that skipped every check cannot reach past the lake: the engine is locked", async () => {
    const before = state();
    const run = (sql: string) => drain(p.reportRunner.stream({ sql, params: [], row_limit: 10, timeout_ms: 10_000, trusted: true }));
    await expect(run("SELECT * FROM read_text('/etc/hostname')")).rejects.toThrow(/external access|disabled|Permission/i);
    await expect(run(`COPY (SELECT 1) TO '${file("escaped.csv")}'`)).rejects.toThrow(/external access|disabled|Permission/i);
    await expect(run("SET enable_external_access = true")).rejects.toThrow(/lock/i);
    await expect(run("SET lock_configuration = false")).rejects.toThrow(/lock/i);
    await expect(run(`ATTACH '${join(dataDir, "fraud.db")}' AS store (TYPE sqlite)`)).rejects.toThrow();
    await expect(run("INSTALL httpfs")).rejects.toThrow();
    expect(existsSync(file("escaped.csv"))).toBe(false);
    expect(state()).toBe(before);
  });

  it("DESCRIBE and SUMMARIZE of the lake's two tables are allowed, and show nothing else", async () => {
    const before = state();
    const rows = async (sql: string) => {
      const out: unknown[][] = [];
      for await (const e of p.reports.preview(def(sql), {})) if (e.type === "rows") out.push(...e.rows);
      return out;
    };
    expect((await rows("DESCRIBE decisions")).length).toBeGreaterThan(20);
    expect((await rows("SUMMARIZE labels")).length).toBe(2);
    expect(state()).toBe(before);
  });

  it("text that only looks like SQL runs as the single SELECT it is", async () => {
    const saved = await p.reports.save(def("SELECT ';DROP VIEW decisions; --' AS s, count(*) AS n FROM decisions /* ; DELETE FROM labels */"), analyst);
    expect(rowObjects(await p.reports.run(saved.name, {}))).toEqual([{ s: ";DROP VIEW decisions; --", n: KNOWN_ROWS.length }]);
    await p.reports.remove(saved.name, analyst);
  });

  it("after every attempt, the lake, the labels and every built-in report read as before", async () => {
    expect(rowObjects(await p.reports.run("overview", RANGE))).toEqual([{ transactions: 9, total_amount: 13450, average_amount: 1494.44, customers: 4 }]);
    expect(rowObjects(await p.reports.run("rule_hit_rates", RANGE)).length).toBeGreaterThan(0);
    for (const r of BUILTIN_REPORTS) await expect(p.reports.run(r.name, RANGE)).resolves.toMatchObject({ report: r.name });
    expect(readdirSync(outside)).toEqual([]);
    expect(p.db.prepare("SELECT count(*) FROM reviews WHERE label IS NOT NULL").pluck().get()).toBe(KNOWN_LABELS.length);
  });
});

describe("the engine's catalogue and state, out of a report's reach", () => {
  const def = (sql: string) => ({ name: "attempt", title: "Attempt", parameters: [], sql });
  const refusal = async (sql: string) => {
    const saved = await p.reports.save(def(sql), analyst).catch((e: unknown) => e);
    const previewed = await drain(p.reports.preview(def(sql), {})).catch((e: unknown) => e);
    expectClear(saved, "REPORT_SQL_REJECTED");
    expectClear(previewed, "REPORT_SQL_REJECTED");
    expect((previewed as VisibleError).message).toBe((saved as VisibleError).message);
    return (saved as VisibleError).message;
  };
  const rows = async (sql: string) => {
    const out: unknown[][] = [];
    for await (const e of p.reports.preview(def(sql), {})) if (e.type === "rows") out.push(...e.rows);
    return out;
  };

  // A CTE's name is a table only where the CTE is in scope: in its own query, the CTEs after it
  // and what they nest. Anywhere else the same name is DuckDB's catalogue view.
  const OUT_OF_SCOPE: Array<[string, string, string]> = [
    [
      "a CTE of a subquery in FROM, read beside it",
      "SELECT * FROM (WITH duckdb_views AS (SELECT 1) SELECT * FROM duckdb_views) x, duckdb_views",
      "duckdb_views",
    ],
    [
      "a CTE of a scalar subquery, read by the outer query",
      "SELECT (WITH duckdb_settings AS (SELECT 1) SELECT 1) AS one, * FROM duckdb_settings",
      "duckdb_settings",
    ],
    [
      "a CTE nested in another CTE's body, read by the outer query",
      "WITH x AS (WITH duckdb_tables AS (SELECT 1) SELECT 1) SELECT * FROM duckdb_tables",
      "duckdb_tables",
    ],
    [
      "a CTE of one side of a UNION, read by the other",
      "SELECT sql FROM duckdb_views UNION ALL (WITH duckdb_views AS (SELECT 'x' AS sql) SELECT sql FROM duckdb_views)",
      "duckdb_views",
    ],
    [
      "a CTE of an EXISTS, read in a WHERE beside it",
      "SELECT * FROM decisions WHERE EXISTS (WITH duckdb_databases AS (SELECT 1) SELECT 1) AND user_id IN (SELECT path FROM duckdb_databases)",
      "duckdb_databases",
    ],
    [
      "a CTE reading its own name (the catalogue's, in its body)",
      "WITH duckdb_views AS (SELECT * FROM duckdb_views) SELECT * FROM duckdb_views",
      "duckdb_views",
    ],
    [
      "a recursive CTE whose first part reads its own name",
      "WITH RECURSIVE duckdb_views AS (SELECT * FROM duckdb_views UNION ALL SELECT * FROM duckdb_views WHERE false) SELECT * FROM duckdb_views",
      "duckdb_views",
    ],
    ["a CTE reading a CTE defined after it", "WITH a AS (SELECT * FROM duckdb_columns), duckdb_columns AS (SELECT 1) SELECT * FROM a", "duckdb_columns"],
    ["a CTE in a DESCRIBE, read outside it", "SELECT * FROM (DESCRIBE (WITH duckdb_views AS (SELECT 1) SELECT 1)) d, duckdb_views", "duckdb_views"],
  ];
  for (const [what, sql, table] of OUT_OF_SCOPE) {
    it(`refuses ${what}`, async () => {
      const before = state();
      expect(await refusal(sql)).toBe(`'${table}' is not a table of the lake: a report reads decisions and labels only`);
      expect(state()).toBe(before);
    });
  }

  it("a CTE is a table in its own query and in what it nests, and shadows the lake's table of that name there", async () => {
    // The outer `labels` is one row; inside the subquery, a CTE of that name reads the outer one.
    const sql = `WITH labels AS (SELECT 't1' AS transaction_id, 'fraud' AS label)
      SELECT (SELECT count(*) FROM labels) AS outer_labels,
             (SELECT count(*) FROM (WITH labels AS (SELECT * FROM labels WHERE label = 'legitimate') SELECT * FROM labels)) AS inner_labels,
             (SELECT count(*) FROM (WITH big AS (SELECT * FROM decisions WHERE amount > 1000) SELECT * FROM (SELECT * FROM big) b)) AS big`;
    expect(await rows(sql)).toEqual([[1, 0, KNOWN_ROWS.filter((r) => Number(r.amount) > 1000).length]]);
    expect(await rows("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4) SELECT sum(i) FROM n")).toEqual([[10]]);
    expect(await rows("WITH a AS (SELECT 2 AS x), b AS (SELECT x * 3 AS y FROM a) SELECT y FROM b")).toEqual([[6]]);
  });

  const CATALOGUE: Array<[string, string, RegExp]> = [
    // catalogue views, by name and by schema
    ["duckdb_views", "SELECT sql FROM duckdb_views", /'duckdb_views' is not a table of the lake/],
    ["duckdb_tables", "SELECT * FROM duckdb_tables", /'duckdb_tables' is not a table of the lake/],
    ["duckdb_settings", "SELECT * FROM duckdb_settings", /'duckdb_settings' is not a table of the lake/],
    ["duckdb_databases", "SELECT path FROM duckdb_databases", /'duckdb_databases' is not a table of the lake/],
    ["information_schema.tables", "SELECT * FROM information_schema.tables", /'information_schema.tables': name the tables without a schema/],
    ["information_schema.columns", "SELECT * FROM information_schema.columns", /without a schema/],
    ["pg_catalog.pg_views", "SELECT definition FROM pg_catalog.pg_views", /without a schema/],
    ["pg_views", "SELECT definition FROM pg_views", /'pg_views' is not a table of the lake/],
    ["sqlite_master", "SELECT * FROM sqlite_master", /'sqlite_master' is not a table of the lake/],
    ["a lake table by its schema", "SELECT * FROM memory.main.decisions", /without a schema/],
    // catalogue and metadata table functions
    ["duckdb_views()", "SELECT sql FROM duckdb_views()", /table function 'duckdb_views'/],
    ["duckdb_tables()", "SELECT * FROM duckdb_tables()", /table function 'duckdb_tables'/],
    ["duckdb_settings()", "SELECT * FROM duckdb_settings()", /table function 'duckdb_settings'/],
    ["duckdb_columns()", "SELECT * FROM duckdb_columns()", /table function 'duckdb_columns'/],
    ["duckdb_functions()", "SELECT * FROM duckdb_functions()", /table function 'duckdb_functions'/],
    ["duckdb_extensions()", "SELECT * FROM duckdb_extensions()", /table function 'duckdb_extensions'/],
    ["duckdb_memory()", "SELECT * FROM duckdb_memory()", /table function 'duckdb_memory'/],
    ["duckdb_temporary_files()", "SELECT * FROM duckdb_temporary_files()", /table function 'duckdb_temporary_files'/],
    ["pragma_table_info()", "SELECT * FROM pragma_table_info('decisions')", /table function 'pragma_table_info'/],
    ["pragma_database_size()", "SELECT * FROM pragma_database_size()", /table function 'pragma_database_size'/],
    ["parquet_metadata()", "SELECT * FROM parquet_metadata('x.parquet')", /table function 'parquet_metadata'/],
    ["read_parquet() of the lake itself", "SELECT filename FROM read_parquet('raw/*/*.parquet', filename = true)", /table function 'read_parquet'/],
    ["glob()", "SELECT * FROM glob('*')", /table function 'glob'/],
    [
      "json_execute_serialized_sql()",
      "SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT 1'))",
      /table function 'json_execute_serialized_sql'/,
    ],
    [
      "a table function in a subquery of a CTE",
      "WITH x AS (SELECT (SELECT count(*) FROM duckdb_views()) AS n) SELECT * FROM x",
      /table function 'duckdb_views'/,
    ],
    // functions that read the engine's state, plan SQL or change the session
    ["current_setting()", "SELECT current_setting('allowed_directories') AS s", /function 'current_setting' is not allowed/],
    ["getenv()", "SELECT getenv('HOME') AS h", /function 'getenv' is not allowed/],
    ["getvariable()", "SELECT getvariable('x') AS v", /function 'getvariable' is not allowed/],
    ["current_database()", "SELECT current_database()", /function 'current_database' is not allowed/],
    ["current_schemas()", "SELECT current_schemas(true)", /function 'current_schemas' is not allowed/],
    ["current_query()", "SELECT current_query()", /function 'current_query' is not allowed/],
    ["version()", "SELECT version()", /function 'version' is not allowed/],
    ["pg_get_viewdef() (a catalogue macro)", "SELECT pg_get_viewdef(1)", /function 'pg_get_viewdef' is not allowed/],
    ["get_block_size() (a macro over a pragma)", "SELECT get_block_size('memory')", /function 'get_block_size' is not allowed/],
    ["json_serialize_sql()", "SELECT json_serialize_sql('SELECT 1')", /function 'json_serialize_sql' is not allowed/],
    ["stats()", "SELECT stats(amount) FROM decisions", /function 'stats' is not allowed/],
    ["sleep_ms()", "SELECT sleep_ms(100000)", /function 'sleep_ms' is not allowed/],
    ["write_log()", "SELECT write_log('x')", /function 'write_log' is not allowed/],
    ["setseed()", "SELECT setseed(0.5)", /function 'setseed' is not allowed/],
    ["a function of the catalogue's schema", "SELECT pg_catalog.pg_get_viewdef(1)", /function 'pg_catalog.pg_get_viewdef' is not allowed/],
    ["a function not on the list, in a window", "SELECT current_setting('threads') OVER () FROM decisions", /function 'current_setting' is not allowed/],
    [
      "a function not on the list, in ORDER BY",
      "SELECT amount FROM decisions ORDER BY current_setting('threads')",
      /function 'current_setting' is not allowed/,
    ],
    ["a function not on the list, in a lambda", "SELECT list_transform([1], x -> current_setting('threads'))", /function 'current_setting' is not allowed/],
    // statements
    ["SHOW TABLES", "SHOW TABLES", /SHOW lists the engine's catalogue/],
    ["SHOW ALL TABLES", "SHOW ALL TABLES", /SHOW lists the engine's catalogue/],
    ["SHOW DATABASES", "SHOW DATABASES", /SHOW lists the engine's catalogue/],
    ["DESCRIBE of a catalogue view", "DESCRIBE duckdb_settings", /'duckdb_settings' is not a table of the lake/],
    ["SUMMARIZE of a catalogue function", "SUMMARIZE SELECT * FROM duckdb_views()", /table function 'duckdb_views'/],
    ["PRAGMA", "PRAGMA database_list", /only a SELECT/],
    ["PRAGMA show_tables", "PRAGMA show_tables", /only a SELECT/],
    ["SET", "SET threads = 64", /only a SELECT/],
    ["SET VARIABLE", "SET VARIABLE x = 1", /only a SELECT/],
    ["RESET", "RESET threads", /only a SELECT/],
    ["ATTACH", "ATTACH ':memory:' AS x", /only a SELECT/],
    ["DETACH", "DETACH x", /only a SELECT/],
    ["USE", "USE memory", /only a SELECT/],
    ["COPY", "COPY labels TO 'labels.csv'", /only a SELECT/],
    ["EXPORT DATABASE", "EXPORT DATABASE 'x'", /only a SELECT/],
    ["IMPORT DATABASE (which DuckDB's parser reads files for)", "IMPORT DATABASE 'x'", /file system operations are disabled/],
    ["INSTALL", "INSTALL httpfs", /only a SELECT/],
    ["LOAD", "LOAD httpfs", /only a SELECT/],
    ["CREATE SECRET", "CREATE SECRET s (TYPE s3, KEY_ID 'x', SECRET 'y')", /only a SELECT/],
    ["PREPARE", "PREPARE q AS SELECT 1", /only a SELECT/],
    ["CALL", "CALL duckdb_settings()", /only a SELECT/],
  ];
  for (const [what, sql, message] of CATALOGUE) {
    it(`refuses ${what} with a clear error`, async () => {
      const before = state();
      expect(await refusal(sql)).toMatch(message);
      expect(state()).toBe(before);
    });
  }

  it("every built-in report passes the check an analyst's copy of it gets", async () => {
    for (const r of BUILTIN_REPORTS) {
      await expect(p.reports.validate({ ...r, name: `copy_of_${r.name}` }), r.name).resolves.toMatchObject({ sql: r.sql });
      const copy = await drain(p.reports.preview({ ...r, name: `copy_of_${r.name}` }, RANGE)).then(
        () => "ran",
        (e: unknown) => e,
      );
      expect(copy, r.name).toBe("ran");
    }
  });
});
