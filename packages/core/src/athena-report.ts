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
