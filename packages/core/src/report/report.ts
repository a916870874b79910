import { z } from "zod";
import { fieldErrors, VisibleError, type FieldIssue } from "../errors/errors.ts";

/**
 * Saved reports: SQL written once in the Athena (Trino) dialect over the decision lake, run by
 * DuckDB locally and by Athena on AWS. Parameters are named in the SQL (`:from`), declared with a
 * type, and bound by the engine as positional `?` values: they are never spliced into the text.
 */

/** The lake as reports see it: one row per decision (LAKE_COLUMNS, partitioned by `dt`). */
export const LAKE_TABLE = "decisions";
/** Review labels: `labels(transaction_id, label)`, label 'fraud' or 'legitimate'. */
export const LABELS_TABLE = "labels";

export const REPORT_PARAMETER_TYPES = ["date", "string", "integer", "number"] as const;
export type ReportParameterType = (typeof REPORT_PARAMETER_TYPES)[number];

const RELATIVE_DATE = /^today(?:([+-])(\d{1,4}))?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export const ReportParameter = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, "must be lower_snake_case, at most 40 characters"),
  type: z.enum(REPORT_PARAMETER_TYPES),
  label: z.string().trim().min(1, "must not be empty").max(80),
  description: z.string().max(500).default(""),
  /** A value of the parameter's type; a date may also be `today`, `today-30` (UTC days). No default: required. */
  default: z.union([z.string().max(200), z.number().finite()]).optional(),
});
export type ReportParameter = z.infer<typeof ReportParameter>;

export const CHART_KINDS = ["table", "stat", "bar", "line", "stacked_bar"] as const;

/** How the dashboard draws the result: `x` is a column, `y` the columns plotted against it. */
export const ChartSpec = z.strictObject({
  kind: z.enum(CHART_KINDS).default("table"),
  x: z.string().max(64).optional(),
  y: z.array(z.string().max(64)).max(8).default([]),
});
export type ChartSpec = z.infer<typeof ChartSpec>;

export const MAX_REPORT_SQL_LENGTH = 20_000;

/** What an analyst writes: a name, what the report answers, its parameters, its SQL and its chart. */
export const ReportDefinition = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]{1,63}$/, "must be lower_snake_case, 2-64 characters"),
  title: z.string().trim().min(1, "must not be empty").max(120),
  description: z.string().max(2_000).default(""),
  parameters: z
    .array(ReportParameter)
    .max(20)
    .default([])
    .refine((ps) => new Set(ps.map((p) => p.name)).size === ps.length, { message: "parameter names must be unique", params: { key: "unique_parameters" } }),
  sql: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(MAX_REPORT_SQL_LENGTH)
    .transform((s) => s.replace(/[\s;]+$/, "")),
  chart: ChartSpec.default({ kind: "table", y: [] }),
});
export type ReportDefinition = z.infer<typeof ReportDefinition>;
export type ReportDefinitionInput = z.input<typeof ReportDefinition>;

/** A report as listed: built in (code) or saved by an analyst (store). */
export const Report = ReportDefinition.safeExtend({
  builtin: z.boolean(),
  updated_at: z.string().nullable(),
  updated_by: z.string().nullable(),
});
export type Report = z.infer<typeof Report>;

/** A bound parameter value, in the order of the `?` placeholders. Dates are `YYYY-MM-DD` strings, like `dt`. */
export interface ReportValue {
  type: ReportParameterType;
  value: string | number;
}

/** What a ReportRunner executes: Trino-dialect SQL with positional `?` parameters. */
export interface ReportQuery {
  sql: string;
  params: ReportValue[];
  /** Rows returned at most; the rest is dropped and the result is marked truncated. */
  row_limit: number;
  timeout_ms: number;
  /** False for analysts' own SQL: the runner checks it again and runs it where it can only read the lake. */
  trusted: boolean;
}

