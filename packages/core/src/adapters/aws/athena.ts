import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type AthenaClient,
  type ColumnInfo,
  type QueryExecution,
} from "@aws-sdk/client-athena";
import { athenaCell, athenaColumnType, athenaSqlProblem, athenaStartQueryInput, type AthenaTarget } from "../../report/athena.ts";
import { VisibleError } from "../../errors/errors.ts";
import type { ReportRunner } from "../../platform/ports.ts";
import type { ReportCell, ReportColumnType, ReportEvent, ReportQuery, SqlCheck } from "../../report/report.ts";

export interface AthenaRunnerOptions extends AthenaTarget {
  /** First wait between status checks; doubles up to `maxPollMs`. */
  pollMs?: number;
  maxPollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Why a query failed, for the operators' logs (the analyst sees a shorter message). */
  log?: (message: string, detail: Record<string, unknown>) => void;
}

/** Athena's reason, trimmed for an analyst: first lines only, no request ids. */
function analystMessage(reason: string): string {
  return reason
    .split("\n")
    .filter((l) => l.trim() !== "")
    .slice(0, 4)
    .join("\n")
    .slice(0, 600);
}

/** The first keyword of a statement, after comments and parentheses. */
function firstKeyword(sql: string): string {
  const stripped = sql
    .replace(/--[^\n]*/g, " ")
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/^[\s(]+/, "");
  return (/^[a-z]+/i.exec(stripped)?.[0] ?? "").toLowerCase();
}

/**
 * Report SQL on Athena, in the deployment's workgroup: it enforces encrypted results and the scan
 * limit, and the runner's role may only read the lake's Glue table and files, so an analyst's SQL
 * cannot write anything. Starts the query, reports progress while it runs, then pages the results.
 */
export class AthenaReportRunner implements ReportRunner {
  readonly engine = "athena" as const;
  private readonly opts: Required<Omit<AthenaRunnerOptions, "log" | "catalog">> & Pick<AthenaRunnerOptions, "log" | "catalog">;

