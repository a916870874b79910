import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPORT_FUNCTIONS, reportSqlProblem } from "../../src/adapters/local/report-guard.ts";
import { TRINO_COMPAT_MACROS } from "../../src/adapters/local/report-dialect.ts";

/*
 * The allow list of functions a report may call, against DuckDB's own function catalogue, and the
 * check's behaviour on parse trees it does not know: refused, never waved through.
 */

let instance: DuckDBInstance;
let functions: Array<{ name: string; type: string; schema: string; macro: string | null }>;

beforeAll(async () => {
  instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  const rows = await conn.runAndReadAll("SELECT function_name, function_type, schema_name, macro_definition FROM duckdb_functions()");
  functions = rows
    .getRows()
    .map(([name, type, schema, macro]) => ({ name: String(name), type: String(type), schema: String(schema), macro: macro === null ? null : String(macro) }));
  conn.closeSync();
});
afterAll(() => instance.closeSync());

describe("the functions a report may call", () => {
  it("are all functions of DuckDB (no misspelt name that a later DuckDB could define), none only a table function", () => {
    // Window functions and the names the parser gives some syntax are not in duckdb_functions().
    const special = new Set([
      "unnest",
      "row_number",
      "rank",
      "dense_rank",
      "rank_dense",
      "percent_rank",
      "cume_dist",
      "ntile",
      "lag",
      "lead",
      "first_value",
      "last_value",
      "nth_value",
      "fill",
      "!__postfix",
      "coalesce",
      "ifnull",
    ]);
    const known = new Set(functions.filter((f) => ["scalar", "aggregate", "macro"].includes(f.type) && f.schema === "main").map((f) => f.name));
    const tableFunctions = new Set(functions.filter((f) => f.type === "table" || f.type === "table_macro").map((f) => f.name));
    expect([...REPORT_FUNCTIONS].filter((name) => !known.has(name) && !special.has(name))).toEqual([]);
    // Some names are both (histogram, repeat, range): in FROM they are table functions, refused there.
    expect([...REPORT_FUNCTIONS].filter((name) => tableFunctions.has(name) && !known.has(name) && !special.has(name))).toEqual([]);
  });

  it("leave out every function that reads the engine's state, files or the catalogue", () => {
    const denied = [
      "current_setting",
      "getenv",
      "getvariable",
      "current_database",
      "current_schema",
      "current_schemas",
      "current_catalog",
      "current_query",
      "current_query_id",
      "version",
      "stats",
      "sleep_ms",
      "write_log",
      "setseed",
      "nextval",
      "currval",
      "json_serialize_sql",
      "json_serialize_plan",
      "json_deserialize_sql",
      "get_block_size",
      "in_search_path",
      "txid_current",
      "parse_duckdb_log_message",
      "finalize",
      "combine",
    ];
    expect(denied.filter((name) => REPORT_FUNCTIONS.has(name))).toEqual([]);
    expect([...REPORT_FUNCTIONS].filter((name) => /^(duckdb_|pragma_|pg_|read_|sqlite_|parquet_|icu_)/.test(name))).toEqual([]);
  });

  it("include no macro whose body reads the catalogue, a setting or a table", () => {
    const macros = functions.filter((f) => f.type === "macro" && REPORT_FUNCTIONS.has(f.name));
    expect(macros.length).toBeGreaterThan(10);
    expect(macros.filter((m) => /duckdb_|pragma_|current_setting|getvariable|\bFROM\b|SELECT/i.test(m.macro ?? "")).map((m) => m.name)).toEqual([]);
  });

  it("the Trino names every report may use are macros over listed functions", () => {
    const bodies = TRINO_COMPAT_MACROS.map(([, body]) => body);
    for (const body of bodies) for (const [, name] of body.matchAll(/([a-z_]+)\(/g)) expect(REPORT_FUNCTIONS.has(name!), `${name} in ${body}`).toBe(true);
  });
});

describe("parse trees the check does not know", () => {
  const select = (from: unknown) => [{ node: { type: "SELECT_NODE", cte_map: { map: [] }, select_list: [], from_table: from } }];

  it("refuses a query form it does not know", () => {
    expect(reportSqlProblem([{ node: { type: "SOME_NEW_NODE", cte_map: { map: [] } } }])).toBe("this form of query (some_new) is not allowed in a report");
    expect(reportSqlProblem([{}])).toBe("the query could not be checked");
  });

  it("refuses a FROM item it does not know, wherever it is", () => {
    expect(reportSqlProblem(select({ type: "SOME_NEW_REF" }))).toBe("this kind of FROM item (some_new_ref) is not allowed in a report");
    expect(reportSqlProblem(select({ type: "JOIN", left: { type: "BASE_TABLE", table_name: "decisions" }, right: { type: "COLUMN_DATA" } }))).toMatch(
      /column_data/,
    );
  });

  it("checks a table reference found anywhere in the tree, not only in FROM", () => {
    const hidden = [
      {
        node: {
          type: "SELECT_NODE",
          cte_map: { map: [] },
          from_table: { type: "EMPTY" },
          select_list: [{ class: "SOMETHING_NEW", child: { type: "BASE_TABLE", table_name: "duckdb_views" } }],
        },
      },
    ];
    expect(reportSqlProblem(hidden)).toBe("'duckdb_views' is not a table of the lake: a report reads decisions and labels only");
  });
});
