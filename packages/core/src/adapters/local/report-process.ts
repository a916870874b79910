import { VisibleError } from "../../errors/errors.ts";
import type { ReportRunner } from "../../platform/ports.ts";
import type { ReportEvent, ReportQuery, SqlCheck } from "../../report/report.ts";
import { memoryLimitError } from "./report-runner.ts";
import { ReportProcess, residentMb, type FromReportProcess, type ReportProcessConfig, type Stopped, type ToReportProcess } from "./report-process-handle.ts";

export type { FromReportProcess, ReportProcessConfig, ToReportProcess };

/*
 * Reports run in a process of their own, started on first use beside whichever process asks
 * (the decision server for the API, the dashboard, the CLI): DuckDB's threads and memory are then
 * outside the process that scores transactions, at a lower scheduling priority, with DuckDB's own
 * memory limit, and a report past its time-out is stopped by ending that process
 * (docs/decisions/030-reports-in-a-process-of-their-own.md).
 */

/**
 * The report process's scheduling priority (nice value; the server's is 0, the worker's and the
 * dashboard's 10). Below them all: under contention a report gets what decisions, the lake and the
 * pages leave, and on an idle machine all of a core.
 */
export const REPORT_NICE = 15;

/** How long a report process with nothing to do stays up, warm, for the next report. */
const IDLE_MS = 5 * 60_000;
/** How long a cancelled report may take to stop before its process is ended. */
const CANCEL_GRACE_MS = 2_000;
/**
 * Events the report process may send ahead of what the caller has read: a slow reader (a
 * backtest's replay) leaves rows in DuckDB, not in memory, and a fast one rarely waits for a batch.
 */
const CREDITS = 16;
/** How long the check of an analyst's SQL (parse, plan) may take. */
const CHECK_TIMEOUT_MS = 30_000;
/** How often the process's resident memory is read while a report runs (Linux). */
const MEMORY_CHECK_MS = 200;
/**
 * Resident memory allowed beyond DuckDB's limit before the process is ended: Node itself, the rows
 * in flight and what the allocator keeps after DuckDB frees it. DuckDB's own limit stops a report
 * first in all but a runaway case.
 */
const RSS_HEADROOM_MB = 384;

export interface ReportProcessOptions {
  /** The lake root (`<data dir>/lake`). */
  lakeDir: string;
  /** The SQLite file whose review labels are the `labels` table; opened read-only by the report process. */
  databaseFile?: string;
  /** DuckDB's memory limit per report process (MB). */
  memoryMb: number;
  /** DuckDB threads per report process. */
  threads: number;
  /** Reports that run at once, each in its own process. */
  concurrency: number;
  /** Reports that may wait for a free process; one more is refused with REPORTS_BUSY. */
  queue: number;
  /** Where a report spills what does not fit in memory (at most four times the memory limit). */
  spillDir?: string;
  nice?: number;
  idleMs?: number;
  /** The resident memory past which a report's process is ended (MB; default: the memory limit and RSS_HEADROOM_MB). */
  memoryWatchMb?: number;
}

/**
 * Runs reports (and backtests' scans) on DuckDB in separate, limited processes: at most
 * `concurrency` at once, `queue` more waiting (REPORTS_BUSY beyond), each with DuckDB's
 * `memory_limit` and `threads`, a lower priority, a wall-clock time-out that ends the process, and
 * a watch on its resident memory. Results and errors are those of LocalReportRunner, whose code
 * the process runs.
 */
