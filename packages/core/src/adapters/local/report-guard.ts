import { LABELS_TABLE, LAKE_TABLE } from "../../report.ts";

/*
 * The check of an analyst's report SQL, over the parse tree DuckDB's own parser gives
 * (`json_serialize_sql`): the SQL may read the lake's two tables and the CTEs it defines, call the
 * functions of REPORT_FUNCTIONS, and nothing else. An allow list, not a deny list: a function
 * DuckDB adds later (or one of its catalogue macros) is refused until someone decides it is safe.
 */

/**
 * The functions a report may call, by what they do: computations over the values of the rows it
 * reads. Left out on purpose: anything that reads the engine's state or configuration
 * (`current_setting`, `getvariable`, `current_database`, `current_query`, `version`, `stats`,
 * `duckdb_*`, `pragma_*`, the `pg_catalog` macros), reads or writes files or logs (`read_*`,
 * `glob`, `write_log`), parses or plans SQL (`json_serialize_sql`, `json_execute_serialized_sql`),
 * waits (`sleep_ms`), or changes session state (`setseed`, `nextval`).
 */
export const REPORT_FUNCTIONS: ReadonlySet<string> = new Set([
  // aggregates
  "any_value",
  "arbitrary",
  "approx_count_distinct",
  "approx_quantile",
  "approx_top_k",
  "arg_max",
  "arg_max_null",
  "arg_min",
  "arg_min_null",
  "argmax",
  "argmin",
  "array_agg",
  "avg",
  "bit_and",
  "bit_or",
  "bit_xor",
  "bool_and",
  "bool_or",
  "corr",
  "count",
  "count_if",
  "count_star",
  "countif",
  "covar_pop",
  "covar_samp",
  "entropy",
  "favg",
  "first",
  "fsum",
  "geomean",
  "geometric_mean",
  "group_concat",
  "histogram",
  "histogram_exact",
  "kahan_sum",
  "kurtosis",
  "kurtosis_pop",
  "last",
  "list",
  "listagg",
  "mad",
  "max",
  "max_by",
  "mean",
  "median",
  "min",
  "min_by",
  "mode",
  "product",
  "quantile",
  "quantile_cont",
  "quantile_disc",
  "regr_avgx",
  "regr_avgy",
  "regr_count",
  "regr_intercept",
  "regr_r2",
  "regr_slope",
  "regr_sxx",
  "regr_sxy",
  "regr_syy",
  "reservoir_quantile",
  "sem",
  "skewness",
  "stddev",
  "stddev_pop",
  "stddev_samp",
  "string_agg",
  "sum",
  "sumkahan",
  "var_pop",
  "var_samp",
  "variance",
  "wavg",
  "weighted_avg",
  // window functions
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
  // conditionals and comparisons
  "coalesce",
  "ifnull",
  "nullif",
  "greatest",
  "least",
  "typeof",
  // numbers
  "abs",
  "acos",
  "acosh",
  "add",
  "asin",
  "asinh",
  "atan",
  "atan2",
  "atanh",
  "bit_count",
  "cbrt",
  "ceil",
  "ceiling",
  "cos",
  "cosh",
  "cot",
  "degrees",
  "divide",
  "equi_width_bins",
  "even",
  "exp",
  "factorial",
  "fdiv",
  "fmod",
  "gamma",
  "gcd",
  "greatest_common_divisor",
  "isfinite",
  "isinf",
  "isnan",
  "lcm",
  "least_common_multiple",
  "lgamma",
  "ln",
  "log",
  "log10",
  "log2",
  "mod",
  "multiply",
  "nextafter",
  "pi",
  "pow",
  "power",
  "radians",
  "random",
  "round",
  "round_even",
  "roundbankers",
  "sign",
  "signbit",
  "sin",
  "sinh",
  "sqrt",
  "subtract",
  "tan",
  "tanh",
  "trunc",
  "xor",
  "bin",
  "hex",
  "unbin",
  "unhex",
  "to_base",
  "format_bytes",
  // text
  "ascii",
  "bar",
  "base64",
  "bit_length",
  "char_length",
  "character_length",
  "chr",
  "concat",
  "concat_ws",
  "contains",
  "damerau_levenshtein",
  "decode",
  "editdist3",
  "encode",
  "ends_with",
  "format",
  "from_base64",
  "from_hex",
  "hamming",
  "hash",
  "ilike_escape",
  "instr",
  "jaccard",
  "jaro_similarity",
  "jaro_winkler_similarity",
  "lcase",
  "left",
  "left_grapheme",
  "len",
  "length",
  "length_grapheme",
  "levenshtein",
  "like_escape",
  "lower",
  "lpad",
  "ltrim",
  "md5",
  "md5_number",
  "mismatches",
  "nfc_normalize",
  "not_ilike_escape",
  "not_like_escape",
  "octet_length",
  "ord",
  "position",
  "prefix",
  "printf",
  "repeat",
  "replace",
  "reverse",
  "right",
  "right_grapheme",
  "rpad",
  "rtrim",
  "sha1",
  "sha256",
  "split",
  "split_part",
  "starts_with",
  "str_split",
  "string_split",
  "string_to_array",
  "strip_accents",
  "strlen",
  "strpos",
  "substr",
  "substring",
  "substring_grapheme",
  "suffix",
  "to_base64",
  "to_hex",
  "translate",
  "trim",
  "ucase",
  "unicode",
  "upper",
  "url_decode",
  "url_encode",
  // regular expressions
  "regexp_escape",
  "regexp_extract",
  "regexp_extract_all",
  "regexp_full_match",
  "regexp_matches",
  "regexp_replace",
  "regexp_split_to_array",
  "str_split_regex",
  "string_split_regex",
  // dates and times
  "age",
  "century",
  "current_date",
  "date_add",
  "date_diff",
  "date_part",
  "date_sub",
  "date_trunc",
  "datediff",
  "datepart",
  "datesub",
  "datetrunc",
  "day",
  "dayname",
  "dayofmonth",
  "dayofweek",
  "dayofyear",
  "days_in_month",
  "decade",
  "epoch",
  "epoch_ms",
  "epoch_ns",
  "epoch_us",
  "era",
  "get_current_time",
  "get_current_timestamp",
  "hour",
  "isodow",
  "isoyear",
  "julian",
  "last_day",
  "make_date",
  "make_time",
  "make_timestamp",
  "make_timestamp_ms",
  "make_timestamp_ns",
  "make_timestamptz",
  "microsecond",
  "millennium",
  "millisecond",
  "minute",
  "month",
  "monthname",
  "nanosecond",
  "normalized_interval",
  "now",
  "quarter",
  "second",
  "strftime",
  "strptime",
  "time_bucket",
  "timezone",
  "timezone_hour",
  "timezone_minute",
  "to_centuries",
  "to_days",
  "to_decades",
  "to_hours",
  "to_microseconds",
  "to_millennia",
  "to_milliseconds",
  "to_minutes",
  "to_months",
  "to_quarters",
  "to_seconds",
  "to_timestamp",
  "to_weeks",
  "to_years",
  "today",
  "transaction_timestamp",
  "try_strptime",
  "week",
  "weekday",
  "weekofyear",
  "year",
  "yearweek",
  // lists and arrays
  "aggregate",
  "apply",
  "array_aggr",
  "array_aggregate",
  "array_append",
  "array_apply",
  "array_cat",
  "array_concat",
  "array_contains",
  "array_distinct",
  "array_extract",
  "array_filter",
  "array_grade_up",
  "array_has",
  "array_has_all",
  "array_has_any",
  "array_indexof",
  "array_intersect",
  "array_length",
  "array_pop_back",
  "array_pop_front",
  "array_position",
  "array_prepend",
  "array_push_back",
  "array_push_front",
  "array_reduce",
  "array_resize",
  "array_reverse",
  "array_reverse_sort",
  "array_select",
  "array_slice",
  "array_sort",
  "array_to_string",
  "array_transform",
  "array_unique",
  "array_value",
  "array_where",
  "array_zip",
  "filter",
  "flatten",
  "generate_series",
  "grade_up",
  "list_aggr",
  "list_aggregate",
  "list_any_value",
  "list_append",
  "list_apply",
  "list_avg",
  "list_cat",
  "list_concat",
  "list_contains",
  "list_count",
  "list_distinct",
  "list_element",
  "list_extract",
  "list_filter",
  "list_first",
  "list_grade_up",
  "list_has",
  "list_has_all",
  "list_has_any",
  "list_indexof",
  "list_intersect",
  "list_last",
  "list_max",
  "list_median",
  "list_min",
  "list_mode",
  "list_pack",
  "list_position",
  "list_prepend",
  "list_reduce",
  "list_resize",
  "list_reverse",
  "list_reverse_sort",
  "list_select",
  "list_slice",
  "list_sort",
  "list_stddev_pop",
  "list_stddev_samp",
  "list_string_agg",
  "list_sum",
  "list_transform",
  "list_unique",
  "list_value",
  "list_where",
  "list_zip",
  "range",
  "reduce",
  "unnest",
  // structs and maps
  "map",
  "map_concat",
  "map_contains",
  "map_entries",
  "map_extract",
  "map_extract_value",
  "map_from_entries",
  "map_keys",
  "map_values",
  "row",
  "struct_extract",
  "struct_extract_at",
  "struct_pack",
  // JSON values
  "array_to_json",
  "from_json",
  "json",
  "json_array",
  "json_array_length",
  "json_contains",
  "json_exists",
  "json_extract",
  "json_extract_path",
  "json_extract_path_text",
  "json_extract_string",
  "json_group_array",
  "json_group_object",
  "json_keys",
  "json_merge_patch",
  "json_object",
  "json_pretty",
  "json_quote",
  "json_structure",
  "json_transform",
  "json_type",
  "json_valid",
  "json_value",
  "row_to_json",
  "to_json",
  // identifiers
  "gen_random_uuid",
  "uuid",
  "uuidv4",
  "uuidv7",
  // operators DuckDB's parser names (LIKE is ~~, GLOB ~~~, n! is !__postfix)
  "!__postfix",
]);

