import Database from "better-sqlite3";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { VisibleError } from "../../errors/errors.ts";
import type { ReportEvent } from "../../report/report.ts";
import { lowerPriority } from "./priority.ts";
import type { FromReportProcess, ReportProcessConfig, ToReportProcess } from "./report-process-handle.ts";
import { sqliteLabels } from "./report-labels.ts";
import { LocalReportRunner } from "./report-runner.ts";

/*
 * The report process (started by ReportProcessRunner, report-process.ts): one LocalReportRunner
 * with DuckDB's memory limit and thread count, at a lower priority, running one report at a time
 * for the process that started it, and leaving when that process goes.
 */

/**
 * A report runs a little past its time-out here: the process that started this one ends it at the
 * time-out, and this is only for a parent that could not.
 */
const OWN_TIMEOUT_GRACE_MS = 5_000;

const config = JSON.parse(process.argv[2] ?? "{}") as ReportProcessConfig;
lowerPriority(config.nice);

// A spill directory of this process's own: DuckDB names its spill files alike in every process.
const spillDir = config.spillDir ? join(config.spillDir, String(process.pid)) : undefined;
if (spillDir) rmSync(spillDir, { recursive: true, force: true });
const labelsDb = config.databaseFile ? new Database(config.databaseFile, { readonly: true, fileMustExist: true }) : undefined;
labelsDb?.pragma("busy_timeout = 5000");
const runner = new LocalReportRunner({
  lakeDir: config.lakeDir,
  ...(labelsDb ? { labels: sqliteLabels(labelsDb) } : {}),
  threads: config.threads,
  connections: 1,
  memoryLimitMb: config.memoryMb,
  ...(spillDir ? { spillDir, spillLimitMb: config.spillLimitMb } : {}),
});

const send = (m: FromReportProcess) => new Promise<void>((resolve) => (process.send ? process.send(m, undefined, {}, () => resolve()) : resolve()));

function failure(id: number, e: unknown): FromReportProcess {
  if (e instanceof VisibleError) return { type: "error", id, code: e.code, message: e.message };
  return { type: "error", id, message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}

let lowered = false;
/** DuckDB's threads start with the engine, on the first check or report: they take this process's priority too. */
function lowerDuckdbThreads(): void {
  if (lowered) return;
  lowerPriority(config.nice);
  lowered = true;
}

/** The running report: its id, how many more events it may send, and how to stop it. */
let running: { id: number; credits: number; wake?: () => void; controller: AbortController } | undefined;

async function run(id: number, query: Extract<ToReportProcess, { type: "run" }>["query"]): Promise<void> {
  const job: NonNullable<typeof running> = { id, credits: 0, controller: new AbortController() };
  running = job;
  try {
    const events: AsyncIterable<ReportEvent> = runner.stream(
      { ...query, timeout_ms: query.timeout_ms + OWN_TIMEOUT_GRACE_MS },
      { signal: job.controller.signal },
    );
    for await (const event of events) {
      lowerDuckdbThreads();
      while (job.credits === 0) await new Promise<void>((r) => (job.wake = r));
      job.credits--;
      await send({ type: "event", id, event });
    }
    await send({ type: "end", id });
  } catch (e) {
    await send(failure(id, e));
  } finally {
    // The next report may have started already: the caller sends it once it has read the summary.
    if (running === job) running = undefined;
  }
}

process.on("message", (m: ToReportProcess) => {
  switch (m.type) {
    case "check":
      runner.check(m.sql).then(
        (result) => {
          lowerDuckdbThreads();
          return send({ type: "checked", id: m.id, result });
        },
        (e: unknown) => send(failure(m.id, e)),
      );
      return;
    case "run":
      void run(m.id, m.query);
      return;
    case "credit":
      if (running?.id === m.id) {
        running.credits += m.n;
        running.wake?.();
      }
      return;
    case "cancel":
      if (running?.id === m.id) {
        running.controller.abort();
        running.credits = Number.MAX_SAFE_INTEGER;
        running.wake?.();
      }
      return;
  }
});

// The process that started this one has gone: nobody is left to read a report.
process.once("disconnect", () => process.exit(0));
process.once("SIGTERM", () => {
  void runner.close().finally(() => process.exit(0));
});
