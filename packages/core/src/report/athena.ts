import type { ReportCell, ReportColumnType, ReportQuery, ReportValue } from "./report.ts";

/*
 * The Athena side of a report, without the AWS SDK: the StartQueryExecution input for a report
 * query (same SQL text as DuckDB runs, values as ExecutionParameters) and the conversion of
 * Athena's string cells to the runner's typed cells. The Athena ReportRunner (adapters/aws) sends
 * these with @aws-sdk/client-athena.
 */

/**
 * Athena binds ExecutionParameters as SQL literals, in order: strings and dates go quoted (a date
 * parameter compares with the `dt` partition, a string), numbers as they are.
 */
export function athenaExecutionParameters(params: readonly ReportValue[]): string[] {
  return params.map((p) => {
    if (p.type === "integer" || p.type === "number") {
      if (typeof p.value !== "number" || !Number.isFinite(p.value)) throw new Error(`parameter value ${String(p.value)} is not a number`);
      return String(p.value);
    }
    return `'${String(p.value).replaceAll("'", "''")}'`;
  });
}

export interface AthenaTarget {
  workGroup: string;
  database: string;
  catalog?: string;
}

/** The StartQueryExecution input for a report query (the field names of @aws-sdk/client-athena). */
export function athenaStartQueryInput(query: Pick<ReportQuery, "sql" | "params">, target: AthenaTarget) {
  return {
    QueryString: query.sql,
    WorkGroup: target.workGroup,
    QueryExecutionContext: { Database: target.database, ...(target.catalog ? { Catalog: target.catalog } : {}) },
    ...(query.params.length > 0 ? { ExecutionParameters: athenaExecutionParameters(query.params) } : {}),
  };
}

const NUMERIC = new Set(["tinyint", "smallint", "integer", "int", "bigint", "double", "float", "real", "decimal"]);

/** The report column type of an Athena ColumnInfo.Type (`varchar`, `bigint`, `array`, `timestamp`...). */
export function athenaColumnType(type: string | undefined): ReportColumnType {
  const t = (type ?? "varchar").toLowerCase().replace(/\(.*$/, "");
  if (NUMERIC.has(t)) return "number";
  if (t === "boolean") return "boolean";
  if (t === "date") return "date";
  if (t.startsWith("timestamp")) return "timestamp";
  if (t === "array") return "array";
  if (t === "varchar" || t === "char" || t === "string") return "string";
  return "other";
}

/**
 * One Athena cell (always a string, absent for NULL) as the runner's cell: numbers as numbers,
 * timestamps `2025-06-15 12:00:00.000` as ISO 8601 UTC, arrays `[a, b]` as arrays of strings.
 */
export function athenaCell(type: ReportColumnType, value: string | undefined): ReportCell {
  if (value === undefined) return null;
  switch (type) {
    case "number":
      return Number(value);
    case "boolean":
      return value === "true";
    case "timestamp": {
      const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?/.exec(value);
      if (!m) return value;
      const ms = (m[3] ?? ".000").slice(0, 4).padEnd(4, "0");
      return `${m[1]}T${m[2]}${ms}Z`;
    }
    case "array": {
      const inner = value.replace(/^\[/, "").replace(/\]$/, "");
      return inner === "" ? [] : inner.split(", ");
    }
    default:
      return value;
  }
}

/** The words of a statement outside its strings and comments: identifiers (quoted or not) and keywords, with the character after each. */
function sqlWords(sql: string): Array<{ word: string; quoted: boolean; next: string }> {
  const words: Array<{ word: string; quoted: boolean; next: string }> = [];
  const after = (i: number) => /\S/.exec(sql.slice(i))?.[0] ?? "";
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'") {
      i++;
      while (i < sql.length && !(sql[i] === "'" && sql[i + 1] !== "'")) i += sql[i] === "'" ? 2 : 1;
      i++;
    } else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else if (c === '"') {
      let j = i + 1;
      let word = "";
      while (j < sql.length && !(sql[j] === '"' && sql[j + 1] !== '"')) {
        word += sql[j];
        j += sql[j] === '"' ? 2 : 1;
      }
      words.push({ word: word.toLowerCase(), quoted: true, next: after(j + 1) });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_$@]*/.exec(sql.slice(i))![0];
      i += word.length;
      words.push({ word: word.toLowerCase(), quoted: false, next: after(i) });
    } else i++;
  }
  return words;
}

/** Trino functions that tell who and where the query runs, not what the lake holds. */
const ATHENA_SESSION_FUNCTIONS = new Set(["current_user", "current_groups", "current_catalog", "current_schema", "current_path"]);

/**
 * Why an analyst's SQL may not run on Athena, before Athena sees it: the catalogue
 * (`information_schema`, the `system` catalog), hidden columns and metadata tables (`"$path"`,
 * `"decisions$partitions"`), table functions (`TABLE(system.query(...))`) and the session's
 * identity. The deployment's IAM role is the boundary (it reads the lake's Glue database and
 * files only); this makes the refusal clear and early.
 */
export function athenaSqlProblem(sql: string): string | undefined {
  for (const { word, quoted, next } of sqlWords(sql)) {
    if (word.includes("$")) return `'${word}': hidden columns and metadata tables are not allowed in a report`;
    if (word === "information_schema" || (word === "system" && next === "."))
      return `'${word}' is the engine's catalogue: a report reads decisions and labels only`;
    if (!quoted && word === "table" && next === "(") return "table functions are not allowed in a report: a report reads decisions and labels only";
    if (!quoted && ATHENA_SESSION_FUNCTIONS.has(word)) return `the function '${word}' is not allowed in a report`;
  }
  return undefined;
}