/** The only table function a report may call: it turns an array column into rows. */
const TABLE_FUNCTIONS = new Set(["unnest"]);
const LAKE_TABLES = new Set([LAKE_TABLE, LABELS_TABLE]);
const QUERY_NODES = new Set(["SELECT_NODE", "SET_OPERATION_NODE", "RECURSIVE_CTE_NODE"]);
const TABLE_REFS = new Set(["BASE_TABLE", "SUBQUERY", "JOIN", "TABLE_FUNCTION", "EXPRESSION_LIST", "EMPTY", "EMPTY_FROM", "PIVOT", "SHOW_REF"]);

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown): string => (typeof v === "string" ? v : "");

class Refused extends Error {}
const refuse = (message: string): never => {
  throw new Refused(message);
};

/**
 * The names a part of the query may read as tables besides the lake's: the CTEs it can see. A CTE
 * is visible in the body of its WITH's query, in the CTEs after it in the same WITH and in
 * anything nested in those; not in its own body (unless in the recursive part of a recursive
 * CTE), not beside or outside its query. DuckDB resolves a name to a CTE in scope before a table,
 * so a name in scope is one of the query's own results, never a catalogue view of that name.
 */
type Scope = ReadonlySet<string>;

/** One walk of a parse tree; throws Refused at the first thing a report may not do. */
class Walk {
  constructor(private readonly functions: ReadonlySet<string>) {}

