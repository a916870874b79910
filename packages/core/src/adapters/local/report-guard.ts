import { LABELS_TABLE, LAKE_TABLE } from "../../report/report.ts";
import { REPORT_FUNCTIONS } from "./report-functions/index.ts";

export { REPORT_FUNCTIONS };

/*
 * The check of an analyst's report SQL, over the parse tree DuckDB's own parser gives
 * (`json_serialize_sql`): the SQL may read the lake's two tables and the CTEs it defines, call the
 * functions of REPORT_FUNCTIONS, and nothing else. An allow list, not a deny list: a function
 * DuckDB adds later (or one of its catalogue macros) is refused until someone decides it is safe.
 */

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