  constructor(
    private readonly athena: AthenaClient,
    options: AthenaRunnerOptions,
  ) {
    this.opts = { pollMs: 200, maxPollMs: 2_000, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), ...options };
  }

  /** One SELECT over the lake (athenaSqlProblem), validated by Athena itself (EXPLAIN (TYPE VALIDATE) reads no data). */
  async check(sql: string): Promise<SqlCheck> {
    const body = sql.trim().replace(/;\s*$/, "");
    if (body === "") return { ok: false, message: "the SQL holds no statement" };
    if (body.includes(";")) return { ok: false, message: "only one statement is allowed" };
    if (!["select", "with", "values"].includes(firstKeyword(body))) return { ok: false, message: "only a SELECT query is allowed" };
    const problem = athenaSqlProblem(body);
    if (problem) return { ok: false, message: problem };
    // Placeholders are validated as NULLs: the check is about names, syntax and types.
    const validate = `EXPLAIN (TYPE VALIDATE) ${body.replace(/\?/g, "NULL")}`;
    const id = await this.start(validate, []);
    const end = await this.wait(id, Date.now() + 60_000);
    if (end.state === "SUCCEEDED") return { ok: true };
    return { ok: false, message: analystMessage(end.reason) };
  }

  async *stream(query: ReportQuery, options: { signal?: AbortSignal } = {}): AsyncGenerator<ReportEvent> {
    if (options.signal?.aborted) throw new VisibleError("REPORT_CANCELLED", "the report was cancelled");
    if (!query.trusted) {
      const check = await this.check(query.sql);
      if (!check.ok) throw new VisibleError("REPORT_SQL_REJECTED", check.message);
    }
    const started = Date.now();
    const elapsed = () => Date.now() - started;
    const id = await this.start(query.sql, query.params);
    const deadline = started + query.timeout_ms;
    let wait = this.opts.pollMs;
    let execution: QueryExecution | undefined;
    for (;;) {
      ({ QueryExecution: execution } = await this.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id })));
      const state = execution?.Status?.State;
      if (state === "SUCCEEDED") break;
      if (state === "FAILED" || state === "CANCELLED") throw this.failure(id, execution, query.trusted);
      if (options.signal?.aborted || Date.now() >= deadline) {
        await this.athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
        if (options.signal?.aborted) throw new VisibleError("REPORT_CANCELLED", "the report was cancelled");
        throw new VisibleError("REPORT_TIMEOUT", `the report took longer than ${Math.round(query.timeout_ms / 1000)} s and was stopped`);
      }
      yield { type: "progress", fraction: null, rows_scanned: null, elapsed_ms: elapsed() };
      await this.opts.sleep(wait);
      wait = Math.min(wait * 2, this.opts.maxPollMs);
    }

    let types: ReportColumnType[] | undefined;
    let rowCount = 0;
    let truncated = false;
    let token: string | undefined;
    let first = true;
    do {
      const page = await this.athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token, MaxResults: 1000 }));
      if (!types) {
        const info: ColumnInfo[] = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
        types = info.map((c) => athenaColumnType(c.Type));
        yield { type: "columns", columns: info.map((c, i) => ({ name: c.Name ?? `_col${i}`, type: types![i]! })) };
      }
      // The first row of the first page repeats the column names.
      const data = (page.ResultSet?.Rows ?? []).slice(first ? 1 : 0);
      first = false;
      const take = Math.min(data.length, query.row_limit - rowCount);
      if (take < data.length) truncated = true;
      const rows: ReportCell[][] = data.slice(0, take).map((r) => types!.map((t, i) => athenaCell(t, r.Data?.[i]?.VarCharValue)));
      rowCount += rows.length;
      if (rows.length) yield { type: "rows", rows };
      token = page.NextToken;
      if (token && rowCount >= query.row_limit) truncated = true;
    } while (token && !truncated);
    yield { type: "done", row_count: rowCount, truncated, elapsed_ms: elapsed(), bytes_scanned: execution?.Statistics?.DataScannedInBytes ?? null };
  }

  private async start(sql: string, params: ReportQuery["params"]): Promise<string> {
    const { QueryExecutionId } = await this.athena.send(
      new StartQueryExecutionCommand(
        athenaStartQueryInput(
          { sql, params },
          { workGroup: this.opts.workGroup, database: this.opts.database, ...(this.opts.catalog ? { catalog: this.opts.catalog } : {}) },
        ),
      ),
    );
    if (!QueryExecutionId) throw new Error("Athena returned no query execution id");
    return QueryExecutionId;
  }

  private async wait(id: string, deadline: number): Promise<{ state: string; reason: string }> {
    let wait = this.opts.pollMs;
    for (;;) {
      const { QueryExecution: q } = await this.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      const state = q?.Status?.State ?? "";
      if (state === "SUCCEEDED" || state === "FAILED" || state === "CANCELLED") return { state, reason: q?.Status?.StateChangeReason ?? state };
      if (Date.now() >= deadline) {
        await this.athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
        return { state: "CANCELLED", reason: "the check took too long" };
      }
      await this.opts.sleep(wait);
      wait = Math.min(wait * 2, this.opts.maxPollMs);
    }
  }

  private failure(id: string, q: QueryExecution | undefined, trusted: boolean): Error {
    const reason = q?.Status?.StateChangeReason ?? "";
    this.opts.log?.("report query failed", { queryExecutionId: id, state: q?.Status?.State, reason, errorType: q?.Status?.AthenaError?.ErrorType });
    if (/bytes scanned limit/i.test(reason)) {
      return new VisibleError("REPORT_SCAN_LIMIT", "the report would scan more data than this deployment allows; narrow the date range");
    }
    if (q?.Status?.State === "CANCELLED") return new VisibleError("REPORT_CANCELLED", "the report was cancelled");
    // An analyst's own SQL: Athena's message is about their query. A built-in report failing is a bug.
    if (!trusted) return new VisibleError("REPORT_SQL_ERROR", analystMessage(reason));
    return new Error(`built-in report query ${id} failed: ${reason}`);
  }
}
