import { readdirSync } from "node:fs";
import { getPriority, setPriority } from "node:os";

/** Where Linux lists the threads of this process, one directory per thread id. */
const THREADS_DIR = "/proc/self/task";

/**
 * Lowers the scheduling priority of this whole process to at least `nice`: every thread it has now
 * whose nice value is lower, and so every thread it starts later, since a new thread takes its
 * creator's. A process started at a lower priority already (`nice -n 15 npm start`) keeps it:
 * raising a priority back needs privileges.
 *
 * On Linux a nice value belongs to a thread, not to a process: `setPriority(nice)` changes the
 * calling thread only, and V8's garbage-collection helpers and libuv's pool (where DuckDB writes
 * the lake), started before it, keep the priority they started with
 * (docs/decisions/015-lower-priority-for-the-worker-and-the-dashboard.md). Elsewhere (macOS) the process's priority is what there is, and `setPriority` sets it.
 */
export function lowerPriority(nice: number): void {
  let threads: number[];
  try {
    threads = readdirSync(THREADS_DIR).map(Number);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    threads = [0]; // not Linux: 0 is this process
  }
  for (const tid of threads) {
    try {
      if (getPriority(tid) < nice) setPriority(tid, nice);
    } catch (error) {
      // A thread that ended between the listing and now has nothing left to lower.
      if (!threadEnded(error)) throw error;
    }
  }
}

/** The nice value of each thread of a process (Linux), by thread id: for tests and checks. */
export function threadPriorities(pid: number): Map<number, number> {
  const priorities = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      priorities.set(Number(tid), getPriority(Number(tid)));
    } catch (error) {
      if (!threadEnded(error)) throw error;
    }
  }
  return priorities;
}

/** The thread ended between the listing and the call (the system error ESRCH). */
function threadEnded(error: unknown): boolean {
  return (error as { info?: { code?: string } }).info?.code === "ESRCH";
}
