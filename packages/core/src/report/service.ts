import { BUILTIN_REPORTS } from "./builtin-reports.ts";
import { fieldErrors, invalidInput, VisibleError } from "../errors/errors.ts";
import type { ReportRunner, ReportStore } from "../platform/ports.ts";
import {
  bindReportParameters,
  collectReport,
  compileNamedParameters,
  DEFAULT_REPORT_TIMEOUT_MS,
  parameterErrors,
  ReportDefinition,
  reportQuery,
  sqlRejected,
  type Report,
  type ReportEvent,
  type ReportProgress,
  type ReportResult,
} from "./report.ts";
import { type Actor } from "../user/users.ts";

export interface ReportServiceDeps {
  store: ReportStore;
  runner: ReportRunner;
  clock?: () => Date;
  /** Time-out of one run; analysts' own SQL and built-ins alike. */
  timeoutMs?: number;
}

export interface RunReportOptions {
  signal?: AbortSignal;
  /** At most this many rows (default 10,000, at most 100,000). */
  rowLimit?: number;
  /** Called with each progress event of `run` (a stream yields them). */
  onProgress?: (p: ReportProgress) => void;
}

const builtins = new Map(BUILTIN_REPORTS.map((r) => [r.name, r]));

function asReport(def: ReportDefinition): Report {
  return { ...def, builtin: true, updated_at: null, updated_by: null };
}

/**
 * Saved reports: the built-in ones and those analysts save, runnable from the dashboard, the CLI
 * and the API. Analysts' SQL must be one read-only SELECT over the lake (checked by the engine's
 * parser when saved and again when run), parameters are bound, and every run has a row limit
 * and a time-out.
 */
export class Reports {
  private readonly clock: () => Date;

  constructor(private readonly deps: ReportServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /** Built-in reports first, then saved ones by name. */
  async list(): Promise<Report[]> {
    const saved = await this.deps.store.list();
    return [...BUILTIN_REPORTS.map(asReport), ...saved.filter((r) => !builtins.has(r.name)).sort((a, b) => a.name.localeCompare(b.name))];
  }

  async get(name: string): Promise<Report | undefined> {
    const builtin = builtins.get(name);
    return builtin ? asReport(builtin) : this.deps.store.get(name);
  }

  /** Validates a definition (schema, parameters, the SQL by the engine's parser) without saving it. */
  async validate(input: unknown): Promise<ReportDefinition> {
    const parsed = ReportDefinition.safeParse(input);
    if (!parsed.success) {
      throw invalidInput("INVALID_REPORT", "the report is not valid", parsed.error);
    }
    const def = parsed.data;
    const issues = parameterErrors(def);
    if (issues.length > 0) throw new VisibleError("INVALID_REPORT", "the report's parameters do not match its SQL", fieldErrors(issues), issues);
    const check = await this.deps.runner.check(compileNamedParameters(def.sql).sql);
    if (!check.ok) {
      const rejected = sqlRejected(check.message);
      throw new VisibleError("REPORT_SQL_REJECTED", check.message, fieldErrors([rejected]), [rejected]);
    }
    return def;
  }

  /** Saves (creates or replaces) an analyst's report. Built-in names are reserved. */
  async save(input: unknown, actor: Actor): Promise<Report> {
    const def = await this.validate(input);
    if (builtins.has(def.name)) {
      const issue = { field: "name", code: "custom", message: "is a built-in report", params: { key: "builtin_report" } };
      throw new VisibleError("REPORT_NAME_TAKEN", `'${def.name}' is a built-in report; choose another name`, { name: [issue.message] }, [issue]);
    }
    return this.deps.store.save(def, actor);
  }

  async remove(name: string, actor: Actor): Promise<void> {
    if (builtins.has(name)) throw new VisibleError("REPORT_BUILTIN", `'${name}' is a built-in report and cannot be deleted`);
    await this.deps.store.remove(name, actor);
  }

  /** Runs a report, yielding progress, the columns, rows in batches and a final summary. */
  async *stream(name: string, params: Record<string, unknown>, options: RunReportOptions = {}): AsyncGenerator<ReportEvent> {
    const report = await this.get(name);
    if (!report) throw new VisibleError("REPORT_NOT_FOUND", `no report named '${name}'`);
    yield* this.streamDefinition(report, params, report.builtin, options);
  }

  /** Runs a definition that is not saved (the editor's preview), with the checks of a saved one. */
  async *preview(input: unknown, params: Record<string, unknown>, options: RunReportOptions = {}): AsyncGenerator<ReportEvent> {
    const def = await this.validate(input);
    yield* this.streamDefinition(def, params, false, options);
  }

  /** Runs a report to the end. */
  async run(name: string, params: Record<string, unknown>, options: RunReportOptions = {}): Promise<ReportResult> {
    const report = await this.get(name);
    if (!report) throw new VisibleError("REPORT_NOT_FOUND", `no report named '${name}'`);
    const values = bindReportParameters(report, params, this.clock());
    const result = await collectReport(this.streamDefinition(report, values, report.builtin, options), options.onProgress);
    return { report: name, params: values, ...result };
  }

  private streamDefinition(def: ReportDefinition, params: Record<string, unknown>, trusted: boolean, options: RunReportOptions): AsyncIterable<ReportEvent> {
    const values = bindReportParameters(def, params, this.clock());
    const query = reportQuery(def, values, { trusted, rowLimit: options.rowLimit, timeoutMs: this.deps.timeoutMs ?? DEFAULT_REPORT_TIMEOUT_MS });
    return this.deps.runner.stream(query, { signal: options.signal });
  }
}