  query(node: unknown, scope: Scope): void {
    if (!isNode(node)) return refuse("the query could not be checked");
    const type = text(node.type);
    if (!QUERY_NODES.has(type)) refuse(`this form of query (${type.toLowerCase().replace(/_node$/, "") || "unknown"}) is not allowed in a report`);
    let inner = scope;
    const ctes = isNode(node.cte_map) ? node.cte_map.map : undefined;
    if (Array.isArray(ctes)) {
      for (const entry of ctes) {
        const value = isNode(entry) && isNode(entry.value) ? entry.value : undefined;
        // The body sees the CTEs before it, not itself: DuckDB reads a CTE's own name in its
        // body from the catalogue.
        this.query(isNode(value?.query) ? value.query.node : undefined, inner);
        this.any(value, inner, new Set(["query"]));
        inner = new Set([...inner, text((entry as Node).key).toLowerCase()]);
      }
    }
    switch (type) {
      case "SELECT_NODE":
        this.tableRef(node.from_table, inner);
        this.any(node, inner, new Set(["type", "cte_map", "from_table"]));
        return;
      case "SET_OPERATION_NODE":
        this.any(node, inner, new Set(["type", "cte_map"]));
        return;
      case "RECURSIVE_CTE_NODE":
        // The anchor (left) cannot read the CTE itself; the recursive part (right) can.
        this.query(node.left, inner);
        this.query(node.right, new Set([...inner, text(node.cte_name).toLowerCase()]));
        this.any(node, inner, new Set(["type", "cte_map", "left", "right"]));
        return;
    }
  }