export const REPORT_COLUMN_TYPES = ["string", "number", "boolean", "date", "timestamp", "array", "other"] as const;
export type ReportColumnType = (typeof REPORT_COLUMN_TYPES)[number];
export interface ReportColumn {
  name: string;
  type: ReportColumnType;
}
/** Cells are JSON values: numbers as numbers, timestamps as ISO 8601 UTC strings, dates as `YYYY-MM-DD`. */
export type ReportCell = string | number | boolean | null | ReportCell[];

/** What a running report reports, in order: progress (any number), columns once, rows in batches, done once. */
export type ReportEvent =
  | { type: "progress"; /** 0..1 when the engine knows */ fraction: number | null; rows_scanned: number | null; elapsed_ms: number }
  | { type: "columns"; columns: ReportColumn[] }
  | { type: "rows"; rows: ReportCell[][] }
  | { type: "done"; row_count: number; truncated: boolean; elapsed_ms: number; bytes_scanned: number | null };

export interface ReportResult {
  report: string;
  params: Record<string, string | number>;
  columns: ReportColumn[];
  rows: ReportCell[][];
  row_count: number;
  truncated: boolean;
  elapsed_ms: number;
  bytes_scanned: number | null;
}

export type SqlCheck = { ok: true } | { ok: false; message: string };

export const DEFAULT_REPORT_ROW_LIMIT = 10_000;
export const MAX_REPORT_ROW_LIMIT = 100_000;
export const DEFAULT_REPORT_TIMEOUT_MS = 30_000;

/** How far a report may go on the machine that runs it (locally: per report process). */
export interface ReportLimits {
  /** DuckDB's memory limit per report (MB); past it, spilled to disk, then REPORT_MEMORY_LIMIT. */
  memoryMb: number;
  /** Wall-clock time-out of a report (ms): REPORT_TIMEOUT. */
  timeoutMs: number;
  /** DuckDB threads per report. */
  threads: number;
  /** Reports that run at once. */
  concurrency: number;
  /** Reports that may wait for one of those; more are refused with REPORTS_BUSY. */
  queue: number;
}

/**
 * One report at a time, on one core, in 1 GB: a report then never takes more than a core and a
 * known amount of memory from the machine that scores transactions (docs/analytics.md).
 */
export const DEFAULT_REPORT_LIMITS: ReportLimits = { memoryMb: 1_024, timeoutMs: DEFAULT_REPORT_TIMEOUT_MS, threads: 1, concurrency: 1, queue: 4 };

// --- Named parameters -------------------------------------------------------------------------

export interface CompiledSql {
  /** The SQL with every `:name` replaced by `?`. */
  sql: string;
  /** The parameter behind each `?`, in order (a name used twice appears twice). */
  order: string[];
}

/**
 * Turns `:name` placeholders into positional `?`, skipping string literals, quoted identifiers and
 * comments, so that `':x'` or `"a:b"` stay as they are. `::` (a DuckDB cast) is left alone; a
 * bare `?` or `$1` is refused, because parameters must be declared and named.
 */
export function compileNamedParameters(sql: string): CompiledSql {
  const order: string[] = [];
  let out = "";
  let i = 0;
  const n = sql.length;
  const copyQuoted = (quote: string) => {
    let j = i + 1;
    for (;;) {
      if (j >= n) throw new VisibleError("INVALID_REPORT_SQL", `unterminated ${quote === "'" ? "string" : "quoted identifier"} starting at character ${i + 1}`);
      if (sql[j] === quote) {
        if (sql[j + 1] === quote) j += 2;
        else break;
      } else j++;
    }
    out += sql.slice(i, j + 1);
    i = j + 1;
  };
  while (i < n) {
    const c = sql[i]!;
    if (c === "'" || c === '"') copyQuoted(c);
    else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      const stop = end === -1 ? n : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      if (end === -1) throw new VisibleError("INVALID_REPORT_SQL", `unterminated comment starting at character ${i + 1}`);
      out += sql.slice(i, end + 2);
      i = end + 2;
    } else if (c === ":" && sql[i + 1] === ":") {
      out += "::";
      i += 2;
    } else if (c === ":" && /[a-z_]/i.test(sql[i + 1] ?? "")) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))!;
      order.push(m[0]);
      out += "?";
      i += 1 + m[0].length;
    } else if (c === "?" || (c === "$" && /[0-9A-Za-z_]/.test(sql[i + 1] ?? "") && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? ""))) {
      throw new VisibleError("INVALID_REPORT_SQL", `use named parameters such as :from instead of '${c}' (character ${i + 1})`);
    } else {
      out += c;
      i++;
    }
  }
  return { sql: out, order };
}

