import { LAKE_COLUMNS, type LakeType } from "../../lake/schema.ts";
import { REPORT_FUNCTIONS } from "./report-functions/index.ts";

/*
 * Report SQL, written in Athena's (Trino's) dialect, on DuckDB: the macros for the functions the
 * two name differently, the functions an analyst may call, and the SQL of the lake view (the
 * columns of Athena's table, over the Parquet files).
 */

/**
 * Trino functions that DuckDB names or types differently, as DuckDB macros: report SQL is
 * written once in the Athena dialect and runs unchanged here. Functions with the same name and
 * meaning in both (count_if, date_trunc, date_diff, round, coalesce, max_by...) need nothing.
 */
export const TRINO_COMPAT_MACROS: ReadonlyArray<readonly [signature: string, body: string]> = [
  // Trino's approximate percentile returns a value of the data; so does quantile_disc, exactly.
  ["approx_percentile(x, p)", "quantile_disc(x, p)"],
  ["approx_distinct(x)", "approx_count_distinct(x)"],
  ["cardinality(x)", "len(x)"],
  ["element_at(a, i)", "a[i]"],
  ["array_join(a, sep)", "array_to_string(a, sep)"],
  ["regexp_like(s, p)", "regexp_matches(s, p)"],
  ["to_iso8601(t)", "strftime(t, '%Y-%m-%dT%H:%M:%S.%g')"],
  ["from_iso8601_timestamp(s)", "CAST(s AS TIMESTAMPTZ)"],
  ["from_iso8601_date(s)", "CAST(s AS DATE)"],
  ["date_format(t, f)", "strftime(t, f)"],
  ["day_of_week(t)", "isodow(t)"],
  ["day_of_year(t)", "dayofyear(t)"],
  ["to_unixtime(t)", "epoch(t)"],
  ["from_unixtime(n)", "to_timestamp(n)"],
  ["is_nan(x)", "isnan(x)"],
  ["json_extract_scalar(j, p)", "json_extract_string(j, p)"],
  ["rand()", "random()"],
];

/** What an analyst's SQL may call: REPORT_FUNCTIONS and the Trino names above. */
export const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set([
  ...REPORT_FUNCTIONS,
  ...TRINO_COMPAT_MACROS.map(([signature]) => signature.slice(0, signature.indexOf("("))),
]);

const DUCK_TYPE: Record<LakeType, string> = {
  string: "VARCHAR",
  double: "DOUBLE",
  bigint: "BIGINT",
  boolean: "BOOLEAN",
  timestamp: "TIMESTAMP",
  "array<string>": "VARCHAR[]",
};

export const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;
const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Every lake column, typed, with no rows: the view while the lake is empty. */
export const EMPTY_LAKE = `SELECT ${[...LAKE_COLUMNS.map((c) => `CAST(NULL AS ${DUCK_TYPE[c.type]}) AS ${quote(c.name)}`), "CAST(NULL AS VARCHAR) AS dt"].join(", ")} WHERE false`;

/** The lake's Parquet files as one relation, by name: a compacted day's replaced files must not be read too. */
export function lakeScan(paths: readonly string[]): string {
  return `read_parquet([${paths.map(sqlString).join(", ")}], hive_partitioning = true, hive_types = {'dt': VARCHAR}, union_by_name = true)`;
}

/** The lake view over `scan`: a column missing from every file (written before it existed) reads as NULL, as on Athena. */
export function lakeView(scan: string, present: ReadonlySet<string>): string {
  const missing = LAKE_COLUMNS.filter((c) => !present.has(c.name)).map((c) => `, CAST(NULL AS ${DUCK_TYPE[c.type]}) AS ${quote(c.name)}`);
  return `SELECT *${missing.join("")} FROM ${scan}`;
}