export class ReportProcessRunner implements ReportRunner {
  readonly engine = "duckdb" as const;
  private readonly processes: ReportProcess[];
  private readonly free: ReportProcess[];
  private readonly waiting: Array<{ grant: (p: ReportProcess) => void; fail: (e: Error) => void }> = [];
  private readonly rssLimitMb: number;
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: ReportProcessOptions) {
    const config: ReportProcessConfig = {
      lakeDir: options.lakeDir,
      ...(options.databaseFile ? { databaseFile: options.databaseFile } : {}),
      memoryMb: options.memoryMb,
      threads: options.threads,
      ...(options.spillDir ? { spillDir: options.spillDir, spillLimitMb: options.memoryMb * 4 } : {}),
      nice: options.nice ?? REPORT_NICE,
    };
    this.processes = Array.from({ length: Math.max(1, options.concurrency) }, () => new ReportProcess(config, options.idleMs ?? IDLE_MS));
    this.free = [...this.processes];
    this.rssLimitMb = options.memoryWatchMb ?? options.memoryMb + RSS_HEADROOM_MB;
  }

  /** The ids of the report processes up now: for tests and checks. */
  processIds(): number[] {
    return this.processes.map((p) => p.pid).filter((pid): pid is number => pid !== undefined);
  }

  /** A free report process, or a place in the queue until one is free (at most `waitMs`). */
  private acquire(waitMs: number): Promise<ReportProcess> {
    if (this.closed) return Promise.reject(new Error("the report runner is closed"));
    const free = this.free.pop();
    if (free) return Promise.resolve(free);
    if (this.waiting.length >= this.options.queue) return Promise.reject(busy());
    return new Promise((resolve, reject) => {
      const entry = {
        grant: (p: ReportProcess) => {
          clearTimeout(timer);
          resolve(p);
        },
        fail: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(entry), 1);
        reject(busy());
      }, waitMs);
      this.waiting.push(entry);
    });
  }

  private release(p: ReportProcess): void {
    p.finish();
    const next = this.waiting.shift();
    if (next) next.grant(p);
    else this.free.push(p);
  }

  /**
   * Ends the job's process past `timeoutMs`, or when the process's resident memory passes the
   * watch; returns what stops both. Parsing and planning are watched too: DuckDB folds constants
   * when it prepares a statement, and `generate_series(1, 1e9)` is a billion values before any row.
   */
  private watch(p: ReportProcess, timeoutMs: number): () => void {
    const timer = setTimeout(() => p.kill("timeout"), timeoutMs);
    const memory = setInterval(() => {
      const pid = p.pid;
      const rss = pid === undefined ? undefined : residentMb(pid);
      if (rss !== undefined && rss > this.rssLimitMb) p.kill("memory");
    }, MEMORY_CHECK_MS);
    return () => {
      clearTimeout(timer);
      clearInterval(memory);
    };
  }

  private stoppedError(why: Stopped, timeoutMs: number): VisibleError {
    if (why === "timeout") return new VisibleError("REPORT_TIMEOUT", `the report took longer than ${Math.round(timeoutMs / 1000)} s and was stopped`);
    if (why === "memory") return memoryLimitError(this.options.memoryMb);
    return new VisibleError("REPORT_CANCELLED", "the report was cancelled");
  }

  async check(sql: string): Promise<SqlCheck> {
    const p = await this.acquire(CHECK_TIMEOUT_MS);
    const id = this.nextId++;
    const unwatch = this.watch(p, CHECK_TIMEOUT_MS);
    try {
      return await new Promise<SqlCheck>((resolve, reject) => {
        p.begin(
          (m) => {
            if (m.id !== id) return;
            if (m.type === "checked") resolve(m.result);
            else if (m.type === "error") reject(m.code ? new VisibleError(m.code, m.message) : new Error(`report process: ${m.message}`));
          },
          (why) => reject(p.stopped ? this.stoppedError(p.stopped, CHECK_TIMEOUT_MS) : new Error(`the report process stopped unexpectedly (${why})`)),
        );
        p.send({ type: "check", id, sql });
      });
    } finally {
      unwatch();
      this.release(p);
    }
  }

  async *stream(query: ReportQuery, options: { signal?: AbortSignal } = {}): AsyncGenerator<ReportEvent> {
    if (options.signal?.aborted) throw new VisibleError("REPORT_CANCELLED", "the report was cancelled");
    const p = await this.acquire(query.timeout_ms);
    const id = this.nextId++;
    const inbox: Array<FromReportProcess | { type: "exit"; why: string }> = [];
    let wake: (() => void) | undefined;
    const push = (m: FromReportProcess | { type: "exit"; why: string }) => {
      inbox.push(m);
      wake?.();
    };
    let over = false;
    p.begin(
      (m) => {
        if (m.id === id) push(m);
      },
      (why) => push({ type: "exit", why }),
    );
    const unwatch = this.watch(p, query.timeout_ms);
    const onAbort = () => {
      p.send({ type: "cancel", id });
      setTimeout(() => {
        if (!over) p.kill("cancelled");
      }, CANCEL_GRACE_MS).unref();
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const stoppedError = (why: Stopped) => this.stoppedError(why, query.timeout_ms);
    try {
      p.send({ type: "run", id, query });
      p.send({ type: "credit", id, n: CREDITS });
      for (;;) {
        while (inbox.length === 0) await new Promise<void>((r) => (wake = r));
        const m = inbox.shift()!;
        if (m.type === "event") {
          // The summary is the last event: the process is free for the next report from here,
          // whether or not this caller reads on (collectReport stops at it).
          if (m.event.type === "done") over = true;
          yield m.event;
          if (over) return;
          p.send({ type: "credit", id, n: 1 });
        } else if (m.type === "end") {
          over = true;
          return;
        } else if (m.type === "error") {
          over = true;
          if (p.stopped) throw stoppedError(p.stopped);
          throw m.code ? new VisibleError(m.code, m.message) : new Error(`report process: ${m.message}`);
        } else if (m.type === "exit") {
          over = true;
          if (p.stopped) throw stoppedError(p.stopped);
          throw new Error(`the report process stopped unexpectedly (${m.why})`);
        }
      }
    } finally {
      unwatch();
      options.signal?.removeEventListener("abort", onAbort);
      if (over || !p.running) this.release(p);
      else {
        // The caller stopped reading before the end: the report is cancelled, and its process
        // serves the next one once it has stopped (or has been ended).
        const settle = setTimeout(() => p.kill("cancelled"), CANCEL_GRACE_MS);
        p.listen(
          (m) => {
            if (m.id !== id || (m.type !== "end" && m.type !== "error")) return;
            clearTimeout(settle);
            this.release(p);
          },
          () => {
            clearTimeout(settle);
            this.release(p);
          },
        );
        p.send({ type: "cancel", id });
        p.send({ type: "credit", id, n: Number.MAX_SAFE_INTEGER });
      }
    }
  }

  /** Ends every report process; a runner never used has none. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.fail(new Error("the report runner is closed"));
    for (const p of this.processes) p.end();
  }
}

function busy(): VisibleError {
  return new VisibleError("REPORTS_BUSY", "other reports are running and waiting; try again in a moment");
}