/** Every error of a definition's parameters against its SQL; empty when they agree. */
export function parameterErrors(def: Pick<ReportDefinition, "sql" | "parameters">): FieldIssue[] {
  const issues: FieldIssue[] = [];
  let order: string[];
  try {
    order = compileNamedParameters(def.sql).order;
  } catch (e) {
    if (e instanceof VisibleError) return [sqlRejected(e.message)];
    throw e;
  }
  const declared = new Set(def.parameters.map((p) => p.name));
  const used = new Set(order);
  for (const name of used) {
    if (!declared.has(name))
      issues.push({ field: "sql", code: "custom", message: `:${name} is used but not declared as a parameter`, params: { key: "undeclared_parameter", name } });
  }
  def.parameters.forEach((p, i) => {
    if (!used.has(p.name))
      issues.push({
        field: `parameters.${i}.name`,
        code: "custom",
        message: `:${p.name} is declared but not used in the SQL`,
        params: { key: "unused_parameter", name: p.name },
      });
    if (p.default !== undefined) {
      const checked = valueError(p, p.default, new Date(0));
      if ("issue" in checked) issues.push({ field: `parameters.${i}.default`, ...checked.issue });
    }
  });
  return issues;
}

/** The SQL refused by the engine's parser or our checks: their words, named as the SQL field's. */
export function sqlRejected(detail: string): FieldIssue {
  return { field: "sql", code: "custom", message: detail, params: { key: "sql_rejected", detail } };
}

function utcDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

type ValueCheck = { value: string | number } | { issue: Omit<FieldIssue, "field"> };

const custom = (key: string, message: string): ValueCheck => ({ issue: { code: "custom", message, params: { key } } });

function valueError(p: ReportParameter, raw: unknown, now: Date): ValueCheck {
  switch (p.type) {
    case "date": {
      if (typeof raw !== "string") return custom("report_date", "must be a date (YYYY-MM-DD)");
      const rel = RELATIVE_DATE.exec(raw);
      if (rel) {
        const days = rel[2] ? Number(rel[2]) * (rel[1] === "-" ? -1 : 1) : 0;
        return { value: utcDate(new Date(now.getTime() + days * 86_400_000)) };
      }
      if (!ISO_DATE.test(raw) || Number.isNaN(Date.parse(`${raw}T00:00:00Z`)) || utcDate(new Date(`${raw}T00:00:00Z`)) !== raw) {
        return custom("report_date", "must be a date (YYYY-MM-DD), `today` or `today-N`");
      }
      return { value: raw };
    }
    case "integer": {
      const v = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
      return typeof v === "number" && Number.isSafeInteger(v)
        ? { value: v }
        : { issue: { code: "invalid_type", message: "must be a whole number", params: { expected: "int" } } };
    }
    case "number": {
      const v = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
      return typeof v === "number" && Number.isFinite(v)
        ? { value: v }
        : { issue: { code: "invalid_type", message: "must be a number", params: { expected: "number" } } };
    }
    case "string":
      if (typeof raw !== "string" && typeof raw !== "number")
        return { issue: { code: "invalid_type", message: "must be text", params: { expected: "string" } } };
      if (String(raw).length > 200)
        return { issue: { code: "too_big", message: "must be at most 200 characters", params: { origin: "string", maximum: 200, inclusive: "true" } } };
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u001f]/.test(String(raw))) return custom("control_characters", "must not contain control characters");
      return { value: String(raw) };
  }
}

