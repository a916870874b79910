import { BIGINT, DOUBLE, DuckDBInstance, StatementType, VARCHAR, type DuckDBConnection, type DuckDBResult } from "@duckdb/node-api";
import { mkdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { VisibleError } from "../../errors/errors.ts";
import type { ReportRunner } from "../../platform/ports.ts";
import { LABELS_TABLE, LAKE_TABLE, type ReportCell, type ReportEvent, type ReportQuery, type SqlCheck } from "../../report/report.ts";
import { lakeFiles } from "./lake.ts";
import { columnType, converter } from "./report-cells.ts";
import { ALLOWED_FUNCTIONS, EMPTY_LAKE, lakeScan, lakeView, sqlString, TRINO_COMPAT_MACROS } from "./report-dialect.ts";
import { reportSqlProblem } from "./report-guard.ts";
import type { LabelSource } from "./report-labels.ts";

export interface LocalReportRunnerOptions {
  /** The lake root (`<data dir>/lake`); Parquet files are under `raw/dt=YYYY-MM-DD/`. */
  lakeDir: string;
  labels?: LabelSource;
  threads?: number;
  /** Reports that can run at once; more wait for a free connection. */
  connections?: number;
  /**
   * DuckDB's memory limit (MB; default: DuckDB's, 80% of the machine's memory). A report that
   * needs more, even after spilling to `spillDir`, stops with REPORT_MEMORY_LIMIT.
   */
  memoryLimitMb?: number;
  /** Where large sorts, joins and aggregations spill past the memory limit; none: no spilling. */
  spillDir?: string;
  /** The most that may spill at once (MB). */
  spillLimitMb?: number;
}

/** An engine message an analyst can act on: its first lines, without this machine's paths. */
function analystMessage(e: unknown, lakeDir: string): string {
  const text = String((e as Error)?.message ?? e)
    .split(lakeDir)
    .join("<lake>");
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .slice(0, 4)
    .join("\n")
    .slice(0, 600);
}

/** DuckDB ran out of the memory it may use (its `memory_limit`), spilling included. */
function isOutOfMemory(e: unknown): boolean {
  return /^Out of Memory Error/m.test(String((e as Error)?.message ?? e));
}

/** What an analyst sees when a report needs more memory than reports may use. */
export function memoryLimitError(limitMb: number | undefined): VisibleError {
  const limit = limitMb ? ` (${limitMb} MB)` : "";
  return new VisibleError(
    "REPORT_MEMORY_LIMIT",
    `the report needed more memory than reports may use${limit} and was stopped; narrow the date range or group by fewer values`,
  );
}

const PROGRESS_EVERY_MS = 250;

interface State {
  instance: DuckDBInstance;
  admin: DuckDBConnection;
  free: DuckDBConnection[];
  waiting: Array<(c: DuckDBConnection) => void>;
  all: DuckDBConnection[];
}

/**
 * Runs report SQL on DuckDB over the local Parquet lake. `decisions` is a view over
 * `<lake>/raw/dt=*\/*.parquet` (hive partitions, so a `dt` filter reads only those days) and
 * `labels` a table loaded from the review labels whenever they change. The Trino functions that
 * differ are macros. Once set up, the engine can read nothing but the lake directory and its
 * configuration is locked, for built-in and analysts' reports alike.
 */
export class LocalReportRunner implements ReportRunner {
  readonly engine = "duckdb" as const;
  private state: Promise<State> | undefined;
  private adminChain: Promise<unknown> = Promise.resolve();
  /** The file list the view was made for: a column may be missing from older files. */
  private viewFiles: string | undefined;
  private labelsVersion: string | undefined;
  private readonly rawDir: string;

  constructor(private readonly options: LocalReportRunnerOptions) {
    this.rawDir = join(options.lakeDir, "raw");
  }

  private ready(): Promise<State> {
    this.state ??= this.setUp();
    return this.state;
  }

  private async setUp(): Promise<State> {
    mkdirSync(this.rawDir, { recursive: true });
    const threads = this.options.threads ?? availableParallelism();
    const { memoryLimitMb, spillDir, spillLimitMb } = this.options;
    if (spillDir) mkdirSync(spillDir, { recursive: true });
    const instance = await DuckDBInstance.create(":memory:", {
      threads: String(threads),
      ...(memoryLimitMb ? { memory_limit: `${memoryLimitMb}MB` } : {}),
      ...(spillDir ? { temp_directory: spillDir, ...(spillLimitMb ? { max_temp_directory_size: `${spillLimitMb}MB` } : {}) } : {}),
    });
    const admin = await instance.connect();
    await admin.run("SET GLOBAL TimeZone = 'UTC'");
    await admin.run("SET GLOBAL parquet_metadata_cache = true");
    for (const [signature, body] of TRINO_COMPAT_MACROS) await admin.run(`CREATE OR REPLACE MACRO ${signature} AS ${body}`);
    await admin.run(`CREATE TABLE ${LABELS_TABLE} (transaction_id VARCHAR, label VARCHAR)`);
    await admin.run(`CREATE VIEW ${LAKE_TABLE} AS ${EMPTY_LAKE}`);
    this.viewFiles = "";
    this.labelsVersion = undefined;
    const all: DuckDBConnection[] = [];
    for (let i = 0; i < (this.options.connections ?? 4); i++) {
      const c = await instance.connect();
      // Progress is a per-connection setting: set before the configuration is locked.
      await c.run("SET enable_progress_bar = true");
      await c.run("SET enable_progress_bar_print = false");
      await c.run("SET progress_bar_time = 0");
      all.push(c);
    }
    await admin.run(`SET allowed_directories = [${sqlString(`${this.rawDir}/`)}]`);
    await admin.run("SET enable_external_access = false");
    await admin.run("SET lock_configuration = true");
    return { instance, admin, free: [...all], waiting: [], all };
  }

  private async acquire(): Promise<DuckDBConnection> {
    const s = await this.ready();
    const c = s.free.pop();
    if (c) return c;
    return new Promise((resolve) => s.waiting.push(resolve));
  }

  private release(c: DuckDBConnection): void {
    void this.ready().then((s) => {
      const next = s.waiting.shift();
      if (next) next(c);
      else s.free.push(c);
    });
  }

  /** One at a time: re-points the lake view when files appear or go, reloads labels when they changed. */
  private refresh(): Promise<void> {
    const run = this.adminChain.then(async () => {
      const { admin } = await this.ready();
      const list = lakeFiles(this.options.lakeDir);
      const files = list.join("\n");
      if (files !== this.viewFiles) {
        let view = EMPTY_LAKE;
        if (files !== "") {
          const scan = lakeScan(list.map((f) => join(this.rawDir, f)));
          const described = await admin.runAndReadAll(`DESCRIBE SELECT * FROM ${scan}`);
          view = lakeView(scan, new Set(described.getRowObjectsJS().map((r) => String(r.column_name))));
        }
        await admin.run(`CREATE OR REPLACE VIEW ${LAKE_TABLE} AS ${view}`);
        this.viewFiles = files;
      }
      const labels = this.options.labels;
      const version = labels?.version();
      if (labels && version !== this.labelsVersion) {
        await admin.run("BEGIN TRANSACTION");
        try {
          await admin.run(`DELETE FROM ${LABELS_TABLE}`);
          const appender = await admin.createAppender(LABELS_TABLE);
          for (const r of labels.rows()) {
            appender.appendVarchar(r.transaction_id);
            appender.appendVarchar(r.label);
            appender.endRow();
          }
          appender.closeSync();
          await admin.run("COMMIT");
        } catch (e) {
          await admin.run("ROLLBACK");
          throw e;
        }
        this.labelsVersion = version;
      }
    });
    this.adminChain = run.catch(() => undefined);
    return run;
  }

  async check(sql: string): Promise<SqlCheck> {
    await this.refresh();
    const conn = await this.acquire();
    try {
      return await this.checkOn(conn, sql);
    } finally {
      this.release(conn);
    }
  }

  private async checkOn(conn: DuckDBConnection, sql: string): Promise<SqlCheck> {
    const lakeDir = this.options.lakeDir;
    let extracted;
    try {
      extracted = await conn.extractStatements(sql);
    } catch (e) {
      return { ok: false, message: analystMessage(e, lakeDir) };
    }
    if (extracted.count !== 1) return { ok: false, message: extracted.count === 0 ? "the SQL holds no statement" : "only one statement is allowed" };
    const serialized = await conn.runAndReadAll("SELECT json_serialize_sql($1::VARCHAR)", [sql]);
    const ast = JSON.parse(String(serialized.getRows()[0]?.[0] ?? "{}")) as { error?: boolean; statements?: unknown[] };
    if (ast.error || !Array.isArray(ast.statements)) return { ok: false, message: "only a SELECT query is allowed" };
    const problem = reportSqlProblem(ast.statements, ALLOWED_FUNCTIONS);
    if (problem) return { ok: false, message: problem };
    let prepared;
    try {
      prepared = await extracted.prepare(0);
    } catch (e) {
      return { ok: false, message: analystMessage(e, lakeDir) };
    }
    try {
      return prepared.statementType === StatementType.SELECT ? { ok: true } : { ok: false, message: "only a SELECT query is allowed" };
    } finally {
      prepared.destroySync();
    }
  }

  async *stream(query: ReportQuery, options: { signal?: AbortSignal } = {}): AsyncGenerator<ReportEvent> {
    if (options.signal?.aborted) throw new VisibleError("REPORT_CANCELLED", "the report was cancelled");
    await this.refresh();
    const conn = await this.acquire();
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let stopped: "timeout" | "cancelled" | undefined;
    const stop = (why: "timeout" | "cancelled") => {
      stopped ??= why;
      conn.interrupt();
    };
    const timer = setTimeout(() => stop("timeout"), query.timeout_ms);
    const onAbort = () => stop("cancelled");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    let prefetch: Promise<unknown> | undefined;
    const fail = (e: unknown): Error => {
      if (stopped === "timeout")
        return new VisibleError("REPORT_TIMEOUT", `the report took longer than ${Math.round(query.timeout_ms / 1000)} s and was stopped`);
      if (stopped === "cancelled") return new VisibleError("REPORT_CANCELLED", "the report was cancelled");
      if (isOutOfMemory(e)) return memoryLimitError(this.options.memoryLimitMb);
      if (!query.trusted) return new VisibleError("REPORT_SQL_ERROR", analystMessage(e, this.options.lakeDir));
      return e instanceof Error ? e : new Error(String(e));
    };
    try {
      if (!query.trusted) {
        const check = await this.checkOn(conn, query.sql);
        if (!check.ok) throw new VisibleError("REPORT_SQL_REJECTED", check.message);
      }
      const values = query.params.map((p) => (p.type === "integer" ? BigInt(p.value) : p.value));
      const types = query.params.map((p) => (p.type === "integer" ? BIGINT : p.type === "number" ? DOUBLE : VARCHAR));
      let settled: { result: DuckDBResult } | { error: unknown } | undefined;
      const running = conn.stream(query.sql, values, types).then(
        (result) => (settled = { result }),
        (error: unknown) => (settled = { error }),
      );
      while (!settled) {
        let tick: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([running, new Promise((r) => (tick = setTimeout(r, PROGRESS_EVERY_MS)))]);
        clearTimeout(tick);
        if (!settled) yield this.progress(conn, elapsed());
      }
      const outcome = settled as { result: DuckDBResult } | { error: unknown };
      if ("error" in outcome) throw fail(outcome.error);
      const result = outcome.result;
      yield { type: "columns", columns: result.columnNames().map((name, i) => ({ name, type: columnType(result.columnType(i)) })) };
      const converters = result.columnTypes().map(converter);
      let rowCount = 0;
      let truncated = false;
      let lastProgress = performance.now();
      // The next chunk is fetched while this one is converted and consumed.
      let next = result.fetchChunk();
      for (;;) {
        let chunk;
        try {
          chunk = await next;
        } catch (e) {
          throw fail(e);
        }
        if (!chunk || chunk.rowCount === 0) break;
        next = result.fetchChunk();
        // A failure of the prefetch is reported when it is awaited, not as an unhandled rejection.
        prefetch = next.catch(() => undefined);
        if (rowCount >= query.row_limit) {
          truncated = true;
          break;
        }
        const take = Math.min(chunk.rowCount, query.row_limit - rowCount);
        const vectors = Array.from({ length: chunk.columnCount }, (_, i) => chunk.getColumnVector(i));
        const rows: ReportCell[][] = new Array(take);
        for (let r = 0; r < take; r++) {
          const row: ReportCell[] = new Array(vectors.length);
          for (let c = 0; c < vectors.length; c++) row[c] = converters[c]!(vectors[c]!.getItem(r));
          rows[r] = row;
        }
        rowCount += take;
        yield { type: "rows", rows };
        if (take < chunk.rowCount) {
          truncated = true;
          break;
        }
        if (performance.now() - lastProgress > PROGRESS_EVERY_MS) {
          lastProgress = performance.now();
          yield this.progress(conn, elapsed());
        }
      }
      yield { type: "done", row_count: rowCount, truncated, elapsed_ms: elapsed(), bytes_scanned: null };
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      // The connection serves the next report only once no fetch on it is in flight.
      await prefetch;
      this.release(conn);
    }
  }

  private progress(conn: DuckDBConnection, elapsedMs: number): ReportEvent {
    const p = conn.progress;
    const pct = Number(p.percentage);
    return { type: "progress", fraction: pct >= 0 ? Math.min(pct / 100, 1) : null, rows_scanned: Number(p.rows_processed) || null, elapsed_ms: elapsedMs };
  }

  /** Closes the engine; a runner that was never used has nothing to close. */
  async close(): Promise<void> {
    const state = this.state;
    this.state = undefined;
    if (!state) return;
    const s = await state;
    for (const c of s.all) c.closeSync();
    s.admin.closeSync();
    s.instance.closeSync();
  }
}