  tableRef(ref: unknown, scope: Scope): void {
    if (!isNode(ref)) return refuse("the query could not be checked");
    const type = text(ref.type);
    switch (type) {
      case "BASE_TABLE": {
        const name = text(ref.table_name);
        if (text(ref.schema_name) || text(ref.catalog_name)) {
          refuse(`'${[ref.catalog_name, ref.schema_name, ref.table_name].map(text).filter(Boolean).join(".")}': name the tables without a schema`);
        }
        if (!LAKE_TABLES.has(name.toLowerCase()) && !scope.has(name.toLowerCase())) {
          refuse(`'${name}' is not a table of the lake: a report reads ${LAKE_TABLE} and ${LABELS_TABLE} only`);
        }
        this.any(ref, scope, new Set(["type"]));
        return;
      }
      case "TABLE_FUNCTION": {
        const fn = isNode(ref.function) ? ref.function : undefined;
        const name = text(fn?.function_name);
        if (!TABLE_FUNCTIONS.has(name.toLowerCase()) || text(fn?.schema) || text(fn?.catalog)) {
          refuse(`the table function '${name || "?"}' is not allowed: a report reads ${LAKE_TABLE} and ${LABELS_TABLE} only`);
        }
        this.any(ref, scope, new Set(["type"]));
        return;
      }
      case "SHOW_REF":
        // DESCRIBE and SUMMARIZE of a query the report may run; SHOW TABLES, SHOW DATABASES... list the catalogue.
        if (!isNode(ref.query))
          refuse(`SHOW lists the engine's catalogue: a report reads ${LAKE_TABLE} and ${LABELS_TABLE} only (DESCRIBE ${LAKE_TABLE} gives its columns)`);
        this.query(ref.query, scope);
        return;
      case "JOIN":
        this.tableRef(ref.left, scope);
        this.tableRef(ref.right, scope);
        this.any(ref, scope, new Set(["type", "left", "right"]));
        return;
      case "PIVOT":
        this.tableRef(ref.source, scope);
        this.any(ref, scope, new Set(["type", "source"]));
        return;
      case "SUBQUERY":
      case "EXPRESSION_LIST":
      case "EMPTY":
      case "EMPTY_FROM":
        this.any(ref, scope, new Set(["type"]));
        return;
      default:
        refuse(`this kind of FROM item (${type.toLowerCase() || "unknown"}) is not allowed in a report`);
    }
  }

  /** Any other part of the tree: expressions, modifiers, the parts of a table reference. */
  any(value: unknown, scope: Scope, skip?: ReadonlySet<string>): void {
    if (Array.isArray(value)) {
      for (const v of value) this.any(v, scope);
      return;
    }
    if (!isNode(value)) return;
    if (!skip) {
      const cls = text(value.class);
      const type = text(value.type);
      if (cls === "FUNCTION" || cls === "WINDOW") this.call(value);
      else if (!cls && type.endsWith("_NODE")) return this.query(value, scope);
      else if (!cls && TABLE_REFS.has(type)) return this.tableRef(value, scope);
    }
    for (const [key, v] of Object.entries(value)) if (!skip?.has(key)) this.any(v, scope);
  }

  call(fn: Node): void {
    const name = text(fn.function_name);
    // DuckDB's parser names some built-ins by their schema (`[1]` is `main.list_value`); another
    // schema (`pg_catalog`) holds the catalogue's macros.
    if ((text(fn.schema) && text(fn.schema) !== "main") || text(fn.catalog))
      refuse(`the function '${[fn.catalog, fn.schema, name].map(text).filter(Boolean).join(".")}' is not allowed in a report`);
    // Operators (+, ||, LIKE as ~~, ->>...) compute on their operands only.
    if (fn.is_operator === true && /^[^a-z0-9]+$/i.test(name)) return;
    if (!this.functions.has(name.toLowerCase())) refuse(`the function '${name}' is not allowed in a report`);
  }
}

/**
 * Why DuckDB's parse tree (`json_serialize_sql(...).statements`) of an analyst's SQL may not run
 * as a report, or undefined when it may: every table it reads is the lake's or one of its own
 * CTEs in scope, every function is one of `functions`, every query form is known.
 */
export function reportSqlProblem(statements: readonly unknown[], functions: ReadonlySet<string> = REPORT_FUNCTIONS): string | undefined {
  const walk = new Walk(functions);
  try {
    for (const statement of statements) walk.query(isNode(statement) ? statement.node : undefined, new Set());
    return undefined;
  } catch (e) {
    if (e instanceof Refused) return e.message;
    throw e;
  }
}