/**
 * The parameter values of one run: given ones checked against their types, missing ones from the
 * defaults. Throws INVALID_REPORT_PARAMS naming every failing parameter.
 */
export function bindReportParameters(def: Pick<ReportDefinition, "parameters">, given: Record<string, unknown>, now: Date): Record<string, string | number> {
  const issues: FieldIssue[] = [];
  const values: Record<string, string | number> = {};
  const declared = new Map(def.parameters.map((p) => [p.name, p]));
  for (const key of Object.keys(given)) {
    if (!declared.has(key)) issues.push({ field: key, code: "custom", message: "is not a parameter of this report", params: { key: "not_a_parameter" } });
  }
  for (const p of def.parameters) {
    const raw = Object.hasOwn(given, p.name) && given[p.name] !== undefined && given[p.name] !== "" ? given[p.name] : p.default;
    if (raw === undefined) {
      issues.push({ field: p.name, code: "custom", message: "is required", params: { key: "required" } });
      continue;
    }
    const checked = valueError(p, raw, now);
    if ("issue" in checked) issues.push({ field: p.name, ...checked.issue });
    else values[p.name] = checked.value;
  }
  const from = values.from;
  const to = values.to;
  if (declared.get("from")?.type === "date" && declared.get("to")?.type === "date" && typeof from === "string" && typeof to === "string" && from > to) {
    issues.push({ field: "from", code: "custom", message: "must not be after `to`", params: { key: "from_after_to" } });
  }
  if (issues.length > 0) throw new VisibleError("INVALID_REPORT_PARAMS", "the report parameters are not valid", fieldErrors(issues), issues);
  return values;
}

/** The query a runner executes for a definition and its bound values. */
export function reportQuery(
  def: Pick<ReportDefinition, "sql" | "parameters">,
  values: Record<string, string | number>,
  options: { trusted: boolean; rowLimit?: number; timeoutMs?: number },
): ReportQuery {
  const { sql, order } = compileNamedParameters(def.sql);
  const types = new Map(def.parameters.map((p) => [p.name, p.type]));
  return {
    sql,
    params: order.map((name) => {
      const type = types.get(name);
      const value = values[name];
      if (type === undefined || value === undefined) throw new VisibleError("INVALID_REPORT_PARAMS", `:${name} has no value`, { [name]: ["is required"] });
      return { type, value };
    }),
    row_limit: Math.min(Math.max(Math.trunc(options.rowLimit ?? DEFAULT_REPORT_ROW_LIMIT), 1), MAX_REPORT_ROW_LIMIT),
    timeout_ms: options.timeoutMs ?? DEFAULT_REPORT_TIMEOUT_MS,
    trusted: options.trusted,
  };
}

/** Reads a report's events to the end: the whole result at once (CLI, API without streaming, tests). */
export type ReportProgress = Extract<ReportEvent, { type: "progress" }>;

export async function collectReport(
  events: AsyncIterable<ReportEvent>,
  onProgress?: (p: ReportProgress) => void,
): Promise<Omit<ReportResult, "report" | "params">> {
  let columns: ReportColumn[] = [];
  const rows: ReportCell[][] = [];
  for await (const e of events) {
    if (e.type === "progress") onProgress?.(e);
    else if (e.type === "columns") columns = e.columns;
    else if (e.type === "rows") for (const r of e.rows) rows.push(r);
    else if (e.type === "done")
      return { columns, rows, row_count: e.row_count, truncated: e.truncated, elapsed_ms: e.elapsed_ms, bytes_scanned: e.bytes_scanned };
  }
  throw new Error("the report ended without a result");
}

/** A result's rows as objects keyed by column name, for tests and JSON output. */
export function rowObjects(result: Pick<ReportResult, "columns" | "rows">): Array<Record<string, ReportCell>> {
  return result.rows.map((r) => Object.fromEntries(result.columns.map((c, i) => [c.name, r[i] ?? null])));
}
