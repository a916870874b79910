import { z } from "zod";

/** How often the worker says it is alive, with its own figures (see WorkerHeartbeat). */
export const WORKER_HEARTBEAT_EVERY_MS = 1_000;

/**
 * What the worker process writes to the store every WORKER_HEARTBEAT_EVERY_MS: that it is alive,
 * and the figures only it knows. The server reads it for GET /metrics and GET /api/ready, so one
 * scrape of one port covers both processes (docs/decisions/040-metrics-across-processes.md).
 * Counters are kept across the worker's restarts: each start goes on from the last heartbeat.
 */
export const WorkerHeartbeat = z.object({
  at: z.iso.datetime(),
  pid: z.number().int(),
  started_at: z.iso.datetime(),
  memory: z.object({ rss_bytes: z.number().nonnegative(), heap_used_bytes: z.number().nonnegative() }),
  /** The 99th percentile of the worker's event-loop delay since its last heartbeat (seconds). */
  event_loop_delay_p99_s: z.number().nonnegative(),
  /** Webhook delivery attempts by result: delivered, failed and to be retried, or failed for good. */
  deliveries: z.object({ delivered: z.number().nonnegative(), retried: z.number().nonnegative(), failed: z.number().nonnegative() }),
  lake: z.object({ records: z.number().nonnegative(), flushes: z.number().nonnegative(), last_flush_at: z.iso.datetime().nullable() }),
  /** Worker steps that failed because the store could not write (each retried with backoff). */
  store_failures: z.number().nonnegative(),
});
export type WorkerHeartbeat = z.infer<typeof WorkerHeartbeat>;
