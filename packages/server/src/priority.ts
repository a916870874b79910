/**
 * The worker process's scheduling priority (nice value; the server's is 0). Decisions first: when
 * the cores are busy, alerts, metrics and the lake wait a little for the server's two threads,
 * which answer the payments, rather than taking an equal share of a core from them. Under
 * contention Linux gives each runnable thread an equal share, and at high rates the scoring thread
 * needs more than that. The worker still gets what the server leaves, so it keeps up at any rate
 * the server can sustain (docs/decisions/015-lower-priority-for-the-worker-and-the-dashboard.md).
 */
export const WORKER_NICE = 10;

/**
 * The dashboard process's scheduling priority (nice value; the server's is 0). Decisions first:
 * when the cores are busy, the dashboard's work (page rendering, its garbage collections) waits
 * for the API's rather than the other way round.
 */
export const DASHBOARD_NICE = 10;

/** In core, where the report process (adapters/local/report-process.ts) lowers itself too. */
export { lowerPriority, threadPriorities } from "@fraud/core/local";
