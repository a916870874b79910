import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLocalPlatform, type LocalPlatform } from "../../src/adapters/local/platform.ts";
import { LocalReportStore } from "../../src/adapters/local/report-store.ts";
import { BUILTIN_REPORTS } from "../../src/builtin-reports.ts";
import { VisibleError } from "../../src/errors.ts";
import { ReportDefinition, rowObjects, type ReportEvent } from "../../src/report.ts";
import { defaultSettings } from "../../src/settings.ts";
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

  it("statements that only read the lake's two tables are allowed, and show nothing else", async () => {
    const before = state();
    const rows = async (sql: string) => {
      const out: unknown[][] = [];
      for await (const e of p.reports.preview(def(sql), {})) if (e.type === "rows") out.push(...e.rows);
      return out;
    };
    expect((await rows("SHOW ALL TABLES")).map((r) => r[2]).sort()).toEqual(["decisions", "labels"]);
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
