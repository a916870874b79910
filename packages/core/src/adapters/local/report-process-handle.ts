import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { ErrorCode } from "../../errors/errors.ts";
import type { ReportEvent, ReportQuery, SqlCheck } from "../../report/report.ts";
import { anchors, localAdapterFile, resolveFrom } from "./package-files.ts";

// One report process: how it is started, spoken to, watched and ended. The runner that queues
// reports onto such processes is report-process.ts.

/** The report process's JavaScript heap (MB): it holds a few batches of rows at a time. */
const CHILD_HEAP_MB = 256;

/** What the report process is started with (its only argument, as JSON). */
export interface ReportProcessConfig {
  lakeDir: string;
  databaseFile?: string;
  memoryMb: number;
  threads: number;
  spillDir?: string;
  spillLimitMb?: number;
  nice: number;
}

/** From the caller to the report process. */
export type ToReportProcess =
  | { type: "check"; id: number; sql: string }
  | { type: "run"; id: number; query: ReportQuery }
  | { type: "credit"; id: number; n: number }
  | { type: "cancel"; id: number };

/** From the report process to the caller. */
export type FromReportProcess =
  | { type: "checked"; id: number; result: SqlCheck }
  | { type: "event"; id: number; event: ReportEvent }
  | { type: "end"; id: number }
  | { type: "error"; id: number; code?: ErrorCode; message: string };

/** The report process's entry: beside this file, or in the package when this file was bundled. */
const childEntry = () => localAdapterFile("report-process-child.ts");

/**
 * The TypeScript loader the report process starts with, by its full path: it then starts from
 * whatever directory the server was started in.
 */
function tsxLoader(): string {
  for (const from of anchors()) {
    const loader = resolveFrom(from, "tsx");
    if (loader) return pathToFileURL(loader).href;
  }
  return "tsx";
}

/** The resident memory of a process (MB), on Linux; undefined elsewhere or once it has ended. */
export function residentMb(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

export type Stopped = "timeout" | "memory" | "cancelled";

/** One report process and the one job it runs at a time. */
export class ReportProcess {
  private child: ChildProcess | undefined;
  private listener: ((m: FromReportProcess) => void) | undefined;
  private exitListener: ((why: string) => void) | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Why this process was ended on purpose, for the job it ran. */
  stopped: Stopped | undefined;

  constructor(
    private readonly config: ReportProcessConfig,
    private readonly idleMs: number,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private start(): ChildProcess {
    const child = spawn(process.execPath, [`--max-old-space-size=${CHILD_HEAP_MB}`, "--import", tsxLoader(), childEntry(), JSON.stringify(this.config)], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      serialization: "advanced",
      // No environment: the process needs none, and the API key or admin password an operator
      // set there are none of the business of a process that runs analysts' SQL.
      env: {} as NodeJS.ProcessEnv,
    });
    child.on("message", (m: FromReportProcess) => this.listener?.(m));
    child.once("exit", (code, signal) => {
      if (this.child === child) this.child = undefined;
      // What a report spilled goes with its process, ended on purpose or not.
      if (this.config.spillDir && child.pid !== undefined) rmSync(join(this.config.spillDir, String(child.pid)), { recursive: true, force: true });
      this.exitListener?.(signal ? `signal ${signal}` : `code ${code}`);
    });
    // An error to spawn (no such executable) is reported by the exit that follows.
    child.on("error", (e) => this.exitListener?.(e.message));
    return child;
  }

  /** Whether the process is up (it may have ended since the job began). */
  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts (or reuses) the process for one job; replies and the process's end go to the job. */
  begin(onMessage: (m: FromReportProcess) => void, onExit: (why: string) => void): void {
    clearTimeout(this.idleTimer);
    this.stopped = undefined;
    this.listen(onMessage, onExit);
    this.child ??= this.start();
    this.child.ref();
    (this.child.channel as { ref?: () => void } | undefined)?.ref?.();
  }

  /** Where the running job's replies and the process's end go from now on. */
  listen(onMessage: (m: FromReportProcess) => void, onExit: (why: string) => void): void {
    this.listener = onMessage;
    this.exitListener = onExit;
  }

  send(m: ToReportProcess): void {
    if (this.child?.connected) this.child.send(m);
  }

  /** The job is over: the process waits, unreferenced, for the next one, and ends when idle. */
  finish(): void {
    this.listener = undefined;
    this.exitListener = undefined;
    const child = this.child;
    if (!child) return;
    child.unref();
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
    this.idleTimer = setTimeout(() => this.end(), this.idleMs);
    this.idleTimer.unref();
  }

  /** Ends the process now (SIGKILL): DuckDB's memory and threads go with it. */
  kill(why: Stopped): void {
    this.stopped ??= why;
    this.child?.kill("SIGKILL");
  }

  /** Ends the process (idle, or its runner closed): it holds nothing that must be kept. */
  end(): void {
    clearTimeout(this.idleTimer);
    this.child?.kill("SIGKILL");
  }
}
